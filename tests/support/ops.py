"""Helpers for the operations tests: small watchlists, companyfacts variants, whole-warehouse
snapshots for before/after comparison, and refresh processes a test can pause, kill or release."""

from __future__ import annotations

import copy
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import duckdb
import orjson

REPO = Path(__file__).resolve().parents[2]
TRIMMED_GOOGL = "CIK0001652044.trimmed.json"


def write_watchlist(path: Path, companies: dict[str, int]) -> Path:
    """A watchlist TOML refreshing exactly `companies` (ticker -> CIK); point AIPIPE_WATCHLIST at it."""
    lines = ["[companies]", *(f"{t} = {cik}" for t, cik in companies.items()), "",
             "[baskets]", f"test = [{', '.join(repr(t).replace(chr(39), chr(34)) for t in companies)}]", "",
             "[refresh]", 'baskets = ["test"]', ""]
    path.write_text("\n".join(lines))
    return path


def companyfacts_versions(sec_fixtures: Path) -> tuple[bytes, bytes]:
    """Two real-shaped versions of Alphabet's (trimmed) companyfacts: v1 lacks the newest three
    revenue facts, v2 is the file as stored. Loading v2 after v1 adds exactly those rows."""
    full = orjson.loads((sec_fixtures / "companyfacts" / TRIMMED_GOOGL).read_bytes())
    older = copy.deepcopy(full)
    older["facts"]["us-gaap"]["Revenues"]["units"]["USD"] = full["facts"]["us-gaap"]["Revenues"]["units"]["USD"][:-3]
    return orjson.dumps(older), orjson.dumps(full)


def as_company(doc: bytes, cik: int, name: str) -> bytes:
    """The same companyfacts shape under another company's CIK (a second, independent source)."""
    parsed = orjson.loads(doc)
    parsed["cik"], parsed["entityName"] = cik, name
    return orjson.dumps(parsed)


def table_contents(db_path: Path) -> dict[str, Counter]:
    """Every base table's rows as a multiset, read through a read-only connection."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        tables = con.execute("SELECT table_schema, table_name FROM information_schema.tables "
                             "WHERE table_type = 'BASE TABLE' ORDER BY ALL").fetchall()
        return {f"{s}.{t}": Counter(_hashable(r) for r in con.execute(f'SELECT * FROM "{s}"."{t}"').fetchall())
                for s, t in tables}
    finally:
        con.close()


def _hashable(value: object) -> object:
    """Rows with LIST / STRUCT / MAP values as nested tuples, so they can be counted."""
    if isinstance(value, list | tuple):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    return value


def rows_lost(before: dict[str, Counter], after: dict[str, Counter], *, ignore: tuple[str, ...] = ()) -> int:
    """How many rows of `before` are missing from `after` (a changed row counts as lost)."""
    lost = 0
    for table, rows in before.items():
        if table in ignore:
            continue
        lost += sum((rows - after.get(table, Counter())).values())
    return lost


def differences(before: dict[str, Counter], after: dict[str, Counter]) -> dict[str, tuple[int, int]]:
    """Tables whose contents differ: table -> (rows only before, rows only after)."""
    out = {}
    for table in sorted(set(before) | set(after)):
        b, a = before.get(table, Counter()), after.get(table, Counter())
        if a != b:
            out[table] = (sum((b - a).values()), sum((a - b).values()))
    return out


class RefreshProcess:
    """A refresh in a child process (the `aipipe refresh` command, or the pipeline without
    Prefect), whose stderr is read line by line so a test can wait for a pause point."""

    def __init__(self, env: dict[str, str], *, cli: bool = False, wait_s: float = 0.0,
                 families: tuple[str, ...] = ("sec",)) -> None:
        if cli:
            command = [str(Path(sys.executable).with_name("aipipe")), "refresh", "--wait", str(wait_s)]
            command += [a for f in families for a in ("--only", f)]
        else:
            command = [sys.executable, "-m", "tests.support.direct_refresh", str(wait_s), *families]
        self.started = time.monotonic()
        self.process = subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, start_new_session=True)
        self.lines: list[str] = []
        self._stdout: list[str] = []
        self._new_line = threading.Condition()
        self._readers = [threading.Thread(target=self._read, args=(self.process.stderr, self.lines), daemon=True),
                         threading.Thread(target=self._read, args=(self.process.stdout, self._stdout), daemon=True)]
        for reader in self._readers:
            reader.start()

    def _read(self, stream, sink: list[str]) -> None:
        for line in stream:
            with self._new_line:
                sink.append(line.rstrip("\n"))
                self._new_line.notify_all()

    def wait_for(self, text: str, timeout_s: float = 60.0) -> str:
        """Block until a stderr line contains `text`; fail with the output so far if it never does."""
        deadline = time.monotonic() + timeout_s
        with self._new_line:
            while True:
                for line in self.lines:
                    if text in line:
                        return line
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"refresh never printed {text!r} (exit {self.process.poll()}):\n"
                                         + "\n".join(self.lines[-40:]))
                self._new_line.wait(0.2)

    def kill(self) -> int:
        os.killpg(self.process.pid, signal.SIGKILL)
        return self.process.wait(30)

    def finish(self, timeout_s: float = 120.0) -> tuple[int, str, str]:
        code = self.process.wait(timeout_s)
        for reader in self._readers:
            reader.join(5)
        return code, "\n".join(self._stdout), "\n".join(self.lines)


def refresh_env(settings, **extra: str) -> dict[str, str]:
    """The environment that makes a child refresh use `settings` (paths, URLs, network)."""
    env = {**os.environ,
           "AIPIPE_DB": str(settings.db_path), "AIPIPE_DATA": str(settings.data_dir),
           "AIPIPE_REPORTS": str(settings.reports_dir), "AIPIPE_OFFLINE": "1" if settings.offline else "0",
           "AIPIPE_SEC_BASE_URL": settings.sec_base_url, "AIPIPE_SEC_WWW_URL": settings.sec_www_url,
           "AIPIPE_HTTP_TIMEOUT": str(settings.http_timeout_s), "AIPIPE_HTTP_RETRIES": str(settings.http_retries),
           "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)}
    env.update(extra)
    return env
