"""`diaodu remind`: remind owners of reports to file, units of problems and tasks near or past
their deadline, and departments of approvals near or past their time limit. Run daily; running
it again sends nothing twice."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from diaodu.monitoring.tasks import remind


class Command(BaseCommand):
    help = _(
        "Remind owners of reports to file, units of problems and tasks near or past their "
        "deadline, and departments of approvals near or past their time limit."
    )

    def handle(self, *args, **options):
        sent = remind()  # in this process, recorded like the scheduled run
        for key, message in (
            ("filings", _("%(count)d filing reminders sent.")),
            ("reminders", _("%(count)d problem and task reminders sent.")),
            ("approvals", _("%(count)d approval warnings sent.")),
        ):
            self.stdout.write(message % {"count": sent[key]})
