"""`aipipe sql`: read-only queries on a real warehouse, printed as a table, CSV or JSON, with
DuckDB's error position shown on the offending line."""

from __future__ import annotations

import csv
import io
import json

import duckdb
import pytest

from aipipe.cli import main
from aipipe.commands.sql import describe_error, format_table
from tests.support.warehouse import load_companies, settings_in

CAPEX_SQL = ("SELECT ticker, fiscal_year, capex_usd FROM marts.big_tech_capex "
             "WHERE row_type = 'company' AND ticker IN ('GOOGL', 'META') ORDER BY ticker, fiscal_year")


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    settings = settings_in(tmp_path_factory.mktemp("sql"))
    load_companies(settings, [("META", 1326801), ("GOOGL", 1652044)])  # from the seed
    return settings


def expected(settings, sql=CAPEX_SQL):
    con = duckdb.connect(str(settings.db_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def run_sql(capsys, settings, *args):
    code = main(["sql", "--db", str(settings.db_path), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_table_output_is_aligned_and_complete(settings, capsys):
    code, out, _ = run_sql(capsys, settings, CAPEX_SQL)
    assert code == 0
    lines = out.splitlines()
    rows = expected(settings)
    assert rows and lines[-1] == f"({len(rows)} rows)"
    header, rule, *body = lines[:-1]
    assert header.split() == ["ticker", "fiscal_year", "capex_usd"]
    assert set(rule.replace(" ", "")) == {"-"} and len(body) == len(rows)
    # Numbers are right-aligned: every value ends in the same column as its header's rule.
    ends = [len(line.rstrip()) for line in body]
    assert len(set(ends)) == 1 and ends[0] == len(rule)
    for line, (ticker, year, capex) in zip(body, rows, strict=True):
        assert line.split() == [ticker, str(year), str(int(capex))]


def test_csv_and_json_round_trip(settings, capsys):
    rows = expected(settings)
    code, out, _ = run_sql(capsys, settings, CAPEX_SQL, "--format", "csv")
    parsed = list(csv.reader(io.StringIO(out)))
    assert code == 0 and parsed[0] == ["ticker", "fiscal_year", "capex_usd"]
    assert [(t, int(y), float(c)) for t, y, c in parsed[1:]] == rows
    code, out, _ = run_sql(capsys, settings, CAPEX_SQL, "--format", "json")
    records = json.loads(out)
    assert code == 0 and [(r["ticker"], r["fiscal_year"], r["capex_usd"]) for r in records] == rows


def test_query_from_file_and_bad_sql_shows_line_and_caret(settings, capsys, tmp_path):
    good = tmp_path / "capex.sql"
    good.write_text("-- capex of two hyperscalers\n" + CAPEX_SQL + ";\n")
    code, out, _ = run_sql(capsys, settings, "--file", str(good), "--format", "csv")
    assert code == 0 and len(out.splitlines()) == len(expected(settings)) + 1
    bad = tmp_path / "bad.sql"
    bad.write_text("SELECT ticker,\n       fiscal_year\n  FRM marts.big_tech_capex\n")
    code, out, err = run_sql(capsys, settings, "--file", str(bad))
    assert code == 1 and out == ""
    assert "syntax error" in err and f"{bad}:3:" in err
    source_line, caret_line = err.splitlines()[-2:]
    assert source_line.endswith("3 |   FRM marts.big_tech_capex")
    column = caret_line.index("^") - caret_line.index("|") - 2
    assert "  FRM marts.big_tech_capex"[column:].startswith("marts")  # DuckDB points at the word after FRM


def test_unknown_table_error_points_at_it(settings, capsys):
    code, _, err = run_sql(capsys, settings, "SELECT * FROM marts.no_such_mart")
    assert code == 1 and "no_such_mart" in err and "query:1:15" in err


def test_writes_are_refused_and_change_nothing(settings, capsys):
    before = expected(settings, "SELECT count(*) FROM staging.sec_facts")
    code, _, err = run_sql(capsys, settings, "DELETE FROM staging.sec_facts")
    assert code == 1 and "read-only" in err and "aipipe refresh" in err
    assert expected(settings, "SELECT count(*) FROM staging.sec_facts") == before


def test_missing_warehouse_and_missing_query(tmp_path, capsys):
    assert main(["sql", "--db", str(tmp_path / "none.duckdb"), "SELECT 1"]) == 2
    assert "aipipe refresh" in capsys.readouterr().err
    assert main(["sql", "--db", str(tmp_path / "none.duckdb")]) == 1
    assert "--file" in capsys.readouterr().err


def test_describe_error_finds_the_column_in_a_long_line():
    sql = "SELECT " + ", ".join(f"column_{i}" for i in range(40)) + " FRM t"
    con = duckdb.connect()
    with pytest.raises(duckdb.Error) as caught:
        con.execute(sql)
    text = describe_error(str(caught.value), sql)
    source_line, caret_line = text.splitlines()[-2:]
    column = caret_line.index("^") - caret_line.index("|") - 2
    assert sql[column:].startswith("t") and sql[column - 4:column] == "FRM "
    assert source_line.endswith(sql)


def test_format_table_nulls_and_long_cells():
    text = format_table(["name", "amount"], [("a", None), ("b" * 80, 12.5)], max_width=10)
    lines = text.splitlines()
    assert lines[2].split() == ["a", "NULL"] and lines[3].startswith("bbbbbbbbb…")


# --- read-only means nothing is written, nothing else is read ------------------------------------

REFUSED = [
    ("COPY (SELECT 1 AS a) TO '{tmp}/out.csv'", "refused: writing", "out.csv"),
    ("EXPORT DATABASE '{tmp}/export'", "refused: EXPORT DATABASE", "export"),
    ("INSTALL httpfs", "refused: installing or loading DuckDB extensions", None),
    ("LOAD httpfs", "refused: installing or loading DuckDB extensions", None),
    ("ATTACH '{tmp}/other.duckdb' AS other", "refused: ATTACH", "other.duckdb"),
    ("SELECT * FROM read_csv('{tmp}/secret.csv')", "pass --allow-read", None),
    ("SELECT * FROM 'https://example.invalid/a.csv'", "over the network", None),
    ("SET enable_external_access = true", "refused: changing DuckDB's settings", None),
]


@pytest.mark.parametrize("sql, message, must_not_exist", REFUSED, ids=[r[0].split()[0] + "-" + str(i)
                                                                        for i, r in enumerate(REFUSED)])
def test_what_could_write_or_read_elsewhere_is_refused(settings, capsys, tmp_path, sql, message, must_not_exist):
    (tmp_path / "secret.csv").write_text("a\n1\n")
    code, out, err = run_sql(capsys, settings, sql.format(tmp=tmp_path))
    assert code == 1 and out == ""
    assert err.startswith("aipipe sql: refused") and message in err and len(err.strip().splitlines()) == 1
    if must_not_exist:
        assert not (tmp_path / must_not_exist).exists()


def test_allow_read_lets_a_csv_join_the_warehouse(settings, capsys, tmp_path):
    names = tmp_path / "names.csv"
    names.write_text("ticker,name\nMETA,Meta Platforms\nGOOGL,Alphabet\n")
    sql = (f"SELECT c.ticker, n.name, count(*) AS years FROM marts.big_tech_capex c "
           f"JOIN read_csv('{names}') n USING (ticker) WHERE c.row_type = 'company' GROUP BY ALL ORDER BY 1")
    code, out, err = run_sql(capsys, settings, "--format", "json", "--allow-read", str(names), sql)
    assert code == 0, err
    rows = json.loads(out)
    assert [(r["ticker"], r["name"]) for r in rows] == [("GOOGL", "Alphabet"), ("META", "Meta Platforms")]
    assert all(r["years"] > 0 for r in rows)
    # Allowing one file allows that file only.
    other = tmp_path / "other.csv"
    other.write_text("a\n1\n")
    code, _, err = run_sql(capsys, settings, "--allow-read", str(names), f"SELECT * FROM read_csv('{other}')")
    assert code == 1 and "refused: reading" in err


def test_table_where_cannot_smuggle_a_second_statement(settings, capsys, tmp_path):
    target = tmp_path / "leak.csv"
    code = main(["table", "big_tech_capex", "--db", str(settings.db_path),
                 "--where", f"true; COPY (SELECT 1) TO '{target}'"])
    _, err = capsys.readouterr()
    assert code == 1 and "--where must be one filter" in err and not target.exists()
    code = main(["table", "big_tech_capex", "--db", str(settings.db_path),
                 "--where", f"ticker IN (SELECT ticker FROM read_csv('{target}'))"])
    _, err = capsys.readouterr()
    assert code == 1 and "refused: reading" in err
    code = main(["table", "big_tech_capex", "--db", str(settings.db_path), "--where", "ticker = 'META'"])
    out, _ = capsys.readouterr()
    assert code == 0 and "META" in out and "GOOGL" not in out
