"""Days as moments: where a local day starts and ends, for comparing with stored times."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone


def start_of(day: date) -> datetime:
    """The first moment of a day, in the local time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def end_of(day: date) -> datetime:
    """The first moment after a day: what happened before it happened by that day."""
    return start_of(day + timedelta(days=1))
