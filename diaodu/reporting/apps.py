from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "diaodu.reporting"
    label = "reporting"
    verbose_name = _("Progress reporting")

    def ready(self):
        from diaodu.reporting import progress
        from diaodu.reporting.panels import register_panels

        register_panels()
        progress.watch()
