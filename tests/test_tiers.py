"""Source tiers, end to end on a real warehouse: the registry's `tier` is validated by pandera (a
secondary source that does not name its original is quarantined with the reason), and the claim
check calls a claim `confirmed` only when a primary or press source supports it; supported by
secondary sources alone it is `weakly_sourced`."""

from __future__ import annotations

import duckdb
import pytest

from aipipe.core.runs import new_run_id
from aipipe.core.snapshots import SnapshotStore, utc_now
from aipipe.ingest.stage import stage_source
from aipipe.sources.article.source import article_sources
from aipipe.sources.base import acquire
from aipipe.sources.figures import registry_source
from aipipe.warehouse.ledger import RunRecord
from aipipe.warehouse.load import load_run
from tests.support.warehouse import settings_in

# The article states Clay's ARR (USD 30 million) and Glean's (USD 100 million), both undated.
FIGURE = """
[[figure]]
id = "{id}"
entity = "{entity}"
metric = "arr"
value = {value}
unit = "currency"
currency = "USD"
as_of = "2025"
  [[figure.source]]
  publisher = "{publisher}"
  url = "https://example.org/{id}"
  published = "2025-08-11"
  tier = "{tier}"
{extra}"""


def figure(id, entity, value, tier, publisher="A publisher", extra=""):
    return FIGURE.format(id=id, entity=entity, value=value, tier=tier, publisher=publisher, extra=extra)


def load(tmp_path, registry_text, seed_article):
    settings = settings_in(tmp_path, article_source=str(seed_article))
    registry = tmp_path / "registry.toml"
    registry.write_text(registry_text, encoding="utf-8")
    run = RunRecord(new_run_id(), "test", utc_now(), True)
    store = SnapshotStore(settings.data_dir)
    specs = [registry_source(registry), *article_sources(settings)]
    results = [stage_source(s, acquire(s, store, None), settings.data_dir / "runs" / run.run_id, run.run_id, set())
               for s in specs]
    load_run(settings.db_path, run, results)
    return settings, {r.source: r for r in results}


def claim_status(settings, entity):
    con = duckdb.connect(str(settings.db_path), read_only=True)
    try:
        return con.execute("SELECT status, source_tier, note FROM marts.claim_check "
                           "WHERE entity = ? AND metric = 'arr'", [entity]).fetchall()[0]
    finally:
        con.close()


def test_a_secondary_source_must_name_its_original(tmp_path, seed_article):
    text = (figure("clay-arr-ok", "Clay", 30e6, "secondary", extra='  original_publisher = "Western Securities"\n')
            + figure("glean-arr-unnamed", "Glean", 100e6, "secondary")
            + figure("glean-arr-badtier", "Glean", 100e6, "blog"))
    settings, results = load(tmp_path, text, seed_article)
    registry = results["registry:reported_figures"]
    assert registry.status == "staged" and registry.rows_valid == 1 and registry.rows_quarantined == 2
    con = duckdb.connect(str(settings.db_path), read_only=True)
    try:
        loaded = [r[0] for r in con.execute("SELECT figure_id FROM staging.reported_figures").fetchall()]
        reasons = dict(con.execute("SELECT json_extract_string(row_json, '$.figure_id'), reasons "
                                   "FROM audit.quarantine WHERE table_name = 'staging.reported_figures'").fetchall())
    finally:
        con.close()
    assert loaded == ["clay-arr-ok"]
    assert "a secondary source must name the original it cites (original_publisher)" in reasons["glean-arr-unnamed"]
    assert "tier" in reasons["glean-arr-badtier"] and "blog" in reasons["glean-arr-badtier"]
    # Quarantined figures support nothing: Glean's ARR claim has no source.
    assert claim_status(settings, "Glean")[0] == "unsourced"


@pytest.mark.parametrize(("tier", "status"), [("secondary", "weakly_sourced"), ("press", "confirmed"),
                                              ("primary", "confirmed")])
def test_only_primary_or_press_confirms(tmp_path, seed_article, tier, status):
    extra = '  original_publisher = "Western Securities"\n' if tier == "secondary" else ""
    settings, _ = load(tmp_path, figure("clay-arr", "Clay", 30e6, tier, extra=extra), seed_article)
    got_status, got_tier, note = claim_status(settings, "Clay")
    assert (got_status, got_tier) == (status, tier)
    if status == "weakly_sourced":
        assert "only secondary sources" in note


def test_the_best_tier_among_a_figures_sources_counts(tmp_path, seed_article):
    two_sources = figure("clay-arr", "Clay", 30e6, "secondary", extra='  original_publisher = "TechCrunch"\n') + """
  [[figure.source]]
  publisher = "TechCrunch"
  url = "https://example.org/techcrunch-clay"
  published = "2025-06-01"
  tier = "press"
"""
    settings, _ = load(tmp_path, two_sources, seed_article)
    assert claim_status(settings, "Clay")[:2] == ("confirmed", "press")
