"""Parsing request parameters; anything malformed is a 422 with the parameter's name."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from xlimport.config import ImportOptions
from xlimport.errors import InvalidParameterError

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off"}


def parse_bool(value: str | None, name: str, default: bool | None = None) -> bool | None:
    if value is None or value == "":
        return default
    text = value.strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise InvalidParameterError(f"{name} must be true or false, not {value!r}")


def parse_int(
    value: str | None, name: str, default: int, minimum: int = 1, maximum: int | None = None
) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise InvalidParameterError(f"{name} must be an integer, not {value!r}") from None
    if number < minimum or (maximum is not None and number > maximum):
        upper = f" and {maximum}" if maximum is not None else ""
        raise InvalidParameterError(f"{name} must be between {minimum}{upper}, not {number}")
    return number


def parse_choice(value: str | None, name: str, choices: tuple[str, ...]) -> str | None:
    if value is None or value == "":
        return None
    if value not in choices:
        raise InvalidParameterError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


OPTION_FIELDS = ("tolerance", "max_iterations", "max_change")


def parse_options(fields: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """Import options from request fields over the server's defaults, validated by
    :class:`ImportOptions`; returns the JSON-ready dict kept in the job's params."""
    raw = dict(defaults)
    for name in OPTION_FIELDS:
        value = fields.get(name)
        if value not in (None, ""):
            raw[name] = value
    try:
        return ImportOptions(**raw).model_dump(exclude_defaults=True)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "options"
        raise InvalidParameterError(f"{where}: {first.get('msg', 'invalid value')}") from None


MAX_NAME = 255


def parse_model_name(value: str | None, fallback: str) -> str:
    """The model name of an upload (default ``fallback``): 1 to 255 characters, no control
    characters; anything else is a 422 naming the rule."""
    name = (value or "").strip() or fallback
    if not name or len(name) > MAX_NAME:
        raise InvalidParameterError(
            f"model_name must have 1 to {MAX_NAME} characters, not {len(name):,}"
        )
    if any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in name):
        raise InvalidParameterError("model_name must not contain control characters")
    return name
