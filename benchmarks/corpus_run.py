"""Import every workbook of the shared corpus and print match rates per file and overall.

    python benchmarks/corpus_run.py [--corpus DIR] [--db URL] [--only SUBSTRING] [--json OUT]

Each file is imported with the embedded default into a throw-away SQLite database (or --db);
the engine process stays warm across files. Prints, per file: formula cells, cells compared,
matched, mismatched, engine errors, not comparable, and the unsupported functions; then the
overall figures and the statuses of the cells that did not match.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import xlimport
from xlimport import errors

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "files"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--db", default=None, help="database URL (default: a temporary SQLite file)")
    ap.add_argument("--only", default=None, help="only files whose name contains this")
    ap.add_argument("--json", type=Path, default=None, help="write per-file results here")
    args = ap.parse_args(argv)

    files = sorted(p for p in args.corpus.glob("*.xls[xm]") if not args.only or args.only in p.name)
    if not files:
        print(f"no workbooks in {args.corpus}", file=sys.stderr)
        return 2
    tmp = tempfile.TemporaryDirectory(prefix="xlimport-corpus-")
    db = args.db or f"sqlite:///{tmp.name}/corpus.db"
    totals: Counter = Counter()
    statuses: Counter = Counter()
    unsupported: Counter = Counter()
    failures: list[tuple[str, str]] = []
    per_file = []
    started = time.perf_counter()
    print(
        f"{'file':60} {'formulas':>8} {'compared':>8} {'matched':>8} {'mismatch':>8} "
        f"{'engerr':>6} {'n/c':>6} {'secs':>6}"
    )
    for path in files:
        t0 = time.perf_counter()
        try:
            r = xlimport.import_workbook(path, store=db, force=True)
        except errors.XlImportError as exc:
            failures.append((path.name, f"{exc.code}: {exc.message}"))
            print(f"{path.name[:60]:60} FAILED {exc.code}: {exc.message}")
            continue
        secs = time.perf_counter() - t0
        v = r.validation
        row = {
            "file": path.name,
            "formula_cells": r.stats.formula_cells,
            "compared": v.compared,
            "matched": v.matched,
            "mismatched": v.mismatched,
            "engine_errors": v.engine_errors,
            "explained": v.explained,
            "not_comparable": v.not_comparable,
            "by_status": v.by_status,
            "unsupported": r.stats.unsupported_functions,
            "seconds": round(secs, 3),
            "circular_groups": r.stats.circular_groups,
        }
        per_file.append(row)
        for k in (
            "formula_cells",
            "compared",
            "matched",
            "mismatched",
            "engine_errors",
            "explained",
            "not_comparable",
        ):
            totals[k] += row[k]
        statuses.update(v.by_status)
        unsupported.update(r.stats.unsupported_functions)
        print(
            f"{path.name[:60]:60} {r.stats.formula_cells:8} {v.compared:8} {v.matched:8} "
            f"{v.mismatched:8} {v.engine_errors:6} {v.not_comparable:6} {secs:6.2f}"
        )
    elapsed = time.perf_counter() - started
    rate = totals["matched"] / totals["compared"] if totals["compared"] else 0.0
    print()
    print(
        f"files: {len(files)}, imported: {len(per_file)}, failed: {len(failures)}, {elapsed:.1f} s"
    )
    print(
        f"formula cells: {totals['formula_cells']:,}; compared: {totals['compared']:,}; "
        f"matched: {totals['matched']:,} ({rate:.2%}); mismatched: {totals['mismatched']:,}; "
        f"engine errors: {totals['engine_errors']:,}; "
        f"explained: {totals['explained']:,}; "
        f"not comparable: {totals['not_comparable']:,}"
    )
    print("by status: " + ", ".join(f"{k} {v:,}" for k, v in statuses.most_common()))
    print(
        "unsupported functions (cells): "
        + ", ".join(f"{k} {v}" for k, v in unsupported.most_common(25))
    )
    for name, reason in failures:
        print(f"failed: {name}: {reason}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "files": per_file,
                    "failures": failures,
                    "totals": dict(totals),
                    "match_rate": rate,
                },
                indent=1,
            )
        )
    tmp.cleanup()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
