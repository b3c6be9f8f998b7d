"""Registry pages fetched from a real local HTTP server: a page that still states its figure is
confirmed, an edited page is flagged without losing the registry value, an unreachable page
keeps the last good check and says it is unreachable."""

from __future__ import annotations

import duckdb

from aipipe.core.runs import new_run_id
from aipipe.core.snapshots import SnapshotStore, utc_now
from aipipe.ingest.refresh import http_client
from aipipe.ingest.stage import stage_source
from aipipe.sources.base import acquire
from aipipe.sources.figures import registry_frame, registry_source
from aipipe.sources.news.checks import news_sources
from aipipe.warehouse.ledger import RunRecord
from aipipe.warehouse.load import load_run
from aipipe.warehouse.sql import loaded_snapshots
from tests.support.fault_server import FaultServer, Reply
from tests.support.warehouse import settings_in

REGISTRY = """
[[figure]]
id = "openai-arr-2025-06"
entity = "OpenAI"
metric = "arr"
value = 10.0e9
unit = "currency"
currency = "USD"
as_of = "2025-06"
  [[figure.source]]
  publisher = "Local News"
  url = "{url}/openai"
  published = "2025-06-11"
  tier = "press"
  phrase = "annualized revenue"

[[figure]]
id = "glean-valuation-2025-06"
entity = "Glean"
metric = "valuation"
value = 7.2e9
unit = "currency"
currency = "USD"
as_of = "2025-06"
  [[figure.source]]
  publisher = "Local News"
  url = "{url}/glean"
  published = "2025-06-20"
  tier = "press"
  phrase = "valuation"
"""


def page(title: str, body: str) -> bytes:
    return f"""<html><head><title>{title}</title><script>var ad = "$99 billion";</script></head>
<body><nav>Home | Markets</nav><div class="ad">Sponsored: $1 billion giveaway</div>
<article><h1>{title}</h1><p>{body}</p></article></body></html>""".encode()


def refresh_pages(settings, registry_file):
    run = RunRecord(new_run_id(), "test", utc_now(), settings.offline)
    frame = registry_frame(registry_file.read_bytes())
    specs = [registry_source(registry_file), *news_sources(settings, frame)]
    loaded = loaded_snapshots(settings.db_path)
    store = SnapshotStore(settings.data_dir)
    client = http_client(settings)
    results = [stage_source(s, acquire(s, store, client), settings.data_dir / "runs" / run.run_id, run.run_id, loaded)
               for s in specs]
    load_run(settings.db_path, run, results)
    return results


def statuses(settings):
    con = duckdb.connect(str(settings.db_path), read_only=True)
    try:
        rows = con.execute("SELECT figure_id, check_status, value, found_value "
                           "FROM staging.reported_figures_status").fetchall()
    finally:
        con.close()
    return {r[0]: r[1:] for r in rows}


def test_confirmed_changed_and_unreachable(tmp_path):
    with FaultServer() as server:
        settings = settings_in(tmp_path).with_overrides(offline=False, http_retries=0, http_timeout_s=2.0)
        registry_file = tmp_path / "registry.toml"
        registry_file.write_text(REGISTRY.format(url=server.url))
        server.route("/openai", Reply(200, page("OpenAI hits $10B", "OpenAI's annualized revenue reached $10 billion "
                                                "in June, up from $5.5 billion.")))
        server.route("/glean", Reply(200, page("Glean raises",
                                               "Glean's valuation is now $4.6 billion after the round.")))
        refresh_pages(settings, registry_file)
        first = statuses(settings)
        assert first["openai-arr-2025-06"] == ("confirmed", 10e9, 10e9)
        # The page now says something else: both values are kept and the entry is flagged.
        assert first["glean-valuation-2025-06"] == ("changed", 7.2e9, 4.6e9)

        server.route("/openai", Reply(503, b"down"))
        results = refresh_pages(settings, registry_file)
        second = statuses(settings)
        openai = [r for r in results if r.url.endswith("/openai")][0]
        assert openai.origin == "local" and any("live fetch failed" in n for n in openai.notes)
        status, registry_value, last_found = second["openai-arr-2025-06"]
        assert (status, registry_value, last_found) == ("unreachable", 10e9, 10e9)
        assert second["glean-valuation-2025-06"][0] == "changed"


def test_scraped_text_is_stored_as_plain_text(tmp_path):
    with FaultServer() as server:
        settings = settings_in(tmp_path).with_overrides(offline=False, http_retries=0)
        registry_file = tmp_path / "registry.toml"
        registry_file.write_text(REGISTRY.format(url=server.url))
        server.route("/openai", Reply(200, page("<script>alert(1)</script> OpenAI",
                                                "OpenAI's annualized revenue reached $10 billion.")))
        server.route("/glean", Reply(404, b"gone"))
        refresh_pages(settings, registry_file)
        con = duckdb.connect(str(settings.db_path), read_only=True)
        title, status = con.execute("SELECT page_title, status FROM staging.page_checks "
                                    "WHERE figure_id = 'openai-arr-2025-06'").fetchall()[0]
        con.close()
        # The markup in the <title> is kept as the literal text the page shows, nothing more:
        # it is data to escape in reports, never markup to render.
        assert title == "<script>alert(1)</script> OpenAI"
        assert status == "confirmed"
