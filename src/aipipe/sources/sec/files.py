"""The files of a downloaded SEC companyfacts corpus (a directory of CIK##########.json, or SEC's
companyfacts.zip), planned into batches of about `batch_mb` and made readable one batch at a time.

Only names and sizes are held while planning (about 100 bytes per file); a zip batch is inflated
into a scratch directory that is removed when the next batch is asked for, so at most two
batches are on disk (`prefetched` overlaps the next one with the caller's work).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

# ingest_bulk's batch. Measured on the 1,000- and 4,000-company corpora (benchmarks/README.md):
# 128 MB took 15-25% less CPU than 64 MB (fewer statements, and fewer checkpoints that merge the
# partial row groups each batch leaves), at a peak RSS ~30 MB higher; 96 and 192 MB were slower.
DEFAULT_BATCH_MB = 128
_CIK_NAME = re.compile(r"^CIK(\d{10})\.json$")



@dataclass(frozen=True)
class BatchSpec:
    """A planned batch: member names of one source (directory or zip), not yet on local disk.

    Small and picklable, so Prefect tasks (and Dask workers) receive this, never file contents.
    """

    source: str
    members: tuple[str, ...]
    nbytes: int
    index: int = 0


@dataclass(frozen=True)
class CompanyFile:
    """One companyfacts file ready for DuckDB: where it is and what rows should record."""

    path: str  # local path DuckDB reads (a temporary copy for zip members)
    source_file: str  # recorded in staging.sec_facts.source_file
    nbytes: int
    sha256: str

    @property
    def name_cik(self) -> int | None:
        """The CIK in a SEC-style file name (CIK0000320193.json), else None."""
        match = _CIK_NAME.match(Path(self.source_file.rsplit("!/", 1)[-1]).name)
        return int(match.group(1)) if match else None


@dataclass
class FileBatch:
    """A materialized batch. Files of a zip batch live in `scratch` until `cleanup()`."""

    spec: BatchSpec
    files: list[CompanyFile]
    errors: dict[str, str] = field(default_factory=dict)
    scratch: str | None = None

    def cleanup(self) -> None:
        if self.scratch:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None


def plan_batches(source_path: str | Path, batch_mb: float = DEFAULT_BATCH_MB) -> list[BatchSpec]:
    """Group the source's .json files (sorted by name, so by CIK) into batches of ~batch_mb.

    Only names and sizes are held (about 100 bytes per file, ~2 MB for the whole SEC universe).
    """
    source = Path(source_path)
    if source.is_dir():
        entries = sorted(
            (e.name, e.stat().st_size) for e in os.scandir(source) if e.is_file() and e.name.endswith(".json")
        )
    elif zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as zf:
            entries = sorted(
                (i.filename, i.file_size) for i in zf.infolist() if not i.is_dir() and i.filename.endswith(".json")
            )
    else:
        raise FileNotFoundError(f"sec bulk: {source} is neither a directory nor a zip file")
    limit = max(1, int(batch_mb * 1_000_000))
    batches: list[BatchSpec] = []
    members: list[str] = []
    nbytes = 0
    for name, size in entries:
        if members and nbytes + size > limit:
            batches.append(BatchSpec(str(source), tuple(members), nbytes, len(batches)))
            members, nbytes = [], 0
        members.append(name)
        nbytes += size
    if members:
        batches.append(BatchSpec(str(source), tuple(members), nbytes, len(batches)))
    return batches


def materialize(spec: BatchSpec, scratch_root: str | None = None) -> FileBatch:
    """Make a batch readable by DuckDB and hash each file (the snapshot checksum).

    Directory files are read in place. Zip members are streamed, one at a time, into a fresh
    scratch directory that the caller removes with `FileBatch.cleanup()`.
    """
    source = Path(spec.source)
    if source.is_dir():
        files = [
            CompanyFile(str(source / name), str(source / name), *_size_and_sha256(source / name))
            for name in spec.members
        ]
        return FileBatch(spec, files)
    scratch = tempfile.mkdtemp(prefix=f"aipipe-bulk-{spec.index:05d}-", dir=scratch_root)
    batch = FileBatch(spec, [], scratch=scratch)
    try:
        with zipfile.ZipFile(source) as zf:
            for member in spec.members:
                label = f"{source}!/{member}"
                try:
                    batch.files.append(_extract_member(zf, member, Path(scratch), label))
                except (zipfile.BadZipFile, OSError, EOFError) as exc:
                    batch.errors[label] = f"sec: {label}: cannot extract from zip: {exc}"
    except BaseException:
        batch.cleanup()
        raise
    return batch


def iter_companyfacts(source_path: str | Path, batch_mb: float = DEFAULT_BATCH_MB) -> Iterator[list[CompanyFile]]:
    """Yield the source's companyfacts files in batches of ~batch_mb.

    For a zip, each batch is extracted to a scratch directory that is removed when the next batch
    is requested, so at most one batch is on disk. Members that cannot be extracted are skipped.
    """
    for spec in plan_batches(source_path, batch_mb):
        batch = materialize(spec)
        try:
            yield batch.files
        finally:
            batch.cleanup()


def _size_and_sha256(path: Path) -> tuple[int, str]:
    with open(path, "rb") as fh:
        digest = hashlib.file_digest(fh, "sha256")
    return path.stat().st_size, digest.hexdigest()


def _extract_member(zf: zipfile.ZipFile, member: str, scratch: Path, label: str) -> CompanyFile:
    digest = hashlib.sha256()
    target = scratch / Path(member).name  # members are flat in SEC's zip; never trust paths
    size = 0
    with zf.open(member) as src, open(target, "wb") as dst:
        while chunk := src.read(1 << 20):
            digest.update(chunk)
            dst.write(chunk)
            size += len(chunk)
    return CompanyFile(str(target), label, size, digest.hexdigest())


def prefetched(specs: Sequence[BatchSpec], scratch_root: str | None) -> Iterator[FileBatch]:
    """Materialize batch k+1 in a background thread while the caller works on batch k.

    Hashing and zip inflation release the GIL, so this overlaps with DuckDB. At most two batches
    exist at once; each is cleaned up when the caller asks for the next one (or stops).
    """
    if not specs:
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="bulk-prefetch") as pool:
        pending = pool.submit(materialize, specs[0], scratch_root)
        try:
            for nxt in [*specs[1:], None]:
                batch = pending.result()
                pending = pool.submit(materialize, nxt, scratch_root) if nxt else None
                try:
                    yield batch
                finally:
                    batch.cleanup()
        finally:
            if pending is not None:  # the caller stopped early: drop the prefetched batch too
                try:
                    pending.result().cleanup()
                except Exception:  # noqa: BLE001 - its error does not matter any more
                    pass

