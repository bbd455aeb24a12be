from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProblemsConfig(AppConfig):
    name = "diaodu.problems"
    label = "problems"
    verbose_name = _("Problems and tasks")

    def ready(self):
        from diaodu.problems.panels import register_panels

        register_panels()
