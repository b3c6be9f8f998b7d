"""Raw snapshots: every fetched response kept unchanged, content-addressed, with an origin sidecar.

Layout under the data directory::

    raw/<family>/<key>/<sha256><suffix>        the bytes exactly as received
    raw/<family>/<key>/<sha256>.meta.json      source, url, retrieved at, HTTP status, validators,
                                               sha256, size, licence note, origin

A source name such as ``sec:CIK0001326801`` maps to ``raw/sec/CIK0001326801``. Identical content
is stored once; fetching it again only refreshes ``retrieved_at`` in the sidecar. All writes go
through a temporary file and an atomic rename, so a killed process never leaves half a snapshot.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True)
class Snapshot:
    """One stored response and where it came from."""

    source: str
    url: str
    path: Path
    sha256: str
    size: int
    retrieved_at: str
    first_retrieved_at: str
    http_status: int | None
    etag: str | None
    last_modified: str | None
    licence: str
    origin: str  # "live" | "local" (an earlier stored snapshot) | "seed" (shipped with aipipe)

    @property
    def snapshot_id(self) -> str:
        return self.sha256[:16]

    def read_bytes(self) -> bytes:
        return self.path.read_bytes()

    def as_record(self) -> dict:
        record = asdict(self)
        record["path"] = str(self.path)
        return record


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def atomic_write_bytes(path: Path, content: bytes) -> None:
    """Write `content` to `path` so readers see either the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class SnapshotStore:
    """Content-addressed store of raw responses under `data_dir/raw`."""

    def __init__(self, data_dir: Path) -> None:
        self.root = Path(data_dir) / "raw"

    def folder(self, source: str) -> Path:
        family, _, key = source.partition(":")
        safe_key = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in (key or "default"))
        return self.root / family / safe_key

    def put(
        self,
        source: str,
        url: str,
        content: bytes,
        *,
        suffix: str,
        licence: str,
        http_status: int | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        origin: str = "live",
        retrieved_at: str | None = None,
    ) -> Snapshot:
        """Store `content` (if new) and record this retrieval in its sidecar."""
        sha = hashlib.sha256(content).hexdigest()
        folder = self.folder(source)
        body_path = folder / f"{sha}{suffix}"
        meta_path = folder / f"{sha}.meta.json"
        now = retrieved_at or utc_now()
        previous = _read_meta(meta_path)
        if not body_path.exists() or body_path.stat().st_size != len(content):
            atomic_write_bytes(body_path, content)
        snapshot = Snapshot(
            source=source,
            url=url,
            path=body_path,
            sha256=sha,
            size=len(content),
            retrieved_at=now,
            first_retrieved_at=(previous or {}).get("first_retrieved_at", now),
            http_status=http_status,
            etag=etag,
            last_modified=last_modified,
            licence=licence,
            origin=origin,
        )
        self._write_meta(snapshot)
        return snapshot

    def touch(self, snapshot: Snapshot, *, http_status: int | None = None) -> Snapshot:
        """Record that `snapshot` was confirmed current (e.g. by a 304) just now."""
        refreshed = Snapshot(
            **{
                **snapshot.__dict__,
                "retrieved_at": utc_now(),
                "http_status": http_status or snapshot.http_status,
                "origin": "live",
            }
        )
        self._write_meta(refreshed)
        return refreshed

    def newest(self, source: str) -> Snapshot | None:
        """The most recently retrieved stored snapshot of `source`, or None."""
        candidates = self.history(source)
        return candidates[0] if candidates else None

    def history(self, source: str) -> list[Snapshot]:
        """Every stored snapshot of `source`, newest retrieval first."""
        folder = self.folder(source)
        if not folder.is_dir():
            return []
        snapshots = []
        for meta_path in folder.glob("*.meta.json"):
            meta = _read_meta(meta_path)
            if not meta:
                continue
            body = Path(meta["path"])
            if not body.is_absolute():
                body = folder / body.name
            if not body.exists():
                continue
            meta["path"] = body
            snapshots.append(Snapshot(**meta))
        snapshots.sort(key=lambda s: s.retrieved_at, reverse=True)
        return snapshots

    def _write_meta(self, snapshot: Snapshot) -> None:
        record = snapshot.as_record()
        # Store the body's name, not a machine path, so a data directory can be moved.
        record["path"] = snapshot.path.name
        meta_path = snapshot.path.parent / f"{snapshot.sha256}.meta.json"
        atomic_write_bytes(meta_path, json.dumps(record, indent=2, sort_keys=True).encode())


def _read_meta(meta_path: Path) -> dict | None:
    try:
        return json.loads(meta_path.read_text())
    except (OSError, ValueError):
        return None
