"""A normalised copy of a text that remembers where every character came from.

The extractor reads simplified, half-width text without conversion noise, but every
sentence it returns must be an exact substring of the text as given. ``Normalized``
holds both: ``text`` for analysis and ``origin[i]``, the offset in the original text of
normalised character ``i``.
"""

import re
import unicodedata
from dataclasses import dataclass

from .t2s import TRADITIONAL_TO_SIMPLIFIED

# Pinyin left in the text by a bad traditional → simplified conversion: 調(diào)度,
# 開(kāi)工, and every reading of a character with several: 一(yī / yì /yí). Lower-case
# Latin letters with tone marks, in half- or full-width parentheses, right after a Chinese
# character.
_SYLLABLE = r"[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,7}"
PINYIN_NOISE = re.compile(
    r"(?<=[\u3400-\u9fff])[(（]" + _SYLLABLE + r"(?:\s*/\s*" + _SYLLABLE + r")*[)）]"
)
# A space inside a run of Chinese (要 求, 发 展改革委): copy noise, not a separator.
INNER_SPACE = re.compile(r"(?<=[\u3400-\u9fff])[ \u3000\xa0]+(?=[\u3400-\u9fff])")

# Full-width forms that NFKC would not fold, or folds into something we do not want.
_KEEP = set("“”‘’、。《》【】…—·")


def _fold(ch: str) -> str:
    """One character in, one character out: simplified, half-width where it helps."""
    ch = TRADITIONAL_TO_SIMPLIFIED.get(ch, ch)
    if ch in _KEEP:
        return ch
    if ch == "\u3000" or ch == "\xa0":
        return " "
    if "\uff01" <= ch <= "\uff5e":
        folded = unicodedata.normalize("NFKC", ch)
        if len(folded) == 1:
            return folded
    if ch in "「『":
        return "“"
    if ch in "」』":
        return "”"
    if ch == "﹔":
        return ";"
    return ch


@dataclass(frozen=True)
class Normalized:
    original: str
    text: str
    origin: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original offsets of the normalised slice ``text[start:end]``."""
        if end <= start:
            at = self.origin[start] if start < len(self.origin) else len(self.original)
            return at, at
        return self.origin[start], self.origin[end - 1] + 1

    def original_slice(self, start: int, end: int) -> str:
        a, b = self.span(start, end)
        return self.original[a:b]


def normalize(original: str) -> Normalized:
    """Simplify, fold widths and drop pinyin noise, keeping an index map back."""
    chars: list[str] = []
    origin: list[int] = []
    removed = [False] * len(original)
    for noise in (PINYIN_NOISE, INNER_SPACE):
        for match in noise.finditer(original):
            for i in range(match.start(), match.end()):
                removed[i] = True
    for i, ch in enumerate(original):
        if removed[i]:
            continue
        chars.append(_fold(ch))
        origin.append(i)
    return Normalized(original, "".join(chars), tuple(origin))


def simplify(text: str) -> str:
    """The normalised form of a short string, for comparing names and labels."""
    return normalize(text).text
