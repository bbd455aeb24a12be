"""Session limits and the forced password change, checked on every request of a signed-in user.

- A session unused for DIAODU_SESSION_IDLE_MINUTES, or older than DIAODU_SESSION_MAX_HOURS since
  its sign-in, is ended: the user signs in again.
- A user whose password must change is sent to the password-change page until it is changed.

Both need only the session and the user already loaded: no query of their own. The time last
seen is written at most once a minute, so a busy page does not write its session on every request.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

SIGNED_IN_AT = "diaodu_signed_in_at"
SEEN_AT = "diaodu_seen_at"
SEEN_WRITE_EVERY = 60  # seconds


def mark_signed_in(sender, request, user, **kwargs):
    """user_logged_in: the session remembers when its sign-in happened."""
    if request is not None and hasattr(request, "session"):
        now = timezone.now().timestamp()
        request.session[SIGNED_IN_AT] = now
        request.session[SEEN_AT] = now


class SessionLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            ended = self.ended(request)
            if ended:
                logout(request)
                messages.info(request, ended)
                return redirect_to_login(request.get_full_path())
            if getattr(user, "must_change_password", False) and not self.may_pass(request):
                return redirect("password_change")
        return self.get_response(request)

    def ended(self, request) -> str:
        """Why the session has ended, or an empty string."""
        session = request.session
        now = timezone.now().timestamp()
        signed_in_at = session.setdefault(SIGNED_IN_AT, now)
        seen_at = session.get(SEEN_AT, now)
        if now - signed_in_at > settings.DIAODU_SESSION_MAX_HOURS * 3600:
            return _("You have been signed in for %(hours)d hours; please sign in again.") % {
                "hours": settings.DIAODU_SESSION_MAX_HOURS
            }
        if now - seen_at > settings.DIAODU_SESSION_IDLE_MINUTES * 60:
            return _("You were away for more than %(minutes)d minutes; please sign in again.") % {
                "minutes": settings.DIAODU_SESSION_IDLE_MINUTES
            }
        if now - seen_at >= SEEN_WRITE_EVERY or SEEN_AT not in session:
            session[SEEN_AT] = now
        return ""

    @staticmethod
    def may_pass(request) -> bool:
        """While a password must change: that page, signing out, and static files."""
        static = "/" + settings.STATIC_URL.lstrip("/")
        allowed = (reverse("password_change"), reverse("logout"), static)
        return request.path_info.startswith(allowed)
