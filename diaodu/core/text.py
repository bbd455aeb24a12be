"""Text as Word and Excel files can hold it."""

import re

# XML 1.0, inside every .docx and .xlsx, cannot hold the control characters other than tab,
# newline and carriage return (nor U+FFFE and U+FFFF): Word and Excel refuse such a file, and
# python-docx and openpyxl refuse to write one.
NOT_IN_XML = dict.fromkeys([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF])
# The same characters, found (a search in C) before anything is translated: almost no text
# holds one, and a ledger export writes hundreds of thousands of cells.
_ANY_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value: object) -> str:
    """`value` as text without the characters a Word or Excel file cannot hold."""
    text = str(value)
    return text.translate(NOT_IN_XML) if _ANY_NOT_IN_XML.search(text) else text
