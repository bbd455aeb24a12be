from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "diaodu.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from diaodu.org.middleware import mark_signed_in

        user_logged_in.connect(mark_signed_in, dispatch_uid="diaodu-session-signed-in")
