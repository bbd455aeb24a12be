"""The API's side of a site photo (diaodu.core.photos): what was sent beside it, read and
checked as the pages check it, and where and when it was taken, with its flags, answered."""

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from diaodu.core.limits import NOTE, validate_year
from diaodu.core.photo_evidence import NOT_A_NUMBER, Sent, check_sent


class PhotoFlagSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=["far", "old"])
    message = serializers.CharField(max_length=NOTE)


class PhotoSerializer(serializers.ModelSerializer):
    """A photo: sent as `image` and `caption`, with optionally the browser's `latitude`,
    `longitude`, `accuracy` (metres) and `taken_at`; answered with its time and place and
    where they came from (`time_source`, `place_source`: exif, browser or none), its distance
    from the project, its `flags`, and the addresses of the original (`url`) and of the
    watermarked copy (`watermarked_url`), both behind the same check of who may see them.

    A concrete serializer sets `Meta.model` and `file_route` (the view that sends the file).
    """

    file_route: str

    latitude = serializers.FloatField(
        required=False, allow_null=True, error_messages={"invalid": NOT_A_NUMBER["latitude"]}
    )
    longitude = serializers.FloatField(
        required=False, allow_null=True, error_messages={"invalid": NOT_A_NUMBER["longitude"]}
    )
    accuracy = serializers.FloatField(
        required=False, allow_null=True, error_messages={"invalid": NOT_A_NUMBER["accuracy"]}
    )
    taken_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        validators=[validate_year],
        error_messages={"invalid": NOT_A_NUMBER["taken_at"]},
    )
    url = serializers.SerializerMethodField()
    watermarked_url = serializers.SerializerMethodField()
    distance_km = serializers.SerializerMethodField()
    flags = serializers.SerializerMethodField()

    class Meta:
        fields = [
            "id",
            "image",
            "caption",
            "uploaded_at",
            "url",
            "watermarked_url",
            "taken_at",
            "time_source",
            "latitude",
            "longitude",
            "accuracy",
            "place_source",
            "distance_km",
            "flags",
        ]
        read_only_fields = ["uploaded_at", "time_source", "place_source"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors = check_sent(self.sent(attrs))
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    @staticmethod
    def sent(attrs: dict[str, Any]) -> Sent:
        return Sent(
            latitude=attrs.get("latitude"),
            longitude=attrs.get("longitude"),
            accuracy=attrs.get("accuracy"),
            taken_at=attrs.get("taken_at"),
        )

    def _address(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_url(self, photo: Any) -> str:
        return self._address(reverse(self.file_route, args=[photo.pk]))

    def get_watermarked_url(self, photo: Any) -> str | None:
        if not photo.watermarked:
            return None
        return self._address(reverse(self.file_route, args=[photo.pk]) + "?copy=watermarked")

    def get_distance_km(self, photo: Any) -> float | None:
        distance = photo.distance_km
        return None if distance is None else round(distance, 1)

    @extend_schema_field(PhotoFlagSerializer(many=True))
    def get_flags(self, photo: Any) -> list[dict[str, str]]:
        return [flag._asdict() for flag in photo.flags]
