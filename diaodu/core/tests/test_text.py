"""Text for Word and Excel: exactly the characters XML 1.0 cannot hold are dropped."""

from diaodu.core.text import NOT_IN_XML, xml_text


def test_every_character_xml_cannot_hold_is_dropped_and_nothing_else():
    for code in range(0x10000):
        text = f"甲{chr(code)}乙"
        expected = "甲乙" if code in NOT_IN_XML else text
        assert xml_text(text) == expected, hex(code)
    assert xml_text(12.5) == "12.5" and xml_text("\t\n\r") == "\t\n\r"
