"""Plain-text helpers shared by the page reader, the figure checks and the article parser:
strip unsafe characters, and split text into sentences (Chinese and English punctuation)."""

from __future__ import annotations

import re
from bisect import bisect_right

# C0/C1 controls (except tab and newline), zero-width and bidi-override characters.
UNSAFE_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
SENTENCE_END = re.compile(r"[。！？!?；;]+|\n+|\.(?=\s+[A-Z\"“(])")


def clean_text(text: str) -> str:
    """Strip control/zero-width/bidi characters, tidy spaces, keep paragraph breaks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    text = UNSAFE_CHARS.sub("", text)
    lines = [re.sub(r"[ \t\f\v]+", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: split after 。！？；!?; line breaks, and ". " before a
    capital letter (decimals and "U.S." inside a sentence stay whole more often than not)."""
    starts = sentence_starts(text)
    ends = starts[1:] + [len(text)]
    return [(start, end) for start, end in zip(starts, ends, strict=True) if text[start:end].strip()]


def sentence_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in SENTENCE_END.finditer(text)]


def sentence_index(starts: list[int], position: int) -> int:
    return bisect_right(starts, position) - 1
