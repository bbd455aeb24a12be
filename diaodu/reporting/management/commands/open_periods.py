"""`diaodu open_periods`: open the reporting periods that are due today. Safe to run daily."""

from datetime import date

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from diaodu.core.tasks import recorded
from diaodu.reporting.services import open_due_periods


class Command(BaseCommand):
    help = _("Open, for every programme of the year, the reporting period containing today.")

    def add_arguments(self, parser):
        parser.add_argument("--date", type=date.fromisoformat, help=_("Act as if today were DATE."))

    def handle(self, *args, date=None, **options):
        with recorded("open_periods"):
            opened = open_due_periods(date)
        for period in opened:
            self.stdout.write(
                _("Opened %(period)s, due %(due)s.") % {"period": period, "due": period.due_date}
            )
        self.stdout.write(_("%(count)d periods opened.") % {"count": len(opened)})
