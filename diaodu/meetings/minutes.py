"""Reading uploaded minutes: the text of a .txt (UTF-8 or GB18030) or .docx file.

A .docx is read in a child process within DIAODU_PARSE_MEMORY_MB and DIAODU_PARSE_SECONDS
(`diaodu.core.isolation`), after it is checked as an archive (`check_archive`), so that a
document that would build a tree of gigabytes costs that child, never the web server. The
text of either kind is refused beyond DIAODU_MINUTES_MAX_CHARS characters, or beyond what a
meeting keeps (`limits.MINUTES`) if that is less.
"""

from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from diaodu.core import isolation
from diaodu.core.archives import HostileFile, check_archive
from diaodu.core.limits import MINUTES


def read_minutes(upload) -> str:
    """The text of an uploaded file; a ValidationError in the user's language says why not."""
    data = upload.read()
    if upload.name.lower().endswith(".docx"):
        try:
            return isolation.run(docx_text, data)
        except isolation.ParseRefused as error:
            raise ValidationError(str(error)) from error
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        _check_length(len(text))
        return text
    raise ValidationError(_("The file is neither UTF-8 nor GB18030 text."))


@isolation.parser
def docx_text(data: bytes) -> str:
    """The paragraphs, then the tables' rows, of a Word document; run in a child process."""
    from docx import Document

    try:
        check_archive(data)
        document = Document(BytesIO(data))
    except HostileFile as error:
        raise ValidationError(str(error)) from error
    except Exception as error:  # python-docx raises many kinds for a damaged file
        raise ValidationError(_("The file is not a readable Word document (.docx).")) from error
    lines, length = [], 0
    for line in _lines(document):
        length += len(line) + 1
        _check_length(length)
        lines.append(line)
    return "\n".join(lines)


def _lines(document):
    for paragraph in document.paragraphs:
        yield paragraph.text
    for table in document.tables:
        for row in table.rows:
            yield " ".join(cell.text for cell in row.cells)


def _check_length(length: int) -> None:
    limit = min(settings.DIAODU_MINUTES_MAX_CHARS, MINUTES)
    if length > limit:
        raise ValidationError(
            _("The minutes are longer than %(limit)d characters; split them.") % {"limit": limit}
        )
