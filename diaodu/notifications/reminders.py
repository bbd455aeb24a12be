"""What the daily reminders share: which notice a deadline calls for today, and who has had it.

Reminders are worked out from the state of things, never from "exactly N days before": each
run asks, for every open item, which notice is due today (due soon, due today, late, and again
every DIAODU_LATE_REPEAT_DAYS days while late) and sends it under a key. A recipient gets a
key once (`notify`), so a job run twice tells nobody twice, and a job that stopped for days
sends, when it runs again, the notice that is right for today, once; an item done meanwhile
is no longer open, so it is not reminded at all.
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings

from diaodu.notifications.models import Notification
from diaodu.notifications.services import notify
from diaodu.org.models import User

SOON, TODAY, LATE = "soon", "today", "late"
CHUNK = 500  # keys per query (SQLite's limit on parameters)


def stage(deadline: date, today: date, soon_days: int) -> tuple[str, int, int] | None:
    """(stage, days, round) of a deadline today, or None when nothing is due yet.

    Within `soon_days` before the deadline: (SOON, days left, 0); on the day: (TODAY, 0, 0);
    after it: (LATE, days late, round), the round growing by one every
    DIAODU_LATE_REPEAT_DAYS days (always 0 when that is 0: told once).
    """
    days = (deadline - today).days
    if days > soon_days:
        return None
    if days > 0:
        return SOON, days, 0
    if days == 0:
        return TODAY, 0, 0
    late = -days
    repeat = settings.DIAODU_LATE_REPEAT_DAYS
    return LATE, late, (late - 1) // repeat if repeat else 0


def told(keys) -> dict[str, set[int]]:
    """The ids of the recipients who already have each key (one query per 500 keys)."""
    keys = sorted(set(keys))
    found: dict[str, set[int]] = {}
    for start in range(0, len(keys), CHUNK):
        rows = Notification.objects.filter(key__in=keys[start : start + CHUNK]).values_list(
            "key", "recipient_id"
        )
        for key, recipient in rows:
            found.setdefault(key, set()).add(recipient)
    return found


def untold(users, key: str, already: dict[str, set[int]]) -> list:
    """The users who have not had this key yet (so that a run with nothing new sends nothing
    and costs no query per item)."""
    seen = already.get(key, set())
    return [user for user in users if user.pk not in seen]


def users_by_unit(unit_ids, *, roles=None) -> dict[int, list]:
    """The active users of each unit (only those in `roles`, if given), in one query."""
    users: dict[int, list] = {}
    queryset = User.objects.filter(unit_id__in={pk for pk in unit_ids if pk}, is_active=True)
    if roles is not None:
        queryset = queryset.filter(role__in=roles)
    for user in queryset.order_by("pk"):
        users.setdefault(user.unit_id, []).append(user)
    return users


@dataclass
class Reminder:
    """One notice to the users of some units, under a key."""

    unit_ids: list[int]
    title: str
    url: str
    body: str
    event: str
    key: str


def send(due: list[Reminder], *, roles=None) -> int:
    """Send each reminder to its units' users (in `roles`, if given) who have not had its key.

    A constant number of queries to find who is told and who was already, then one `notify` per
    reminder that still tells someone: a run with nothing new costs no query per item.
    Returns how many notifications were created.
    """
    users = users_by_unit({pk for reminder in due for pk in reminder.unit_ids}, roles=roles)
    already = told(reminder.key for reminder in due)
    sent = 0
    for reminder in due:
        candidates = [user for pk in dict.fromkeys(reminder.unit_ids) for user in users.get(pk, [])]
        recipients = untold(candidates, reminder.key, already)
        if recipients:
            sent += len(
                notify(
                    recipients,
                    reminder.title,
                    url=reminder.url,
                    body=reminder.body,
                    event=reminder.event,
                    key=reminder.key,
                )
            )
    return sent
