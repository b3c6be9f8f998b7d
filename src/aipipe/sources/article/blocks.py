"""The article's text as blocks: paragraphs, lists (with their lead-in line) and tables, each
with the section (`## 0N`) it stands in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from aipipe.sources.article.model import PUBLISHED_LINE


@dataclass
class Block:
    section: str
    kind: str  # 'paragraph' | 'list' | 'table'
    lines: list[str] = field(default_factory=list)
    lead_in: str | None = None


def blocks(text: str) -> Iterator[Block]:
    section = "00"  # the title and lede, before "## 01"
    current: Block | None = None
    previous: Block | None = None
    for line in text.splitlines():
        stripped = line.strip()
        heading = re.match(r"##\s*(\d{2})\b", stripped)
        kind = _line_kind(stripped)
        if heading or kind is None or (current is not None and current.kind != kind):
            if current is not None:
                yield current
                previous = current
            current = None
        if heading:
            section, previous = heading.group(1), None
            continue
        if kind is None:
            if stripped in ("---", "***") or stripped.startswith("#"):
                previous = None
            continue
        if current is None:
            current = Block(section, kind)
            if kind == "list" and previous is not None and previous.kind == "paragraph":
                if previous.lines[-1].endswith(("：", ":")):
                    current.lead_in = previous.lines[-1]
        current.lines.append(stripped.removeprefix("- ").removeprefix("# ").strip())
    if current is not None:
        yield current


def _line_kind(line: str) -> str | None:
    if line.startswith("# "):
        return "paragraph"  # the title is read like a sentence
    if not line or line in ("---", "***") or line.startswith(("#", "【")):
        return None  # blank, rules, sub-headings, editor's picture notes
    if PUBLISHED_LINE.match(line):
        return None  # metadata, see article_meta
    if line.startswith("- "):
        return "list"
    if line.startswith("|"):
        return "table"
    return "paragraph"
