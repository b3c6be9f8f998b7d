"""Benchmarks of the refresh itself (called by benchmarks/run.py; never by the tests):

- `measure_no_change`: what a re-run costs when no source changed, against a full run — once
  with the server answering 304 to conditional requests, once with a server that ignores them
  and sends identical bytes (same sha256) — in seconds and in work counters (bytes fetched and
  parsed, rows written, sources parsed);
- `measure_prefect_overhead`: the same no-change refresh through the Prefect flow against the
  plain pipeline functions, Prefect's API start-up reported apart.

Both serve real companyfacts (Alphabet's and Snowflake's, from the shared fixtures; the other
watched companies get one of the two under their own CIK) from a local HTTP server with ETags,
so the live client's conditional-request path is what runs. `benchmarks/run.py` calls
`no_change_rerun(scratch)` and `prefect_overhead(scratch)`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import statistics
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import orjson

from aipipe.settings import REPO_ROOT, Settings
from aipipe.sources.sec.watchlist import load_watchlist

REFILL_S = 1.2
_REPORT_SECONDS: list[float] = []
REAL_FILES = {1652044: "CIK0001652044.json", 1640147: "CIK0001640147.json"}


@dataclass
class _Served:
    """A local companyfacts server; counts requests, 304s and body bytes sent."""

    documents: dict[str, bytes]
    honour_conditional: bool = True
    requests: int = 0
    not_modified: int = 0
    body_bytes: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset_counts(self) -> None:
        with self.lock:
            self.requests = self.not_modified = self.body_bytes = 0

    def counts(self) -> dict[str, int]:
        with self.lock:
            return {"http_requests": self.requests, "http_304": self.not_modified, "bytes_fetched": self.body_bytes}


def measure_no_change(scratch: Path, *, companyfacts_dir: Path | None = None, repeats: int = 3) -> dict:
    """A full refresh of the SEC family, then `repeats` re-runs with nothing changed (304s), then
    `repeats` with the server ignoring conditional requests (same bytes again). Median seconds."""
    with _corpus_world(Path(scratch) / "bench-no-change", companyfacts_dir) as (settings, served):
        full = _timed_run(_direct, settings, served)
        not_modified = [_timed_run(_direct, settings, served) for _ in range(repeats)]
        served.honour_conditional = False
        same_bytes = [_timed_run(_direct, settings, served) for _ in range(repeats)]
        served.honour_conditional = True
        # The run's reports: the first report in this world renders everything; the no-change
        # runs after it find nothing changed and reuse those outputs (aipipe.report.reuse).
        report_built = _timed_run(_direct_with_report, settings, served)
        report_reused = _median_run([_timed_run(_direct_with_report, settings, served) for _ in range(repeats)])
    rerun = _median_run(not_modified)
    same = _median_run(same_bytes)
    full_with_report = full["seconds"] + report_built["report_seconds"]
    return {
        "seconds": rerun["seconds"],
        "full_run": full,
        "no_change_304": rerun,
        "no_change_same_sha256": same,
        "seconds_vs_full": round(rerun["seconds"] / full["seconds"], 4),
        "same_sha256_seconds_vs_full": round(same["seconds"] / full["seconds"], 4),
        "bytes_parsed_vs_full": round(rerun["bytes_parsed"] / max(1, full["bytes_parsed"]), 4),
        "rows_written_vs_full": round(rerun["rows_written"] / max(1, full["rows_written"]), 4),
        # Computed, not measured: the client's limiter (9 requests/s, bursts of 9) makes requests
        # beyond the burst wait 1/9 s each; SEC asks for at most 10/s, so this part stays.
        "rate_limit_wait_s_computed": round(max(0, rerun["http_requests"] - 9) / 9, 3),
        "report_seconds_built": report_built["report_seconds"],
        "report_seconds_reused": report_reused["report_seconds"],
        "with_report": {
            "full_run_seconds": round(full_with_report, 3),
            "no_change_seconds": report_reused["seconds"],
            "seconds_vs_full": round(report_reused["seconds"] / full_with_report, 4),
        },
        "statuses": sorted({r["status"] for r in not_modified + same_bytes}),
        "companies": len(served.documents),
        "corpus_bytes": sum(len(d) for d in served.documents.values()),
    }


def measure_prefect_overhead(scratch: Path, *, companyfacts_dir: Path | None = None, repeats: int = 2) -> dict:
    """No-change refreshes through the flow `refresh` against the same work done by the plain
    functions (the pipeline, then the run's reports, which the flow also writes). The first flow
    call also starts Prefect (a temporary API unless PREFECT_API_URL points at a server)."""
    with _corpus_world(Path(scratch) / "bench-prefect", companyfacts_dir) as (settings, served):
        _timed_run(_direct, settings, served)  # load everything once
        # Build the reports once, so that direct and flow runs alike find nothing changed and
        # reuse the article outputs (aipipe.report.reuse): like is compared with like.
        _timed_run(_direct_with_report, settings, served)
        direct = [_timed_run(_direct_with_report, settings, served) for _ in range(repeats)]
        started = time.perf_counter()
        from flows.refresh import refresh

        import_s = time.perf_counter() - started
        first = _timed_run(_flow_call(refresh), settings, served)
        steady = [_timed_run(_flow_call(refresh), settings, served) for _ in range(repeats)]
    direct_s = statistics.median(r["seconds"] for r in direct)
    report_s = statistics.median(r["report_seconds"] for r in direct)
    flow_s = statistics.median(r["seconds"] for r in steady)
    return {
        "seconds": round(flow_s - direct_s, 3),
        "direct_no_change_seconds": round(direct_s, 3),
        "of_which_report_seconds": round(report_s, 3),
        "flow_no_change_seconds": round(flow_s, 3),
        "flow_first_call_seconds": first["seconds"],
        "import_flows_seconds": round(import_s, 3),
        "api": os.environ.get("PREFECT_API_URL") or "temporary (ephemeral) API started by Prefect",
        "statuses": sorted({r["status"] for r in [first, *steady, *direct]}),
    }


# The names benchmarks/measures.py looks for.
def no_change_rerun(scratch: Path) -> dict:
    return measure_no_change(scratch)


def prefect_overhead(scratch: Path) -> dict:
    return measure_prefect_overhead(scratch)


def _direct(settings: Settings, families: list[str]) -> tuple[str, str]:
    from aipipe.ingest.refresh import refresh_direct

    run, outcome, _ = refresh_direct(settings, families)
    return run.run_id, outcome.status


def _direct_with_report(settings: Settings, families: list[str]) -> tuple[str, str]:
    from aipipe.report.run_report import write_run_report

    run_id, status = _direct(settings, families)
    started = time.perf_counter()
    write_run_report(settings, run_id)
    _REPORT_SECONDS.append(time.perf_counter() - started)
    return run_id, status


def _flow_call(refresh_flow):
    def call(settings: Settings, families: list[str]):
        result = refresh_flow(settings=settings, families=families)
        return result["run_id"], result["status"]
    return call


def _timed_run(run_refresh, settings: Settings, served: _Served) -> dict:
    """One refresh with its wall time and work counters (read from the run's own ledger).

    Waits first until the HTTP client's rate limiter (9 requests/s, bursts of 9) is full again,
    as it is between real scheduled runs hours apart; back-to-back runs would measure the limiter."""
    time.sleep(REFILL_S)
    served.reset_counts()
    started = time.perf_counter()
    _REPORT_SECONDS.clear()
    run_id, status = run_refresh(settings, ["sec"])
    seconds = time.perf_counter() - started
    extra = {"report_seconds": round(_REPORT_SECONDS[0], 3)} if _REPORT_SECONDS else {}
    return {"seconds": round(seconds, 3), "status": status, **extra, **served.counts(),
            **_ledger_counts(settings, run_id)}


def _ledger_counts(settings: Settings, run_id: str) -> dict:
    from aipipe.warehouse.connect import connect_read_only

    con = connect_read_only(settings.db_path)
    try:
        parsed, bytes_parsed, rows_in, rows_written = con.execute(
            "SELECT count(*) FILTER (WHERE l.status IN ('loaded', 'fallback', 'error')), "
            "coalesce(sum(s.size_bytes) FILTER (WHERE l.status IN ('loaded', 'fallback', 'error')), 0), "
            "coalesce(sum(l.rows_in), 0), coalesce(sum(l.rows_inserted + l.rows_quarantined), 0) "
            "FROM audit.source_loads l LEFT JOIN raw.snapshots s "
            "ON s.sha256 = l.snapshot_sha256 AND s.source = l.source WHERE l.run_id = ?", [run_id]).fetchall()[0]
    finally:
        con.close()
    return {"sources_parsed": parsed, "bytes_parsed": int(bytes_parsed), "rows_parsed": int(rows_in),
            "rows_written": int(rows_written)}


def _median_run(runs: list[dict]) -> dict:
    ordered = sorted(runs, key=lambda r: r["seconds"])
    return {**ordered[len(ordered) // 2], "all_seconds": [r["seconds"] for r in runs]}


@contextlib.contextmanager
def _corpus_world(work: Path, companyfacts_dir: Path | None) -> Iterator[tuple[Settings, _Served]]:
    """A fresh warehouse, a watchlist of the configured companies, and a server for their files."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    documents = _documents(_fixtures_dir(companyfacts_dir))
    served = _Served(documents)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(served))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    watchlist = work / "watchlist.toml"
    ciks = {f"C{int(path.split('CIK')[1][:10])}": int(path.split("CIK")[1][:10]) for path in documents}
    watchlist.write_text("[companies]\n" + "".join(f"{t} = {c}\n" for t, c in ciks.items())
                         + f"\n[baskets]\nbench = {orjson.dumps(list(ciks)).decode()}\n"
                         + '\n[refresh]\nbaskets = ["bench"]\n')
    previous = os.environ.get("AIPIPE_WATCHLIST")
    os.environ["AIPIPE_WATCHLIST"] = str(watchlist)
    settings = Settings(db_path=work / "aipipe.duckdb", data_dir=work / "data", reports_dir=work / "reports",
                        offline=False, sec_base_url=url, sec_www_url=url, contact="bench@example.invalid")
    try:
        yield settings, served
    finally:
        server.shutdown()
        server.server_close()
        if previous is None:
            os.environ.pop("AIPIPE_WATCHLIST", None)
        else:
            os.environ["AIPIPE_WATCHLIST"] = previous


def _fixtures_dir(given: Path | None) -> Path:
    shared = Path(os.environ.get("AIPIPE_SHARED", REPO_ROOT.parent / "shared"))
    folder = Path(given) if given else shared / "fixtures" / "sec" / "companyfacts"
    missing = [name for name in REAL_FILES.values() if not (folder / name).exists()]
    if missing:
        raise FileNotFoundError(f"bench_refresh: companyfacts {missing} not in {folder}; set AIPIPE_SHARED "
                                "or pass companyfacts_dir")
    return folder


def _documents(folder: Path) -> dict[str, bytes]:
    """URL path -> companyfacts bytes for every company in the watchlist's refresh baskets."""
    real = {cik: (folder / name).read_bytes() for cik, name in REAL_FILES.items()}
    documents = {}
    for i, company in enumerate(load_watchlist().refresh_companies()):
        if company.cik in real:
            body = real[company.cik]
        else:  # a real document under this company's identity
            doc = orjson.loads(real[list(real)[i % len(real)]])
            doc["cik"], doc["entityName"] = company.cik, f"{company.ticker} (benchmark copy)"
            body = orjson.dumps(doc)
        documents[f"/api/xbrl/companyfacts/{company.cik10}.json"] = body
    return documents


def _handler(served: _Served) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            body = served.documents.get(self.path)
            with served.lock:
                served.requests += 1
            if body is None:
                self._reply(404, b"not found", {})
                return
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if served.honour_conditional and self.headers.get("If-None-Match") == etag:
                with served.lock:
                    served.not_modified += 1
                self._reply(304, b"", {"ETag": etag})
                return
            with served.lock:
                served.body_bytes += len(body)
            self._reply(200, body, {"ETag": etag, "Content-Type": "application/json"})

        def _reply(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler
