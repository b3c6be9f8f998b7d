"""Refresh schedules: which source families are refreshed when, read from config/schedules.toml,
and the TARGET calendar the ECB publishes on.

Plain configuration and calendar code, no Prefect: `aipipe serve` (aipipe.commands.serve) turns
each `ScheduledRefresh` into a Prefect deployment, and prefect.yaml declares the same ones.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from aipipe.settings import CONFIG_DIR

SCHEDULES_FILE = CONFIG_DIR / "schedules.toml"
CALENDARS = ("target",)
_KEYS = {"families", "cron", "interval_seconds", "timezone", "calendar", "timeout_seconds", "wait_seconds",
         "description"}
_WEEKDAYS = ["SU", "MO", "TU", "WE", "TH", "FR", "SA", "SU"]  # cron day-of-week 0..7


class ScheduleError(ValueError):
    """schedules.toml says something aipipe cannot schedule; the message names the entry and the fix."""


@dataclass(frozen=True)
class ScheduledRefresh:
    """One deployment of the refresh flow: what it refreshes, when, and its limits."""

    name: str
    families: tuple[str, ...]
    cron: str | None
    interval_seconds: float | None
    timezone: str
    calendar: str | None
    timeout_seconds: float
    wait_seconds: float
    description: str

    @property
    def parameters(self) -> dict:
        """The flow parameters every scheduled run of this deployment gets."""
        return {"families": list(self.families), "wait_s": self.wait_seconds}


def load_schedules(path: Path | None = None, known_families: set[str] | None = None) -> list[ScheduledRefresh]:
    """The deployments in `path` (default config/schedules.toml, or $AIPIPE_SCHEDULES)."""
    path = Path(path or os.environ.get("AIPIPE_SCHEDULES") or SCHEDULES_FILE)
    try:
        config = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ScheduleError(f"{path}: cannot read the schedules: {exc}") from None
    entries = config.get("deployments") or {}
    if not entries:
        raise ScheduleError(f"{path}: no [deployments.<name>] tables; see src/aipipe/config/schedules.toml")
    return [_entry(path, name, entry, known_families) for name, entry in entries.items()]


def _entry(path: Path, name: str, entry: dict, known_families: set[str] | None) -> ScheduledRefresh:
    where = f"{path}: [deployments.{name}]"
    unknown = set(entry) - _KEYS
    if unknown:
        raise ScheduleError(f"{where}: unknown keys {sorted(unknown)}; allowed: {sorted(_KEYS)}")
    families = tuple(entry.get("families") or ())
    if not families:
        raise ScheduleError(f'{where}: give families = ["sec", ...]')
    if known_families is not None and set(families) - known_families:
        raise ScheduleError(f"{where}: unknown families {sorted(set(families) - known_families)}; "
                            f"known: {sorted(known_families)}")
    cron, interval = entry.get("cron"), entry.get("interval_seconds")
    if (cron is None) == (interval is None):
        raise ScheduleError(f'{where}: give exactly one of cron = "M H * * DOW" or interval_seconds = N')
    calendar = entry.get("calendar")
    if calendar is not None and calendar not in CALENDARS:
        raise ScheduleError(f"{where}: calendar {calendar!r} is not one of {list(CALENDARS)}")
    if calendar and not cron:
        raise ScheduleError(f"{where}: calendar needs a cron schedule, not interval_seconds")
    item = ScheduledRefresh(
        name=name, families=families, cron=cron, interval_seconds=float(interval) if interval else None,
        timezone=entry.get("timezone", "UTC"), calendar=calendar,
        timeout_seconds=float(entry.get("timeout_seconds", 3600)), wait_seconds=float(entry.get("wait_seconds", 0)),
        description=entry.get("description", ""),
    )
    if calendar:
        target_rrule(item.cron or "", item.timezone, date.today(), where=where)  # fail early on a bad cron
    return item


def easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month = (h + l_ - 7 * m + 114) // 31
    day = (h + l_ - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def target_closing_days(year: int) -> list[date]:
    """TARGET closing days: no euro reference rates are published on these (besides weekends)."""
    easter = easter_sunday(year)
    return sorted([date(year, 1, 1), easter - timedelta(days=2), easter + timedelta(days=1), date(year, 5, 1),
                   date(year, 12, 25), date(year, 12, 26)])


def target_rrule(cron: str, timezone: str, start: date, *, years: int = 3, where: str = "schedule") -> str:
    """An RFC 5545 rule set for `cron` ("M H * * DOW") minus TARGET closing days, from `start`
    for `years` calendar years (restarting `aipipe serve` extends it)."""
    fields = cron.split()
    if len(fields) != 5 or fields[2:4] != ["*", "*"] or not fields[0].isdigit() or not fields[1].isdigit():
        raise ScheduleError(f'{where}: calendar = "target" needs a cron of the form "M H * * DOW" '
                            f"(one time of day), not {cron!r}")
    minute, hour = int(fields[0]), int(fields[1])
    days = _cron_weekdays(fields[4], where)
    tzid = f";TZID={timezone}" if timezone and timezone != "UTC" else ""
    stamp = f"T{hour:02d}{minute:02d}00"
    excluded = [d for year in range(start.year, start.year + years) for d in target_closing_days(year)
                if d >= start and _WEEKDAYS[(d.isoweekday()) % 7] in days]
    lines = [f"DTSTART{tzid}:{start:%Y%m%d}{stamp}{'' if tzid else 'Z'}",
             f"RRULE:FREQ=WEEKLY;BYDAY={','.join(days)};BYHOUR={hour};BYMINUTE={minute};BYSECOND=0"]
    if excluded:
        lines.append(f"EXDATE{tzid}:" + ",".join(f"{d:%Y%m%d}{stamp}{'' if tzid else 'Z'}" for d in excluded))
    return "\n".join(lines)


def _cron_weekdays(field: str, where: str) -> list[str]:
    if field == "*":
        return _WEEKDAYS[1:]
    days: list[str] = []
    for part in field.split(","):
        low, _, high = part.partition("-")
        if not low.isdigit() or (high and not high.isdigit()):
            raise ScheduleError(f"{where}: cron day-of-week {field!r}: use numbers 0-7 (0 and 7 are Sunday)")
        for n in range(int(low), int(high or low) + 1):
            if _WEEKDAYS[n] not in days:
                days.append(_WEEKDAYS[n])
    return days


def prefect_yaml(schedules: list[ScheduledRefresh], calendar_start: date, *, years: int = 5) -> str:
    """prefect.yaml declaring the same deployments, for Prefect workers (`aipipe serve --prefect-yaml`).

    A TARGET calendar becomes a fixed RRule from `calendar_start` for `years` years: regenerate
    the file before it runs out. The flow timeout reaches the worker's flow run as AIPIPE_FLOW_TIMEOUT_S.
    """
    out = [
        "# Deployments of the refresh flow for Prefect workers. Generated from src/aipipe/config/schedules.toml",
        f"# by `aipipe serve --prefect-yaml` (calendar from {calendar_start}, {years} years); do not edit by hand.",
        "# Without Prefect workers, `aipipe serve` serves the same deployments itself.",
        "#   prefect work-pool create aipipe --type process",
        "#   prefect deploy --all          # run in the repository; records it as the working directory",
        "#   prefect worker start --pool aipipe",
        "name: aipipe",
        f"prefect-version: {_prefect_version()}",
        "deployments:",
    ]
    for item in schedules:
        out += [
            f"  - name: {item.name}",
            "    entrypoint: flows/refresh.py:refresh",
            f"    description: {_yaml_str(item.description)}",
            f"    tags: [{', '.join(['aipipe', *item.families])}]",
            "    parameters:",
            f"      families: [{', '.join(item.families)}]",
            f"      wait_s: {item.wait_seconds:g}",
            "    schedules:",
        ]
        if item.interval_seconds:
            out += [f"      - interval: {item.interval_seconds:g}", f"        timezone: {item.timezone}"]
        elif item.calendar == "target":
            rule = target_rrule(item.cron or "", item.timezone, calendar_start, years=years)
            out += [f"      - rrule: {_yaml_str(rule)}", f"        timezone: {item.timezone}"]
        else:
            out += [f"      - cron: {_yaml_str(item.cron or '')}", f"        timezone: {item.timezone}"]
        out += [
            "    work_pool:",
            "      name: aipipe",
            "      job_variables:",
            "        env:",
            f'          AIPIPE_FLOW_TIMEOUT_S: "{item.timeout_seconds:g}"',
        ]
    return "\n".join(out) + "\n"


def _yaml_str(text: str) -> str:
    """A double-quoted YAML scalar (JSON string syntax is valid YAML)."""
    import json

    return json.dumps(text)


def _prefect_version() -> str:
    from importlib.metadata import version

    return version("prefect")
