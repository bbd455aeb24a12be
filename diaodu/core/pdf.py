"""PDF beside Word, where LibreOffice is installed: a document previewed in the browser.

LibreOffice is optional (docs/documents.md): `available()` looks for `soffice` on the PATH when
asked, so installing it later needs no restart and no setting. `to_pdf(docx)` converts a Word
file in a temporary directory with `soffice --headless --convert-to pdf`, as a subprocess with
its arguments as a list (never through a shell), bounded by DIAODU_PDF_TIMEOUT seconds, with a
profile of its own so that conversions at the same moment do not wait on each other's lock.

LibreOffice (7.4) sets each character in two cells of a character grid whose pitch is below the
font's size: the body's 3号 (16 pt) is a little wider than 156 mm / 28 (15.79 pt), which Word
and WPS fit 28 a line, so LibreOffice would set 14. For the conversion only, the grid's pitch
is given as the font's size and the characters are set 0.25 pt closer: 28 a line, as in Word
(`for_libreoffice`).
"""

import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from diaodu.core.docx import docx_response

PDF = "application/pdf"
# 156 mm / 28 is 15.79 pt: 3号 (16 pt) characters 0.25 pt closer (in twentieths of a point).
CLOSER = -5
# What follows w:spacing in a run's properties (ECMA-376 CT_RPr), to keep the schema's order.
LATER_IN_RPR = (
    "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect",
    "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang",
    "w:eastAsianLayout", "w:specVanish", "w:oMath",
)  # fmt: skip


class ConversionError(Exception):
    """The conversion failed or took too long; the message says which, in the user's language."""


def soffice() -> str | None:
    """The path of LibreOffice's `soffice`, or None where it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def available() -> bool:
    return soffice() is not None


def for_libreoffice(docx: bytes) -> bytes:
    """The Word file as LibreOffice lays it out 28 characters a line (see above): no character
    grid (its pitch given as the font's size), the characters of the Normal style 0.25 pt
    closer instead. ConversionError for a file that is no Word document."""
    try:
        document = Document(BytesIO(docx))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise ConversionError(
            _("This file is not a Word document; it cannot be shown as PDF.")
        ) from error
    for section in document.sections:
        grid = section._sectPr.find(qn("w:docGrid"))
        if grid is not None:
            grid.set(qn("w:charSpace"), "0")
    r_pr = document.styles["Normal"].element.get_or_add_rPr()
    spacing = r_pr.find(qn("w:spacing"))
    if spacing is None:
        spacing = OxmlElement("w:spacing")
        r_pr.insert_element_before(spacing, *LATER_IN_RPR)
    spacing.set(qn("w:val"), str(CLOSER))
    output = BytesIO()
    document.save(output)
    return output.getvalue()


def to_pdf(docx: bytes, timeout: int | None = None) -> bytes:
    """The PDF of a Word file, converted by LibreOffice (ConversionError if it is missing,
    fails or takes longer than `timeout` seconds, DIAODU_PDF_TIMEOUT by default)."""
    program = soffice()
    if program is None:
        raise ConversionError(_("PDF needs LibreOffice on the server; download the Word file."))
    with tempfile.TemporaryDirectory(prefix="diaodu-pdf-") as folder:
        workdir = Path(folder)
        source = workdir / "document.docx"
        source.write_bytes(for_libreoffice(docx))
        command = [
            program,
            f"-env:UserInstallation={(workdir / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf",
            "--outdir",
            str(workdir),
            str(source),
        ]
        try:
            subprocess.run(  # noqa: S603 (a list of arguments, no shell; the input is ours)
                command,
                cwd=workdir,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=timeout or settings.DIAODU_PDF_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            raise ConversionError(
                _("The conversion to PDF took too long; download the Word file.")
            ) from error
        result = workdir / "document.pdf"
        if not result.is_file() or result.stat().st_size == 0:
            raise ConversionError(_("The conversion to PDF failed; download the Word file."))
        return result.read_bytes()


def pdf_response(content: bytes, filename: str, fallback: str) -> HttpResponse:
    """A PDF shown in the browser (inline), named `filename`, with an ASCII `fallback`."""
    response = HttpResponse(content, content_type=PDF)
    response["Content-Disposition"] = (
        f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
    )
    return response


# -- a document's route answering Word or, asked with ?format=pdf, PDF --------------------------


def wants_pdf(request: HttpRequest) -> bool:
    """Whether a document's route was asked for as PDF (`?format=pdf`), to preview it."""
    return request.GET.get("format") == "pdf"


def pdf_name(filename: str) -> str:
    """The name of a document's PDF: its Word file's name, ending .pdf."""
    return filename.removesuffix(".docx") + ".pdf"


def document_response(docx: bytes, filename: str, fallback: str, as_pdf: bool) -> HttpResponse:
    """The Word file as a download, or with `as_pdf` its PDF shown in the browser under the
    same names ending .pdf (ConversionError where LibreOffice is missing or fails). Whoever
    asks for either goes through the same function first, so both carry the same number."""
    if not as_pdf:
        return docx_response(docx, filename, fallback)
    return pdf_response(to_pdf(docx), pdf_name(filename), pdf_name(fallback))


def page_document(
    request: HttpRequest, respond: Callable[[bool], HttpResponse], back: str
) -> HttpResponse:
    """A page's document route: `respond(as_pdf)` answers the Word file or its PDF; where the
    PDF cannot be made, back to the page `back` (a URL) with the reason, to take the Word file."""
    try:
        return respond(wants_pdf(request))
    except ConversionError as error:
        messages.error(request, str(error))
        return redirect(back)
