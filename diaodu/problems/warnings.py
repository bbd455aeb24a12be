"""The light of a problem or a task, and its reason, derived from dates: never set by hand.

- red: the deadline has passed and it is not verified;
- yellow: the deadline is DIAODU_WARNING_DAYS away or closer, or an item that goes stale (a
  task) has had no feedback for DIAODU_FEEDBACK_STALE_DAYS;
- green otherwise (and once verified).

It reads only what `SupervisedItem` gives every problem and task: `is_closed` and `CLOSED`,
`deadline`, and for items that go stale `QUIET_SINCE` and `quiet_since`.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from diaodu.core.choices import Light


def light_of(item, today=None) -> tuple[str, str]:
    today = today or timezone.localdate()
    if item.is_closed:
        return Light.GREEN, _("Verified and closed.")
    days = (item.deadline - today).days
    if days < 0:
        return Light.RED, _("Overdue by %(days)d days (deadline %(deadline)s).") % {
            "days": -days,
            "deadline": item.deadline,
        }
    if days <= settings.DIAODU_WARNING_DAYS:
        return Light.YELLOW, _("Deadline %(deadline)s is %(days)d days away.") % {
            "days": days,
            "deadline": item.deadline,
        }
    if item.QUIET_SINCE:
        last = item.quiet_since
        idle = (timezone.now() - last).days if last else 0
        if idle >= settings.DIAODU_FEEDBACK_STALE_DAYS:
            return Light.YELLOW, _("No feedback for %(days)d days.") % {"days": idle}
    return Light.GREEN, _("On track: deadline %(deadline)s.") % {"deadline": item.deadline}


def light_list(items, today=None) -> list:
    """Evaluate and give each item its `light` and `light_reason`."""
    items = list(items)
    for item in items:
        item.light, item.light_reason = light_of(item, today)
    return items


def light_filter(model, light: str, today=None) -> Q:
    """The same rule as a database filter, for lists and counts."""
    today = today or timezone.localdate()
    closed = Q(status=model.CLOSED)
    soon = today + timedelta(days=settings.DIAODU_WARNING_DAYS)
    if light == Light.RED:
        return ~closed & Q(deadline__lt=today)
    yellow = ~closed & Q(deadline__gte=today, deadline__lte=soon)
    if model.QUIET_SINCE:
        stale = timezone.now() - timedelta(days=settings.DIAODU_FEEDBACK_STALE_DAYS)
        yellow |= ~closed & Q(deadline__gt=soon) & Q(last_touch__lte=stale)
    if light == Light.YELLOW:
        return yellow
    return ~(light_filter(model, Light.RED, today) | yellow)


def with_touch(queryset):
    """Annotate items that go stale (tasks) with when they last moved (the no-feedback rule)."""
    if queryset.model.QUIET_SINCE:
        return queryset.annotate(last_touch=Coalesce(*queryset.model.QUIET_SINCE))
    return queryset


def overdue(queryset, today=None):
    return queryset.filter(light_filter(queryset.model, Light.RED, today))


__all__ = ["light_of", "light_list", "light_filter", "with_touch", "overdue"]
