"""What every source has in common: how it is acquired (live, stored, or seed) and described.

A source is one upstream document (one URL). `acquire` tries the live URL unless the run is
offline; when that fails it falls back to the newest stored snapshot, then to the seed shipped
with aipipe, and says which it used and why. It never raises for a source failure: the outcome is
data the report shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from aipipe.core.http import FetchError, NetworkUnreachable, PoliteClient
from aipipe.core.snapshots import Snapshot, SnapshotStore


@dataclass(frozen=True)
class SourceSpec:
    """A public source: where it lives, how to store and parse it, and its seed fallback."""

    name: str  # "<family>:<key>", e.g. "sec:CIK0001326801"
    family: str  # "sec", "fx", "news", "article", ...
    table: str  # staging table the parsed rows go to (without "staging.")
    url: str
    suffix: str  # file suffix for the stored snapshot, e.g. ".json"
    licence: str
    parse: Callable[[Snapshot], pd.DataFrame]
    parser_version: str
    seed: Callable[[SnapshotStore], Snapshot | None] | None = None
    description: str = ""
    # Sources whose failure is expected offline (e.g. a company with no seed) are "missing",
    # not errors, when nothing at all can be found.
    optional: bool = False
    # False for sources that are files of this project (the registry): `seed` reads the current
    # file each run, and nothing is fetched.
    live: bool = True
    # A query API answered by POST (cninfo's announcement search): the form fields, in order.
    form: tuple[tuple[str, str], ...] | None = None
    # True when the server's 404 means "nothing there yet" (an SEC frame no filer has reached):
    # kept as an empty snapshot, so the source loads zero rows instead of failing.
    absent_is_empty: bool = False


@dataclass
class Acquired:
    """The outcome of trying to get a source's content."""

    source: str
    snapshot: Snapshot | None
    origin: str  # live | not_modified | local | seed | config | none
    notes: list[str] = field(default_factory=list)
    fetch_error: str | None = None

    @property
    def fell_back(self) -> bool:
        return self.fetch_error is not None and self.snapshot is not None


def acquire(spec: SourceSpec, store: SnapshotStore, client: PoliteClient | None) -> Acquired:
    """Get `spec`'s content: live when `client` is given, else (or on failure) stored or seed."""
    if not spec.live and spec.seed is not None:
        current = spec.seed(store)
        if current is None:
            return Acquired(spec.name, None, "none", [f"{spec.url} does not exist"])
        return Acquired(spec.name, current, "config", [f"read {spec.url} ({current.size:,} bytes)"])
    stored = store.newest(spec.name)
    fetch_error = None
    if client is not None:
        try:
            return _fetch_live(spec, store, client, stored)
        except NetworkUnreachable as exc:
            fetch_error = f"network unreachable: {exc.reason}"
        except FetchError as exc:
            fetch_error = f"live fetch failed: {exc.reason}"
    notes = [fetch_error] if fetch_error else ["offline run: live fetch skipped"]
    if stored is not None:
        notes.append(f"using stored snapshot {stored.snapshot_id} retrieved {stored.retrieved_at}")
        return Acquired(spec.name, stored, "seed" if stored.origin == "seed" else "local", notes, fetch_error)
    if spec.seed is not None:
        try:
            seeded = spec.seed(store)
        except Exception as exc:  # a broken seed is this source's failure, not the run's
            notes.append(f"the seed shipped with aipipe could not be read: {type(exc).__name__}: {exc}")
            return Acquired(spec.name, None, "none", notes, fetch_error or f"seed unreadable: {exc}")
        if seeded is not None:
            as_of = f", {seeded.last_modified}" if seeded.last_modified else ""
            notes.append(f"no stored snapshot: using the seed shipped with aipipe{as_of}")
            return Acquired(spec.name, seeded, "seed", notes, fetch_error)
    notes.append("no stored snapshot and no seed")
    return Acquired(spec.name, None, "none", notes, fetch_error)


def _fetch_live(spec: SourceSpec, store: SnapshotStore, client: PoliteClient, stored: Snapshot | None) -> Acquired:
    conditional = stored if stored is not None and stored.origin != "seed" else None
    try:
        response = client.get(
            spec.url,
            etag=conditional.etag if conditional else None,
            last_modified=conditional.last_modified if conditional else None,
            form=dict(spec.form) if spec.form is not None else None,
        )
    except FetchError as exc:
        if not (spec.absent_is_empty and exc.status == 404):
            raise
        empty = store.put(spec.name, spec.url, b"", suffix=spec.suffix, licence=spec.licence,
                          http_status=404, origin="live")
        return Acquired(spec.name, empty, "live", [f"HTTP 404: {spec.description or spec.url} has no data yet (empty)"])
    if response.not_modified and conditional is not None:
        touched = store.touch(conditional, http_status=304)
        note = f"HTTP 304: unchanged since {conditional.first_retrieved_at}"
        return Acquired(spec.name, touched, "not_modified", [note])
    if response.not_modified:
        # A 304 to a request that carried no validators has no body to keep: storing it would
        # replace the data with an empty snapshot. Treat it as a failed fetch (fall back).
        raise FetchError(spec.url, "HTTP 304 to an unconditional request: no body to keep", status=304)
    snapshot = store.put(
        spec.name,
        spec.url,
        response.content,
        suffix=spec.suffix,
        licence=spec.licence,
        http_status=response.status,
        etag=response.etag,
        last_modified=response.last_modified,
        origin="live",
    )
    note = f"fetched {snapshot.size:,} bytes (HTTP {response.status}, {response.attempts} attempt(s))"
    return Acquired(spec.name, snapshot, "live", [note])
