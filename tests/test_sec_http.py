"""The SEC companyfacts source end to end against a real HTTP server on 127.0.0.1
(Settings.sec_base_url points at it): each fault has its expected outcome, and nothing already
loaded is ever lost. Every run goes acquire → stage → load, as a refresh does."""

from __future__ import annotations

import dataclasses
import time

import duckdb
import orjson
import pytest

from aipipe.core.http import PoliteClient
from aipipe.core.runs import new_run_id
from aipipe.core.snapshots import SnapshotStore, utc_now
from aipipe.ingest.refresh import http_client
from aipipe.ingest.stage import stage_source
from aipipe.sources.base import acquire
from aipipe.sources.sec.companyfacts import company_source
from aipipe.sources.sec.parse import parse_companyfacts
from aipipe.sources.sec.watchlist import Company
from aipipe.warehouse.ledger import RunRecord
from aipipe.warehouse.load import load_run
from aipipe.warehouse.sql import loaded_snapshots
from tests.support.fault_server import FaultServer, Reply
from tests.support.warehouse import settings_in

PATH = "/api/xbrl/companyfacts/CIK0001652044.json"


@pytest.fixture()
def server():
    with FaultServer() as s:
        yield s


@pytest.fixture(scope="module")
def bodies(sec_fixtures, tmp_path_factory):
    """(older, newer) companyfacts: the real trimmed Alphabet file, and that file without its
    newest filing (what SEC served before that filing existed)."""
    newer = (sec_fixtures / "companyfacts" / "CIK0001652044.trimmed.json").read_bytes()
    doc = orjson.loads(newer)
    newest = max(v["filed"] for t in doc["facts"].values() for c in t.values() for vs in c["units"].values()
                  for v in vs)
    for taxonomy in doc["facts"].values():
        for concept in taxonomy.values():
            for unit, versions in concept["units"].items():
                concept["units"][unit] = [v for v in versions if v["filed"] != newest]
    older = orjson.dumps(doc)
    tmp = tmp_path_factory.mktemp("bodies")
    (tmp / "older.json").write_bytes(older)
    (tmp / "newer.json").write_bytes(newer)
    rows = {name: parse_companyfacts([tmp / f"{name}.json"]).num_rows for name in ("older", "newer")}
    assert rows["newer"] > rows["older"] > 0
    return older, newer, rows


def client(**kw) -> PoliteClient:
    options = dict(user_agent="aipipe-test (test@example.invalid)", timeout_s=2.0, retries=2,
                   backoff_base_s=0.01, backoff_max_s=5.0)
    options.update(kw)
    return PoliteClient(**options)


class Sec:
    """One company's SEC source pointed at the local server, run like a refresh would."""

    def __init__(self, tmp_path, server: FaultServer):
        self.settings = dataclasses.replace(settings_in(tmp_path, sec_base_url=server.url), offline=False)
        self.spec = company_source(Company("GOOGL", 1652044, ()), self.settings)
        self.parsed = 0
        original = self.spec.parse

        def counting_parse(snapshot):
            self.parsed += 1
            return original(snapshot)

        self.spec = dataclasses.replace(self.spec, parse=counting_parse)
        self.store = SnapshotStore(self.settings.data_dir)

    def run(self, http: PoliteClient):
        run = RunRecord(new_run_id(), "test", utc_now(), False)
        acquired = acquire(self.spec, self.store, http)
        result = stage_source(self.spec, acquired, self.settings.data_dir / "runs" / run.run_id, run.run_id,
                              loaded_snapshots(self.settings.db_path))
        outcome = load_run(self.settings.db_path, run, [result])
        return acquired, result, outcome

    def query(self, sql, *params):
        con = duckdb.connect(str(self.settings.db_path), read_only=True)
        try:
            return con.execute(sql, list(params)).fetchall()
        finally:
            con.close()

    def facts(self) -> int:
        return self.query("SELECT count(*) FROM staging.sec_facts")[0][0]

    def stored_files(self) -> list[str]:
        folder = self.store.folder(self.spec.name)
        return sorted(p.name for p in folder.glob("*.json") if not p.name.endswith(".meta.json"))


def loaded_once(tmp_path, server, body, etag=None) -> Sec:
    sec = Sec(tmp_path, server)
    server.route(PATH, Reply(200, body, etag=etag))
    with client() as http:
        acquired, result, _ = sec.run(http)
    assert acquired.origin == "live" and result.status == "staged"
    return sec


def test_identifies_itself_with_contact_and_stays_under_sec_rate(tmp_path, server, bodies):
    sec = loaded_once(tmp_path, server, bodies[0])
    assert sec.facts() == bodies[2]["older"]
    with client(user_agent=sec.settings.user_agent) as http:
        sec.run(http)
    assert sec.settings.contact in server.hits(PATH)[-1].headers["user-agent"]
    assert http_client(sec.settings)._bucket.rate <= 9


def test_304_parses_nothing_stores_nothing_and_keeps_rows(tmp_path, server, bodies):
    sec = loaded_once(tmp_path, server, bodies[0], etag='"v1"')
    files, facts, parsed = sec.stored_files(), sec.facts(), sec.parsed
    with client() as http:
        acquired, result, outcome = sec.run(http)
    assert server.hits(PATH)[-1].headers["if-none-match"] == '"v1"'
    assert acquired.origin == "not_modified" and result.status == "no_change"
    assert sec.parsed == parsed  # not parsed again
    assert sec.stored_files() == files  # no new snapshot file
    assert sec.facts() == facts and outcome.rows_inserted == {sec.spec.name: 0}
    assert sec.query("SELECT count(*) FROM raw.snapshots")[0][0] == 1


def test_429_with_retry_after_waits_then_loads_the_new_filing(tmp_path, server, bodies):
    older, newer, rows = bodies
    sec = loaded_once(tmp_path, server, older)
    server.route(PATH, Reply(429, b"slow down", {"Retry-After": "1"}), Reply(200, newer))
    with client() as http:
        acquired, result, _ = sec.run(http)
    hits = server.hits(PATH)
    assert hits[-1].at - hits[-2].at >= 0.95
    assert acquired.origin == "live" and result.status == "staged"
    assert sec.facts() == rows["newer"]  # the older rows stay, the new filing's rows are added


def test_429_asking_for_longer_than_we_wait_falls_back_without_retrying(tmp_path, server, bodies):
    sec = loaded_once(tmp_path, server, bodies[0])
    facts = sec.facts()
    server.route(PATH, Reply(429, b"slow down", {"Retry-After": "600"}))
    with client() as http:
        started = time.monotonic()
        acquired, result, _ = sec.run(http)
    assert time.monotonic() - started < 5
    assert len(server.hits(PATH)) == 2  # the first load and one 429: no early retry
    assert acquired.origin == "local" and "Retry-After" in acquired.fetch_error
    assert result.status == "no_change" and sec.facts() == facts


def test_500_then_success(tmp_path, server, bodies):
    older, newer, rows = bodies
    sec = loaded_once(tmp_path, server, older)
    server.route(PATH, Reply(500, b"oops"), Reply(200, newer))
    with client() as http:
        acquired, result, _ = sec.run(http)
    assert acquired.origin == "live" and result.status == "staged"
    assert sec.facts() == rows["newer"]


def test_timeout_falls_back_to_the_stored_snapshot(tmp_path, server, bodies):
    sec = loaded_once(tmp_path, server, bodies[0])
    files, facts = sec.stored_files(), sec.facts()
    server.route(PATH, Reply(200, bodies[1], delay_s=1.0))
    with client(timeout_s=0.3, retries=1) as http:
        acquired, result, _ = sec.run(http)
    assert "timed out" in acquired.fetch_error and acquired.origin == "local"
    assert result.status == "no_change" and sec.facts() == facts and sec.stored_files() == files
    status, message = sec.query("SELECT status, message FROM audit.source_loads WHERE run_id = "
                                "(SELECT run_id FROM audit.runs ORDER BY started_at DESC LIMIT 1)")[0]
    assert status == "no_change" and "live fetch failed" in message and "timed out" in message


def test_truncated_body_is_never_stored(tmp_path, server, bodies):
    older, newer, rows = bodies
    sec = loaded_once(tmp_path, server, older)
    files = sec.stored_files()
    server.route(PATH, Reply(200, newer, truncate_to=len(newer) // 2))
    with client(retries=1) as http:
        acquired, result, _ = sec.run(http)
    assert "closed before the whole body" in acquired.fetch_error
    assert sec.stored_files() == files and sec.facts() == rows["older"]
    # Truncated once, whole the second time: loaded.
    server.route(PATH, Reply(200, newer, truncate_to=100), Reply(200, newer))
    with client() as http:
        acquired, result, _ = sec.run(http)
    assert acquired.origin == "live" and sec.facts() == rows["newer"]


def test_403_without_user_agent_is_not_retried_and_keeps_rows(tmp_path, server, bodies):
    sec = loaded_once(tmp_path, server, bodies[0])
    facts = sec.facts()
    server.route(PATH, Reply(200, bodies[1], require_user_agent=True))
    with client(user_agent="") as http:
        acquired, result, outcome = sec.run(http)
    assert len(server.hits(PATH)) == 2  # the first load, then one 403
    assert "403" in acquired.fetch_error and "User-Agent" in acquired.fetch_error
    assert acquired.origin == "local" and result.status == "no_change" and sec.facts() == facts
    assert outcome.status == "no_change"


def test_a_304_to_an_unconditional_request_stores_no_empty_snapshot(tmp_path, server):
    sec = Sec(tmp_path, server)  # nothing stored yet: the request carries no validators
    server.route(PATH, Reply(304, b""))
    with client() as http:
        acquired, result, _ = sec.run(http)
    assert "if-none-match" not in server.hits(PATH)[-1].headers
    assert "304 to an unconditional request" in acquired.fetch_error
    assert acquired.origin == "seed" and result.status == "staged"  # fell back, as for any failed fetch
    assert sec.stored_files() == [] and sec.facts() > 0
