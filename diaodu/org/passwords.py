"""Password rules as 等保 2.0 level 3 asks: at least eight characters from three of the four
classes (lower-case, upper-case, digits, other), and none of the user's last passwords again.
Listed in AUTH_PASSWORD_VALIDATORS with Django's own checks for length, likeness to the user's
name and common passwords."""

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def character_classes(password: str) -> int:
    """How many of lower-case, upper-case, digits and other characters the password uses."""
    return sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )


class CharacterClassesValidator:
    """At least `classes` of the four character classes."""

    def __init__(self, classes: int = 3):
        self.classes = classes

    def validate(self, password, user=None):
        if character_classes(password) < self.classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return _(
            "The password must mix at least %(classes)d of: lower-case letters, upper-case "
            "letters, digits and other characters."
        ) % {"classes": self.classes}


class NotReusedValidator:
    """Not the current password nor one of the `remember` before it (DIAODU_PASSWORD_HISTORY).

    Django calls `password_changed` after every change of a password (the page, the
    administration, `changepassword`, an import that sets one): the new hash joins the user's
    history, the oldest beyond `remember` are dropped, and the change enters the audit log.
    """

    def __init__(self, remember: int | None = None):
        self.remember = settings.DIAODU_PASSWORD_HISTORY if remember is None else remember

    def _earlier(self, user) -> list[str]:
        from diaodu.org.models import PasswordHistory

        # The history holds the current hash first, then the `remember` before it.
        hashes = [user.password] if user.password else []
        hashes += PasswordHistory.objects.filter(user=user).values_list("encoded", flat=True)[
            : self.remember + 1
        ]
        return hashes

    def validate(self, password, user=None):
        if user is None or user.pk is None or self.remember <= 0:
            return
        if any(check_password(password, encoded) for encoded in self._earlier(user)):
            raise ValidationError(self.get_help_text(), code="password_reused")

    def password_changed(self, password, user=None):
        from diaodu.org import audit
        from diaodu.org.models import PasswordHistory

        if user is None or user.pk is None:
            return
        if self.remember > 0 and user.password:
            PasswordHistory.objects.create(user=user, encoded=user.password)
            stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[
                self.remember + 1 :
            ]
            PasswordHistory.objects.filter(pk__in=list(stale)).delete()
        audit.password_changed(user)

    def get_help_text(self):
        return ngettext(
            "The password must differ from your current password and the last one.",
            "The password must differ from your current password and the last %(count)d.",
            self.remember,
        ) % {"count": self.remember}
