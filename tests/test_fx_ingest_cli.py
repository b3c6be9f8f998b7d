"""`aipipe ingest fx FILE` through the real CLI on the real ECB fixture: the downloaded file is
checked with the refresh's parser, stored as the fx source's newest snapshot, loaded like a refresh,
and used by later offline refreshes; a file that is not an ECB file is rejected and nothing stored."""

from __future__ import annotations

import duckdb

from aipipe.cli import main
from aipipe.sources import fx


def query(db, sql):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_ingest_the_history_csv_then_rerun_is_no_change(tmp_path, fx_fixtures, capsys):
    db, data = tmp_path / "wh.duckdb", tmp_path / "data"
    hist = fx_fixtures / "eurofxref-hist.csv"
    expected = fx.parse_snapshot(hist.read_bytes(), hist.name)
    assert main(["ingest", "fx", str(hist), "--db", str(db), "--data", str(data)]) == 0
    out = capsys.readouterr().out
    assert "stored as fx:ecb-hist (origin: file)" in out and f"{len(expected):,} new rows" in out
    assert query(db, "SELECT count(*) FROM staging.fx_rates") == [(len(expected),)]
    # The crossed CNY per USD of a day equals the file's own CNY/USD ratio for that day.
    day = expected[(expected["quote"] == "CNY")]["rate_date"].max()
    cny, usd = (expected[(expected["rate_date"] == day) & (expected["quote"] == q)]["rate"].item()
                for q in ("CNY", "USD"))
    [(loaded,)] = query(db, f"SELECT cny_per_usd FROM marts.fx_cny_per_usd WHERE rate_date = DATE '{day}'")
    assert abs(loaded - cny / usd) < 1e-12
    [(status, origin)] = query(db, "SELECT status, origin FROM audit.source_loads WHERE source = 'fx:ecb-hist'")
    assert status == "loaded" and origin == "local"
    # Ingesting the same file again stores nothing new and loads nothing.
    assert main(["ingest", "fx", str(hist), "--db", str(db), "--data", str(data)]) == 0
    assert "0 new rows" in capsys.readouterr().out
    assert query(db, "SELECT count(*) FROM staging.fx_rates") == [(len(expected),)]


def test_a_file_that_is_not_ecb_is_rejected_and_nothing_is_stored(tmp_path, capsys):
    db, data = tmp_path / "wh.duckdb", tmp_path / "data"
    bogus = tmp_path / "rates.csv"
    bogus.write_text("Date,USD,\nyesterday,1.1,\n")
    assert main(["ingest", "fx", str(bogus), "--db", str(db), "--data", str(data)]) == 1
    err = capsys.readouterr().err
    assert "rates.csv: not an ECB reference-rate file" in err and "unreadable date 'yesterday'" in err
    assert "nothing was stored" in err
    assert not (data / "snapshots").exists() or not any((data / "snapshots").rglob("*.csv"))
    assert not db.exists()
    assert main(["ingest", "fx", str(tmp_path / "absent.zip"), "--db", str(db), "--data", str(data)]) == 2
    assert "no such file" in capsys.readouterr().err
