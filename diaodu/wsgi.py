"""WSGI entry point: `gunicorn diaodu.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diaodu.settings")
# Requests do not split a query over PostgreSQL's parallel workers (settings.py says why).
os.environ.setdefault("DIAODU_DB_PARALLEL_WORKERS", "0")
application = get_wsgi_application()

from diaodu.env import require_secret_key  # noqa: E402

require_secret_key()  # a production server never starts without its key
