from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "diaodu.projects"
    label = "projects"
    verbose_name = _("Projects")

    def ready(self) -> None:
        from diaodu.core import kept
        from diaodu.projects.models import Program
        from diaodu.projects.signals import watch_project_set

        watch_project_set()
        kept.CHOICES.watch(Program)  # the options of the selects of programmes
