"""Fixtures the notification tests share with other apps."""

from diaodu.reporting.tests.conftest import period  # noqa: F401 (a reporting period fixture)
