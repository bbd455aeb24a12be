from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "diaodu.inspections"
    label = "inspections"
    verbose_name = _("Inspections")

    def ready(self):
        from diaodu.inspections.panels import register_panels

        register_panels()
