"""Bulk SEC companyfacts ingest benchmark.

    .venv/bin/python benchmarks/run.py --companies 1000            # what `make bench` runs
    .venv/bin/python benchmarks/run.py --companies 4000 --repeats 3 # a larger size is one flag

Generates (or reuses, keyed by seed and size) a synthetic corpus under benchmarks/out/, then runs
each measurement in a fresh subprocess so its peak RSS is its own:

  (a) parse floor: read + orjson.loads every file (one process; also on two processes)
  (b) aipipe.ingest.sec_bulk.ingest_bulk into a fresh DuckDB file (+ zip, re-ingest, storage, index, Arrow)
  (c) naive: json.load + pandas per concept + executemany, on a subsample, EXTRAPOLATED by MB
  (d) bulk_ingest_flow with threads and with Dask (LocalCluster, 2 worker processes)
  memory scaling: ingest at 1x and at --scale x the corpus, peak RSS ratio
  refresh hooks: bench_refresh.py (no-change re-run, Prefect overhead)

Prints a table and writes benchmarks/out/results.json.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out"
MARKER = "BENCH-RESULT "
PREFECT_ENV = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_LOGGING_SERVER_LEVEL": "CRITICAL",
}
TARGETS = {"ingest_vs_floor_max": 1.5, "naive_vs_ingest_min": 100.0, "rss_scaling_max": 1.2}
REPEATED = {"floor", "floor_2proc", "ingest_dir", "ingest_dir_v0102", "ingest_zip", "reingest", "ingest_arrow"}


# ---- corpus ---------------------------------------------------------------------------------


def ensure_corpus(out: Path, companies: int, seed: int) -> Path:
    """The corpus for (seed, companies), generated once and reused while its manifest matches."""
    corpus = out / f"corpus-s{seed}-n{companies}"
    manifest = corpus / "manifest.json"
    if manifest.exists():
        meta = json.loads(manifest.read_text())
        if meta.get("companies") == companies and meta.get("seed") == seed and meta.get("zip"):
            return corpus
    spec = importlib.util.spec_from_file_location("gen_corpus", BENCH / "gen_corpus.py")
    gen = importlib.util.module_from_spec(spec)
    sys.modules["gen_corpus"] = gen
    spec.loader.exec_module(gen)
    print(f"generating {companies} companies (seed {seed}) into {corpus} …", flush=True)
    meta = gen.generate(companies, seed, corpus, make_zip=True)
    print(f"  {meta['bytes'] / 1e6:.0f} MB, {meta['facts']:,} facts in {meta['seconds']} s", flush=True)
    return corpus


# ---- one measurement per fresh process ------------------------------------------------------


def measure(name: str, corpus: Path, scratch: Path, **kwargs: Any) -> dict[str, Any]:
    """Run measures.<name> in a fresh interpreter and return what it reported."""
    scratch.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **PREFECT_ENV, "PREFECT_HOME": str(OUT / "prefect-home")}
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", name, "--corpus", str(corpus),
           "--scratch", str(scratch), "--kwargs", json.dumps(kwargs)]  # fmt: skip
    load_before = os.getloadavg()[0]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    lines = [line for line in proc.stdout.splitlines() if line.startswith(MARKER)]
    if proc.returncode or not lines:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
        return {"error": f"exit {proc.returncode}", "detail": tail}
    result = json.loads(lines[-1][len(MARKER) :])
    result["load_avg_1m_before"] = load_before
    return result


def child(name: str, corpus: Path, scratch: Path, kwargs: dict[str, Any]) -> None:
    """Inside the fresh process: run the measurement, add peak RSS and CPU time, print JSON."""
    sys.path.insert(0, str(BENCH))
    from measures import MEASURES, TreeRssSampler, vm_hwm_mb

    with TreeRssSampler() as tree:
        result = MEASURES[name](corpus, scratch, **kwargs)
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    result.update(
        peak_rss_mb=vm_hwm_mb(),
        tree_peak_rss_mb=tree.peak_mb,
        cpu_seconds=own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime,
    )
    print(MARKER + json.dumps(result), flush=True)


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median wall time over the runs (and the min); the largest peak RSS; every run kept."""
    good = [r for r in runs if "error" not in r and "seconds" in r]
    if not good:
        return runs[0]
    best = dict(sorted(good, key=lambda r: r["seconds"])[len(good) // 2])
    best["seconds"] = statistics.median(r["seconds"] for r in good)
    best["min_seconds"] = min(r["seconds"] for r in good)
    best["cpu_seconds"] = statistics.median(r["cpu_seconds"] for r in good)
    best["peak_rss_mb"] = max(r["peak_rss_mb"] for r in good)
    best["median_peak_rss_mb"] = statistics.median(r["peak_rss_mb"] for r in good)
    best["runs"] = [
        {k: r.get(k) for k in ("seconds", "cpu_seconds", "peak_rss_mb", "load_avg_1m_before")} for r in runs
    ]
    return best


# ---- the whole benchmark --------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    out = args.out
    corpus = ensure_corpus(out, args.companies, args.seed)
    manifest = json.loads((corpus / "manifest.json").read_text())
    scratch = out / f"scratch-n{args.companies}"
    plan: list[tuple[str, dict[str, Any]]] = [
        ("floor", {}),
        ("floor_2proc", {}),
        ("ingest_dir", {"batch_mb": args.batch_mb}),
        ("reingest", {"batch_mb": args.batch_mb}),
        ("ingest_zip", {"batch_mb": args.batch_mb}),
        ("ingest_dir_v0102", {"batch_mb": args.batch_mb}),
        ("ingest_arrow", {"batch_mb": args.batch_mb}),
        ("ingest_key_index", {"batch_mb": args.batch_mb}),
        ("naive", {"files": args.naive_files}),
        ("flow_threads", {"batch_mb": args.flow_batch_mb}),
        ("flow_dask", {"batch_mb": args.flow_batch_mb}),
        ("refresh_hooks", {}),
    ]
    plan = [(name, kwargs) for name, kwargs in plan if name not in args.skip]
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in plan}
    # Repeated measurements go round-robin, so a burst of load from other work on the machine
    # hits every measurement alike rather than all runs of one.
    for round_ in range(args.repeats):
        for name, kwargs in plan:
            if name in REPEATED or round_ == 0:
                print(f"measuring {name} (run {round_ + 1}) …", flush=True)
                runs[name].append(measure(name, corpus, scratch, **kwargs))
    results: dict[str, Any] = {name: summarize(found) for name, found in runs.items()}
    if "refresh_hooks" in results:
        print(f"  refresh hooks: {results['refresh_hooks'].get('status', results['refresh_hooks'])}", flush=True)
    if args.scale > 1 and "scale" not in args.skip:
        big = ensure_corpus(out, args.companies * args.scale, args.seed)
        big_runs = []
        for round_ in range(args.repeats):
            print(f"measuring ingest_dir at {args.scale}x (run {round_ + 1}) …", flush=True)
            big_runs.append(
                measure("ingest_dir", big, out / f"scratch-n{args.companies * args.scale}", batch_mb=args.batch_mb)
            )
        results[f"ingest_dir_{args.scale}x"] = summarize(big_runs)
        results[f"ingest_dir_{args.scale}x"]["corpus_bytes"] = json.loads((big / "manifest.json").read_text())["bytes"]
    return {
        "machine": machine(),
        "corpus": {k: manifest[k] for k in ("companies", "seed", "bytes", "facts", "seconds")},
        "settings": {
            "batch_mb": args.batch_mb,
            "flow_batch_mb": args.flow_batch_mb,
            "repeats": args.repeats,
            "naive_files": args.naive_files,
            "scale": args.scale,
        },  # fmt: skip
        "measurements": results,
        "ratios": ratios(results, manifest, args.scale),
        "targets": TARGETS,
    }


def ratios(results: dict[str, Any], manifest: dict[str, Any], scale: int) -> dict[str, Any]:
    def seconds(name: str) -> float | None:
        entry = results.get(name) or {}
        return entry.get("seconds") if "error" not in entry else None

    out: dict[str, Any] = {}
    floor, floor2, ingest = seconds("floor"), seconds("floor_2proc"), seconds("ingest_dir")
    if floor and ingest:
        out["ingest_vs_floor"] = ingest / floor
    if floor2 and ingest:
        out["ingest_vs_floor_2proc"] = ingest / floor2
    naive = results.get("naive") or {}
    if naive.get("seconds") and ingest:
        naive_full = naive["seconds"] * manifest["bytes"] / naive["bytes"]
        naive["extrapolated_seconds"] = naive_full
        out["naive_vs_ingest_extrapolated"] = naive_full / ingest
    if seconds("ingest_arrow") and ingest:
        out["arrow_vs_sql_path"] = seconds("ingest_arrow") / ingest
    big = results.get(f"ingest_dir_{scale}x") or {}
    small = results.get("ingest_dir") or {}
    if big.get("median_peak_rss_mb") and small.get("median_peak_rss_mb"):
        # Median against median over the same number of runs: one run's peak is noisy here
        # (other work on the machine), and the max of more runs would favour the 1x side.
        out[f"peak_rss_{scale}x_vs_1x"] = big["median_peak_rss_mb"] / small["median_peak_rss_mb"]
        out[f"peak_rss_{scale}x_vs_1x_worst"] = big["peak_rss_mb"] / small["median_peak_rss_mb"]
    return out


def machine() -> dict[str, Any]:
    import duckdb

    model = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )  # fmt: skip
    mem_kb = int(
        next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    )
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "load_avg_at_start": os.getloadavg(),
        "when": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }


# ---- report ---------------------------------------------------------------------------------


LABELS = {
    "floor": "(a) parse floor: read + orjson.loads, 1 process",
    "floor_2proc": "(a2) parse floor on 2 processes",
    "ingest_dir": "(b) ingest_bulk, directory -> fresh DuckDB",
    "reingest": "(b) re-ingest same files (0 new rows)",
    "ingest_zip": "(b) ingest_bulk, companyfacts.zip",
    "ingest_dir_v0102": "(b) ingest_bulk, old v0.10.2 storage file",
    "ingest_arrow": "(b-alt) Arrow batches then INSERT",
    "ingest_key_index": "(b-alt) with an ART index on the key",
    "naive": "(c) naive json+pandas+executemany (sample)",
    "flow_threads": "(d) Prefect flow, threads (incl. startup)",
    "flow_dask": "(d) Prefect flow, Dask 2 procs (incl. startup)",
}


def report(summary: dict[str, Any]) -> str:
    corpus = summary["corpus"]
    mb, facts = corpus["bytes"] / 1e6, corpus["facts"]
    lines = [
        f"corpus: {corpus['companies']} companies, {mb:.0f} MB, {facts:,} facts (seed {corpus['seed']})",
        f"machine: {summary['machine']['cores']} cores, {summary['machine']['cpu']}, "
        f"duckdb {summary['machine']['duckdb']}, load avg at start {summary['machine']['load_avg_at_start'][0]:.2f}",
        "",
        f"{'measurement':48s} {'wall s':>8s} {'(min)':>6s} {'MB/s':>7s} {'facts/s':>10s} "
        f"{'peak RSS MB':>12s} {'CPU s':>7s}",
    ]
    for name, entry in summary["measurements"].items():
        label = LABELS.get(name, name)
        if "error" in entry:
            lines.append(f"{label:48s} ERROR {entry['error']}: {entry.get('detail', '')[-200:]}")
            continue
        if "seconds" not in entry:
            continue
        nbytes = entry.get("corpus_bytes") or entry.get("bytes") or corpus["bytes"]
        rows = entry.get("rows_inserted") or (facts if name.startswith("floor") else 0)
        if name == "reingest":
            rows = facts  # every fact version is parsed and checked, none inserted
        seconds = entry["seconds"]
        low = f"{entry['min_seconds']:6.2f}" if len(entry.get("runs", [])) > 1 else " " * 6
        lines.append(
            f"{label:48s} {seconds:8.2f} {low} {nbytes / 1e6 / seconds:7.1f} {rows / seconds:10,.0f} "
            f"{entry.get('peak_rss_mb', 0):12.0f} {entry.get('cpu_seconds', 0):7.1f}"
        )
        if name == "naive" and entry.get("extrapolated_seconds"):
            lines.append(f"{'    EXTRAPOLATED by MB to the whole corpus':48s} {entry['extrapolated_seconds']:8.0f}")
        if name.startswith("flow_"):
            lines.append(
                f"{'    inside the flow: parse / load':48s} {entry.get('in_flow_seconds', 0):8.2f}"
                f"   ({entry.get('parse_seconds', 0):.1f} / {entry.get('load_seconds', 0):.1f});"
                f" process tree peak {entry.get('tree_peak_rss_mb', 0):.0f} MB"
            )
    r, t = summary["ratios"], summary["targets"]
    lines.append("")

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    if "ingest_vs_floor" in r:
        lines.append(
            f"(b)/(a)  ingest vs parse floor: {r['ingest_vs_floor']:.2f}x  "
            f"(target <= {t['ingest_vs_floor_max']}: {verdict(r['ingest_vs_floor'] <= t['ingest_vs_floor_max'])})"
        )
    if "ingest_vs_floor_2proc" in r:
        lines.append(f"(b)/(a2) ingest vs 2-process floor: {r['ingest_vs_floor_2proc']:.2f}x")
    if "naive_vs_ingest_extrapolated" in r:
        value = r["naive_vs_ingest_extrapolated"]
        lines.append(
            f"(c)/(b)  naive vs ingest (naive EXTRAPOLATED): {value:.0f}x  "
            f"(target >= {t['naive_vs_ingest_min']:.0f}: {verdict(value >= t['naive_vs_ingest_min'])})"
        )
    if "arrow_vs_sql_path" in r:
        lines.append(f"Arrow-batch path vs in-DuckDB INSERT…SELECT path: {r['arrow_vs_sql_path']:.2f}x the time")
    for key, value in r.items():
        if key.startswith("peak_rss_") and key.endswith("_worst"):
            lines.append(f"memory scaling, largest {key[9:-6]} peak vs median 1x: {value:.2f}")
        elif key.startswith("peak_rss_"):
            lines.append(
                f"memory scaling {key}: {value:.2f}  (target <= {t['rss_scaling_max']}: "
                f"{verdict(value <= t['rss_scaling_max'])})"
            )
    hooks = summary["measurements"].get("refresh_hooks")
    if hooks is not None:
        lines.append(f"refresh-flow measurements (bench_refresh.py): {hooks.get('status', hooks)}")
        for name in ("prefect_overhead", "no_change_rerun"):
            found = hooks.get(name)
            if isinstance(found, dict) and "seconds" in found:
                lines.append(f"    {name}: {found['seconds']:.2f} s")
            elif found is not None:
                lines.append(f"    {name}: {found}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="SEC bulk ingest benchmark")
    parser.add_argument("--companies", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--scale", type=int, default=4, help="memory check at this multiple (0: skip)")
    parser.add_argument("--repeats", type=int, default=1, help="runs per timed measurement (median)")
    parser.add_argument("--batch-mb", type=float, default=128, help="= aipipe.ingest.sec_bulk.DEFAULT_BATCH_MB")
    parser.add_argument("--flow-batch-mb", type=float, default=32)
    parser.add_argument("--naive-files", type=int, default=20)
    parser.add_argument("--skip", nargs="*", default=[], help="measurement names to skip (or 'scale')")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--scratch", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--kwargs", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.corpus, args.scratch, json.loads(args.kwargs))
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    summary = run(args)
    summary["benchmark_seconds"] = time.perf_counter() - started
    (args.out / "results.json").write_text(json.dumps(summary, indent=2, default=str))
    print()
    print(report(summary))
    print(f"\nwrote {args.out / 'results.json'} in {summary['benchmark_seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
