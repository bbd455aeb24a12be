"""The API's side of a document answered as Word or, with ?format=pdf, as PDF (diaodu.core.pdf).

A document action lists `DOCUMENT_RENDERERS` (so that DRF accepts `?format=pdf`), documents
`FORMAT_PARAMETER` and `document_responses(...)`, and answers through `api_document`: 409 with
the reason in `detail` where LibreOffice is missing or the conversion fails.
"""

from collections.abc import Callable

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from diaodu.core.docx import DOCX
from diaodu.core.exports import FileRenderer
from diaodu.core.pdf import PDF, ConversionError, wants_pdf


class DOCXRenderer(FileRenderer):
    media_type = DOCX
    format = "docx"


class PDFRenderer(FileRenderer):
    media_type = PDF
    format = "pdf"


# JSON first: errors, and clients that ask for nothing.
DOCUMENT_RENDERERS = [JSONRenderer, DOCXRenderer, PDFRenderer]

FORMAT_PARAMETER = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    enum=["pdf"],
    required=False,
    description=(
        "pdf: the document as PDF shown in the browser, where LibreOffice is installed on the "
        "server (409 with the reason where it is not or the conversion fails); otherwise Word."
    ),
)


def document_responses(*errors: int) -> dict:
    """The schema's responses of a document action: Word or PDF, 409, and the given errors."""
    responses: dict = {
        (200, DOCX): OpenApiTypes.BINARY,
        (200, PDF): OpenApiTypes.BINARY,
        (409, "application/json"): OpenApiTypes.OBJECT,
    }
    for code in errors:
        responses[(code, "application/json")] = OpenApiTypes.OBJECT
    return responses


def api_document(request: Request, respond: Callable[[bool], HttpResponse]) -> HttpResponse:
    """`respond(as_pdf)` answers the Word file or its PDF; 409 where the PDF cannot be made."""
    try:
        return respond(wants_pdf(request))
    except ConversionError as error:
        return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
