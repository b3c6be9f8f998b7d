"""Validate a staging frame with its pandera model and split it into valid and quarantined rows.

pandera runs lazily so every failure is collected; its `failure_cases` frame becomes the
quarantine and the report. Rows with a failure are set aside with their reasons (never silently
dropped, never loaded as truth); the rest load. A failure that is not tied to a row (a missing
column, say) rejects the whole frame, because no row of it can be trusted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from types import ModuleType

import pandas as pd
import pandera.errors

FAILURE_COLUMNS = ["column_name", "check_name", "failure_case", "row_key"]


@dataclass
class Validated:
    valid: pd.DataFrame
    quarantined: pd.DataFrame  # columns: row_key, reasons, row_json
    failures: pd.DataFrame  # columns: FAILURE_COLUMNS

    @property
    def rows_in(self) -> int:
        return len(self.valid) + len(self.quarantined)


def validate_frame(frame: pd.DataFrame, schema: ModuleType) -> Validated:
    """Validate `frame` against `schema.Model`; return valid rows (coerced) and the rejects."""
    frame = frame.reset_index(drop=True)
    # Exact duplicate rows say the same thing twice; keeping one loses nothing.
    frame = frame.drop_duplicates(ignore_index=True)
    # Key columns added at load time (snapshot, run) cannot be checked here.
    key = [column for column in getattr(schema, "KEY", []) if column in frame.columns]
    duplicated = frame.duplicated(subset=key, keep=False) if key else pd.Series(False, index=frame.index)
    try:
        valid = schema.Model.validate(frame, lazy=True)
        cases = pd.DataFrame(columns=["schema_context", "column", "check", "failure_case", "index"])
    except pandera.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        valid = None
    except pandera.errors.SchemaError as error:  # raised for frame-level problems even when lazy
        cases = error.failure_cases if error.failure_cases is not None else pd.DataFrame()
        valid = None

    row_cases = _row_failures(cases, frame, key)
    frame_cases = cases[cases["index"].isna()] if len(cases) else cases
    if duplicated.any():
        dup_rows = frame[duplicated]
        row_cases = pd.concat(
            [row_cases, pd.DataFrame({
                "index": dup_rows.index,
                "column_name": ",".join(key),
                "check_name": "unique key",
                "failure_case": "same key with different values",
                "row_key": [_row_key(frame.loc[i], key) for i in dup_rows.index],
            })],
            ignore_index=True,
        )

    if len(frame_cases):
        # Nothing in the frame can be trusted: quarantine every row with the frame-level reason.
        reason = "; ".join(
            f"{c['column']}: {c['check']}" for _, c in frame_cases.iterrows()
        )
        quarantined = _quarantine(frame, frame.index, {i: [reason] for i in frame.index}, key)
        failures = pd.DataFrame({
            "column_name": frame_cases["column"].astype(str),
            "check_name": frame_cases["check"].astype(str),
            "failure_case": frame_cases["failure_case"].astype(str),
            "row_key": None,
        })
        return Validated(frame.iloc[0:0], quarantined, failures[FAILURE_COLUMNS])

    bad_index = sorted(set(row_cases["index"].astype(int))) if len(row_cases) else []
    reasons: dict[int, list[str]] = {}
    for _, case in row_cases.iterrows():
        reasons.setdefault(int(case["index"]), []).append(
            f"{case['column_name']}: {case['check_name']} (got {case['failure_case']!s})"
        )
    quarantined = _quarantine(frame, bad_index, reasons, key)
    if valid is None:
        good = frame.drop(index=bad_index)
        valid = schema.Model.validate(good, lazy=True)
    else:
        valid = valid.drop(index=[i for i in bad_index if i in valid.index])
    failures = row_cases[FAILURE_COLUMNS] if len(row_cases) else pd.DataFrame(columns=FAILURE_COLUMNS)
    return Validated(valid.reset_index(drop=True), quarantined, failures.reset_index(drop=True))


def _row_failures(cases: pd.DataFrame, frame: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    if not len(cases):
        return pd.DataFrame(columns=["index", *FAILURE_COLUMNS])
    rows = cases[cases["index"].notna()].copy()
    # Frame-wide checks are reported once per row, not once per column of that row.
    is_frame_check = rows["schema_context"].eq("DataFrameSchema")
    frame_checks = rows[is_frame_check].drop_duplicates(subset=["index", "check"])
    frame_checks = frame_checks.assign(column="(row)", failure_case="")
    rows = pd.concat([rows[~is_frame_check], frame_checks], ignore_index=True)
    rows["index"] = rows["index"].astype(int)
    return pd.DataFrame({
        "index": rows["index"],
        "column_name": rows["column"].astype(str),
        "check_name": rows["check"].astype(str),
        "failure_case": rows["failure_case"].map(_text),
        "row_key": [_row_key(frame.loc[i], key) for i in rows["index"]],
    })


def _quarantine(frame: pd.DataFrame, index, reasons: dict[int, list[str]], key: list[str]) -> pd.DataFrame:
    index = list(index)
    return pd.DataFrame({
        "row_key": [_row_key(frame.loc[i], key) for i in index],
        "reasons": ["; ".join(dict.fromkeys(reasons.get(i, []))) for i in index],
        "row_json": [_row_json(frame.loc[i]) for i in index],
    })


def _row_json(row: pd.Series) -> str:
    record = {k: (None if _text(v) == "" else v) for k, v in row.to_dict().items()}
    return json.dumps(record, default=_text, ensure_ascii=False)


def _row_key(row: pd.Series, key: list[str]) -> str:
    if not key:
        return str(row.name)
    return "|".join(_text(row.get(column)) for column in key)


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    return str(value)
