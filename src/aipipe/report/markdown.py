"""Markdown helpers that treat every value as plain text (scraped text can never become markup)."""

from __future__ import annotations

import html

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]|<>~"})


def md_escape(value: object) -> str:
    """Plain text safe inside a Markdown table cell: markup characters escaped, HTML entities encoded."""
    text = "" if value is None else str(value)
    text = " ".join(text.split())  # newlines would break the table row
    return html.escape(text, quote=False).translate(_MD_SPECIAL)


def md_table(headers: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(md_escape(h) for h in headers) + " |",
             "|" + "|".join("---" for _ in headers) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(md_escape(v) for v in row) + " |")
    return lines
