"""`diaodu snapshot`: take a month's snapshot now, rebuild past months from the history, or
publish a month (kept as it is from then on)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from diaodu.monitoring.snapshots import rebuild, take
from diaodu.reporting.snapshots import do_publish_month, first_of, parse_month


class Command(BaseCommand):
    help = _(
        "Take the snapshot of a month (this month by default), rebuild the months from one to "
        "another from the history, or publish a month."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", help=_("The month, as 2026-10 (default: this month)."))
        parser.add_argument(
            "--rebuild-from", help=_("Take every month from this one to --month (2025-01).")
        )
        parser.add_argument(
            "--publish", action="store_true", help=_("Publish the month: keep it as it is.")
        )

    def handle(self, *args, **options):
        try:
            month = parse_month(options["month"]) if options["month"] else None
            month = month or first_of(timezone.localdate())
            if options["publish"]:
                snapshot = do_publish_month(month)
                if snapshot is None:
                    raise CommandError(
                        _("There is no snapshot of %(month)s.") % {"month": f"{month:%Y-%m}"}
                    )
                self.stdout.write(_("%(month)s published.") % {"month": f"{month:%Y-%m}"})
                return
            if options["rebuild_from"]:
                taken = rebuild(parse_month(options["rebuild_from"]), month)
            else:
                taken = [take(month)]
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        for snapshot in taken:
            self.stdout.write(
                _("%(month)s: %(count)d projects.")
                % {"month": f"{snapshot.month:%Y-%m}", "count": snapshot.projects}
            )
