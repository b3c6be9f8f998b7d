"""Print the candidate figures found in a page or text file (a path or an http(s) URL), so a
report can be added to the registry (src/aipipe/config/figures/) in a minute.
A URL is fetched with the polite client and kept as a snapshot like any source."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "print the candidate figures in a page or text file (PATH or URL)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("location", metavar="PATH|URL", help="an HTML page or text file, or an http(s) URL")
    parser.add_argument("--json", action="store_true", help="print JSON (plain data) instead of a table")
    parser.add_argument("--data", type=Path, help="snapshot directory for fetched pages (default data/)")


def run(args: argparse.Namespace) -> int:
    from aipipe.sources.news.candidates import extract_candidates, format_candidates

    try:
        content, is_html = _read(args.location, args.data)
    except (OSError, RuntimeError) as exc:
        print(f"aipipe extract: {exc}", file=sys.stderr)
        return 2
    text = content.decode("utf-8", errors="replace")
    candidates = extract_candidates(text, is_html=is_html)
    print(format_candidates(candidates, as_json=args.json))
    if not candidates:
        print(f"aipipe extract: no figures found in {args.location}", file=sys.stderr)
    return 0


def _read(location: str, data_dir: Path | None) -> tuple[bytes, bool | None]:
    if not location.startswith(("http://", "https://")):
        path = Path(location)
        if not path.is_file():
            raise OSError(f"{location}: no such file")
        suffix = path.suffix.lower()
        return path.read_bytes(), True if suffix in (".html", ".htm") else None
    from aipipe.core.http import FetchError
    from aipipe.core.snapshots import SnapshotStore
    from aipipe.ingest.refresh import http_client
    from aipipe.settings import Settings
    from aipipe.sources.news.checks import LICENCE, source_key

    settings = Settings().with_overrides(data_dir=data_dir, offline=False)
    try:
        response = http_client(settings).get(location)
    except FetchError as exc:
        raise RuntimeError(f"cannot fetch {location}: {exc.reason}") from None
    SnapshotStore(settings.data_dir).put(f"news:{source_key(location)}", location, response.content,
                                         suffix=".html", licence=LICENCE, http_status=response.status,
                                         etag=response.etag, last_modified=response.last_modified)
    return response.content, None
