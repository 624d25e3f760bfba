"""The public entry points: :func:`import_workbook` and :func:`validate_model`.

One import is one call, wherever it runs (a notebook, the CLI, a server worker): hash, read,
analyse, evaluate, store and validate, reporting progress through a plain callable.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import _parallel, errors
from ._background import Background
from .cells import RowBuilder, static_rows
from .config import ImportOptions, get_settings
from .engine.hyperformula import get_engine
from .evaluate import analyze_formulas, evaluate_workbook
from .progress import ProgressReporter
from .reader import ReaderLimits, read_workbook
from .result import ImportResult, ImportStats
from .store import open_store
from .store.base import NewModel, Store
from .store.files import DatabaseFileStore, open_file_store

log = logging.getLogger(__name__)

ProgressFn = Callable[[str, float, str], None]


def _options(options: ImportOptions | dict[str, Any] | None) -> ImportOptions:
    if options is None:
        return ImportOptions()
    if isinstance(options, ImportOptions):
        return options
    try:
        return ImportOptions(**options)
    except Exception as exc:  # pydantic.ValidationError
        raise errors.InvalidOptionsError(f"invalid import options: {exc}") from exc


def file_sha256(path: Path, report: Callable[[float, str], None] | None = None) -> str:
    size = path.stat().st_size or 1
    h = hashlib.sha256()
    done = 0
    with path.open("rb") as fh:
        while chunk := fh.read(4 * 1024 * 1024):
            h.update(chunk)
            done += len(chunk)
            if report:
                report(done / size, f"hashed {done / 1e6:.1f} MB")
    return h.hexdigest()


def import_workbook(
    path: str | os.PathLike[str],
    *,
    name: str | None = None,
    store: Store | str | None = None,
    progress: ProgressFn | None = None,
    validate: bool = True,
    force: bool = False,
    options: ImportOptions | dict[str, Any] | None = None,
    original_filename: str | None = None,
) -> ImportResult:
    """Import one workbook cell by cell into the store and return what happened.

    - ``name``: the model's name (default: the file name without extension).
    - ``store``: a :class:`~xlimport.store.base.Store`, a database URL, or ``None`` for the
      configured default (``DATABASE_URL``, else the embedded SQLite file).
    - ``progress``: ``progress(stage, percent, message)``; raising in it (e.g.
      :class:`~xlimport.errors.ImportCancelled`) stops the import with nothing written.
    - ``validate``: compare recomputed values with the cached ones.
    - ``force``: import again even when the same bytes are already stored (the previous model
      with that hash is replaced in the same transaction).
    - ``options``: :class:`~xlimport.config.ImportOptions` or a dict of its fields.
    - ``original_filename``: the name to record when ``path`` is a temporary copy.

    Raises a subclass of :class:`~xlimport.errors.XlImportError` for bad input or a failed
    stage; nothing is stored then.
    """
    opts = _options(options)
    path = Path(path)
    if not path.is_file():
        raise errors.FileNotFoundError_(f"no such file: {path}")
    reporter = ProgressReporter(progress)
    settings = get_settings()
    st = open_store(store)
    filename = original_filename or path.name
    model_name = name if name is not None else Path(filename).stem
    _check_name(model_name)
    timings: dict[str, float] = {}
    clock = time.perf_counter

    # ---- hashing ---------------------------------------------------------------------------
    _parallel.prepare(path)  # a big workbook: the reading helper process starts meanwhile
    t = clock()
    reporter.stage("hashing", f"hashing {filename}")
    file_hash = file_sha256(path, reporter.sub(0, 0.9))
    existing = st.find_by_hash(file_hash)
    timings["hashing"] = clock() - t
    if existing is not None and not force:
        log.info("model %s: %s is a duplicate of stored model", existing.id, filename)
        reporter.complete(f"already imported as model {existing.id}")
        return ImportResult.from_summary(
            existing.id,
            existing.name,
            file_hash,
            existing.import_summary,
            duplicate=True,
            store_url=st.url,
        )
    file_size = path.stat().st_size

    # ---- parsing (the engine process starts meanwhile) -----------------------------------
    t = clock()
    reporter.stage("parsing", f"reading {filename}")
    warm = Background(_start_engine, "xlimport-engine-start")
    limits = ReaderLimits.from_env()
    elsewhere = _parallel.begin(path, limits)  # some sheets read and analysed by the helper
    try:
        skip = elsewhere.positions if elsewhere is not None else frozenset()
        wb = read_workbook(path, progress=reporter.sub(0, 1), limits=limits, skip=skip)
        timings["parsing"] = clock() - t

        # ---- dependencies ------------------------------------------------------------------
        t = clock()
        reporter.stage("dependencies", "analysing formulas")
        try:
            engine, engine_functions = warm.result()
        except errors.XlImportError as exc:
            _at_stage(exc, "dependencies")
            raise
        # (the helper's sheets join the workbook there, once this process's are analysed)
        analysis = analyze_formulas(wb, engine_functions, reporter.sub(0, 1), elsewhere)
        timings["dependencies"] = clock() - t
    finally:
        if elsewhere is not None:
            elsewhere.close()
    warnings = list(wb.warnings)
    if wb.has_macros:
        warnings.append("the workbook contains macros; they were not run")
    log.info(
        "parsed %s: %d sheets, %d cells, %d formulas",
        filename,
        len(wb.sheets),
        wb.cell_count,
        wb.formula_count,
    )

    # ---- evaluation, insertion, validation (one transaction) -------------------------------
    t = clock()
    reporter.stage("evaluation", "evaluating formulas")
    timeout = opts.engine_timeout or settings.xlimport_engine_timeout
    # The workbook's bytes are kept (for re-validation, and for workers on other hosts) while
    # the engine computes: a database file store writes them in its own transaction.
    files = open_file_store(settings, st)
    had_file = files.exists(file_hash)
    keeping = Background(
        lambda: None if had_file else files.put(file_hash, path), "xlimport-keep-file"
    )
    if isinstance(files, DatabaseFileStore) and getattr(st, "dialect", None) == "sqlite":
        # SQLite has one writer: the file's transaction goes before the import's.
        keeping.result(reraise=False)
    new = NewModel(
        name=model_name,
        original_filename=filename,
        file_hash=file_hash,
        file_size=file_size,
        workbook_metadata=wb.metadata(),
        import_summary={},
    )
    stage = "evaluation"
    try:
        with st.begin_import(new, replace_model_id=existing.id if existing else None) as writer:
            # The cells' columns that need no recomputed value go to the store while the
            # engine computes (formatted for COPY, or inserted with the expected results).
            stop = threading.Event()
            ahead: list[Background] = []

            def prepare() -> None:
                if ahead:  # once
                    return
                ahead.append(
                    Background(
                        lambda: writer.prepare_cells(static_rows(wb), stop),
                        "xlimport-prepare-cells",
                        low_priority=True,  # the engine's garbage collector goes first
                    )
                )

            try:
                evaluation = evaluate_workbook(
                    wb, analysis, engine, opts, reporter.sub(0, 1), timeout, prepare
                )
            except BaseException:
                stop.set()  # and the transaction rolls back once the thread is done
                for job in ahead:
                    job.result(reraise=False)
                raise
            if not ahead:  # the engine had nothing to build
                prepare()
            prepared = ahead[0].result()
            timings["evaluation"] = clock() - t
            warnings.extend(evaluation.warnings)
            for fn, n in analysis.unsupported.most_common():
                warnings.append(f"unsupported function {fn} in {n} cells (they show #NAME?)")

            stage = "insertion"
            t = clock()
            reporter.stage("insertion", "storing cells")
            keeping.result()
            unconverged = evaluation.unconverged_cells(analysis)
            builder = RowBuilder(
                wb,
                analysis,
                evaluation.values,
                validate=validate,
                tolerance=opts.tolerance,
                unconverged=unconverged,
                sample_limit=opts.sample_mismatches,
            )
            total_cells = max(wb.cell_count, 1)
            stats = ImportStats(
                sheets=len(wb.sheets),
                cells=wb.cell_count,
                formula_cells=wb.formula_count,
                circular_groups=len(evaluation.circular) or len(analysis.circular),
                circular_cells=len(analysis.circular_cells),
                circular_converged=all(g.get("converged") for g in evaluation.circular),
                unsupported_functions=dict(analysis.unsupported.most_common()),
                volatile_cells=len(analysis.volatile_roots),
                external_cells=len(analysis.external_roots),
                dynamic_cells=analysis.dynamic_cells,
                array_formulas=sum(len(s.array_ranges) for s in wb.sheets),
                dependency_edges=analysis.edges,
            )
            result = ImportResult(
                model_id=writer.model_id,
                name=model_name,
                file_hash=file_hash,
                stats=stats,
                timings=timings,
                circular=evaluation.circular,
                warnings=warnings,
                engine_seconds=evaluation.engine_seconds,
                store_url=st.url,
            )
            insert_report = reporter.sub(0, 1)
            writer.complete_cells(
                prepared,
                builder.changed_results() if prepared.changes_only else builder.results(),
                progress=lambda n: insert_report(n / total_cells, f"stored {n:,} cells"),
            )
            timings["insertion"] = clock() - t
            t = clock()
            reporter.stage("validation", "summarising validation")
            stats.engine_errors = builder.engine_errors
            result.validation = builder.report if validate else None
            timings["validation"] = clock() - t
            writer.update_summary(result.summary())
    except BaseException as exc:
        keeping.result(reraise=False)
        if not had_file:
            _forget_file(files, st, file_hash)
        if isinstance(exc, errors.XlImportError):
            _at_stage(exc, stage)
        raise
    log.info(
        "model %s: imported %s (%d cells, %d formulas, match rate %s) in %.2fs",
        result.model_id,
        filename,
        stats.cells,
        stats.formula_cells,
        f"{result.match_rate:.4%}" if result.match_rate is not None else "n/a",
        sum(timings.values()),
    )
    reporter.complete(f"model {result.model_id} imported")
    return result


def validate_model(
    model_id: int,
    *,
    store: Store | str | None = None,
    progress: ProgressFn | None = None,
    options: ImportOptions | dict[str, Any] | None = None,
) -> ImportResult:
    """Re-evaluate a stored model from its kept workbook file and re-validate every cell
    against the cached values (with ``options.tolerance``); updates the stored cells and the
    model's summary in one transaction and returns the new result."""
    opts = _options(options)
    st = open_store(store)
    model = st.get_model(model_id)
    settings = get_settings()
    files = open_file_store(settings, st)
    reporter = ProgressReporter(progress)
    timings: dict[str, float] = {}
    clock = time.perf_counter
    import tempfile

    t = clock()
    reporter.stage("hashing", "fetching the kept workbook")
    with tempfile.TemporaryDirectory(prefix="xlimport-") as tmp:
        local = Path(tmp) / "model.xlsx"
        try:
            with files.open(model.file_hash) as src, local.open("wb") as dst:
                while chunk := src.read(4 * 1024 * 1024):
                    dst.write(chunk)
        except (OSError, KeyError) as exc:
            raise errors.StoreError(
                f"the workbook file of model {model_id} is no longer kept: {exc}"
            ) from exc
        timings["hashing"] = clock() - t
        t = clock()
        reporter.stage("parsing", "reading the workbook")
        wb = read_workbook(local, progress=reporter.sub(0, 1))
        timings["parsing"] = clock() - t
    t = clock()
    reporter.stage("dependencies", "analysing formulas")
    engine = get_engine()
    analysis = analyze_formulas(wb, engine.function_names(), reporter.sub(0, 1))
    timings["dependencies"] = clock() - t
    t = clock()
    reporter.stage("evaluation", "evaluating formulas")
    timeout = opts.engine_timeout or settings.xlimport_engine_timeout
    evaluation = evaluate_workbook(wb, analysis, engine, opts, reporter.sub(0, 1), timeout)
    timings["evaluation"] = clock() - t
    unconverged = evaluation.unconverged_cells(analysis)
    builder = RowBuilder(
        wb,
        analysis,
        evaluation.values,
        validate=True,
        tolerance=opts.tolerance,
        unconverged=unconverged,
        sample_limit=opts.sample_mismatches,
    )
    t = clock()
    reporter.stage("insertion", "updating cells")
    previous = ImportResult.from_summary(
        model.id, model.name, model.file_hash, model.import_summary
    )
    stats = previous.stats
    updates = (
        (row[1], row[2], row[3], row[10], row[11], row[12], row[14], row[15])
        for row in builder.rows()
        if row[9] is not None or row[10] is not None
    )
    result = ImportResult(
        model_id=model.id,
        name=model.name,
        file_hash=model.file_hash,
        stats=stats,
        timings=timings,
        circular=evaluation.circular,
        warnings=list(wb.warnings) + evaluation.warnings,
        store_url=st.url,
    )
    # The generator fills builder.report while update_cells consumes it; the summary is
    # written in the same transaction, so it is computed from a finished report.
    st.update_cells(model.id, _Tee(updates, builder, result, stats), result.summary)
    timings["insertion"] = clock() - t
    reporter.stage("validation", "validated")
    reporter.complete(f"model {model.id} validated")
    log.info(
        "model %s: validated, match rate %s",
        model.id,
        f"{result.match_rate:.4%}" if result.match_rate is not None else "n/a",
    )
    return result


class _Tee:
    """Iterates the update rows, then finalises the result (report, engine error count)."""

    def __init__(
        self, rows: Any, builder: RowBuilder, result: ImportResult, stats: ImportStats
    ) -> None:
        self._rows, self._builder, self._result, self._stats = rows, builder, result, stats

    def __iter__(self) -> Any:
        yield from self._rows
        self._stats.engine_errors = self._builder.engine_errors
        self._result.validation = self._builder.report


def _start_engine() -> tuple[Any, frozenset[str]]:
    """The shared engine process started (or pinged) and its function names: run beside the
    reading of the workbook, so Node's start-up overlaps it."""
    engine = get_engine()
    return engine, engine.function_names()


def _check_name(name: str) -> None:
    if not name or len(name) > 255:
        raise errors.InvalidOptionsError("a model name must have 1 to 255 characters")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise errors.InvalidOptionsError("a model name must not contain control characters")


def _forget_file(files: Any, st: Store, file_hash: str) -> None:
    """A failed import keeps no bytes it added (unless a model of them was stored meanwhile)."""
    try:
        if st.find_by_hash(file_hash) is None:
            files.delete(file_hash)
    except Exception as exc:  # the import's own error matters more
        log.warning("could not drop the kept file %s: %s", file_hash[:12], exc)


def _at_stage(exc: errors.XlImportError, stage: str) -> errors.XlImportError:
    if exc.stage is None:
        exc.stage = stage
    return exc


__all__ = ["import_workbook", "validate_model", "file_sha256"]
