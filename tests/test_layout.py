"""The layout of the library, checked (ARCHITECTURE.md): each room of src/aipipe/ imports only
the rooms it may, Prefect stays in flows/, benchmark code stays in benchmarks/, no file grows
past 500 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

LIBRARY = Path(__file__).resolve().parents[1] / "src" / "aipipe"
MAX_LINES = 500

# room -> the rooms of aipipe it may import (besides itself). Top-level modules are rooms too.
ALLOWED: dict[str, set[str]] = {
    "__init__": set(),
    "settings": {"__init__"},
    "core": {"settings"},
    "normalize": {"core", "settings"},
    "sources": {"core", "normalize", "settings"},
    "warehouse": {"core", "settings", "sources"},  # sources: the config reference tables
    "ingest": {"core", "normalize", "settings", "sources", "warehouse"},
    "report": {"__init__", "core", "normalize", "settings", "sources", "warehouse"},
    "commands": {"cli", "core", "ingest", "normalize", "report", "settings", "sources", "warehouse"},
    "cli": {"__init__", "commands"},
}
# Outside packages only some rooms may import: Prefect only through flows/, which only the
# commands (the CLI's way to run a flow) may call.
OUTSIDE = {"flows": {"commands"}, "schemas": {"ingest", "warehouse"}, "prefect": set(), "prefect_dask": set(),
           "benchmarks": set(), "tests": set()}


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def _room(path: Path) -> str:
    parts = path.relative_to(LIBRARY).parts
    return parts[0].removesuffix(".py")


def _modules() -> list[Path]:
    return sorted(LIBRARY.rglob("*.py"))


def test_every_room_is_known() -> None:
    assert {_room(p) for p in _modules()} <= set(ALLOWED), "a new room: add it to ALLOWED and ARCHITECTURE.md"


def violations(path: Path, room: str) -> list[str]:
    """The imports of `path` that its room may not make."""
    wrong = []
    for line, module in _imports(path):
        top, *rest = module.split(".")
        if top == "aipipe":
            target = rest[0] if rest else "__init__"
            if target != room and target not in ALLOWED[room]:
                wrong.append(f"line {line}: {module} (room {target!r})")
        elif top in OUTSIDE and room not in OUTSIDE[top]:
            wrong.append(f"line {line}: {module}")
    return wrong


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(LIBRARY)))
def test_imports_follow_the_rooms(path: Path) -> None:
    wrong = violations(path, _room(path))
    assert not wrong, f"{path.relative_to(LIBRARY)} ({_room(path)}) imports what its room may not: {wrong}"


def test_no_file_in_the_library_is_over_the_limit() -> None:
    long = {str(p.relative_to(LIBRARY)): n for p in LIBRARY.rglob("*")
            if p.is_file() and p.suffix in {".py", ".toml", ".sql", ".j2", ".css", ".md"}
            and (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"files over {MAX_LINES} lines (split them along a seam): {long}"


def test_the_checker_finds_what_a_room_may_not_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import os\n\n\ndef f():\n    from prefect import flow\n    import benchmarks.run\n"
                      "from aipipe.report import html\nfrom aipipe.core import http\n")
    assert violations(sample, "sources") == ["line 7: aipipe.report (room 'report')", "line 5: prefect",
                                             "line 6: benchmarks.run"]
    assert violations(sample, "commands") == ["line 5: prefect", "line 6: benchmarks.run"]
