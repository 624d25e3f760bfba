"""The OpenAPI 3 document of the HTTP API (a test checks it lists every route)."""

from __future__ import annotations

from typing import Any

ERROR = {"$ref": "#/components/responses/Error"}


def _param(name: str, where: str, kind: str, description: str, **extra: Any) -> dict[str, Any]:
    schema = {"type": kind, **extra}
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "schema": schema,
        "description": description,
    }


def _ok(description: str, schema: str | None = None, status: str = "200") -> dict[str, Any]:
    body: dict[str, Any] = {"description": description}
    if schema:
        body["content"] = {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}
        }
    return {status: body}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(code): ERROR for code in codes}


JOB_ID = _param("job_id", "path", "string", "job id")
MODEL_ID = _param("model_id", "path", "integer", "model id")
PAGE = _param("page", "query", "integer", "1-based page", minimum=1, default=1)


def _page_size(default: int) -> dict[str, Any]:
    return _param(
        "page_size", "query", "integer", "items per page", minimum=1, maximum=1000, default=default
    )


def _bool(name: str, description: str) -> dict[str, Any]:
    return _param(name, "query", "boolean", description)


PATHS: dict[str, Any] = {
    "/health": {
        "get": {
            "summary": "Health of the database, Redis and the formula engine",
            "security": [],
            "responses": {**_ok("all dependencies up", "Health"), **_errors(503)},
        }
    },
    "/api/openapi.json": {
        "get": {"summary": "This document", "security": [], "responses": _ok("OpenAPI 3 document")}
    },
    "/api/import/upload": {
        "post": {
            "summary": "Upload a workbook; starts an import job",
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "required": ["file"],
                            "properties": {
                                "file": {"type": "string", "format": "binary"},
                                "model_name": {"type": "string"},
                                "validate": {"type": "boolean", "default": True},
                                "force": {
                                    "type": "boolean",
                                    "default": False,
                                    "description": "import again even if the same bytes were imported",
                                },
                                "tolerance": {"type": "number"},
                                "max_iterations": {"type": "integer"},
                                "max_change": {"type": "number"},
                            },
                        }
                    }
                },
            },
            "responses": {
                **_ok("job accepted", "JobAccepted", "202"),
                **_errors(400, 401, 413, 422, 429, 503),
            },
        }
    },
    "/api/import/job/{job_id}": {
        "get": {
            "summary": "Status, timestamps, latest progress, result or error of a job",
            "parameters": [JOB_ID],
            "responses": {**_ok("the job", "Job"), **_errors(401, 404)},
        }
    },
    "/api/import/job/{job_id}/cancel": {
        "post": {
            "summary": "Cancel a job (pending: at once; processing: at its next progress report)",
            "parameters": [JOB_ID],
            "responses": {**_ok("cancel requested", "Job", "202"), **_errors(401, 404, 409)},
        }
    },
    "/api/jobs": {
        "get": {
            "summary": "Recent jobs, newest first",
            "parameters": [
                _param(
                    "status",
                    "query",
                    "string",
                    "filter by status",
                    enum=["pending", "processing", "success", "failed", "cancelled"],
                ),
                _param("kind", "query", "string", "filter by kind", enum=["import", "validate"]),
                _param("limit", "query", "integer", "how many", minimum=1, maximum=500, default=50),
            ],
            "responses": {**_ok("jobs", "JobList"), **_errors(401, 422)},
        }
    },
    "/api/models": {
        "get": {
            "summary": "Stored models, newest first",
            "parameters": [PAGE, _page_size(50)],
            "responses": {**_ok("a page of models", "ModelPage"), **_errors(401, 422)},
        }
    },
    "/api/models/{model_id}": {
        "get": {
            "summary": "One model",
            "parameters": [MODEL_ID],
            "responses": {**_ok("the model", "Model"), **_errors(401, 404, 422)},
        },
        "delete": {
            "summary": "Delete a model and its cells",
            "parameters": [MODEL_ID],
            "responses": {"204": {"description": "deleted"}, **_errors(401, 404, 422)},
        },
    },
    "/api/models/{model_id}/cells": {
        "get": {
            "summary": "Cells of a model, filtered and paged",
            "parameters": [
                MODEL_ID,
                _param("sheet_name", "query", "string", "only this sheet"),
                _bool("has_formula", "only formula cells (or only constants)"),
                _bool("has_mismatch", "only cells whose recomputed value differs"),
                _bool("is_circular", "only cells in circular groups"),
                PAGE,
                _page_size(100),
            ],
            "responses": {**_ok("a page of cells", "CellPage"), **_errors(401, 404, 422)},
        }
    },
    "/api/models/{model_id}/validate": {
        "post": {
            "summary": "Re-evaluate a stored model from its kept file; starts a job",
            "parameters": [
                MODEL_ID,
                _param("tolerance", "query", "number", "comparison tolerance"),
                _param("max_iterations", "query", "integer", "circular solver limit"),
                _param("max_change", "query", "number", "circular solver threshold"),
            ],
            "responses": {
                **_ok("job accepted", "JobAccepted", "202"),
                **_errors(401, 404, 422, 503),
            },
        }
    },
    "/ws/import/{job_id}": {
        "get": {
            "summary": "WebSocket: the job's state, every progress event, then the final status",
            "description": "Upgrade to a WebSocket. Messages are JSON objects with `type` `state` "
            "(first), `progress` (each change), `final` (last; the server then "
            "closes). The API key may be given as the `api_key` query parameter.",
            "parameters": [
                JOB_ID,
                _param("api_key", "query", "string", "API key (WebSocket only)"),
            ],
            "responses": {"101": {"description": "switching protocols"}, **_errors(401, 404)},
        }
    },
}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error", "detail", "timestamp", "path"],
        "properties": {
            "error": {"type": "string", "description": "stable error code"},
            "detail": {"type": "string", "description": "what went wrong, for people"},
            "timestamp": {"type": "string", "format": "date-time"},
            "path": {"type": "string"},
        },
    },
    "Health": {
        "type": "object",
        "properties": {
            "status": {"type": "string"},
            "runner": {"type": "string"},
            "checks": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    },
    "JobAccepted": {
        "type": "object",
        "properties": {
            "job_id": {"type": "string"},
            "status": {"type": "string"},
            "status_url": {"type": "string"},
            "websocket_url": {"type": "string"},
            "duplicate": {"type": "boolean"},
            "model_id": {"type": "integer", "nullable": True},
            "warnings": {"type": "array", "items": {"type": "string"}},
        },
    },
    "Job": {
        "type": "object",
        "properties": {
            "job_id": {"type": "string"},
            "kind": {"type": "string"},
            "status": {
                "type": "string",
                "enum": ["pending", "processing", "success", "failed", "cancelled"],
            },
            "model_name": {"type": "string"},
            "original_filename": {"type": "string"},
            "file_size": {"type": "integer"},
            "model_id": {"type": "integer", "nullable": True},
            "params": {"type": "object"},
            "created_at": {"type": "string", "format": "date-time"},
            "started_at": {"type": "string", "format": "date-time", "nullable": True},
            "finished_at": {"type": "string", "format": "date-time", "nullable": True},
            "progress": {
                "type": "object",
                "properties": {
                    "stage": {"type": "string"},
                    "percent": {"type": "number"},
                    "message": {"type": "string"},
                },
            },
            "stages": {"type": "array", "items": {"type": "object"}},
            "result": {
                "type": "object",
                "nullable": True,
                "description": "ImportResult.to_dict(): stats, timings, validation, warnings",
            },
            "error": {
                "type": "object",
                "nullable": True,
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "stage": {"type": "string"},
                },
            },
        },
    },
    "JobList": {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Job"}},
            "count": {"type": "integer"},
        },
    },
    "Model": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "original_filename": {"type": "string"},
            "file_hash": {"type": "string"},
            "file_size": {"type": "integer"},
            "uploaded_at": {"type": "string"},
            "updated_at": {"type": "string"},
            "workbook_metadata": {"type": "object"},
            "import_summary": {"type": "object"},
        },
    },
    "Cell": {
        "type": "object",
        "properties": {
            name: {}
            for name in (
                "sheet_name",
                "sheet_index",
                "row_num",
                "col_num",
                "cell",
                "col_letter",
                "cell_type",
                "raw_value",
                "raw_text",
                "formula",
                "calculated_type",
                "calculated_value",
                "calculated_text",
                "is_circular",
                "has_mismatch",
                "status",
                "number_format",
            )
        },
    },
}
for _name in ("Model", "Cell"):
    SCHEMAS[f"{_name}Page"] = {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{_name}"}},
            "total": {"type": "integer"},
            "page": {"type": "integer"},
            "page_size": {"type": "integer"},
        },
    }


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "xlimport",
            "version": "0.1.0",
            "description": "Import Excel workbooks cell by cell; follow jobs live.",
        },
        "paths": PATHS,
        "security": [{"ApiKey": []}],
        "components": {
            "securitySchemes": {"ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}},
            "responses": {
                "Error": {
                    "description": "error",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                }
            },
            "schemas": SCHEMAS,
        },
    }
