"""`diaodu remind`: notify units of problems and tasks whose deadline is near, and departments
of approvals near or past their time limit (once per change of light). Run daily."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from diaodu.problems.services import notify_deadlines
from diaodu.projects.approvals import notify_time_limits


class Command(BaseCommand):
    help = _(
        "Remind units of problems and tasks whose deadline is near, and departments of "
        "approvals near or past their time limit."
    )

    def handle(self, *args, **options):
        self.stdout.write(_("%(count)d reminders sent.") % {"count": notify_deadlines()})
        self.stdout.write(_("%(count)d approval warnings sent.") % {"count": notify_time_limits()})
