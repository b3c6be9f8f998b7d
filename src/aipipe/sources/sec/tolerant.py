"""The tolerant reading of a companyfacts file, for the files the typed DuckDB read rejects.

SEC's files vary in ways a declared type refuses: the `cik` of some filers is a JSON string
(`"0001997711"`, seen for IFRS 20-F filers and newer registrants), and a value may come as text.
`read_companyfacts` tries the typed read first (the fast path, `parse.parse_companyfacts`) and,
when DuckDB rejects the file, reads it here with orjson and a loop over the facts, coercing what
can be coerced. It returns the same columns, and says which path read the file and why.
Layout problems (no `facts` object, a concept without `units`) are still errors: no tolerance
turns a file that is not companyfacts into rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import orjson
import pyarrow as pa

from aipipe.sources.sec.parse import CompanyFactsError, empty_facts_table, layout_problem, parse_companyfacts

TYPED = "typed read"


def read_companyfacts(path: str | Path, concepts: Sequence[str] | None = None) -> tuple[pa.Table, str]:
    """(every fact version of the file, which path read it: "typed read" or "tolerant read: …")."""
    try:
        return parse_companyfacts([path], concepts), TYPED
    except CompanyFactsError as typed_error:
        problem = layout_problem_of(path)
        if problem:
            raise CompanyFactsError(f"sec: cannot parse companyfacts {Path(path).name}: {problem}") from typed_error
        table, tolerated = read_tolerant(path, concepts)
        refused = str(typed_error).split("cannot parse companyfacts ", 1)[-1].split(": ", 1)[-1]
        return table, f"tolerant read ({'; '.join(tolerated) or 'values coerced'}; the typed read said: {refused})"


def layout_problem_of(path: str | Path) -> str | None:
    try:
        return layout_problem(Path(path))
    except orjson.JSONDecodeError as exc:
        return f"Malformed JSON ({exc}): a truncated or garbled file"


def read_tolerant(path: str | Path, concepts: Sequence[str] | None = None) -> tuple[pa.Table, list[str]]:
    """Rows of a companyfacts file read with orjson; also the list of what had to be tolerated."""
    path = Path(path)
    try:
        doc = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise CompanyFactsError(f"sec: cannot parse companyfacts {path.name}: Malformed JSON ({exc}): "
                                "a truncated or garbled file") from None
    problem = layout_problem(path)
    if problem:
        raise CompanyFactsError(f"sec: cannot parse companyfacts {path.name}: {problem}")
    tolerated: list[str] = []
    cik = _cik(doc.get("cik"), path, tolerated)
    entity = doc.get("entityName")
    wanted = set(concepts) if concepts else None
    columns: dict[str, list] = {name: [] for name in empty_facts_table().column_names}
    for taxonomy, taxonomy_concepts in doc["facts"].items():
        for concept, body in taxonomy_concepts.items():
            if wanted is not None and concept not in wanted:
                continue
            for unit, versions in body["units"].items():
                for fact in versions if isinstance(versions, list) else []:
                    _append(columns, cik, entity, taxonomy, concept, unit, fact, str(path), tolerated)
    schema = empty_facts_table().schema
    return pa.table({name: pa.array(values, schema.field(name).type) for name, values in columns.items()}), \
        sorted(set(tolerated))


def _cik(value: object, path: Path, tolerated: list[str]) -> int:
    if isinstance(value, bool) or value is None:
        raise CompanyFactsError(f"sec: cannot parse companyfacts {path.name}: no 'cik' at the top level")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        tolerated.append(f"cik written as the string {value!r}")
        return int(value.strip())
    raise CompanyFactsError(f"sec: cannot parse companyfacts {path.name}: cik {value!r} is not a number")


def _append(columns: dict[str, list], cik: int, entity: object, taxonomy: str, concept: str, unit: str,
            fact: object, source_file: str, tolerated: list[str]) -> None:
    if not isinstance(fact, dict):
        tolerated.append(f"a non-object fact under {taxonomy}:{concept} skipped")
        return
    values = {
        "cik": cik, "entity_name": entity if isinstance(entity, str) else None, "taxonomy": taxonomy,
        "concept": concept, "unit": unit, "period_start": _date(fact.get("start")),
        "period_end": _date(fact.get("end")), "value": _number(fact.get("val"), tolerated),
        "accession": _text(fact.get("accn")), "fiscal_year": _int(fact.get("fy"), tolerated),
        "fiscal_period": _text(fact.get("fp")), "form": _text(fact.get("form")), "filed": _date(fact.get("filed")),
        "frame": _text(fact.get("frame")), "source_file": source_file,
    }
    for name, value in values.items():
        columns[name].append(value)


def _date(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _number(value: object, tolerated: list[str]) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        number = float(str(value).replace(",", ""))
    except (TypeError, ValueError):
        return None  # staging validation quarantines the row ("value is not a finite number")
    tolerated.append("values written as text")
    return number


def _int(value: object, tolerated: list[str]) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        tolerated.append("fiscal years written as text")
        return int(value)
    return None


def _text(value: object) -> str | None:
    return None if value is None else str(value)
