"""Import benchmark: generated financial models, SQLite and PostgreSQL.

    python benchmarks/bench_import.py [--sizes 10000,100000] [--dbs sqlite,postgresql]
                                      [--pg URL] [--repeat 1] [--markdown OUT]

Each (size, database) import runs in a fresh Python process (so peak memory is that import's
own), after one warm-up import in the same process (the server case: the engine is warm).
Reports per stage wall seconds and Python CPU seconds, cells/s end to end, peak RSS of Python
(this process plus the reading helper process a big workbook uses) and of the Node engine, and
the load average. Models: ../shared/generated/fm_<n>.xlsx when
present (cached values from LibreOffice), else made with tools/gen_workbook.py (with
--libreoffice, then recalculated and saved once by LibreOffice, so those have cached values too).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "generated"
OUT = ROOT / "benchmarks" / "out"
STAGES = ["hashing", "parsing", "dependencies", "evaluation", "insertion", "validation"]

CHILD = r"""
import json, os, resource, sys, time, uuid
import xlimport
from xlimport.engine.hyperformula import get_engine

path, url, warm = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
if warm:
    # the server case: the engine, and the reading helper a big workbook uses, are warm
    from xlimport import _parallel
    _parallel.prepare(path)
    xlimport.import_workbook(sys.argv[4], store=url, force=True, name="warm-up")
    if _parallel._helper is not None:
        _parallel._helper.ready(30.0)
# A first import of the file is timed, not the replacement of an earlier run's model.
from pathlib import Path
from xlimport.api import file_sha256
store = xlimport.open_store(url)
earlier = store.find_by_hash(file_sha256(Path(path)))
if earlier is not None:
    store.delete_model(earlier.id)
# The joint peak: the resident memory of this process, its reading helper and the engine,
# summed every 20 ms (their own peaks, reported too, do not happen at the same time).
import threading
def status_mb(pid, field):
    # a memory field of /proc/<pid>/status (VmRSS: now, VmHWM: peak) in MB; None if gone
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith(field):
                return int(line.split()[1]) / 1024
    except (OSError, TypeError):
        pass
    return None
def rss_mb(pid):
    return status_mb(pid, "VmRSS") or 0.0
joint = [0.0]
sampling = threading.Event()
def sample():
    helper = _parallel._helper if warm else None
    while not sampling.wait(0.02):
        total = rss_mb(os.getpid()) + rss_mb(getattr(get_engine(), "pid", None))
        if helper is not None:
            total += rss_mb(helper.pid)
        joint[0] = max(joint[0], total)
sampler = threading.Thread(target=sample, daemon=True)
sampler.start()
marks = []
def progress(stage, percent, message):
    if not marks or marks[-1][0] != stage:
        marks.append((stage, time.perf_counter(), time.process_time()))
t0, c0 = time.perf_counter(), time.process_time()
r = xlimport.import_workbook(path, store=url, force=True, progress=progress)
t1, c1 = time.perf_counter(), time.process_time()
sampling.set()
sampler.join()
stages = {}
for (s, w, c), nxt in zip(marks, marks[1:] + [("end", t1, c1)]):
    stages[s] = {"wall": nxt[1] - w, "cpu": nxt[2] - c}
def peak_mb(pid):
    return status_mb(pid, "VmHWM")
proc = getattr(get_engine(), "pid", None)
node_peak = peak_mb(proc) if proc else None
helper = _parallel._helper if warm else None
helper_peak = (peak_mb(helper.pid) or 0.0) if helper is not None else 0.0
print(json.dumps({
    "cells": r.stats.cells, "formula_cells": r.stats.formula_cells, "wall": t1 - t0,
    "cpu": c1 - c0, "stages": stages,
    "py_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 + helper_peak,
    "helper_peak_mb": helper_peak,
    "node_peak_mb": node_peak, "joint_peak_mb": joint[0], "match_rate": r.match_rate,
    "engine": r.engine_seconds,
}))
"""


def model_for(n: int, workdir: Path, with_values: bool = False) -> Path:
    """The generated model of ``n`` formula cells: from ../shared/generated when there, else made
    with tools/gen_workbook.py (no cached values); with ``with_values``, recalculated and saved
    once by LibreOffice, so that validation compares every cell as with the shared models."""
    label = f"{n // 1000}k" if n < 1_000_000 else f"{n // 1_000_000}m"
    shared = SHARED / f"fm_{label}.xlsx"
    if shared.exists():
        return shared
    valued = workdir / f"fm_{label}_values.xlsx"
    if with_values and valued.exists():
        return valued
    out = workdir / f"fm_{label}.xlsx"
    if not out.exists():
        workdir.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "tools" / "gen_workbook.py"),
                "--cells",
                str(n),
                "-o",
                str(out),
            ],
            check=True,
        )
    if with_values:
        with tempfile.TemporaryDirectory(prefix="xlimport-lo-") as tmp:
            if libreoffice_seconds(out, Path(tmp)) is not None:
                (Path(tmp) / "lo" / out.name).replace(valued)
                return valued
    return out


def libreoffice_seconds(path: Path, work: Path) -> float | None:
    """LibreOffice Calc: load, full recalculation and save of ``path`` (tools/recalc_libreoffice.sh)."""
    script = ROOT / "tools" / "recalc_libreoffice.sh"
    out = subprocess.run(
        ["bash", str(script), str(path), str(work / "lo")], capture_output=True, text=True
    )
    for line in out.stderr.splitlines():
        if line.startswith("LO_SECONDS"):
            return float(line.split()[1])
    print(f"LibreOffice failed on {path.name}: {out.stderr[-300:]}", file=sys.stderr)
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--dbs", default="sqlite,postgresql")
    ap.add_argument(
        "--pg",
        default=os.environ.get("XLIMPORT_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test"),
    )
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--markdown", type=Path, default=None)
    ap.add_argument(
        "--libreoffice",
        action="store_true",
        help="also time LibreOffice Calc (load + full recalculation + save) on each file",
    )
    args = ap.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    warm_file = (
        SHARED / "fm_1k.xlsx"
        if (SHARED / "fm_1k.xlsx").exists()
        else ROOT / "examples" / "fm_circ_1k.xlsx"
    )
    lines = [
        "| formula cells | db | end to end s | cells/s | "
        + " | ".join(f"{s} s (cpu)" for s in STAGES)
        + " | engine s | rest / engine | Python peak MB | Node peak MB | joint peak MB"
        " | LibreOffice s"
        " | xlimport / LibreOffice | load avg |",
        "|" + "---|" * (12 + len(STAGES)),
    ]
    with tempfile.TemporaryDirectory(prefix="xlimport-bench-") as tmp:
        work = Path(tmp)
        for n in [int(x) for x in args.sizes.split(",")]:
            path = model_for(n, OUT, with_values=args.libreoffice)
            lo = None
            if args.libreoffice:  # the median of as many runs as the imports
                times = sorted(
                    t
                    for t in (libreoffice_seconds(path, work) for _ in range(args.repeat))
                    if t is not None
                )
                lo = times[len(times) // 2] if times else None
            for db in args.dbs.split(","):
                url = f"sqlite:///{work}/bench.db" if db == "sqlite" else args.pg
                runs = []
                for _ in range(args.repeat):
                    out = subprocess.run(
                        [sys.executable, "-c", CHILD, str(path), url, "1", str(warm_file)],
                        check=True,
                        capture_output=True,
                        text=True,
                    )
                    runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
                runs.sort(key=lambda r: r["wall"])
                r = runs[len(runs) // 2]
                load = os.getloadavg()[0]
                stage_cells = " | ".join(
                    f"{r['stages'].get(s, {}).get('wall', 0):.2f} ({r['stages'].get(s, {}).get('cpu', 0):.2f})"
                    for s in STAGES
                )
                node = f"{r['node_peak_mb']:.0f}" if r["node_peak_mb"] else "n/a"
                engine = r["engine"] or float("nan")
                rest = (r["wall"] - engine) / engine
                lo_cells = f"{lo:.1f} | {r['wall'] / lo:.2f}" if lo else "n/a | n/a"
                line = (
                    f"| {r['formula_cells']:,} | {db} | {r['wall']:.2f} | "
                    f"{r['cells'] / r['wall']:,.0f} | {stage_cells} | {engine:.2f} | {rest:.2f} | "
                    f"{r['py_peak_mb']:.0f} | {node} | {r['joint_peak_mb']:.0f} | {lo_cells} | "
                    f"{load:.2f} |"
                )
                lines.append(line)
                print(line, flush=True)
    table = "\n".join(lines)
    print()
    print(table)
    if args.markdown:
        args.markdown.write_text(table + "\n")
    return 0


if __name__ == "__main__":
    started = time.time()
    sys.exit(main())
