from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "diaodu.assessment"
    label = "assessment"
    verbose_name = _("Assessment")

    def ready(self):
        from diaodu.assessment import receivers

        receivers.connect()
