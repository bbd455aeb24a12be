"""What every API shares: a service's Django errors as API errors, the viewset mixin for
actions that run a service (transitions) and for exports, related fields that read only
what the requesting user may see, and the JSON 404 of any address the API does not have."""

from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView


class Conflict(APIException):
    """409: the object changed since the caller read it; nothing was saved. The body is sent
    as given (the object as it is now keeps its types), not turned into error strings."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"

    def __init__(self, data: dict):
        super().__init__()
        self.detail = data


def call_service(function, *, conflicts=(), conflict_data=None):
    """Run a service; its ValidationError becomes a 400 (the messages by field, in the user's
    language), its PermissionDenied a 403, and one of the `conflicts` exceptions a 409 with
    `conflict_data(error)` as its body (by default the error's message as `detail`)."""
    try:
        return function()
    except conflicts as error:
        data = conflict_data(error) if conflict_data else {"detail": str(error)}
        raise Conflict(data) from error
    except DjangoValidationError as error:
        raise ValidationError(getattr(error, "message_dict", None) or error.messages) from error
    except DjangoPermissionDenied as error:
        raise PermissionDenied(str(error)) from error


@extend_schema(exclude=True)
class NotFoundView(APIView):
    """Every other address under /api/ (an unknown resource, an id that is no number): 404 in
    JSON as every API error, by any method, once the caller is known (401 signed out)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise NotFound()


class ServiceActionsMixin:
    """For viewsets whose writes are services: errors mapped alike everywhere (`call`), an
    action that moves the object through a service and answers it afresh (`transition`), and
    the list as filtered, as a download (`export_response`).

    A viewset whose services signal a conflict names the exceptions in `conflicts` and may
    shape the 409's body in `conflict_data`.
    """

    conflicts: tuple[type[Exception], ...] = ()

    def conflict_data(self, error) -> dict:
        return {"detail": str(error)}

    def call(self, function):
        """Run a service, its errors as API errors (400, 403, 409)."""
        return call_service(function, conflicts=self.conflicts, conflict_data=self.conflict_data)

    def transition(self, service, body=None, fields=()):
        """Run `service(user, object, *values)` on the object of the URL, the `values` being
        the `fields` of the request body read through the serializer class `body`; answer the
        object as it is afterwards. The body has the request in its context, so that its
        related ids are read from what the user may see (VisibleRelatedField)."""
        item = self.get_object()
        values = ()
        if body is not None:
            sent = body(data=self.request.data, context=self.get_serializer_context())
            sent.is_valid(raise_exception=True)
            values = tuple(sent.validated_data.get(name) for name in fields)
        self.call(lambda: service(self.request.user, item, *values))
        return Response(self.get_serializer(self.get_queryset().get(pk=item.pk)).data)

    def export_response(self, build, queryset):
        """The rows of `queryset` (scoped by the caller) filtered as the list is, as the
        download `build(rows)` makes of them."""
        return build(self.filter_queryset(queryset))


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """The id of an object the requesting user may see, looked up in `visible_to(user)` of the
    queryset given: an id out of the user's scope gets the same answer as one that does not
    exist (or is not an id at all), so an answer never tells that something exists.

    The answer names the model ("项目不存在。") unless a `message` is given. Without a request
    in the serializer's context (the schema being generated) nothing is found. The queryset
    must have `visible_to`: a model without one cannot be written through the API.
    """

    def __init__(self, message=None, **kwargs):
        self.message = message
        super().__init__(**kwargs)
        if self.queryset is not None and not hasattr(self.queryset, "visible_to"):
            raise ImproperlyConfigured(
                f"{self.queryset.model.__name__} has no visible_to(user) to read ids from."
            )

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        if request is None:
            return queryset.none()
        return queryset.visible_to(request.user)

    def fail(self, key, **kwargs):
        if key in ("does_not_exist", "incorrect_type"):
            raise ValidationError(self.unknown(), code="does_not_exist")
        super().fail(key, **kwargs)

    def unknown(self) -> str:
        if self.message is not None:
            return str(self.message)
        return _("Unknown %(object)s.") % {"object": self.queryset.model._meta.verbose_name}


class VisibleRelationsMixin:
    """For a ModelSerializer: the related fields it builds from the model are
    VisibleRelatedFields (declare the others as VisibleRelatedField too). The serializer needs
    the request in its context (`self.get_serializer(...)` in a viewset)."""

    serializer_related_field = VisibleRelatedField
