"""Show a served schedule triggering a real refresh on a local Prefect server (`make schedule-demo`).

Steps, all in a temporary directory (nothing in the repository or your Prefect profile changes):
1. write a schedules file with one deployment, `refresh/demo`, on a 10-second interval (the real
   schedules in src/aipipe/config/schedules.toml fire at most every few hours);
2. run `aipipe serve --config <that file> --offline --start-server --port <free port>`, which
   starts `prefect server start`, registers the deployment and polls for due runs;
3. wait until the server reports a flow run of that deployment, created by its scheduler
   (auto_scheduled), as Completed, and the warehouse's run ledger (audit.runs) has that run;
4. stop `aipipe serve` with Ctrl-C (SIGINT), which also stops the server it started.

Exit status 0 when a scheduled run completed and was recorded, 1 otherwise. Takes about a
minute on 2 cores (most of it Prefect server start-up). Set AIPIPE_DEMO_TIMEOUT_S to wait longer.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

DEMO_SCHEDULES = """\
[deployments.demo]
families = ["sec"]
interval_seconds = 10
timeout_seconds = 300
wait_seconds = 60
description = "schedule demo: the SEC family every 10 seconds, offline (stored snapshots or the seed)"
"""


def main() -> int:
    timeout_s = float(os.environ.get("AIPIPE_DEMO_TIMEOUT_S", "300"))
    work = Path(tempfile.mkdtemp(prefix="aipipe-schedule-demo-"))
    (work / "schedules.toml").write_text(DEMO_SCHEDULES)
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_HOME": str(work / "prefect"), "AIPIPE_DB": str(work / "warehouse.duckdb"),
           "AIPIPE_DATA": str(work / "data"), "AIPIPE_REPORTS": str(work / "reports"),
           "DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    aipipe = Path(sys.executable).with_name("aipipe")
    command = [str(aipipe), "serve", "--config", str(work / "schedules.toml"), "--offline", "--start-server",
               "--port", str(port)]
    print(f"[demo] working in {work}\n[demo] $ {' '.join(command)}", flush=True)
    started = time.monotonic()
    log = open(work / "serve.log", "wb")
    serve = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    found = None
    try:
        while time.monotonic() - started < timeout_s and serve.poll() is None:
            found = completed_scheduled_run(api)
            if found:
                break
            time.sleep(2)
    finally:
        stop(serve)
        log.close()
    elapsed = time.monotonic() - started
    if not found:
        print(f"[demo] FAILED: no scheduled run completed within {elapsed:.0f}s; log: {work / 'serve.log'}")
        print((work / "serve.log").read_text()[-3000:])
        return 1
    ledger = ledger_rows(env)
    print(f"[demo] flow run {found['name']!r} of deployment refresh/demo: {found['state_name']}, "
          f"auto-scheduled for {found['expected_start_time']}, ran {found['total_run_time']:.1f}s")
    print(f"[demo] run ledger (aipipe runs --json): {json.dumps(ledger[-1] if ledger else None)}")
    print(f"[demo] total {elapsed:.0f}s; server and serve stopped (exit {serve.returncode})")
    return 0 if ledger and ledger[-1]["status"] in ("success", "no_change") else 1


def completed_scheduled_run(api: str) -> dict | None:
    try:
        deployments = httpx.post(f"{api}/deployments/filter", json={"limit": 10}, timeout=5).json()
        demo = [d for d in deployments if d["name"] == "demo"]
        if not demo:
            return None
        # The scheduler creates many future runs at once: ask for the completed ones only.
        runs = httpx.post(f"{api}/flow_runs/filter", timeout=5, json={"limit": 5, "flow_runs": {
            "deployment_id": {"any_": [demo[0]["id"]]}, "state": {"type": {"any_": ["COMPLETED"]}}}}).json()
    except (httpx.HTTPError, ValueError):
        return None  # the server is still starting
    done = [r for r in runs if r["auto_scheduled"] and r["state_type"] == "COMPLETED"]
    return done[0] if done else None


def ledger_rows(env: dict) -> list[dict]:
    aipipe = Path(sys.executable).with_name("aipipe")
    out = subprocess.run([str(aipipe), "runs", "--json"], env=env, capture_output=True, text=True, check=True)
    return list(reversed(json.loads(out.stdout)))


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


if __name__ == "__main__":
    sys.exit(main())
