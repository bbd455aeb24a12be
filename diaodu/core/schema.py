"""The API's OpenAPI schema: the errors every operation can answer with, documented once.

`AutoSchema` (DEFAULT_SCHEMA_CLASS) adds to each operation the generic errors it can give,
by its method and the kind of its route: 400 where input is read (a body, filters or other
query parameters), 401 and 403 where a user must be signed in, 404 on a detail route, on a
paginated list (an unknown page) and where a format may be asked for (an unknown one), 429
where requests are throttled. An operation's particular errors (a 409 on a stale version, a
400 of another shape) are declared with `extend_schema` beside the view, and a response
declared there is kept as it is.
"""

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Query parameters that are not input to check: an unknown page of a list, or a format no
# renderer gives, is a 404.
NOT_FOUND_PARAMETERS = {"page", "format"}


class ErrorSerializer(serializers.Serializer):
    """An error in one sentence: not signed in, not allowed, not found, a conflict."""

    detail = serializers.CharField()


class ValidationErrorSerializer(serializers.Serializer):
    """Input refused (400): each field sent with its messages, `non_field_errors` for the
    input as a whole, nested input by position or row; a refusal of the whole request may
    come as a list of messages instead, or as `detail` when the body cannot be parsed."""


class ValidationErrorExtension(OpenApiSerializerExtension):
    """The shape DRF gives a ValidationError: an object of messages, or a list of them."""

    target_class = ValidationErrorSerializer

    def map_serializer(self, auto_schema, direction):
        return {
            "oneOf": [
                {
                    "type": "object",
                    "description": "By field: its messages, or the errors of nested input "
                    "(by position or row); `detail` when the body cannot be read.",
                    "additionalProperties": {
                        "anyOf": [
                            {"type": "array", "items": {}},
                            {"type": "object"},
                            {"type": "string"},
                        ]
                    },
                },
                {"type": "array", "items": {"type": "string"}},
            ],
        }


# code: (response component, description, body)
ERRORS = {
    "400": ("ValidationError", "Invalid input, with the messages by field.", "validation"),
    "401": ("NotAuthenticated", "No valid token or session.", "error"),
    "403": (
        "PermissionDenied",
        "Signed in but not allowed (a role, a unit's part of the data, or a missing CSRF "
        "token with session authentication).",
        "error",
    ),
    "404": (
        "NotFound",
        "No such object among those the user may see (an unseen and a missing one give the "
        "same answer), no such page of a list, or no such format.",
        "error",
    ),
    "429": (
        "Throttled",
        "Too many requests (DIAODU_API_RATE_USER, DIAODU_API_RATE_ANON): try again after the "
        "seconds in Retry-After.",
        "error",
    ),
}
RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer"},
        "description": "Seconds to wait before the next request.",
    }
}


class AutoSchema(BaseAutoSchema):
    """drf-spectacular's schema, with the generic error responses of each operation."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        for code in self.error_codes(operation):
            responses.setdefault(code, self._error_response(code))
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def error_codes(self, operation) -> list[str]:
        """The generic errors of an operation, from its method, route, parameters and view."""
        query = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        security = operation.get("security", [])
        codes = []
        if self.method in UNSAFE_METHODS or query - NOT_FOUND_PARAMETERS:
            codes.append("400")
        if security and {} not in security:
            codes += ["401", "403"]
        if "{" in self.path or query & NOT_FOUND_PARAMETERS:
            codes.append("404")
        if self.view.get_throttles():
            codes.append("429")
        return codes

    def _error_response(self, code: str) -> dict:
        name, description, body = ERRORS[code]
        serializer = ValidationErrorSerializer if body == "validation" else ErrorSerializer
        schema = self.resolve_serializer(serializer, "response").ref
        component = ResolvedComponent(
            name=name,
            type=ResolvedComponent.RESPONSE,
            object=name,
            schema={
                "description": description,
                **({"headers": RETRY_AFTER} if code == "429" else {}),
                "content": {"application/json": {"schema": schema}},
            },
        )
        self.registry.register_on_missing(component)
        return component.ref
