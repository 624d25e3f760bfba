"""End to end: real `xlimport serve` (+ real `xlimport worker` on PostgreSQL and Redis, or the
in-process runner on SQLite), real uploads, the WebSocket to the final message, then the
models and cells read back through the API."""

from __future__ import annotations

import concurrent.futures
from pathlib import Path

import pytest

from .conftest import EXAMPLE
from .helpers import ApiClient, Stack, assert_error

GENERATED = Path(__file__).resolve().parents[2].parent / "shared" / "generated"


def _follow(client: ApiClient, job_id: str) -> dict:
    """Watch a job to its end; checks the message sequence and returns the final message."""
    messages = client.watch(job_id)
    assert messages, "the WebSocket sent nothing"
    final = messages[-1]
    assert final["type"] == "final" and final["job_id"] == job_id
    assert all(m["type"] in ("state", "progress") for m in messages[:-1])
    if len(messages) > 1:
        assert messages[0]["type"] == "state"
    percents = [m["percent"] for m in messages if m["type"] == "progress"]
    assert percents == sorted(percents), "progress went backwards"
    return final


def _import_and_check(client: ApiClient, path: Path, name: str) -> dict:
    accepted = client.upload(path, model_name=name, validate="true")
    assert accepted.status == 202, accepted.body
    body = accepted.body
    assert body["status_url"].endswith(f"/api/import/job/{body['job_id']}")
    assert body["websocket_url"].endswith(f"/ws/import/{body['job_id']}")
    final = _follow(client, body["job_id"])
    assert final["status"] == "success", final
    assert final["result"]["model_id"] == final["model_id"]
    job = client.get(f"/api/import/job/{body['job_id']}").body
    assert job["status"] == "success" and job["model_id"] == final["model_id"]
    assert job["started_at"] and job["finished_at"] and job["created_at"]
    stages = [s["stage"] for s in job["stages"]]
    for stage in ("parsing", "evaluation", "insertion", "complete"):
        assert stage in stages, stages
    return job


def _check_model_api(client: ApiClient, model_id: int, name: str) -> None:
    model = client.get(f"/api/models/{model_id}").body
    assert model["id"] == model_id and model["name"] == name
    listed = client.get("/api/models", page=1, page_size=1000).body
    assert model_id in [m["id"] for m in listed["items"]]
    cells = client.get(f"/api/models/{model_id}/cells", page_size=1000).body
    assert cells["total"] >= 1 and cells["items"]
    formulas = client.get(f"/api/models/{model_id}/cells", has_formula="true", page_size=5).body
    assert formulas["items"] and all(c["formula"] for c in formulas["items"])
    assert formulas["page_size"] == 5
    sheet = cells["items"][0]["sheet_name"]
    one_sheet = client.get(f"/api/models/{model_id}/cells", sheet_name=sheet).body
    assert {c["sheet_name"] for c in one_sheet["items"]} == {sheet}


# ---- RQ worker + PostgreSQL + Redis ------------------------------------------------------------
def test_rq_import_follow_and_browse(rq_stack: Stack) -> None:
    client = rq_stack.client()
    job = _import_and_check(client, EXAMPLE, "circ model")
    model_id = job["model_id"]
    assert job["result"]["stats"]["circular_cells"] > 0
    _check_model_api(client, model_id, "circ model")
    circular = client.get(f"/api/models/{model_id}/cells", is_circular="true").body
    assert circular["total"] == job["result"]["stats"]["circular_cells"]
    assert all(c["is_circular"] for c in circular["items"])

    # A client that connects after the end gets the final message alone; many may watch.
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda _: client.watch(job["job_id"]), range(3)))
    for messages in results:
        assert [m["type"] for m in messages] == ["final"]
        assert messages[0]["status"] == "success" and messages[0]["result"]["model_id"] == model_id

    # The same bytes again: completes at once with the existing model.
    again = client.upload(EXAMPLE, model_name="other name")
    assert again.status == 202 and again.body["duplicate"] is True
    assert again.body["status"] == "success" and again.body["model_id"] == model_id
    assert client.watch(again.body["job_id"])[-1]["model_id"] == model_id

    # Re-validation is a job too.
    validation = client.post(f"/api/models/{model_id}/validate", params={"tolerance": "1e-6"})
    assert validation.status == 202, validation.body
    assert _follow(client, validation.body["job_id"])["status"] == "success"

    jobs = client.get("/api/jobs", status="success").body["items"]
    assert {job["job_id"], validation.body["job_id"]} <= {j["job_id"] for j in jobs}


def test_rq_small_workbooks_and_delete(rq_stack: Stack, workbook) -> None:  # noqa: ANN001
    client = rq_stack.client()
    jobs = [_import_and_check(client, workbook(), f"small {i}") for i in range(2)]
    ids = {j["model_id"] for j in jobs}
    assert len(ids) == 2
    _check_model_api(client, jobs[0]["model_id"], "small 0")
    target = jobs[1]["model_id"]
    assert client.delete(f"/api/models/{target}").status == 204
    assert_error(client.get(f"/api/models/{target}"), 404, "model_not_found")


def test_rq_cancel_running_import(rq_stack: Stack) -> None:
    big = GENERATED / "fm_10k.xlsx"
    if not big.is_file():
        pytest.skip("generated workbooks not found")
    client = rq_stack.client()
    accepted = client.upload(big, model_name="to cancel").body
    reply = client.post(f"/api/import/job/{accepted['job_id']}/cancel")
    assert reply.status == 202, reply.body
    final = _follow(client, accepted["job_id"])
    assert final["status"] == "cancelled" and final["error"]["code"] == "cancelled"
    assert final["model_id"] is None
    names = [m["name"] for m in client.get("/api/models", page_size=1000).body["items"]]
    assert "to cancel" not in names  # nothing was written
    assert_error(client.post(f"/api/import/job/{accepted['job_id']}/cancel"), 409, "job_conflict")


def test_rq_auth_required_everywhere(rq_stack: Stack) -> None:
    anonymous = rq_stack.client(key=None)
    assert_error(anonymous.get("/api/models"), 401)
    assert anonymous.get("/health").status == 200
    assert anonymous.get("/api/openapi.json").status == 200
    # The WebSocket takes the key as a query parameter.
    job = rq_stack.client().get("/api/jobs", limit=1).body["items"]
    if job:
        messages = anonymous.watch(job[0]["job_id"], query=f"?api_key={rq_stack.api_key}")
        assert messages[-1]["type"] == "final"


# ---- in-process runner + SQLite ---------------------------------------------------------------
def test_inprocess_import_follow_and_browse(inprocess_stack: Stack, workbook) -> None:  # noqa: ANN001
    client = inprocess_stack.client(key=None)
    health = client.get("/health").body
    assert health["runner"] == "inprocess" and health["checks"]["database"] == "ok"
    job = _import_and_check(client, EXAMPLE, "local circ")
    _check_model_api(client, job["model_id"], "local circ")

    macro = client.upload(workbook(macros=True), filename="with_macros.xlsm")
    assert macro.status == 202
    assert any("macro" in w for w in macro.body["warnings"])
    final = _follow(client, macro.body["job_id"])
    assert final["status"] == "success"
    assert any("macro" in w for w in final["result"]["warnings"])
