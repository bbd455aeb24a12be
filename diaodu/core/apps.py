from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "diaodu.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from celery import signals as celery_signals
        from django.contrib.auth import signals
        from django.core.signals import request_finished

        from diaodu.core import logs
        from diaodu.core import signals as handlers

        request_finished.connect(logs.end_request, dispatch_uid="diaodu.end_request")

        signals.user_logged_in.connect(handlers.signed_in, dispatch_uid="diaodu.signed_in")
        signals.user_login_failed.connect(
            handlers.sign_in_failed, dispatch_uid="diaodu.sign_in_failed"
        )
        signals.user_logged_out.connect(handlers.signed_out, dispatch_uid="diaodu.signed_out")
        # The request id travels with the tasks a request queues (diaodu.core.signals).
        celery_signals.before_task_publish.connect(
            handlers.task_queued, dispatch_uid="diaodu.task_queued"
        )
        celery_signals.task_prerun.connect(
            handlers.task_started, dispatch_uid="diaodu.task_started"
        )
        celery_signals.task_postrun.connect(
            handlers.task_finished, dispatch_uid="diaodu.task_finished"
        )
