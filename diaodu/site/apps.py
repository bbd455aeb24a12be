from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """The top of the house: the home page, the user's work list and the URL wiring."""

    name = "diaodu.site"
    label = "site"
    verbose_name = _("Site")
