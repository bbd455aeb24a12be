"""`diaodu remind`: notify units of problems and tasks whose deadline is near, and departments
of approvals near or past their time limit (once per change of light). Run daily."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from diaodu.problems.tasks import remind


class Command(BaseCommand):
    help = _(
        "Remind units of problems and tasks whose deadline is near, and departments of "
        "approvals near or past their time limit."
    )

    def handle(self, *args, **options):
        sent = remind()  # in this process, recorded like the scheduled run
        self.stdout.write(_("%(count)d reminders sent.") % {"count": sent["reminders"]})
        self.stdout.write(_("%(count)d approval warnings sent.") % {"count": sent["approvals"]})
