"""JSON shapes of models and cells in the API."""

from __future__ import annotations

import dataclasses
from typing import Any

from xlimport.store.base import CELL_COLUMNS


def model_json(model: Any) -> dict[str, Any]:
    data = dataclasses.asdict(model) if dataclasses.is_dataclass(model) else dict(model)
    for key in ("uploaded_at", "updated_at"):
        value = data.get(key)
        if value is not None and hasattr(value, "isoformat"):
            if getattr(value, "tzinfo", None) is None:
                data[key] = value.isoformat() + "Z"
            else:
                data[key] = value.isoformat()
    return data


def cell_json(cell: Any) -> dict[str, Any]:
    if isinstance(cell, dict):
        return cell
    if dataclasses.is_dataclass(cell):
        return dataclasses.asdict(cell)
    if hasattr(cell, "_mapping"):
        return dict(cell._mapping)
    return dict(zip(CELL_COLUMNS, cell, strict=False))


def page_json(page: Any, convert: Any) -> dict[str, Any]:
    return {
        "items": [convert(item) for item in page.items],
        "total": page.total,
        "page": page.page,
        "page_size": page.page_size,
    }
