"""Pause points for the fault-injection tests: where a test may freeze a refresh to kill it.

Set `AIPIPE_TEST_PAUSE_AT` to one or more point names (comma-separated) and the refresh process,
on reaching such a point, writes `aipipe: paused at <point> (pid N)` to stderr and sleeps for
`AIPIPE_TEST_PAUSE_S` seconds (default 60) or until the file named by `AIPIPE_TEST_RESUME_FILE`
exists, so a test can SIGKILL it there (or let it go on). Points:

- `fetch`: before a source is acquired (pipeline.acquire_source);
- `stage`: after every source is staged, before the load (the writer lock is held);
- `load`:  inside the load transaction, after every row is written, just before COMMIT.

Unset (the normal case) these are no-ops costing one environment lookup.
"""

from __future__ import annotations

import os
import sys
import time

PAUSE_AT = "AIPIPE_TEST_PAUSE_AT"
PAUSE_S = "AIPIPE_TEST_PAUSE_S"
RESUME_FILE = "AIPIPE_TEST_RESUME_FILE"


def pause_point(point: str) -> None:
    """Sleep here if the environment asks a test pause at `point`."""
    wanted = os.environ.get(PAUSE_AT)
    if not wanted or point not in {p.strip() for p in wanted.split(",")}:
        return
    seconds = float(os.environ.get(PAUSE_S, "60"))
    resume = os.environ.get(RESUME_FILE)
    sys.stderr.write(f"aipipe: paused at {point} (pid {os.getpid()}) for {seconds:g}s\n")
    sys.stderr.flush()
    deadline = time.monotonic() + seconds
    # Short sleeps: a signal (SIGKILL aside) or a flow timeout's alarm interrupts between them.
    while time.monotonic() < deadline and not (resume and os.path.exists(resume)):
        time.sleep(0.05)
