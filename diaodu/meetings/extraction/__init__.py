"""Rule-based extraction of draft tasks from meeting minutes, speeches and reports.

from diaodu.meetings.extraction import extract, Draft
drafts = extract(text, meeting_date, projects=None, units=None)
"""

from .api import extract
from .extractor import Draft

__all__ = ["Draft", "extract"]
