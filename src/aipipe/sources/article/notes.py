"""Reviewed notes on the article's claims: why a claim has no source (config/claim_notes.toml)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from aipipe.settings import CONFIG_DIR

NOTES_PATH = CONFIG_DIR / "claim_notes.toml"


def load_claim_notes(path: Path = NOTES_PATH) -> dict[str, str]:
    """claim_id -> note; an empty note is an error (say why, or remove the line)."""
    notes = tomllib.loads(Path(path).read_text()).get("notes", {})
    empty = [claim for claim, note in notes.items() if not str(note).strip()]
    if empty:
        raise ValueError(f"{path}: empty notes for {empty}: write why no source is reachable, or remove them")
    return {str(claim): str(note) for claim, note in notes.items()}
