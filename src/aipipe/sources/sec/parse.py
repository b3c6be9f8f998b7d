"""Parse SEC companyfacts JSON into fact-version rows (one row per fact per filing).

DuckDB's `read_json` with the nested `facts` type declared up front is the fast path: it parses
at close to the speed of orjson and unnests into columns without a Python loop (benchmarks/README.md).
The same function serves the refresh flow, `aipipe ingest sec` and the bulk benchmark.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import orjson
import pyarrow as pa

from aipipe.core.runs import first_line

# The shape of one fact version in companyfacts JSON. `fy`/`fp` describe the filing, not the
# period, so they are kept only for reference and never used to label a period.
_FACT_TYPE = (
    'STRUCT(start VARCHAR, "end" VARCHAR, val DOUBLE, accn VARCHAR, fy INTEGER, '
    "fp VARCHAR, form VARCHAR, filed VARCHAR, frame VARCHAR)"
)
COMPANYFACTS_COLUMNS = {
    "cik": "BIGINT",
    "entityName": "VARCHAR",
    "facts": f"MAP(VARCHAR, MAP(VARCHAR, STRUCT(units MAP(VARCHAR, {_FACT_TYPE}[]))))",
}

# Column order of staging.sec_facts before the load adds snapshot and run ids.
FACT_COLUMNS = [
    "cik",
    "entity_name",
    "taxonomy",
    "concept",
    "unit",
    "period_start",
    "period_end",
    "value",
    "accession",
    "fiscal_year",
    "fiscal_period",
    "form",
    "filed",
    "frame",
    "source_file",
]

def unnest_sql(
    companies: str,
    *,
    file_columns: Sequence[str] = ("source_file",),
    extra_columns: Sequence[str] = (),
    concept_filter: str = "",
    where: str = "",
) -> str:
    """A SELECT of one row per fact version from `companies`: FACT_COLUMNS up to `frame`, then
    `file_columns`, then `extra_columns`.

    The one definition of the declared-type unnest chain (taxonomy, concept, unit, version), used
    by `parse_companyfacts` and by the bulk load (`aipipe.ingest.sec_bulk.parse_sql`). Hooks:
    - `companies`: a SELECT with one row per file giving `cik`, `entity_name`, `facts` (typed as in
      COMPANYFACTS_COLUMNS) and every name in `file_columns`; checks on the file go here.
    - `file_columns`: per-file columns carried to every row of the file.
    - `extra_columns`: further select items, such as `$run_id AS run_id`.
    - `concept_filter`: a boolean SQL expression on `concept`, applied before units are unnested,
      so the facts of other concepts are never unnested.
    - `where`: a clause after the final SELECT.
    """
    carried = "".join(f"{name}, " for name in file_columns)
    select_file = "".join(f",\n       {item}" for item in [*file_columns, *extra_columns])
    units_where = f"\n    WHERE {concept_filter}" if concept_filter else ""
    return f"""
WITH companies AS ({companies}
),
taxonomies AS (
    SELECT cik, entity_name, {carried}unnest(map_entries(facts)) AS taxonomy_entry
    FROM companies
),
concepts AS (
    SELECT cik, entity_name, {carried}taxonomy_entry.key AS taxonomy,
           unnest(map_entries(taxonomy_entry.value)) AS concept_entry
    FROM taxonomies
),
units AS (
    SELECT cik, entity_name, {carried}taxonomy, concept_entry.key AS concept,
           unnest(map_entries(concept_entry.value.units)) AS unit_entry
    FROM concepts{units_where}
),
versions AS (
    SELECT cik, entity_name, {carried}taxonomy, concept, unit_entry.key AS unit,
           unnest(unit_entry.value) AS fact
    FROM units
)
SELECT cik, entity_name, taxonomy, concept, unit,
       TRY_CAST(fact.start AS DATE) AS period_start,
       TRY_CAST(fact."end" AS DATE) AS period_end,
       fact.val AS value,
       fact.accn AS accession,
       fact.fy AS fiscal_year,
       fact.fp AS fiscal_period,
       fact.form AS form,
       TRY_CAST(fact.filed AS DATE) AS filed,
       fact.frame AS frame{select_file}
FROM versions
{where}
"""


# parse_companyfacts fills in {where} (its concept filter) with str.format.
_UNNEST_SQL = unnest_sql(
    """
    SELECT cik, entityName AS entity_name, filename AS source_file, facts
    FROM read_json($files, columns = $columns, format = 'auto', filename = true,
                   maximum_object_size = 1073741824)""",
    where="{where}",
)


class CompanyFactsError(ValueError):
    """A companyfacts file could not be parsed; the message names the file and the reason."""


def parse_companyfacts(
    paths: Sequence[str | Path],
    concepts: Sequence[str] | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> pa.Table:
    """Return every fact version in `paths` as an Arrow table with FACT_COLUMNS.

    `concepts`, when given, keeps only those concept names (a filter pushed into the unnest).
    Raises CompanyFactsError naming the file when one file is malformed; use
    `parse_companyfacts_each` to isolate bad files in a batch.
    """
    files = [str(p) for p in paths]
    if not files:
        return empty_facts_table()
    where = "WHERE concept IN (SELECT unnest($concepts))" if concepts else ""
    params: dict = {"files": files, "columns": COMPANYFACTS_COLUMNS}
    if concepts:
        params["concepts"] = list(concepts)
    own = con is None
    con = con or duckdb.connect()
    try:
        table = con.execute(_UNNEST_SQL.format(where=where), params).to_arrow_table()
    except duckdb.Error as exc:
        names = ", ".join(Path(f).name for f in files[:3]) + (" …" if len(files) > 3 else "")
        raise CompanyFactsError(f"sec: cannot parse companyfacts {names}: {first_line(exc)}") from exc
    finally:
        if own:
            con.close()
    _check_files_without_rows(files, table)
    return table


def _check_files_without_rows(files: Sequence[str], table: pa.Table) -> None:
    """Raise CompanyFactsError for a file that gave no rows because its layout is not companyfacts.

    The declared types read a missing `facts` object, or concepts without `units`, as NULL, which
    unnests to nothing: a changed SEC layout would otherwise load as a silent zero. Only files
    with no rows are inspected (a cheap second look); an empty `facts` object stays valid.
    """
    with_rows = set(table.column("source_file").unique().to_pylist()) if table.num_rows else set()
    for file in files:
        if file in with_rows:
            continue
        problem = layout_problem(Path(file))
        if problem:
            raise CompanyFactsError(f"sec: cannot parse companyfacts {Path(file).name}: {problem}")


def layout_problem(path: Path) -> str | None:
    """Why a companyfacts file's layout cannot hold facts, or None when it is well formed."""
    doc = orjson.loads(path.read_bytes())
    if not isinstance(doc, dict):
        return f"top level is a JSON {type(doc).__name__}, not an object"
    facts = doc.get("facts")
    if not isinstance(facts, dict):
        keys = ", ".join(sorted(doc)[:8])
        return f"no 'facts' object at the top level (keys: {keys}); has SEC changed the layout?"
    for taxonomy, concepts in facts.items():
        if not isinstance(concepts, dict):
            return f"facts['{taxonomy}'] is not an object of concepts"
        for concept, body in concepts.items():
            units = body.get("units") if isinstance(body, dict) else None
            if not isinstance(units, dict):
                return f"concept {taxonomy}:{concept} has no 'units' object; has SEC changed the layout?"
    return None


def parse_companyfacts_each(
    paths: Sequence[str | Path], concepts: Sequence[str] | None = None
) -> tuple[pa.Table, dict[str, str]]:
    """Parse a batch; on failure, retry file by file so one bad file cannot sink the rest.

    Returns (facts of every good file, {bad file path: reason}).
    """
    con = duckdb.connect()
    try:
        try:
            return parse_companyfacts(paths, concepts, con), {}
        except CompanyFactsError:
            pass
        tables, errors = [], {}
        for path in paths:
            try:
                tables.append(parse_companyfacts([path], concepts, con))
            except CompanyFactsError as exc:
                errors[str(path)] = str(exc)
        good = pa.concat_tables(tables) if tables else empty_facts_table()
        return good, errors
    finally:
        con.close()


def empty_facts_table() -> pa.Table:
    """An empty table with the fact columns and their types."""
    return pa.table(
        {
            "cik": pa.array([], pa.int64()),
            "entity_name": pa.array([], pa.string()),
            "taxonomy": pa.array([], pa.string()),
            "concept": pa.array([], pa.string()),
            "unit": pa.array([], pa.string()),
            "period_start": pa.array([], pa.date32()),
            "period_end": pa.array([], pa.date32()),
            "value": pa.array([], pa.float64()),
            "accession": pa.array([], pa.string()),
            "fiscal_year": pa.array([], pa.int32()),
            "fiscal_period": pa.array([], pa.string()),
            "form": pa.array([], pa.string()),
            "filed": pa.array([], pa.date32()),
            "frame": pa.array([], pa.string()),
            "source_file": pa.array([], pa.string()),
        }
    )
