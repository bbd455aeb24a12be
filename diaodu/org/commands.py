"""What the management commands share: the user a command acts as."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db.models import Q
from django.utils.translation import gettext as _

from diaodu.org.choices import Role


def acting_user(username: str | None, none_message: str):
    """The active user named, or the first headquarters user (or superuser) when none is.

    `none_message` says what to do when there is no headquarters user to act as.
    """
    users = get_user_model().objects.filter(is_active=True)
    if username:
        user = users.filter(username=username).first()
        if user is None:
            raise CommandError(_("There is no user %(name)s.") % {"name": username})
        return user
    user = users.filter(Q(role=Role.HEADQUARTERS) | Q(is_superuser=True)).order_by("pk").first()
    if user is None:
        raise CommandError(none_message)
    return user
