from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "diaodu.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self):
        from axes.signals import user_locked_out
        from django.contrib.auth import signals as auth_signals
        from django.db.models.signals import m2m_changed, post_save, pre_save

        from diaodu.core import kept
        from diaodu.core.signals import file_downloaded
        from diaodu.org import audit
        from diaodu.org.middleware import mark_signed_in
        from diaodu.org.models import Leader, Unit, User

        kept.CHOICES.watch(Unit, Leader)  # the options of the selects of units and leaders

        auth_signals.user_logged_in.connect(mark_signed_in, dispatch_uid="diaodu-session-signed-in")
        # The audit log (diaodu.org.audit).
        auth_signals.user_logged_in.connect(audit.signed_in, dispatch_uid="audit-signed-in")
        auth_signals.user_login_failed.connect(
            audit.sign_in_failed, dispatch_uid="audit-sign-in-failed"
        )
        auth_signals.user_logged_out.connect(audit.signed_out, dispatch_uid="audit-signed-out")
        user_locked_out.connect(audit.locked_out, dispatch_uid="audit-locked-out")
        file_downloaded.connect(audit.file_downloaded, dispatch_uid="audit-downloaded")
        pre_save.connect(audit.remember_permissions, sender=User, dispatch_uid="audit-before")
        post_save.connect(audit.permissions_saved, sender=User, dispatch_uid="audit-after")
        for through in (User.groups.through, User.user_permissions.through):
            m2m_changed.connect(
                audit.groups_changed, sender=through, dispatch_uid=f"audit-{through.__name__}"
            )
