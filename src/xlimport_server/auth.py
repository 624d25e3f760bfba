"""API keys: created once, shown once, stored only as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from xlimport.errors import AuthError, InvalidParameterError

from .db import as_utc, iso, utcnow
from .tables import api_keys

KEY_PREFIX = "xlk_"
LAST_USED_PRECISION = 60.0  # seconds: last_used_at is refreshed at most this often


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: int
    name: str


class KeyStore:
    """Create, list, revoke and check API keys."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def create(self, name: str) -> tuple[dict[str, Any], str]:
        """A new key: returns its row and the plain key (never stored, shown once)."""
        if not name.strip():
            raise InvalidParameterError("a key needs a name")
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        row = {
            "name": name.strip(),
            "prefix": key[: len(KEY_PREFIX) + 6],
            "key_hash": hash_key(key),
            "created_at": utcnow(),
        }
        with self.engine.begin() as conn:
            key_id = conn.execute(api_keys.insert().values(**row)).inserted_primary_key[0]
        return self._public({**row, "id": key_id, "last_used_at": None, "revoked_at": None}), key

    def list(self, include_revoked: bool = True) -> list[dict[str, Any]]:
        query = sa.select(api_keys).order_by(api_keys.c.id)
        if not include_revoked:
            query = query.where(api_keys.c.revoked_at.is_(None))
        with self.engine.connect() as conn:
            return [self._public(dict(r)) for r in conn.execute(query).mappings()]

    def revoke(self, id_or_prefix: str) -> dict[str, Any]:
        """Revoke by numeric id or by the key's shown prefix."""
        column = api_keys.c.id if id_or_prefix.isdigit() else api_keys.c.prefix
        value: Any = int(id_or_prefix) if id_or_prefix.isdigit() else id_or_prefix
        with self.engine.begin() as conn:
            rows = conn.execute(sa.select(api_keys).where(column == value)).mappings().all()
            if len(rows) != 1:
                raise InvalidParameterError(f"no single key matches {id_or_prefix!r}")
            conn.execute(
                api_keys.update()
                .where(api_keys.c.id == rows[0]["id"], api_keys.c.revoked_at.is_(None))
                .values(revoked_at=utcnow())
            )
            row = conn.execute(sa.select(api_keys).where(api_keys.c.id == rows[0]["id"]))
            return self._public(dict(row.mappings().one()))

    def verify(self, key: str | None) -> ApiKey:
        """The key's identity, or :class:`AuthError` (missing, unknown or revoked)."""
        if not key:
            raise AuthError("missing API key (send it in the X-API-Key header)")
        digest = hash_key(key)
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(
                    api_keys.c.id,
                    api_keys.c.name,
                    api_keys.c.key_hash,
                    api_keys.c.revoked_at,
                    api_keys.c.last_used_at,
                ).where(api_keys.c.key_hash == digest)
            ).first()
        # The lookup is by hash (the secret never reaches the index); compare in constant time.
        if row is None or not hmac.compare_digest(row.key_hash, digest) or row.revoked_at:
            raise AuthError("invalid or revoked API key")
        last = as_utc(row.last_used_at)
        if last is None or (utcnow() - last).total_seconds() > LAST_USED_PRECISION:
            self.mark_used(row.id)
        return ApiKey(id=row.id, name=row.name)

    def mark_used(self, key_id: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                api_keys.update().where(api_keys.c.id == key_id).values(last_used_at=utcnow())
            )

    @staticmethod
    def _public(row: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": row["id"],
            "name": row["name"],
            "prefix": row["prefix"],
            "created_at": iso(row["created_at"]),
            "last_used_at": iso(row.get("last_used_at")),
            "revoked_at": iso(row.get("revoked_at")),
        }
