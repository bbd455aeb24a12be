"""`diaodu restore ARCHIVE [--force]`: an archive of `diaodu backup` back into this instance.

Only into an empty instance (no projects, no users) unless --force; the archive is checked
whole before anything changes (diaodu/core/backups.py). Stop the web, worker and beat
processes first (docs/deploy.md).
"""

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from diaodu.core.backups import BackupError, restore_backup, vendor_name


class Command(BaseCommand):
    help = _("Restore an archive written by `diaodu backup` into an empty instance.")

    def add_arguments(self, parser):
        parser.add_argument("archive", help=_("The .tar.gz written by `diaodu backup`."))
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("Replace the database even if it already holds projects or users."),
        )

    def handle(self, *args, **options):
        try:
            outcome = restore_backup(options["archive"], force=options["force"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = outcome.manifest
        self.stdout.write(
            _(
                "Restored %(path)s, written %(created)s by Diaodu %(version)s from %(vendor)s, "
                "in %(seconds).1f s."
            )
            % {
                "path": outcome.path,
                "created": manifest.get("created", "?"),
                "version": manifest.get("diaodu_version", "?"),
                "vendor": vendor_name(manifest["database"]["vendor"]),
                "seconds": outcome.seconds,
            }
        )
        width = max((len(label) for label in outcome.counts), default=0)
        for label, rows in sorted(outcome.counts.items()):
            if rows:
                self.stdout.write(f"  {label:<{width}}  {rows:>9}")
        self.stdout.write(
            _("%(rows)d rows in %(tables)d tables; %(files)d uploaded files (%(bytes)s).")
            % {
                "rows": sum(outcome.counts.values()),
                "tables": len(outcome.counts),
                "files": outcome.media_files,
                "bytes": filesizeformat(outcome.media_bytes),
            }
        )
        for note in outcome.notes:
            self.stdout.write(self.style.WARNING(note))
