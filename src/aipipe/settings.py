"""Run settings: where the warehouse, snapshots and reports live, and how to reach the network.

Defaults are relative to the current directory (the repository when run through `make`), and
each can be overridden by an environment variable or a CLI flag.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SQL_DIR = Path(os.environ.get("AIPIPE_SQL_DIR", REPO_ROOT / "warehouse"))
PACKAGE_DIR = Path(__file__).resolve().parent
SEED_DIR = PACKAGE_DIR / "seed"
CONFIG_DIR = PACKAGE_DIR / "config"

DEFAULT_CONTACT = "aipipe-user@example.invalid"


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know about its environment."""

    db_path: Path = field(default_factory=lambda: Path(os.environ.get("AIPIPE_DB", "warehouse/aipipe.duckdb")))
    data_dir: Path = field(default_factory=lambda: Path(os.environ.get("AIPIPE_DATA", "data")))
    reports_dir: Path = field(default_factory=lambda: Path(os.environ.get("AIPIPE_REPORTS", "reports")))
    offline: bool = field(default_factory=lambda: os.environ.get("AIPIPE_OFFLINE", "") not in ("", "0"))
    contact: str = field(default_factory=lambda: os.environ.get("AIPIPE_CONTACT", DEFAULT_CONTACT))
    # Base URLs are settings so tests (and mirrors) can point sources at another server.
    sec_base_url: str = field(default_factory=lambda: os.environ.get("AIPIPE_SEC_BASE_URL", "https://data.sec.gov"))
    sec_www_url: str = field(default_factory=lambda: os.environ.get("AIPIPE_SEC_WWW_URL", "https://www.sec.gov"))
    ecb_base_url: str = field(
        default_factory=lambda: os.environ.get("AIPIPE_ECB_BASE_URL", "https://www.ecb.europa.eu")
    )
    cninfo_base_url: str = field(
        default_factory=lambda: os.environ.get("AIPIPE_CNINFO_BASE_URL", "https://www.cninfo.com.cn")
    )
    epoch_base_url: str = field(default_factory=lambda: os.environ.get("AIPIPE_EPOCH_BASE_URL", "https://epoch.ai"))
    article_source: str | None = field(default_factory=lambda: os.environ.get("AIPIPE_ARTICLE") or None)
    # Where cut font subsets are kept (keyed by their characters); default: <data>/cache/fonts.
    font_cache: Path | None = field(
        default_factory=lambda: Path(p) if (p := os.environ.get("AIPIPE_FONT_CACHE")) else None
    )
    http_timeout_s: float = field(default_factory=lambda: float(os.environ.get("AIPIPE_HTTP_TIMEOUT", "20")))
    http_retries: int = field(default_factory=lambda: int(os.environ.get("AIPIPE_HTTP_RETRIES", "3")))

    @property
    def font_cache_dir(self) -> Path:
        return self.font_cache or self.data_dir / "cache" / "fonts"

    @property
    def user_agent(self) -> str:
        # SEC asks automated clients to name themselves and give a contact address.
        from aipipe import __version__

        return f"aipipe/{__version__} (+https://github.com/aipipe/aipipe; {self.contact})"

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with the non-None values in `changes` applied."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})
