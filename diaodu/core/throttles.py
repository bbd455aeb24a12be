"""API throttling: each signed-in user, and each address when signed out, may send so many
requests a minute (DIAODU_API_RATE_USER, DIAODU_API_RATE_ANON); beyond that the API answers 429
with Retry-After. The rates are read when a request comes, so a changed setting applies at once.

The counts live in Django's cache: set DIAODU_CACHE_URL to Redis in production so that every
worker process shares them.
"""

from django.conf import settings
from rest_framework import throttling


class UserRateThrottle(throttling.UserRateThrottle):
    def get_rate(self):
        return settings.DIAODU_API_RATE_USER or None


class AnonRateThrottle(throttling.AnonRateThrottle):
    def get_rate(self):
        return settings.DIAODU_API_RATE_ANON or None
