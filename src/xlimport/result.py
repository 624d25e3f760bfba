"""The result of an import (or a re-validation), as users read it in code and notebooks."""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass, field
from typing import Any

from .progress import STAGES
from .validation import EXPLAINED, ValidationReport


def _plural(n: object, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


@dataclass
class ImportStats:
    sheets: int = 0
    cells: int = 0
    formula_cells: int = 0
    circular_groups: int = 0
    circular_cells: int = 0
    circular_converged: bool = True
    engine_errors: int = 0
    unsupported_functions: dict[str, int] = field(default_factory=dict)  # name -> cells
    volatile_cells: int = 0
    external_cells: int = 0
    dynamic_cells: int = 0
    array_formulas: int = 0
    dependency_edges: int = 0


@dataclass
class ImportResult:
    """What one :func:`xlimport.import_workbook` call did.

    ``duplicate`` is True when the same bytes were imported before: the existing model is
    returned (its stored summary) and nothing new is written.
    """

    model_id: int
    name: str
    file_hash: str
    duplicate: bool = False
    stats: ImportStats = field(default_factory=ImportStats)
    timings: dict[str, float] = field(default_factory=dict)  # stage -> wall seconds
    validation: ValidationReport | None = None
    circular: list[dict[str, Any]] = field(default_factory=list)  # one entry per group
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # Seconds spent inside the formula engine (bulk build, circular solving, reading values
    # back): the part of ``timings["evaluation"]`` that is the engine's own work.
    engine_seconds: float = 0.0
    store_url: str | None = field(default=None, repr=False)

    # ---- serialisation -----------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "model_id": self.model_id,
            "name": self.name,
            "file_hash": self.file_hash,
            "duplicate": self.duplicate,
            "stats": asdict(self.stats),
            "timings": self.timings,
            "engine_seconds": self.engine_seconds,
            "validation": self.validation.to_dict() if self.validation else None,
            "circular": self.circular,
            "warnings": self.warnings,
            "errors": self.errors,
        }

    def summary(self) -> dict[str, Any]:
        """The JSON kept with the model (``models.import_summary``)."""
        data = self.to_dict()
        for key in ("model_id", "name", "file_hash", "duplicate"):
            data.pop(key)
        return data

    @classmethod
    def from_summary(
        cls, model_id: int, name: str, file_hash: str, summary: dict[str, Any], **kw: Any
    ) -> ImportResult:
        stats = ImportStats(
            **{
                k: v
                for k, v in (summary.get("stats") or {}).items()
                if k in ImportStats.__dataclass_fields__
            }
        )
        validation = summary.get("validation")
        return cls(
            model_id=model_id,
            name=name,
            file_hash=file_hash,
            stats=stats,
            timings=dict(summary.get("timings") or {}),
            engine_seconds=float(summary.get("engine_seconds") or 0.0),
            validation=ValidationReport.from_dict(validation) if validation else None,
            circular=list(summary.get("circular") or []),
            warnings=list(summary.get("warnings") or []),
            errors=list(summary.get("errors") or []),
            **kw,
        )

    # ---- reading -----------------------------------------------------------------------
    @property
    def match_rate(self) -> float | None:
        return self.validation.match_rate if self.validation else None

    def summary_lines(self) -> list[tuple[str, str]]:
        """(label, value) pairs: what the CLI table and the notebook view show."""
        s = self.stats
        rows = [
            ("model id", str(self.model_id)),
            ("name", self.name),
            ("duplicate", "yes (existing model returned)" if self.duplicate else "no"),
            ("sheets", f"{s.sheets:,}"),
            ("cells", f"{s.cells:,}"),
            ("formula cells", f"{s.formula_cells:,}"),
            ("circular groups", f"{s.circular_groups:,} ({s.circular_cells:,} cells)"),
        ]
        shown = 5
        for g in self.circular[:shown]:
            state = "converged" if g.get("converged") else "NOT converged"
            change = g.get("final_change")
            change_text = f"{change:.3g}" if isinstance(change, (int, float)) else "n/a"
            rows.append(
                (
                    f"  group {g.get('group')}",
                    f"{g.get('size')} cells, {_plural(g.get('iterations'), 'iteration')}, "
                    f"max change {change_text}, {state}",
                )
            )
        if len(self.circular) > shown:
            rest = self.circular[shown:]
            converged = sum(1 for g in rest if g.get("converged"))
            rows.append((f"  {len(rest)} more groups", f"{converged} of them converged"))
        rows.append(("engine errors", f"{s.engine_errors:,}"))
        if s.unsupported_functions:
            top = sorted(s.unsupported_functions.items(), key=lambda kv: -kv[1])
            rows.append(("unsupported functions", ", ".join(f"{k} ({v})" for k, v in top[:10])))
        v = self.validation
        if v is not None:
            rate = f"{v.match_rate:.4%}" if v.match_rate is not None else "n/a"
            rows += [
                ("validated", f"{v.compared:,} cells with a cached value"),
                ("matched", f"{v.matched:,} ({rate})"),
                ("mismatched", f"{v.mismatched:,}"),
                ("not comparable", f"{v.not_comparable:,}"),
            ]
            causes = [
                f"{label} ({v.by_status[status]:,})"
                for status, label in EXPLAINED.items()
                if v.by_status.get(status)
            ]
            if causes:
                rows.append(("differences explained", ", ".join(causes)))
        if self.timings:
            total = sum(self.timings.values())
            order = list(STAGES)
            timings = sorted(
                self.timings.items(),
                key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order),
            )
            rows.append(
                (
                    "seconds",
                    f"{total:.2f} (" + ", ".join(f"{k} {t:.2f}" for k, t in timings) + ")",
                )
            )
        if self.warnings:
            rows.append(("warnings", str(len(self.warnings))))
        return rows

    def __str__(self) -> str:
        width = max(len(k) for k, _ in self.summary_lines())
        return "\n".join(f"{k:<{width}}  {v}" for k, v in self.summary_lines())

    def _repr_html_(self) -> str:
        body = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
            f"<td style='text-align:left'>{html.escape(v)}</td></tr>"
            for k, v in self.summary_lines()
        )
        return f"<table><caption>xlimport ImportResult</caption>{body}</table>"

    def to_dataframe(self, *, mismatches_only: bool = False) -> Any:
        """The model's cells as a pandas DataFrame (needs pandas installed)."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "to_dataframe() needs pandas: pip install 'xlimport[pandas]'"
            ) from exc
        from .store import open_store
        from .store.base import CellFilter

        store = open_store(self.store_url)
        filters = CellFilter(has_mismatch=True) if mismatches_only else None
        return pd.DataFrame.from_records(list(store.iter_cells(self.model_id, filters)))
