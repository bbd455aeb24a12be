from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    """Lights, the ledger and its totals, the dashboard, the battle map and the daily jobs of
    supervision: what reads every lower app and changes none of them."""

    name = "diaodu.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self):
        from diaodu.monitoring import receivers

        receivers.connect()
        from diaodu.monitoring.panels import register_panels

        register_panels()
