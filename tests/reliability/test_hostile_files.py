"""Hostile and broken files, through ``xlimport.import_workbook`` and the real HTTP upload path:
each gets a specific error (400/413 at upload, or a failed job naming the problem), the server and
the worker stay up, and nothing is stored: no model row, no cells, no kept file."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

import xlimport
from xlimport.errors import XlImportError
from xlimport.reader import read_workbook

from .support import HOSTILE, alive, good_workbook, huge_dimension, make_workbook, xxe

ERROR_KEYS = {"error", "detail", "timestamp", "path"}
# The upload route answers these before the reader sees them, with codes of its own.
HTTP_CODES = {"empty": "invalid_workbook", "legacy_xls": "encrypted_workbook"}


@pytest.fixture
def local_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("XLIMPORT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("XLIMPORT_DATABASE_URL", raising=False)
    return f"sqlite:///{(tmp_path / 'home' / 'x.db').as_posix()}"


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_import_workbook_refuses_hostile_file(case: str, tmp_path: Path, local_store: str) -> None:
    factory, code, phrase, _ = HOSTILE[case]
    path = tmp_path / "hostile.xlsx"
    path.write_bytes(factory())
    with pytest.raises(XlImportError) as info:
        xlimport.import_workbook(path, store=local_store)
    assert info.value.code == code, info.value.to_dict()
    assert phrase in info.value.message
    assert "\n" not in info.value.message and "Traceback" not in info.value.message
    assert xlimport.open_store(local_store).list_models().total == 0
    kept = tmp_path / "home" / "files"
    assert not kept.exists() or not any(p.is_file() for p in kept.rglob("*"))


def test_external_entities_never_reach_the_file_system(tmp_path: Path, local_store: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    path = tmp_path / "xxe.xlsx"
    path.write_bytes(xxe(secret))
    with pytest.raises(XlImportError, match="DTD") as info:
        xlimport.import_workbook(path, store=local_store)
    assert "TOP-SECRET" not in str(info.value.to_dict())


def test_a_huge_declared_dimension_costs_only_its_cells(tmp_path: Path, local_store: str) -> None:
    path = tmp_path / "huge.xlsx"
    path.write_bytes(huge_dimension())
    assert read_workbook(path).sheets[0].dimension == "A1:XFD1048576"
    result = xlimport.import_workbook(path, store=local_store)
    assert result.stats.cells == 2 and result.stats.formula_cells == 1
    assert result.validation.mismatched == 0


def test_limits_are_configurable_by_environment(
    tmp_path: Path, local_store: str, monkeypatch
) -> None:  # noqa: ANN001
    path = tmp_path / "ok.xlsx"
    path.write_bytes(good_workbook(3))
    monkeypatch.setenv("XLIMPORT_MAX_CELLS", "1")
    with pytest.raises(XlImportError, match="max_cells"):
        read_workbook(path)
    monkeypatch.setenv("XLIMPORT_MAX_CELLS", "100")
    monkeypatch.setenv("XLIMPORT_MAX_FORMULA_LENGTH", "3")  # "A1*2" has 4 characters
    with pytest.raises(XlImportError, match="max_formula_length"):
        read_workbook(path)
    monkeypatch.setenv("XLIMPORT_MAX_FORMULA_LENGTH", "nope")
    with pytest.raises(XlImportError, match="XLIMPORT_MAX_FORMULA_LENGTH"):
        read_workbook(path)


# ---- the HTTP path -----------------------------------------------------------------------------
def test_hostile_uploads_get_specific_answers_and_store_nothing(stack, tmp_path: Path) -> None:  # noqa: ANN001
    client = stack.client()
    failed_jobs = []
    for case, (factory, code, phrase, at_upload) in sorted(HOSTILE.items()):
        reply = stack.upload_bytes(factory(), filename=f"{case}.xlsx")
        if at_upload:
            assert reply.status in (400, 413), (case, reply.status, reply.body)
            assert set(reply.body) == ERROR_KEYS, (case, reply.body)
            assert reply.body["error"] == HTTP_CODES.get(case, code), (case, reply.body)
            assert phrase in reply.body["detail"], (case, reply.body)
            assert "Traceback" not in reply.body["detail"]
        else:
            assert reply.status == 202, (case, reply.body)
            failed_jobs.append((case, code, phrase, reply.body["job_id"]))
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    reply = stack.upload_bytes(xxe(secret), filename="xxe.xlsx")
    assert reply.status == 202
    failed_jobs.append(("xxe", "corrupt_workbook", "DTD", reply.body["job_id"]))

    for case, code, phrase, job_id in failed_jobs:
        job = client.wait_final(job_id, timeout=60)
        assert job["status"] == "failed", (case, job)
        assert job["error"]["code"] == code and phrase in job["error"]["message"], (case, job)
        assert "TOP-SECRET" not in str(job)
    # Server and worker are still up and working; nothing of the hostile files was kept.
    assert stack.server.poll() is None and all(alive(w.pid) for w in stack.workers)
    assert client.get("/health").status == 200
    good_bytes = good_workbook(4242)  # made once: the file records the second it was written
    good = stack.upload_bytes(good_bytes, filename="good.xlsx")
    assert good.status == 202
    assert client.wait_final(good.body["job_id"], timeout=60)["status"] == "success"
    good_hash = hashlib.sha256(good_bytes).hexdigest()
    assert stack.pg.count("models", "file_hash <> %s", good_hash) == 0
    assert stack.pg.count("cells", "model_id NOT IN (SELECT id FROM models)") == 0
    assert stack.pg.count("files", "file_hash <> %s", good_hash) == 0
    assert not any(p.is_file() for p in (stack.home / "uploads").rglob("*"))


def test_names_and_file_names_from_clients(stack, tmp_path: Path) -> None:  # noqa: ANN001
    client = stack.client()
    book = make_workbook(tmp_path / "names.xlsx", 777.0).read_bytes()
    for bad in ("x" * 10_000, "bad\x07name", "tab\tname", "nul\x00name"):
        reply = stack.upload_bytes(book, filename="ok.xlsx", model_name=bad)
        assert reply.status == 422, (bad[:20], reply.body)
        assert reply.body["error"] == "invalid_parameter" and "model_name" in reply.body["detail"]
    # Path tricks in the file name are only ever a label: never a path on the server.
    outside = stack.home.parent / "escaped.xlsx"
    tricks = ["../../escaped.xlsx", "..\\..\\escaped.xlsx", "/etc/escaped.xlsx", "a\x00b.xlsx"]
    tricks.append("n" * 5000 + ".xlsx")
    for i, name in enumerate(tricks):
        data = make_workbook(tmp_path / f"t{i}.xlsx", 1000.0 + i).read_bytes()
        reply = raw_upload(stack, name, data)  # the name exactly as given, not %-encoded
        if reply.status != 202:  # refusing the header outright is fine too, in the one shape
            assert reply.status in (400, 422) and set(reply.body) == ERROR_KEYS, reply.body
            continue
        job = client.wait_final(reply.body["job_id"], timeout=60)
        assert job["status"] == "success", job
        label = job["original_filename"]
        assert "/" not in label and "\\" not in label and "\x00" not in label
        assert len(label) <= 255 and label.endswith(".xlsx")
    assert not outside.exists() and not (stack.home / "escaped.xlsx").exists()


def raw_upload(stack, filename: str, data: bytes):  # noqa: ANN001, ANN201
    """A multipart upload written by hand, so the file name reaches the server byte for byte."""
    boundary = "xlrelboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
    ).encode("utf-8", "surrogateescape")
    body = head + data + f"\r\n--{boundary}--\r\n".encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    return stack.client().post("/api/import/upload", data=body, headers=headers)


def test_macros_are_kept_never_run(stack, tmp_path: Path) -> None:  # noqa: ANN001
    path = make_workbook(tmp_path / "macro.xlsm", 4.5, macros=True)
    with zipfile.ZipFile(path) as zf:
        assert "xl/vbaProject.bin" in zf.namelist()
    reply = stack.upload_bytes(path.read_bytes(), filename="macro.xlsm")
    assert reply.status == 202 and any("never run" in w for w in reply.body["warnings"])
    job = stack.client().wait_final(reply.body["job_id"], timeout=60)
    assert job["status"] == "success"
    assert any("never run" in w or "not run" in w for w in job["result"]["warnings"])
