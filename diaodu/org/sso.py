"""Single sign-on with the city's unified identity platform (统一身份认证), off until configured
(docs/sso.md): the rule that gives a person confirmed elsewhere a Diaodu account, the sign-in
page, and OpenID Connect. The directory (LDAP) is in sso_ldap.py.

The rule (`account_for`): a person the directory or the platform has confirmed signs in to the
Diaodu account with the same user name, which headquarters made with its role and unit. No such
account, a deactivated one, or a superuser's (the administrator signs in with the local password
only): refused. Nothing here creates an account or gives a role or a unit.

Every refusal is noted on the request (`refuse`): the sign-in page shows its message and the
audit log (diaodu/org/audit.py) records it, and the failure goes through Django's
user_login_failed, so django-axes counts it as it counts a wrong password.

OpenID Connect uses Authlib (BSD licence), which checks the state, the nonce, the PKCE verifier,
and the ID token's signature (the platform's published keys), issuer, audience and expiry.
"""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from diaodu.org.models import User

# Where a sign-in's outcome is noted on its request, for the page and the audit log.
REFUSAL = "diaodu_sign_in_refusal"
SIGNED_IN_VIA = "diaodu_signed_in_via"
# The page to return to after the platform, kept in the session across the round trip.
NEXT = "diaodu_oidc_next"

DIRECTORY = _("directory (LDAP)")
PLATFORM = _("unified identity platform")

NO_ACCOUNT = _(
    "Your identity was confirmed, but Diaodu has no account “%(username)s”: "
    "ask headquarters to create it."
)
INACTIVE = _("The account “%(username)s” is deactivated: ask headquarters.")
ADMINISTRATOR = _(
    "The account “%(username)s” is an administrator's and signs in with its own password only."
)
DIRECTORY_UNREACHABLE = _("The directory cannot be reached now; please try again later.")
PLATFORM_UNREACHABLE = _(
    "The unified identity platform cannot be reached now; please try again later."
)
NOT_CONFIRMED = _(
    "The sign-in through the unified identity platform could not be confirmed (it expired, or "
    "was not started here); please start again."
)
NOT_VERIFIED = _(
    "The unified identity platform's answer did not pass verification; please start again."
)
PLATFORM_REFUSED = _("The unified identity platform did not sign you in (%(error)s).")
REFUSED = _("The sign-in was refused.")
NO_USERNAME = _("The unified identity platform did not say who you are (no “%(claim)s”).")


@dataclass
class Refusal:
    """Why a sign-in through the directory or the platform was refused."""

    via: Promise | str
    reason: Promise | str
    params: dict[str, str] = field(default_factory=dict)
    technical: str = ""  # for the audit log only: what the library said

    def message(self) -> str:
        """What the person is told, in the language of the request."""
        return str(self.reason) % self.params

    def detail(self) -> str:
        """What the audit log keeps: the way, the message, and the technical cause."""
        technical = f"（{self.technical}）" if self.technical else ""
        return f"{self.via}：{self.message()}{technical}"


def refuse(request: HttpRequest | None, refusal: Refusal) -> None:
    if request is not None:
        setattr(request, REFUSAL, refusal)


def account_for(request: HttpRequest | None, username: str, via: Promise | str) -> User | None:
    """The Diaodu account a person confirmed by `via` signs in to, or None (the reason noted).

    The same user name, exactly, or else the one account whose name differs only in case.
    """
    username = username.strip()
    matches = list(User.objects.filter(username__iexact=username)[:2]) if username else []
    exact = [user for user in matches if user.username == username]
    user = exact[0] if exact else matches[0] if len(matches) == 1 else None
    reason = None
    if user is None:
        reason = NO_ACCOUNT
    elif not user.is_active:
        reason = INACTIVE
    elif user.is_superuser:
        reason = ADMINISTRATOR
    if reason is not None:
        refuse(request, Refusal(via, reason, {"username": username}))
        return None
    if request is not None:
        setattr(request, SIGNED_IN_VIA, via)
    return user


class IdentityPlatformBackend(ModelBackend):
    """Signs in the person whose ID token the platform issued (verified by the callback view).

    Asked by `authenticate(request, username=..., identity_claims=...)` only; a user name and
    password never reach it.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        identity_claims: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> User | None:
        if request is None or identity_claims is None or password is not None:
            return None
        claimed = identity_claims.get(settings.DIAODU_OIDC_USERNAME_CLAIM)
        return account_for(request, str(claimed or ""), PLATFORM)


# -- the sign-in page -------------------------------------------------------------------------


class SignInForm(AuthenticationForm):
    """Django's form; a refusal by the directory says why instead of "wrong password"."""

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError:
            refusal = getattr(self.request, REFUSAL, None)
            if refusal is not None:
                raise ValidationError(refusal.message(), code="refused") from None
            raise


class SignInView(LoginView):
    """The sign-in page: user name and password (local, or the directory's when it is
    configured), and the platform's button when it is configured."""

    authentication_form = SignInForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["directory"] = bool(settings.DIAODU_LDAP_URL)
        context["identity_platform"] = platform_configured()
        return context


# -- OpenID Connect ---------------------------------------------------------------------------


def platform_configured() -> bool:
    return bool(settings.DIAODU_OIDC_ISSUER)


def _client() -> Any:
    """Authlib's client for the platform, made from the settings for each request (so a change
    of the platform's keys is seen at the next sign-in)."""
    from authlib.integrations.django_client import OAuth

    issuer = settings.DIAODU_OIDC_ISSUER
    endpoints = {
        "authorize_url": settings.DIAODU_OIDC_AUTHORIZATION_URL or None,
        "access_token_url": settings.DIAODU_OIDC_TOKEN_URL or None,
    }
    metadata: dict[str, str] = {"issuer": issuer}
    if settings.DIAODU_OIDC_JWKS_URL:
        metadata["jwks_uri"] = settings.DIAODU_OIDC_JWKS_URL
    discover = not all([*endpoints.values(), settings.DIAODU_OIDC_JWKS_URL])
    oauth = OAuth()
    oauth.register(
        "platform",
        client_id=settings.DIAODU_OIDC_CLIENT_ID,
        client_secret=settings.DIAODU_OIDC_CLIENT_SECRET,
        server_metadata_url=f"{issuer}/.well-known/openid-configuration" if discover else None,
        client_kwargs={
            "scope": settings.DIAODU_OIDC_SCOPES,
            "code_challenge_method": "S256",
            "default_timeout": settings.DIAODU_OIDC_TIMEOUT,
        },
        **endpoints,
        **metadata,
    )
    return oauth.create_client("platform")


def _redirect_uri() -> str:
    """The callback's absolute address, as registered with the platform."""
    return settings.DIAODU_SITE_URL + reverse("oidc-callback")


def _refused(request: HttpRequest, refusal: Refusal, *, signal: bool = True) -> HttpResponse:
    """Back to the sign-in page with the reason; the failure counted and logged unless
    authenticate() already announced it."""
    refuse(request, refusal)
    if signal:
        user_login_failed.send(sender=__name__, credentials={"username": ""}, request=request)
    messages.error(request, refusal.message())
    return redirect(settings.LOGIN_URL)


@require_GET
def oidc_start(request: HttpRequest) -> HttpResponse:
    """Sends the person to the platform, remembering where to return to."""
    if not platform_configured():
        raise Http404
    from authlib.common.errors import AuthlibBaseError
    from requests import RequestException

    wanted = request.GET.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    request.session[NEXT] = wanted if wanted and safe else ""
    try:
        response: HttpResponse = _client().authorize_redirect(request, _redirect_uri())
        return response
    except (AuthlibBaseError, RequestException, ValueError, KeyError) as error:
        refusal = Refusal(PLATFORM, PLATFORM_UNREACHABLE, technical=repr(error)[:200])
        return _refused(request, refusal, signal=False)


@require_GET
def oidc_callback(request: HttpRequest) -> HttpResponse:
    """The platform sends the person back here with a code: exchanged for a verified ID token,
    whose user name signs in to the Diaodu account of that name (`account_for`)."""
    if not platform_configured():
        raise Http404
    from authlib.common.errors import AuthlibBaseError
    from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
    from joserfc.errors import JoseError
    from requests import RequestException

    # Authlib checks the signature, expiry and nonce by itself; the issuer and the audience
    # only when asked to.
    claims_options = {
        "iss": {"essential": True, "value": settings.DIAODU_OIDC_ISSUER},
        "aud": {"essential": True, "value": settings.DIAODU_OIDC_CLIENT_ID},
    }
    try:
        token = _client().authorize_access_token(request, claims_options=claims_options)
    except MismatchingStateError:
        return _refused(request, Refusal(PLATFORM, NOT_CONFIRMED, technical="state"))
    except OAuthError as error:
        described = str(error.description or error.error or "")[:200]
        refusal = Refusal(PLATFORM, PLATFORM_REFUSED, {"error": described})
        return _refused(request, refusal)
    except (JoseError, AuthlibBaseError, ValueError, KeyError) as error:
        return _refused(request, Refusal(PLATFORM, NOT_VERIFIED, technical=repr(error)[:200]))
    except RequestException as error:
        refusal = Refusal(PLATFORM, PLATFORM_UNREACHABLE, technical=repr(error)[:200])
        return _refused(request, refusal)
    claims = token.get("userinfo")
    if not claims:  # no ID token: nothing verified says who this is
        return _refused(request, Refusal(PLATFORM, NOT_VERIFIED, technical="no id_token"))
    claim = settings.DIAODU_OIDC_USERNAME_CLAIM
    username = claims.get(claim)
    if not isinstance(username, str) or not username.strip():
        return _refused(request, Refusal(PLATFORM, NO_USERNAME, {"claim": claim}))
    user = authenticate(request, username=username, identity_claims=dict(claims))
    if user is None:  # authenticate() announced the failure; axes may answer with its page
        refusal = getattr(request, REFUSAL, None) or Refusal(PLATFORM, REFUSED)
        return _refused(request, refusal, signal=False)
    wanted = request.session.pop(NEXT, "")
    login(request, user)
    return redirect(wanted or settings.LOGIN_REDIRECT_URL)
