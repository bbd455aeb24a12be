"""Who manages assessment: the one place it is decided.

Headquarters publishes rankings and versions the scoring scheme; every signed-in user reads
them (they are sent to all units). Every service that changes them calls
`require_manager` first; a page or an endpoint that must refuse before it reads its input (so
that someone else is told "not yours" rather than "wrong period") calls the same function, and
pages ask `can_manage` to offer a button.
"""

from django.utils.translation import gettext_lazy as _

from diaodu.org.models import AnyUser
from diaodu.org.permissions import is_headquarters, require

NOT_A_MANAGER = _("Only headquarters manages rankings and scoring schemes.")


def can_manage(user: AnyUser) -> bool:
    """Headquarters, with an account in use."""
    return is_headquarters(user)


def require_manager(user: AnyUser) -> None:
    """Raise PermissionDenied unless the user manages assessment."""
    require(can_manage(user), NOT_A_MANAGER)
