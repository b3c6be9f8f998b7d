"""The README's first query, through the DuckDB command line installed with aipipe (duckdb-cli),
on a real warehouse loaded from the seed: the CLI opens the file aipipe writes and shows the
figures the 10-K filings state."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

from tests.support.warehouse import load_companies, settings_in

HYPERSCALERS = [("META", 1326801), ("MSFT", 789019), ("GOOGL", 1652044), ("AMZN", 1018724)]


def test_duckdb_cli_reads_big_tech_capex(tmp_path):
    settings = settings_in(tmp_path)
    load_companies(settings, HYPERSCALERS)
    cli = Path(sys.executable).with_name("duckdb")
    assert cli.exists(), "duckdb-cli is a dependency: `make install` puts the DuckDB CLI in .venv/bin"
    done = subprocess.run([str(cli), "-readonly", "-csv", str(settings.db_path),
                           "select ticker, fiscal_year, revenue_usd, capex_usd from marts.big_tech_capex "
                           "where row_type = 'company'"],
                          capture_output=True, text=True, timeout=60, check=True)
    rows = {(r["ticker"], int(r["fiscal_year"])): r for r in csv.DictReader(io.StringIO(done.stdout))}
    assert {year for _, year in rows} >= {2022, 2023, 2024, 2025}
    assert {ticker for ticker, _ in rows} == {"META", "MSFT", "GOOGL", "AMZN"}
    assert float(rows[("META", 2024)]["revenue_usd"]) == 164_501_000_000
    assert float(rows[("GOOGL", 2024)]["capex_usd"]) == 52_535_000_000
