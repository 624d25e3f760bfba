"""The store on real SQLite and real PostgreSQL: schema, bulk import, queries, file stores."""

from __future__ import annotations

import hashlib
import math
import threading
from datetime import timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from xlimport.errors import (
    DuplicateModelError,
    ImportCancelled,
    InvalidOptionsError,
    ModelNotFoundError,
    StoreError,
)
from xlimport.store import (
    CELL_COLUMNS,
    CELL_RESULT_KEYS,
    CellFilter,
    DatabaseFileStore,
    LocalFileStore,
    NewModel,
    SqlStore,
    open_file_store,
    open_store,
)
from xlimport.store.schema import cells as cells_table

SPECIAL_FLOATS = [0.1 + 0.2, 1e-300, 1.7976931348623157e308, -0.0, 5e-324, -123456.789]
TRICKY_TEXT = ["", "tab\there", "new\nline", "cr\rreturn", "back\\slash", "\\N", "é😀", 'a,b;"c"']


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _model(key: str = "m", **kw) -> NewModel:
    return NewModel(
        name=kw.pop("name", f"model {key}"),
        original_filename=f"{key}.xlsx",
        file_hash=_hash(key),
        file_size=1234,
        **kw,
    )


def _letter(col: int) -> str:
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def _row(i: int, sheets: int = 3, width: int = 10) -> tuple:
    """A deterministic, varied cell row; about one in three is a formula."""
    sheet = i % sheets
    row, col = divmod(i // sheets, width)
    row, col = row + 1, col + 1
    formula = f"=A{row}*{i}" if i % 3 == 0 else None
    kind = i % 4
    raw_value = SPECIAL_FLOATS[i % len(SPECIAL_FLOATS)] * (i + 1) if kind != 1 else None
    raw_text = TRICKY_TEXT[i % len(TRICKY_TEXT)] if kind == 1 else None
    return (
        f"Sheet {sheet}",
        sheet,
        row,
        col,
        f"{_letter(col)}{row}",
        _letter(col),
        "text" if kind == 1 else "number",
        raw_value,
        raw_text,
        formula,
        "number" if formula else None,
        (raw_value + 1 if raw_value is not None else 1.5) if formula else None,
        None,
        i % 97 == 0,
        bool(formula) and i % 5 == 0,
        ("mismatch" if i % 5 == 0 else "matched") if formula else "constant",
        "0.00" if i % 7 == 0 else None,
    )


def _count_cells(store: SqlStore, model_id: int | None = None) -> int:
    query = sa.select(sa.func.count()).select_from(cells_table)
    if model_id is not None:
        query = query.where(cells_table.c.model_id == model_id)
    with store.engine.connect() as conn:
        return conn.execute(query).scalar_one()


def _import(store: SqlStore, key: str, rows: list[tuple], **kw) -> int:
    with store.begin_import(_model(key), **kw) as writer:
        writer.insert_cells(rows)
    return writer.model_id


def _same(a: object, b: object) -> bool:
    """Equal, and for floats bit-identical (so -0.0 != 0.0)."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    return type(a) is type(b) and a == b


# ---- schema --------------------------------------------------------------------------------
def test_upgrade_from_empty_creates_the_schema(store_url: str) -> None:
    store = SqlStore(store_url, auto_upgrade=False)
    assert store.schema_revision() is None
    store.upgrade()
    from xlimport.store.sql import _head_revision

    assert store.schema_revision() == _head_revision()
    store.upgrade()  # idempotent
    inspector = sa.inspect(store.engine)
    assert {"models", "cells", "files", "alembic_version"} <= set(inspector.get_table_names())
    columns = [c["name"] for c in inspector.get_columns("cells")]
    assert tuple(columns) == ("model_id", *CELL_COLUMNS)
    indexes = {ix["name"] for ix in inspector.get_indexes("cells")}
    assert {"ix_cells_mismatch", "ix_cells_circular"} <= indexes
    assert not {"ix_cells_order", "ix_cells_formula"} & indexes  # the primary key serves them
    assert inspector.get_foreign_keys("cells") == []  # the store deletes cells with their model
    assert inspector.get_pk_constraint("cells")["constrained_columns"] == [
        "model_id",
        "sheet_index",
        "row_num",
        "col_num",
    ]


def test_upgrade_keeps_cells_imported_under_the_previous_key(store_url: str) -> None:
    """A database at revision 0002 (cells keyed by sheet name) upgrades with its cells kept,
    then keyed, ordered and updated by sheet index."""
    from alembic import command

    from xlimport.store.sql import _alembic_config

    store = SqlStore(store_url, auto_upgrade=False)
    with store.engine.connect() as conn:
        command.upgrade(_alembic_config(conn), "0002")
        conn.commit()
        conn.exec_driver_sql(
            "INSERT INTO models (id, name, file_hash, workbook_metadata, import_summary) "
            "VALUES (1, 'old', 'h', '{}', '{}')"
        )
        for sheet, index, row, col in (("B", 1, 1, 1), ("A", 0, 2, 1), ("A", 0, 1, 2)):
            conn.exec_driver_sql(
                "INSERT INTO cells (model_id, sheet_name, sheet_index, row_num, col_num, cell, "
                "col_letter, cell_type, is_circular, has_mismatch, status) VALUES "
                f"(1, '{sheet}', {index}, {row}, {col}, 'X', 'X', 'number', false, false, "
                "'constant')"
            )
        conn.commit()
    store.upgrade()
    inspector = sa.inspect(store.engine)
    assert inspector.get_pk_constraint("cells")["constrained_columns"][1] == "sheet_index"
    order = [(c["sheet_index"], c["row_num"], c["col_num"]) for c in store.iter_cells(1)]
    assert order == [(0, 1, 2), (0, 2, 1), (1, 1, 1)]
    if store.dialect == "postgresql":  # moved into the model's own table (migration 0004)
        assert _cell_tables(store) == {"cells_m1"}
    update = (1, 1, 1, "number", 2.0, None, True, "mismatch")
    assert store.update_cells(1, [update], {}) == 1
    [cell] = [c for c in store.iter_cells(1) if c["sheet_name"] == "B"]
    assert (cell["calculated_value"], cell["status"]) == (2.0, "mismatch")


@pytest.mark.postgres
def test_cells_partitions_downgrade_to_one_table_and_back(pg_url: str) -> None:
    """Migration 0004 both ways: the models' tables become one plain ``cells`` table with every
    row, and upgrading again gives each model its table back."""
    from alembic import command

    from xlimport.store.sql import _alembic_config

    store = open_store(pg_url)
    a = _import(store, "a", [_row(i) for i in range(120)])
    b = _import(store, "b", [_row(i) for i in range(80)])
    kind = "SELECT relkind FROM pg_class WHERE oid = 'cells'::regclass"
    with store.engine.connect() as conn:
        command.downgrade(_alembic_config(conn), "0003")
        conn.commit()
        assert conn.exec_driver_sql(kind).scalar() == "r"
    assert _tables_named_like_cells(store) == set()
    assert (_count_cells(store, a), _count_cells(store, b)) == (120, 80)
    with store.engine.connect() as conn:
        command.upgrade(_alembic_config(conn), "head")
        conn.commit()
        assert conn.exec_driver_sql(kind).scalar() == "p"
    assert _cell_tables(store) == {f"cells_m{a}", f"cells_m{b}"}
    assert [c["row_num"] for c in store.iter_cells(b)] == [
        c[2] for c in sorted((_row(i) for i in range(80)), key=lambda r: (r[1], r[2], r[3]))
    ]


def test_fresh_sqlite_path_is_created_and_upgraded_on_first_use(tmp_path: Path) -> None:
    db = tmp_path / "deep" / "er" / "x.db"
    store = open_store(f"sqlite:///{db.as_posix()}")
    try:
        assert store.list_models().total == 0
        assert db.is_file()
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        store.close()


def test_open_store_accepts_none_url_or_store(sqlite_url: str, monkeypatch) -> None:
    store = open_store(sqlite_url)
    assert isinstance(store, SqlStore) and store.url == sqlite_url
    assert open_store(store) is store
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    assert open_store().url == sqlite_url
    # One engine per URL per process.
    assert SqlStore(sqlite_url).engine is store.engine


# ---- import ---------------------------------------------------------------------------------
def test_bulk_insert_round_trips_50k_rows_exactly(store_url: str) -> None:
    store = open_store(store_url)
    rows = [_row(i) for i in range(50_000)]
    seen: list[int] = []
    with store.begin_import(_model("big", workbook_metadata={"sheets": 3})) as writer:
        count = writer.insert_cells(iter(rows), progress=seen.append)
        writer.update_summary({"cells": count, "timings": {"insertion": 1.5}})
    assert count == 50_000
    assert seen[-1] == 50_000 and seen == sorted(seen) and len(seen) >= 5

    info = store.get_model(writer.model_id)
    assert info.workbook_metadata == {"sheets": 3}
    assert info.import_summary == {"cells": 50_000, "timings": {"insertion": 1.5}}
    assert info.uploaded_at.tzinfo is not None and info.uploaded_at.utcoffset().total_seconds() == 0

    expected = sorted(rows, key=lambda r: (r[1], r[2], r[3]))
    got = list(store.iter_cell_rows(writer.model_id))
    assert len(got) == len(expected)
    for want, have in zip(expected, got, strict=True):
        assert all(_same(a, b) for a, b in zip(want, have, strict=True)), (want, have)


def test_extreme_values_are_stored_bit_for_bit(store_url: str) -> None:
    store = open_store(store_url)
    values = [*SPECIAL_FLOATS, float("inf"), float("-inf"), float("nan"), 7, True]
    rows = [
        (
            "S",
            0,
            i + 1,
            1,
            f"A{i + 1}",
            "A",
            "number",
            v,
            None,
            None,
            None,
            None,
            None,
            False,
            False,
            "constant",
            None,
        )  # fmt: skip
        for i, v in enumerate(values)
    ]
    model_id = _import(store, "extreme", rows)
    got = [c["raw_value"] for c in store.iter_cells(model_id)]
    for want, have in zip(SPECIAL_FLOATS, got, strict=False):
        assert _same(want, have)
    assert got[len(SPECIAL_FLOATS) :] == [float("inf"), float("-inf"), None, 7.0, 1.0]
    assert all(v is None or type(v) is float for v in got)


def test_an_exception_mid_insert_rolls_everything_back(store_url: str) -> None:
    store = open_store(store_url)

    def rows():
        for i in range(25_000):
            if i == 15_000:
                raise RuntimeError("reader died")
            yield _row(i)

    with (
        pytest.raises(RuntimeError, match="reader died"),
        store.begin_import(_model("broken")) as writer,
    ):
        writer.insert_cells(rows())
    assert store.find_by_hash(_hash("broken")) is None
    assert store.list_models().total == 0
    assert _count_cells(store) == 0
    if store.dialect == "postgresql":
        assert _tables_named_like_cells(store) == set()


@pytest.mark.postgres
def test_big_imports_are_paged_through_the_primary_key(pg_url: str) -> None:
    """A model's table of cells is indexed once its rows are in, with no ANALYZE: PostgreSQL
    pages a new big model's cells by walking its primary key, never by sorting all of them."""
    store = open_store(pg_url)
    n = 60_000
    first = _import(store, "big1", [_row(i) for i in range(n)])
    second = _import(store, "big2", [_row(i) for i in range(n)])
    with store.engine.connect() as conn:
        for model_id in (first, second):
            plan = "\n".join(
                r[0]
                for r in conn.exec_driver_sql(
                    "EXPLAIN SELECT * FROM cells WHERE model_id = %(m)s "
                    "ORDER BY sheet_index, row_num, col_num LIMIT 100 OFFSET 2000",
                    {"m": model_id},
                )
            )
            assert f"pk_cells_m{model_id}" in plan and "Sort" not in plan, plan
    assert store.cells(second, page=3, page_size=7).items[0]["sheet_index"] == 0


def _cell_tables(store: SqlStore) -> set[str]:
    """PostgreSQL: the tables attached to ``cells`` (one per model)."""
    with store.engine.connect() as conn:
        return set(
            conn.exec_driver_sql(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = 'cells'::regclass"
            ).scalars()
        )


def _tables_named_like_cells(store: SqlStore) -> set[str]:
    with store.engine.connect() as conn:
        return set(
            conn.exec_driver_sql(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "AND tablename LIKE 'cells_m%%'"
            ).scalars()
        )


@pytest.mark.postgres
def test_each_model_has_its_own_table_of_cells_dropped_with_it(pg_url: str) -> None:
    store = open_store(pg_url)
    a = _import(store, "a", [_row(i) for i in range(300)])
    b = _import(store, "b", [_row(i) for i in range(200)])
    assert _cell_tables(store) == {f"cells_m{a}", f"cells_m{b}"}
    # every index cells declares is there, in the model's own table
    with store.engine.connect() as conn:
        indexes = set(
            conn.exec_driver_sql(
                "SELECT indexname FROM pg_indexes WHERE tablename = %(t)s", {"t": f"cells_m{a}"}
            ).scalars()
        )
    assert indexes == {f"pk_cells_m{a}", f"ix_cells_m{a}_mismatch", f"ix_cells_m{a}_circular"}
    assert store.cells(a, CellFilter(has_mismatch=True)).total == sum(
        1 for i in range(300) if _row(i)[14]
    )
    # a row of another model cannot get into a model's table
    with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as conn:
        conn.exec_driver_sql(
            f"UPDATE cells_m{a} SET model_id = {b} WHERE row_num = 1 AND col_num = 1"
        )
    store.delete_model(a)
    assert _tables_named_like_cells(store) == {f"cells_m{b}"}
    assert store.cells(b).total == 200


@pytest.mark.postgres
def test_a_delete_while_cells_are_read_does_not_wait_and_the_table_goes_later(
    pg_url: str,
) -> None:
    """Dropping a model's table locks all of cells: while another transaction reads cells (a
    long export), a delete takes the model's rows out instead of waiting; the empty table it
    leaves is dropped by the next delete that can lock."""
    store = open_store(pg_url)
    a = _import(store, "a", [_row(i) for i in range(300)])
    b = _import(store, "b", [_row(i) for i in range(100)])
    c = _import(store, "c", [_row(i) for i in range(50)])
    reader = store.engine.connect()
    try:
        reader.begin()
        assert reader.exec_driver_sql(f"SELECT count(*) FROM cells WHERE model_id = {b}").scalar()
        store.delete_model(a)  # within the lock timeout, not blocked until the reader ends
        assert _count_cells(store, a) == 0
        assert f"cells_m{a}" in _tables_named_like_cells(store)
    finally:
        reader.rollback()
        reader.close()
    store.delete_model(c)
    assert _tables_named_like_cells(store) == {f"cells_m{b}"}
    assert store.cells(b).total == 100


@pytest.mark.postgres
def test_a_failed_import_leaves_no_table_and_a_replace_drops_the_old_one(pg_url: str) -> None:
    store = open_store(pg_url)
    old = _import(store, "r", [_row(i) for i in range(30)])
    with pytest.raises(RuntimeError), store.begin_import(_model("x")) as writer:
        writer.insert_cells([_row(i) for i in range(10)])
        raise RuntimeError("engine crashed")
    assert _tables_named_like_cells(store) == {f"cells_m{old}"}
    new = _import(store, "r", [_row(i) for i in range(20)], replace_model_id=old)
    assert _tables_named_like_cells(store) == {f"cells_m{new}"}
    assert store.cells(new).total == 20


def test_copy_stream_formatting_ahead_gives_the_same_text_and_progress() -> None:
    from xlimport.store.pgcopy import CopyStream
    from xlimport.store.sql import _CELL_KINDS

    def drain(stream: CopyStream) -> bytes:
        out = []
        while chunk := stream.read():
            out.append(chunk)
        return b"".join(out)

    rows = [_row(i) for i in range(25_000)]
    seen: list[int] = []
    plain = drain(CopyStream(rows, _CELL_KINDS, prefix="7\t", chunk_size=10_000))
    ahead = CopyStream(
        rows, _CELL_KINDS, prefix="7\t", chunk_size=10_000, ahead=2, progress=seen.append
    )
    assert drain(ahead) == plain and plain.count(b"\n") == 25_000
    assert seen == [10_000, 20_000, 25_000] and ahead.count == 25_000


def test_a_cancelling_progress_callback_keeps_its_exception_and_nothing(store_url: str) -> None:
    store = open_store(store_url)

    def progress(done: int) -> None:
        if done >= 20_000:
            raise ImportCancelled("cancelled by the user")

    with pytest.raises(ImportCancelled), store.begin_import(_model("cancel")) as writer:
        writer.insert_cells((_row(i) for i in range(30_000)), progress)
    assert store.find_by_hash(_hash("cancel")) is None
    assert _count_cells(store) == 0


def test_malformed_rows_are_rejected_and_rolled_back(store_url: str) -> None:
    store = open_store(store_url)
    with pytest.raises((ValueError, StoreError)), store.begin_import(_model("short")) as writer:
        writer.insert_cells([_row(0)[:-1]])
    assert store.find_by_hash(_hash("short")) is None


def test_replace_swaps_the_model_in_one_transaction(store_url: str) -> None:
    store = open_store(store_url)
    old_id = _import(store, "same", [_row(i) for i in range(100)])
    new_id = _import(store, "same", [_row(i) for i in range(40)], replace_model_id=old_id)
    assert new_id != old_id
    with pytest.raises(ModelNotFoundError):
        store.get_model(old_id)
    assert store.find_by_hash(_hash("same")).id == new_id
    assert _count_cells(store, old_id) == 0
    assert store.cells(new_id).total == 40


def test_a_failed_replace_keeps_the_old_model(store_url: str) -> None:
    store = open_store(store_url)
    old_id = _import(store, "keep", [_row(i) for i in range(10)])
    with (
        pytest.raises(RuntimeError, match="engine crashed"),
        store.begin_import(_model("keep"), replace_model_id=old_id) as writer,
    ):
        writer.insert_cells([_row(i) for i in range(5)])
        raise RuntimeError("engine crashed")
    assert store.get_model(old_id).file_hash == _hash("keep")
    assert store.cells(old_id).total == 10


def test_same_hash_twice_raises_duplicate_with_the_existing_id(store_url: str) -> None:
    store = open_store(store_url)
    first = _import(store, "dup", [_row(0)])
    with pytest.raises(DuplicateModelError) as info:
        _import(store, "dup", [_row(1)])
    assert info.value.model_id == first
    assert info.value.code == "duplicate_model"
    assert isinstance(info.value, StoreError)
    assert store.cells(first).total == 1


@pytest.mark.postgres
def test_concurrent_imports_of_one_file_second_gets_duplicate(pg_url: str) -> None:
    store = open_store(pg_url)
    first_inside = threading.Event()
    release_first = threading.Event()
    outcome: dict[str, object] = {}

    def first() -> None:
        with store.begin_import(_model("race")) as writer:
            writer.insert_cells([_row(0)])
            outcome["first"] = writer.model_id
            first_inside.set()
            release_first.wait(30)

    def second() -> None:
        try:
            _import(store, "race", [_row(1)])
        except DuplicateModelError as exc:
            outcome["second"] = exc

    t1 = threading.Thread(target=first)
    t1.start()
    assert first_inside.wait(30)
    t2 = threading.Thread(target=second)
    t2.start()
    # Wait until the second insert is blocked on the first one's uncommitted row.
    with store.engine.connect() as conn:
        for _ in range(600):
            waiting = conn.execute(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND query LIKE 'INSERT INTO models%' AND datname = current_database()"
                )
            ).scalar_one()
            conn.rollback()  # pg_stat_activity is a per-transaction snapshot
            if waiting or not t2.is_alive():
                break
            threading.Event().wait(0.05)
    release_first.set()
    t1.join(30)
    t2.join(30)
    assert isinstance(outcome.get("second"), DuplicateModelError)
    assert outcome["second"].model_id == outcome["first"]


# ---- queries --------------------------------------------------------------------------------
@pytest.fixture
def sample(store_url: str) -> tuple[SqlStore, int, list[tuple]]:
    store = open_store(store_url)
    rows = [_row(i, sheets=2, width=5) for i in range(300)]
    return store, _import(store, "sample", rows), rows


def _ordered(rows: list[tuple]) -> list[tuple]:
    return sorted(rows, key=lambda r: (r[1], r[2], r[3]))


def test_cells_pages_in_sheet_row_col_order(sample) -> None:
    store, model_id, rows = sample
    page1 = store.cells(model_id, page=1, page_size=100)
    page3 = store.cells(model_id, page=3, page_size=100)
    assert page1.total == page3.total == 300
    assert (page1.page, page1.page_size) == (1, 100)
    want = _ordered(rows)
    got = [tuple(c[k] for k in CELL_COLUMNS) for c in page1.items + page3.items]
    assert got == want[:100] + want[200:]
    assert set(page1.items[0]) == set(CELL_RESULT_KEYS)
    assert store.cells(model_id, page=4, page_size=100).items == []


@pytest.mark.parametrize(
    "filters, keep",
    [
        (CellFilter(sheet_name="Sheet 1"), lambda r: r[0] == "Sheet 1"),
        (CellFilter(has_formula=True), lambda r: r[9] is not None),
        (CellFilter(has_formula=False), lambda r: r[9] is None),
        (CellFilter(has_mismatch=True), lambda r: r[14]),
        (CellFilter(is_circular=True), lambda r: r[13]),
        (CellFilter(is_circular=False, has_formula=True), lambda r: not r[13] and r[9]),
        (
            CellFilter(sheet_name="Sheet 0", has_mismatch=False),
            lambda r: r[0] == "Sheet 0" and not r[14],
        ),
    ],
)
def test_filters(sample, filters: CellFilter, keep) -> None:
    store, model_id, rows = sample
    want = [r for r in _ordered(rows) if keep(r)]
    assert want, "the sample must exercise each filter"
    page = store.cells(model_id, filters, page=1, page_size=1000)
    assert page.total == len(want)
    assert [(c["sheet_name"], c["row_num"], c["col_num"]) for c in page.items] == [
        (r[0], r[2], r[3]) for r in want
    ]
    assert all(c["has_formula"] == (c["formula"] is not None) for c in page.items)
    streamed = list(store.iter_cells(model_id, filters))
    assert streamed == page.items


def test_cells_of_another_model_are_not_mixed_in(sample) -> None:
    store, model_id, _ = sample
    other = _import(store, "other", [_row(i) for i in range(7)])
    assert store.cells(other).total == 7
    assert store.cells(model_id).total == 300


def test_list_models_newest_first_with_paging(store_url: str) -> None:
    store = open_store(store_url)
    ids = [_import(store, f"m{i}", [_row(i)]) for i in range(5)]
    page1 = store.list_models(page=1, page_size=2)
    page3 = store.list_models(page=3, page_size=2)
    assert page1.total == 5
    assert [m.id for m in page1.items + page3.items] == [ids[4], ids[3], ids[0]]
    assert page1.items[0].name == "model m4"
    assert page1.items[0].updated_at.tzinfo == timezone.utc


def test_get_model_unknown_raises_not_found(store_url: str) -> None:
    store = open_store(store_url)
    with pytest.raises(ModelNotFoundError):
        store.get_model(424242)
    assert store.find_by_hash(_hash("nothing")) is None


def test_update_cells_updates_values_flags_and_summary(sample) -> None:
    store, model_id, rows = sample
    formulas = [r for r in rows if r[9] is not None]
    updates = [
        (r[1], r[2], r[3], "error", None, "#DIV/0!\tx", True, "engine_error") for r in formulas
    ]
    updates[0] = (*updates[0][:3], "number", -0.0, None, False, "matched")
    before = store.get_model(model_id).updated_at
    assert store.update_cells(model_id, iter(updates), {"validation": {"mismatched": 99}}) == len(
        updates
    )
    info = store.get_model(model_id)
    assert info.import_summary == {"validation": {"mismatched": 99}}
    assert info.updated_at >= before
    by_key = {(c["sheet_index"], c["row_num"], c["col_num"]): c for c in store.iter_cells(model_id)}
    first = by_key[updates[0][:3]]
    assert first["status"] == "matched" and _same(first["calculated_value"], -0.0)
    for u in updates[1:]:
        cell = by_key[u[:3]]
        assert (cell["calculated_type"], cell["calculated_value"], cell["calculated_text"]) == (
            "error",
            None,
            "#DIV/0!\tx",
        )
        assert cell["has_mismatch"] is True and cell["status"] == "engine_error"
    constants = [c for c in by_key.values() if c["formula"] is None]
    assert all(c["status"] == "constant" for c in constants)
    assert store.cells(model_id, CellFilter(has_mismatch=True)).total == len(updates) - 1


def test_update_cells_of_unknown_model_raises(store_url: str) -> None:
    store = open_store(store_url)
    with pytest.raises(ModelNotFoundError):
        store.update_cells(999, [(0, 1, 1, "number", 1.0, None, False, "matched")], {})


def test_delete_model_cascades_to_cells(sample) -> None:
    store, model_id, _ = sample
    keep = _import(store, "keep", [_row(0)])
    store.delete_model(model_id)
    with pytest.raises(ModelNotFoundError):
        store.get_model(model_id)
    assert _count_cells(store, model_id) == 0
    assert _count_cells(store, keep) == 1
    with pytest.raises(ModelNotFoundError):
        store.delete_model(model_id)


# ---- errors ---------------------------------------------------------------------------------
def test_unreachable_database_raises_store_error_without_password() -> None:
    url = "postgresql://postgres:s3cret@127.0.0.1:1/test"
    store = SqlStore(url)
    try:
        with pytest.raises(StoreError) as info:
            store.list_models()
        message = str(info.value)
        assert "127.0.0.1:1" in message and "s3cret" not in message
        assert info.value.code == "store_error" and info.value.http_status == 503
    finally:
        store.close()


def test_unwritable_sqlite_location_raises_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError):
        SqlStore(f"sqlite:///{(blocker / 'x.db').as_posix()}").list_models()


# ---- file stores ----------------------------------------------------------------------------
@pytest.fixture(params=["local", "database"])
def file_store(request: pytest.FixtureRequest, store_url: str, tmp_path: Path):
    if request.param == "local":
        return LocalFileStore(tmp_path / "files")
    return DatabaseFileStore(open_store(store_url))


def test_file_store_keeps_bytes_once_by_hash(file_store, tmp_path: Path) -> None:
    data = bytes(range(256)) * 9000 + b"tail"  # > 2 chunks of 1 MB
    source = tmp_path / "book.xlsx"
    source.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    assert not file_store.exists(digest)
    file_store.put(digest, source)
    file_store.put(digest, source)  # idempotent
    assert file_store.exists(digest)
    with file_store.open(digest) as fh:
        assert fh.read() == data
    file_store.delete(digest)
    assert not file_store.exists(digest)
    file_store.delete(digest)  # absent: no error
    with pytest.raises(StoreError):
        file_store.open(digest)


def test_file_store_empty_file_and_bad_hash(file_store, tmp_path: Path) -> None:
    source = tmp_path / "empty.xlsx"
    source.write_bytes(b"")
    digest = hashlib.sha256(b"").hexdigest()
    file_store.put(digest, source)
    with file_store.open(digest) as fh:
        assert fh.read() == b""
    with pytest.raises(InvalidOptionsError):
        file_store.exists("../../etc/passwd")


def test_local_file_store_layout(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path)
    source = tmp_path / "in.xlsx"
    source.write_bytes(b"PK\x03\x04")
    digest = hashlib.sha256(b"PK\x03\x04").hexdigest()
    store.put(digest, source)
    assert (tmp_path / digest[:2] / f"{digest}.xlsx").read_bytes() == b"PK\x03\x04"
    assert not list(tmp_path.rglob(".tmp-*"))


def test_open_file_store_defaults_follow_the_database(
    sqlite_url: str, pg_url: str, tmp_path: Path
) -> None:
    from xlimport.config import Settings

    settings = Settings(xlimport_home=tmp_path, database_url=sqlite_url)
    assert isinstance(open_file_store(settings), LocalFileStore)
    assert isinstance(open_file_store(settings, open_store(pg_url)), DatabaseFileStore)
    forced = Settings(xlimport_home=tmp_path, xlimport_file_store="database")
    assert isinstance(open_file_store(forced, open_store(sqlite_url)), DatabaseFileStore)
    with pytest.raises(InvalidOptionsError):
        open_file_store(Settings(xlimport_file_store="s3"), open_store(sqlite_url))
