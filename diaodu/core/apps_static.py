"""What `collectstatic` leaves out of the published static files."""

from django.contrib.staticfiles.apps import StaticFilesConfig


class PublishedStaticFilesConfig(StaticFilesConfig):
    """The pages load Swagger UI (/api/docs/), never ReDoc: its 5 MB bundle is left out, and
    so are source maps (see diaodu.core.staticfiles.PublishedStaticFilesStorage)."""

    ignore_patterns = [*StaticFilesConfig.ignore_patterns, "redoc", "*.map"]
