"""What every API shares: a service's Django errors as API errors."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import PermissionDenied, ValidationError


def call_service(function):
    """Run a service; its ValidationError becomes a 400 and its PermissionDenied a 403."""
    try:
        return function()
    except DjangoValidationError as error:
        raise ValidationError(getattr(error, "message_dict", None) or error.messages) from error
    except DjangoPermissionDenied as error:
        raise PermissionDenied(str(error)) from error
