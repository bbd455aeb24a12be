"""Password rules as 等保 2.0 level 3 asks: at least eight characters from three of the four
classes (lower-case, upper-case, digits, other). Listed in AUTH_PASSWORD_VALIDATORS with Django's
own checks for length, likeness to the user's name and common passwords."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


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
