"""Imported once by the fork server of `diaodu.core.isolation`, before it forks any child.

Django is set up, the parsing libraries are imported and used once (so that what they import
or cache on first use is there too), the translations are loaded; the modules of the functions
marked `@isolation.parser` are imported after this one. Each child forked afterwards starts
with all of it, at no cost of its own.
"""

import gc
import io

import django
from django.conf import settings
from django.utils import translation

django.setup()

from docx import Document  # noqa: E402
from openpyxl import Workbook, load_workbook  # noqa: E402

buffer = io.BytesIO()
Workbook().save(buffer)
list(load_workbook(io.BytesIO(buffer.getvalue()), read_only=True).worksheets[0].iter_rows())
buffer = io.BytesIO()
Document().save(buffer)
_ = Document(io.BytesIO(buffer.getvalue())).paragraphs
for code, _name in settings.LANGUAGES:
    translation.activate(code)
translation.deactivate()
# Out of the collector's sight (the children freeze what the parsers' modules add): a
# collection in a child then leaves these pages shared instead of copying them all.
gc.freeze()
