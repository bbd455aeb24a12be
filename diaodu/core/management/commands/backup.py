"""`diaodu backup [--output FILE or FOLDER] [--keep N]`: the database and the uploaded files.

One .tar.gz with a consistent dump of the database and every file under MEDIA_ROOT, and a
manifest to check it by (diaodu/core/backups.py). Run it from cron or a systemd timer;
`diaodu restore ARCHIVE` brings it back into an empty instance (docs/deploy.md).
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from diaodu.core.backups import (
    BackupError,
    default_archive_name,
    prune,
    vendor_name,
    write_backup,
)


class Command(BaseCommand):
    help = _("Write the database and the uploaded files into one archive (.tar.gz).")

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            help=_(
                "The archive to write, or a folder to write it in (default: var/backups/, "
                "named by the time)."
            ),
        )
        parser.add_argument(
            "--keep",
            type=int,
            default=0,
            help=_("Then delete all but the newest N archives in that folder (0 keeps all)."),
        )

    def handle(self, *args, **options):
        if options["keep"] < 0:
            raise CommandError(_("--keep cannot be negative."))
        output = Path(options["output"] or Path(settings.VAR_DIR) / "backups")
        if output.is_dir() or not options["output"]:
            output = output / default_archive_name()
        try:
            outcome = write_backup(output)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _(
                "Backup written to %(path)s (%(size)s): %(rows)d rows in %(tables)d tables of "
                "%(vendor)s, %(files)d uploaded files (%(bytes)s), in %(seconds).1f s."
            )
            % {
                "path": outcome.path,
                "size": filesizeformat(outcome.path.stat().st_size),
                "rows": sum(outcome.counts.values()),
                "tables": len(outcome.counts),
                "vendor": vendor_name(outcome.manifest["database"]["vendor"]),
                "files": outcome.media_files,
                "bytes": filesizeformat(outcome.media_bytes),
                "seconds": outcome.seconds,
            }
        )
        if options["keep"]:
            for path in prune(outcome.path.parent, options["keep"]):
                self.stdout.write(_("Deleted the older backup %(path)s.") % {"path": path})
