"""The article as a source: read it (local file or URL) at run time and load every figure it
states into staging.article_claims.

aipipe does not ship the article's text. The location comes from `AIPIPE_ARTICLE` (Settings.
article_source) or `config/article.toml`; a relative path is taken from the repository root.
A URL is fetched like any page (polite client, snapshot, fallback to the stored copy); a local
file is snapshotted on every run (origin "config"), so an edited file is picked up.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd

from aipipe.core.snapshots import Snapshot, SnapshotStore
from aipipe.settings import CONFIG_DIR, REPO_ROOT, Settings
from aipipe.sources.article.claims import parse_article
from aipipe.sources.article.model import claims_frame
from aipipe.sources.base import SourceSpec

PARSER_VERSION = "article-claims-1"
SOURCE_NAME = "article:main"
LICENCE = "the article belongs to its author and publisher; aipipe keeps a private snapshot to check its figures"


def configured_location(settings: Settings) -> str | None:
    """The article's path or URL: the setting, else config/article.toml; None if neither is set."""
    if settings.article_source:
        return settings.article_source
    config_file = CONFIG_DIR / "article.toml"
    if config_file.exists():
        return tomllib.loads(config_file.read_text(encoding="utf-8")).get("source")
    return None


def article_sources(settings: Settings) -> list[SourceSpec]:
    location = configured_location(settings)
    if not location:
        return []
    if location.startswith(("http://", "https://")):
        return [SourceSpec(name=SOURCE_NAME, family="article", table="article_claims", url=location,
                           suffix=".html", licence=LICENCE, parse=parse_snapshot, parser_version=PARSER_VERSION,
                           description="the article (fetched)", optional=True)]
    path = Path(location)
    path = path if path.is_absolute() else (REPO_ROOT / path)
    return [SourceSpec(name=SOURCE_NAME, family="article", table="article_claims", url=f"file:{location}",
                       suffix=path.suffix or ".txt", licence=LICENCE, parse=parse_snapshot,
                       parser_version=PARSER_VERSION, seed=lambda store: snapshot_file(store, path, location),
                       description="the article (local file)", optional=True, live=False)]


def snapshot_file(store: SnapshotStore, path: Path, location: str) -> Snapshot | None:
    if not path.is_file():
        return None
    return store.put(SOURCE_NAME, f"file:{location}", path.read_bytes(), suffix=path.suffix or ".txt",
                     licence=LICENCE, origin="config")


def parse_snapshot(snapshot: Snapshot) -> pd.DataFrame:
    """Claims from the article's text (HTML pages are reduced to their article text first)."""
    content = snapshot.read_bytes()
    text = content.decode("utf-8", errors="replace")
    if snapshot.path.suffix in (".html", ".htm") or text.lstrip().startswith("<"):
        from aipipe.sources.news.page import extract_page

        text = extract_page(content, snapshot.url).body_text
    return claims_frame(parse_article(text, snapshot.url))
