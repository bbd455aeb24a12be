"""Text as Word and Excel files can hold it."""

# XML 1.0, inside every .docx and .xlsx, cannot hold the control characters other than tab,
# newline and carriage return (nor U+FFFE and U+FFFF): Word and Excel refuse such a file, and
# python-docx and openpyxl refuse to write one.
NOT_IN_XML = dict.fromkeys([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF])


def xml_text(value: object) -> str:
    """`value` as text without the characters a Word or Excel file cannot hold."""
    return str(value).translate(NOT_IN_XML)
