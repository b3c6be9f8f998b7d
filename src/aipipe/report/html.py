"""HTML pages (validation report, living edition) from Jinja2 templates with autoescape on:
every value from the warehouse, the article or a scraped page is text, never markup.

Pages are self-contained: the CSS, the CJK font subset and the chart PNGs are embedded, so a
page opens with no network and no installed Chinese font.
"""

from __future__ import annotations

import base64
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from aipipe.report.markdown import split_urls
from aipipe.report.tables import link_label, tier_label


def environment() -> Environment:
    env = Environment(loader=PackageLoader("aipipe.report", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(link_label=link_label, split_urls=split_urls, tier_label=tier_label)
    env.filters["basename"] = lambda path: Path(str(path)).name
    return env


def png_data_uri(path: str | Path) -> str:
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def render(template: str, **context: object) -> str:
    return environment().get_template(template).render(**context)


def template_texts() -> list[str]:
    """The templates' own words (headings, legends), so the font subset covers them too."""
    from importlib.resources import files

    folder = files("aipipe.report") / "templates"
    return [entry.read_text(encoding="utf-8") for entry in folder.iterdir() if entry.name.endswith((".j2", ".css"))]
