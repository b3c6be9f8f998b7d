"""Reuse the previous report's article outputs when nothing they are built from has changed.

The article tables, charts and living edition are a function of: the snapshots loaded into the
warehouse (raw.snapshots), the SQL applied to it (audit.sql_applied), the news pages' latest
fetch outcome (the only run-ledger input of a mart, via staging.reported_figures_status), the
aipipe code and config that render them, and the languages asked for. `report_key` hashes all
of these. When `reports/latest/` was built under the same key (a scheduled run where every
source answered 304, say), its article files are copied instead of re-rendered, which turns the
report from seconds of SQL and chart drawing into milliseconds. The validation report is always
written fresh for the run. Anything unexpected in the cache just means a full rebuild.
"""

from __future__ import annotations

import hashlib
import pickle
import shutil
from pathlib import Path

import duckdb

import aipipe

KEY_FILE = "REPORT_KEY"
CACHE_FILE = "article-outputs.pickle"
ARTICLE_FILES = ("tables", "charts", "article.html", "article.md")

_INPUT_QUERIES = (
    "SELECT sha256, source, parser_version FROM raw.snapshots ORDER BY ALL",
    "SELECT fingerprint FROM audit.sql_applied ORDER BY ALL",
    "SELECT figure_id, url, check_status FROM staging.reported_figures_status ORDER BY ALL",
)
_CODE_SUFFIXES = (".py", ".j2", ".toml", ".sql", ".css", ".csv")


def report_key(con: duckdb.DuckDBPyConnection, langs: tuple[str, ...]) -> str:
    """A digest of everything the article outputs are built from."""
    digest = hashlib.sha256(code_fingerprint().encode())
    digest.update(repr(tuple(langs)).encode())
    for sql in _INPUT_QUERIES:
        digest.update(repr(con.execute(sql).fetchall()).encode())
    return digest.hexdigest()


def code_fingerprint() -> str:
    """A digest of aipipe's code, templates and config (a new version or an edit changes it)."""
    package = Path(aipipe.__file__).parent
    digest = hashlib.sha256(aipipe.__version__.encode())
    for path in sorted(p for p in package.rglob("*") if p.suffix in _CODE_SUFFIXES and p.is_file()):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def load_reusable(previous: Path, key: str):
    """(outputs, font characters, building run id) cached in `previous` under `key`, or None."""
    try:
        if (previous / KEY_FILE).read_text(encoding="utf-8").strip() != key:
            return None
        if not (previous / "article.html").exists():
            return None
        with open(previous / CACHE_FILE, "rb") as handle:
            # Our own file, written by save() below for the same code (the key covers the code).
            return pickle.load(handle)  # noqa: S301
    except Exception:  # noqa: BLE001 - a missing or unreadable cache only costs a rebuild
        return None


def save(folder: Path, key: str, cached: tuple) -> None:
    """Record what `folder`'s article outputs were built from, for the next run to reuse."""
    with open(folder / CACHE_FILE, "wb") as handle:
        pickle.dump(cached, handle, protocol=pickle.HIGHEST_PROTOCOL)
    (folder / KEY_FILE).write_text(key + "\n", encoding="utf-8")


def copy_article_files(previous: Path, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in ARTICLE_FILES:
        source = previous / name
        if not source.exists():  # e.g. no chart drawn: the build wrote no charts/ folder
            continue
        if source.is_dir():
            shutil.copytree(source, folder / name)
        else:
            shutil.copy2(source, folder / name)
