"""Who issues bulletins: the one place it is decided.

Headquarters issues them; every signed-in user reads, previews and downloads them (they are
sent to all units: `Bulletin.objects.visible_to`). The service that issues one calls
`require_issuer` first; the page and the endpoint that must refuse before they read the period
(so that someone else is told "not yours" rather than "wrong period") call the same function,
and the page asks `can_issue` to offer the button.
"""

from django.utils.translation import gettext_lazy as _

from diaodu.org.models import AnyUser
from diaodu.org.permissions import is_headquarters, require

NOT_AN_ISSUER = _("Only headquarters issues bulletins.")


def can_issue(user: AnyUser) -> bool:
    """Headquarters, with an account in use."""
    return is_headquarters(user)


def require_issuer(user: AnyUser) -> None:
    """Raise PermissionDenied unless the user issues bulletins."""
    require(can_issue(user), NOT_AN_ISSUER)
