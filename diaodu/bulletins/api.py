"""API for bulletins (通报), through the same service as the page and the command.

Every signed-in user lists, reads and downloads bulletins (they are sent to every unit);
headquarters issues them with POST {"period": "2024-03"}.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from diaodu.assessment.periods import Window
from diaodu.bulletins import progress
from diaodu.bulletins.choices import BulletinStatus
from diaodu.bulletins.models import Bulletin
from diaodu.bulletins.permissions import require_issuer
from diaodu.bulletins.services import do_issue_bulletin, stored_pdf_response, stored_response
from diaodu.bulletins.views import parse_period
from diaodu.core.api import ServiceActionsMixin
from diaodu.core.docx import DOCX
from diaodu.core.limits import CODE
from diaodu.core.pdf import PDF, ConversionError
from diaodu.core.pdf_api import DOCXRenderer, PDFRenderer
from diaodu.core.schema import ErrorSerializer

DOCX_RESPONSE = {(200, DOCX): OpenApiTypes.BINARY}


class ProgressSerializer(serializers.Serializer):
    """How far the writing has gone (diaodu/bulletins/progress.py)."""

    step = serializers.IntegerField(help_text="The step under way, from 1.")
    of = serializers.IntegerField(help_text="How many steps there are.")
    name = serializers.ChoiceField(choices=progress.NAMES)
    label = serializers.CharField()
    percent = serializers.IntegerField(help_text="The share of the steps done, 0 to 100.")
    since = serializers.DateTimeField(help_text="When the step started.")


class BulletinSerializer(serializers.ModelSerializer):
    period = serializers.SerializerMethodField()
    period_label = serializers.CharField(read_only=True)
    created_by = serializers.StringRelatedField()
    document_number = serializers.StringRelatedField()
    download = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField(
        help_text="While it is being written, the step it has reached (where the web servers "
        "and the workers share a cache); otherwise null."
    )

    class Meta:
        model = Bulletin
        fields = [
            "id",
            "period",
            "period_label",
            "kind",
            "year",
            "number",
            "issue",
            "document_number",
            "superseded",
            "status",
            "error",
            "title",
            "created_by",
            "created_at",
            "download",
            "progress",
        ]
        read_only_fields = fields

    @extend_schema_field(ProgressSerializer(allow_null=True))
    def get_progress(self, bulletin) -> dict | None:
        if bulletin.status != BulletinStatus.WRITING:
            return None
        return progress.of(bulletin.pk)

    def get_period(self, bulletin) -> str:
        return Window(bulletin.kind, bulletin.year, bulletin.number).code

    def get_download(self, bulletin) -> str | None:
        view = self.context.get("view")
        if view is None:
            return None
        return view.reverse_action("download", args=[bulletin.pk])


class IssueSerializer(serializers.Serializer):
    period = serializers.CharField(
        max_length=CODE, help_text="2024-03 (a month) or 2024Q1 (a quarter)"
    )
    reissue = serializers.BooleanField(
        default=False,
        help_text="Issue the period again with a new issue and number, even if it was issued",
    )


class BulletinViewSet(
    ServiceActionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Bulletins issued, latest first. Headquarters issues one for a month or a quarter."""

    serializer_class = BulletinSerializer

    def get_queryset(self):
        return (
            Bulletin.objects.visible_to(self.request.user)
            .select_related("created_by", "document_number")
            .order_by("-created_at", "-id")
        )

    @extend_schema(
        request=IssueSerializer,
        responses={200: BulletinSerializer, 201: BulletinSerializer, 202: BulletinSerializer},
    )
    def create(self, request, *args, **kwargs):
        """Issue the bulletin of a period (publishing its rankings first if they are not)."""
        require_issuer(request.user)  # before the period is read
        body = IssueSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            window = parse_period(body.validated_data["period"])
        except DjangoValidationError as error:
            raise ValidationError({"period": error.messages}) from error
        reissue = body.validated_data["reissue"]
        bulletin = self.call(lambda: do_issue_bulletin(request.user, window, reissue=reissue))
        # 200 with the period's bulletin when it was issued before; 202 while a worker writes
        # it: read it again until its status is "issued".
        if bulletin.was_issued_before:
            answer = status.HTTP_200_OK
        elif bulletin.status == BulletinStatus.ISSUED:
            answer = status.HTTP_201_CREATED
        else:
            answer = status.HTTP_202_ACCEPTED
        return Response(self.get_serializer(bulletin).data, status=answer)

    @extend_schema(responses=DOCX_RESPONSE)
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, DOCXRenderer])
    def download(self, request, pk=None):
        """The Word file as issued."""
        return stored_response(self.get_object())

    @extend_schema(
        responses={
            (200, PDF): OpenApiTypes.BINARY,
            (409, "application/json"): ErrorSerializer,
        }
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PDFRenderer])
    def pdf(self, request, pk=None):
        """The bulletin as issued, as PDF, where LibreOffice is installed on the server (409
        with the reason where it is not or the conversion fails)."""
        bulletin = self.get_object()
        try:
            return stored_pdf_response(bulletin)
        except ConversionError as error:
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
