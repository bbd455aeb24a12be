"""`diaodu remind`: notify units of problems and tasks whose deadline is near. Run daily."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from diaodu.problems.services import notify_deadlines


class Command(BaseCommand):
    help = _("Remind units of problems and tasks whose deadline is near.")

    def handle(self, *args, **options):
        self.stdout.write(_("%(count)d reminders sent.") % {"count": notify_deadlines()})
