"""Every source a refresh run knows about, built from the settings and the config files."""

from __future__ import annotations

from collections.abc import Callable

from aipipe.settings import Settings
from aipipe.sources.article.source import article_sources
from aipipe.sources.base import SourceSpec
from aipipe.sources.cninfo import cninfo_sources
from aipipe.sources.epoch import epoch_sources
from aipipe.sources.figures import registry_source
from aipipe.sources.fx import ecb_sources
from aipipe.sources.news.checks import news_sources
from aipipe.sources.sec.companyfacts import family_sources
from aipipe.sources.sec.frames import frames_sources


def sec_sources(settings: Settings) -> list[SourceSpec]:
    # SEC's ticker file, then companyfacts per watched company (tickers resolved to CIKs), then
    # the frames the watchlist names (every filer's value for one concept and quarter).
    return family_sources(settings) + frames_sources(settings)


# family -> builder. A new source family adds one line here.
FAMILIES: dict[str, Callable[[Settings], list[SourceSpec]]] = {
    "sec": sec_sources,
    "fx": ecb_sources,
    "registry": lambda settings: [registry_source()],
    "news": news_sources,
    "article": article_sources,
    "cninfo": cninfo_sources,
    "epoch": epoch_sources,
}


def all_sources(settings: Settings, families: list[str] | None = None) -> list[SourceSpec]:
    """The sources of the given families (all when None), in a stable order."""
    unknown = set(families or []) - set(FAMILIES)
    if unknown:
        raise ValueError(f"unknown source families {sorted(unknown)}; known: {sorted(FAMILIES)}")
    specs: list[SourceSpec] = []
    for family, build in FAMILIES.items():
        if families is None or family in families:
            specs.extend(build(settings))
    return specs
