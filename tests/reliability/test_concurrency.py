"""Concurrency: the same bytes uploaded twice at once make one model; a model deleted while its
validation job runs ends that job cleanly; cell pages stay consistent while imports run."""

from __future__ import annotations

import asyncio
import hashlib
import threading

import aiohttp

from .support import RelStack, heavy_workbook, wide_workbook


def _upload_many(stack: RelStack, payloads: list[tuple[bytes, str]]) -> list[dict]:
    async def one(session: aiohttp.ClientSession, data: bytes, name: str) -> dict:
        form = aiohttp.FormData()
        form.add_field("file", data, filename=name)
        async with session.post(stack.base_url + "/api/import/upload", data=form) as resp:
            assert resp.status == 202, await resp.text()
            return await resp.json()

    async def run() -> list[dict]:
        async with aiohttp.ClientSession(headers={"X-API-Key": stack.api_key}) as session:
            return await asyncio.gather(*(one(session, d, n) for d, n in payloads))

    return asyncio.run(run())


def test_same_bytes_twice_at_once_make_one_model(stack: RelStack) -> None:
    data = wide_workbook(5000, seed=11)
    replies = _upload_many(stack, [(data, "a.xlsx"), (data, "b.xlsx")])
    client = stack.client()
    jobs = [client.wait_final(r["job_id"], timeout=90) for r in replies]
    assert [j["status"] for j in jobs] == ["success", "success"], jobs
    digest = hashlib.sha256(data).hexdigest()
    assert stack.pg.count("models", "file_hash = %s", digest) == 1
    assert len({j["model_id"] for j in jobs}) == 1


def test_model_deleted_while_its_validation_runs(stack: RelStack) -> None:
    client = stack.client()
    reply = stack.upload_bytes(heavy_workbook(1000, 1000, seed=12), filename="v.xlsx")
    model_id = client.wait_final(reply.body["job_id"], timeout=90)["model_id"]
    job_id = client.post(f"/api/models/{model_id}/validate").body["job_id"]
    stack.wait_stage(job_id, "evaluation")
    assert client.delete(f"/api/models/{model_id}").status == 204
    job = client.wait_final(job_id, timeout=90)
    assert job["status"] == "failed" and job["error"]["code"] == "model_not_found", job
    assert stack.pg.count("models", "id = %s", model_id) == 0
    assert stack.pg.count("cells", "model_id = %s", model_id) == 0
    assert stack.server.poll() is None and all(w.poll() is None for w in stack.workers)


def test_cell_pages_stay_consistent_while_imports_run(stack: RelStack) -> None:
    client = stack.client()
    reply = stack.upload_bytes(wide_workbook(3000, seed=13), filename="base.xlsx")
    model_id = client.wait_final(reply.body["job_id"], timeout=90)["model_id"]
    first = client.get(f"/api/models/{model_id}/cells", page_size=1000).body
    total = first["total"]
    stop = threading.Event()
    problems: list[str] = []

    def read_pages() -> None:
        while not stop.is_set():
            for page in (1, 2, 3):
                body = client.get(f"/api/models/{model_id}/cells", page=page, page_size=1000).body
                if body["total"] != total:
                    problems.append(f"total {body['total']} != {total}")
                if page == 1 and body["items"] != first["items"]:
                    problems.append("page 1 changed")

    reader = threading.Thread(target=read_pages)
    reader.start()
    try:
        others = _upload_many(
            stack, [(wide_workbook(3000, seed=100 + i), f"o{i}.xlsx") for i in range(3)]
        )
        for r in others:
            assert client.wait_final(r["job_id"], timeout=90)["status"] == "success"
    finally:
        stop.set()
        reader.join()
    assert not problems, problems[:5]
