"""Stored models and their cells; re-validation; deletion."""

from __future__ import annotations

import asyncio

from aiohttp import web

from xlimport.errors import InvalidParameterError
from xlimport.store.base import CellFilter

from . import state
from .jsonutil import json_response
from .params import parse_bool, parse_int, parse_options
from .serialize import cell_json, model_json, page_json
from .views_imports import _submit, job_links

routes = web.RouteTableDef()

MAX_PAGE_SIZE = 1000


def model_id_of(request: web.Request) -> int:
    raw = request.match_info["model_id"]
    try:
        return int(raw)
    except ValueError:
        raise InvalidParameterError(f"model id must be an integer, not {raw!r}") from None


@routes.get("/api/models")
async def list_models(request: web.Request) -> web.Response:
    page = parse_int(request.query.get("page"), "page", 1)
    size = parse_int(request.query.get("page_size"), "page_size", 50, 1, MAX_PAGE_SIZE)
    result = await asyncio.to_thread(request.app[state.STORE].list_models, page, size)
    return json_response(page_json(result, model_json))


@routes.get("/api/models/{model_id}")
async def get_model(request: web.Request) -> web.Response:
    model = await asyncio.to_thread(request.app[state.STORE].get_model, model_id_of(request))
    return json_response(model_json(model))


@routes.get("/api/models/{model_id}/cells")
async def list_cells(request: web.Request) -> web.Response:
    model_id = model_id_of(request)
    query = request.query
    filters = CellFilter(
        sheet_name=query.get("sheet_name") or None,
        has_formula=parse_bool(query.get("has_formula"), "has_formula"),
        has_mismatch=parse_bool(query.get("has_mismatch"), "has_mismatch"),
        is_circular=parse_bool(query.get("is_circular"), "is_circular"),
    )
    page = parse_int(query.get("page"), "page", 1)
    size = parse_int(query.get("page_size"), "page_size", 100, 1, MAX_PAGE_SIZE)
    store = request.app[state.STORE]
    await asyncio.to_thread(store.get_model, model_id)  # 404 for an unknown model
    result = await asyncio.to_thread(store.cells, model_id, filters, page, size)
    return json_response(page_json(result, cell_json))


@routes.post("/api/models/{model_id}/validate")
async def validate_model(request: web.Request) -> web.Response:
    app = request.app
    model_id = model_id_of(request)
    fields: dict[str, str] = dict(request.query)
    if request.can_read_body:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise InvalidParameterError("the body is not valid JSON") from None
            if not isinstance(body, dict):
                raise InvalidParameterError("the JSON body must be an object")
            fields.update({k: str(v) for k, v in body.items() if v is not None})
        else:
            fields.update({k: str(v) for k, v in (await request.post()).items()})
    options = parse_options(fields, app[state.SETTINGS].default_options())
    model = await asyncio.to_thread(app[state.STORE].get_model, model_id)
    api_key = request[state.API_KEY]
    job = await asyncio.to_thread(
        app[state.JOBS].create,
        kind="validate",
        runner=app[state.RUNNER].kind,
        params={"options": options},
        model_name=model.name,
        original_filename=model.original_filename,
        file_hash=model.file_hash,
        model_id=model_id,
        api_key_id=api_key.id if api_key else None,
    )
    await _submit(app, job["id"])
    body = {"job_id": job["id"], "status": job["status"], "model_id": model_id}
    return json_response({**body, **job_links(request, job["id"])}, status=202)


@routes.delete("/api/models/{model_id}")
async def delete_model(request: web.Request) -> web.Response:
    store = request.app[state.STORE]
    model_id = model_id_of(request)
    await asyncio.to_thread(store.get_model, model_id)  # 404 for an unknown model
    await asyncio.to_thread(store.delete_model, model_id)
    return web.Response(status=204)
