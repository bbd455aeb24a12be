"""`diaodu bulletin --month 2024-03 --output FILE.docx`: issue the bulletin (通报) of a period.

By default the bulletin is issued as headquarters would issue it from the page: the period's
rankings are published if they are not yet, the bulletin is numbered and kept, and a copy is
written to FILE. A period issued before is not issued again: its bulletin is written to FILE,
with the same issue and number, unless --reissue asks for a new issue (the earlier one is kept,
marked superseded). With --no-keep the file is only written: nothing is published or kept.
"""

import os
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from diaodu.assessment.choices import PeriodKind
from diaodu.assessment.periods import Window
from diaodu.bulletins.documents import build_content, bulletin_docx, issue_text
from diaodu.bulletins.services import do_issue_bulletin
from diaodu.org.commands import acting_user


class Command(BaseCommand):
    help = _(
        "Write the bulletin of a month or a quarter as a Word file; unless --no-keep, issue it "
        "(publish the rankings, number it and keep it)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", help=_("The month, as 2024-03."))
        parser.add_argument("--quarter", help=_("The quarter, as 2024Q1."))
        parser.add_argument("--output", help=_("The Word file to write (.docx)."))
        parser.add_argument(
            "--user", help=_("Issue as this user (default: the first headquarters user).")
        )
        parser.add_argument(
            "--reissue",
            action="store_true",
            help=_(
                "Issue the period again with a new issue and number, even if it was issued "
                "before (the earlier bulletin is kept, marked superseded)."
            ),
        )
        parser.add_argument(
            "--no-keep",
            action="store_true",
            help=_("Only write the file: publish nothing, keep no bulletin."),
        )

    def handle(self, *args, **options):
        window = self._window(options["month"], options["quarter"])
        output = self._output(options["output"])
        if options["no_keep"]:
            try:
                content = build_content(window)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
            self._write(output, bulletin_docx(content))
            self.stdout.write(
                _("Wrote %(file)s (a draft: nothing was issued or kept).") % {"file": output}
            )
            return
        user = self._user(options["user"])
        try:
            with transaction.atomic():
                bulletin = do_issue_bulletin(user, window, reissue=options["reissue"])
                with bulletin.document.open("rb") as stored:
                    content = stored.read()
                try:
                    self._write(output, content)
                except CommandError:
                    bulletin.document.delete(save=False)  # nothing is kept
                    raise
        except (ValidationError, PermissionDenied) as error:
            messages = getattr(error, "messages", None) or [str(error)]
            raise CommandError(" ".join(messages)) from error
        message = (
            _("%(title)s (%(issue)s, %(number)s) was issued before; wrote %(file)s.")
            if bulletin.was_issued_before
            else _("Issued %(title)s (%(issue)s, %(number)s); wrote %(file)s.")
        )
        self.stdout.write(
            message
            % {
                "title": bulletin.title,
                "issue": issue_text(bulletin.year, bulletin.issue),
                "number": bulletin.document_number.text if bulletin.document_number else "—",
                "file": output,
            }
        )

    def _window(self, month, quarter) -> Window:
        if month and quarter:
            raise CommandError(_("Give --month or --quarter, not both."))
        if not month and not quarter:
            raise CommandError(_("Give the period: --month 2024-03 or --quarter 2024Q1."))
        text, kind = (month, PeriodKind.MONTH) if month else (quarter, PeriodKind.QUARTER)
        try:
            window = Window.parse(text)
        except ValueError as error:
            raise CommandError(str(error)) from error
        if window.kind != kind:
            message = (
                _("“%(text)s” is not a month: write it as 2024-03.")
                if kind == PeriodKind.MONTH
                else _("“%(text)s” is not a quarter: write it as 2024Q1.")
            )
            raise CommandError(message % {"text": text})
        return window

    def _output(self, name) -> Path:
        if not name:
            raise CommandError(_("Give the file to write with --output FILE.docx."))
        path = Path(name)
        folder = path.parent if str(path.parent) else Path(".")
        if path.is_dir() or not folder.is_dir() or not os.access(folder, os.W_OK):
            raise CommandError(_("Cannot write %(file)s.") % {"file": path})
        if path.exists() and not os.access(path, os.W_OK):
            raise CommandError(_("Cannot write %(file)s.") % {"file": path})
        return path

    def _write(self, path: Path, content: bytes):
        try:
            path.write_bytes(content)
        except OSError as error:
            raise CommandError(
                _("Cannot write %(file)s: %(error)s") % {"file": path, "error": error.strerror}
            ) from error

    def _user(self, username):
        return acting_user(username, _("There is no headquarters user to issue as; give --user."))
