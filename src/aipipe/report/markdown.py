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


def md_link(text: object, url: object) -> str:
    """A Markdown link whose text is escaped and whose target is an http(s) URL, else plain text."""
    label = md_escape(text)
    target = safe_url(url)
    if not target:
        return label
    return f"[{label}]({target.replace('(', '%28').replace(')', '%29').replace(' ', '%20')})"


def safe_url(url: object) -> str:
    """`url` when it is an http(s) URL, else '' (no javascript:, data: or relative links)."""
    text = "" if url is None else str(url).strip()
    unsafe = any(c in text for c in "<>\"'` \t\n")
    return text if text.lower().startswith(("http://", "https://")) and not unsafe else ""


def split_urls(value: object) -> list[str]:
    """The http(s) URLs in a cell that may hold several ('a ; b', 'a, b' or one per line)."""
    import re

    text = "" if value is None else str(value)
    return [u for u in (safe_url(part) for part in re.split(r"[\s;,]+", text)) if u]
