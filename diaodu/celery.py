"""The task queue: Celery with Redis as its broker in production.

With `DIAODU_BROKER_URL` unset (the demo, the tests) every task runs in-process when it is
queued, so the embedded default needs nothing installed. With it set, `.delay()` only queues
and a worker runs the task: `celery -A diaodu worker`, and `celery -A diaodu beat` for the
periodic jobs of `settings.CELERY_BEAT_SCHEDULE`.
"""

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diaodu.settings")

app = Celery("diaodu")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _refuse_without_a_secret_key(**kwargs):
    """A worker, like the web server, does not start in production without its key."""
    from diaodu.env import require_secret_key

    require_secret_key()
