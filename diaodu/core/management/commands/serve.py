"""`diaodu serve`: the application under gunicorn, as it runs in production.

Static files are served by the application (WhiteNoise) from the collected folder, so run
`diaodu collectstatic` first (the Docker image does it when it is built). Put nginx in front
for HTTPS and uploads (docs/deploy.md).
"""

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


def default_workers() -> int:
    """Two processes per core plus one, at most eight: requests mostly wait on the database."""
    return min(8, 2 * (os.cpu_count() or 1) + 1)


class Command(BaseCommand):
    help = _("Serve the application with gunicorn (production).")

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.DIAODU_WEB_HOST)
        parser.add_argument("--port", type=int, default=settings.DIAODU_WEB_PORT)
        parser.add_argument("--workers", type=int, default=settings.DIAODU_WEB_WORKERS)
        parser.add_argument("--threads", type=int, default=settings.DIAODU_WEB_THREADS)
        parser.add_argument("--timeout", type=int, default=settings.DIAODU_WEB_TIMEOUT)
        parser.add_argument(
            "--check-only",
            action="store_true",
            help=_("Check the configuration and exit without serving."),
        )

    def handle(self, *args, **options):
        from gunicorn.app.base import BaseApplication

        from diaodu.env import require_secret_key

        try:
            require_secret_key()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error

        static_manifest = settings.STATIC_ROOT / "staticfiles.json"
        if not settings.DEBUG and not static_manifest.exists():
            raise CommandError(
                _("The static files are not collected in %(root)s: run `diaodu collectstatic`.")
                % {"root": settings.STATIC_ROOT}
            )
        config = {
            "bind": f"{options['host']}:{options['port']}",
            "workers": options["workers"] or default_workers(),
            "threads": options["threads"],
            "worker_class": "gthread",
            "timeout": options["timeout"],
            "graceful_timeout": 30,
            "keepalive": 5,
            # Workers are not recycled after a number of requests (max_requests): gunicorn's
            # threaded worker resets the connection it accepts while it retires (gunicorn
            # issue 3038), so one request in two thousand would fail or hang.
            # One line per request comes from diaodu.core.middleware, with its id, user, unit.
            "accesslog": None,
            "errorlog": "-",
            "forwarded_allow_ips": settings.DIAODU_FORWARDED_ALLOW_IPS,
            "limit_request_line": 8190,
        }
        if options["check_only"]:
            self.stdout.write(_("Configuration is valid: %(bind)s") % config)
            return
        from diaodu.wsgi import application

        class Server(BaseApplication):
            def load_config(self):
                for key, value in config.items():
                    self.cfg.set(key, value)

            def load(self):
                return application

        self.stdout.write(
            _("Serving on %(bind)s with %(workers)d workers × %(threads)d threads.") % config
        )
        Server().run()
