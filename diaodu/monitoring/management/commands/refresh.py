"""`diaodu refresh`: recompute derived figures (investment summaries, project lights). Daily."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from diaodu.monitoring.lights import RULES_VERSION
from diaodu.monitoring.tasks import refresh


class Command(BaseCommand):
    help = _(
        "Recompute investment summaries and project lights (run daily, and after changing "
        "a threshold)."
    )

    def handle(self, *args, **options):
        counts = refresh()  # in this process, recorded like the scheduled run
        self.stdout.write(
            _("%(summaries)d summaries and %(lights)d lights recomputed (rules %(version)s).")
            % {**counts, "version": RULES_VERSION}
        )
