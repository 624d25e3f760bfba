"""Per-key upload rate limit: a sliding window, in Redis when there is one, else in memory."""

from __future__ import annotations

import time
import uuid
from collections import deque

from xlimport.errors import RateLimitedError


class MemoryRateLimiter:
    """Sliding-window log per key, for a single server process."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._hits: dict[str, deque[float]] = {}

    async def hit(self, key: str) -> None:
        if self.limit <= 0:
            return
        now = time.monotonic()
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            raise _limited(self.limit, self.window, hits[0] + self.window - now)
        hits.append(now)


class RedisRateLimiter:
    """Sliding-window log in a Redis sorted set, shared by every server process."""

    def __init__(self, redis, limit: int, window: float, prefix: str) -> None:  # noqa: ANN001
        self.redis = redis
        self.limit = limit
        self.window = window
        self.prefix = prefix

    async def hit(self, key: str) -> None:
        if self.limit <= 0:
            return
        name = f"{self.prefix}ratelimit:upload:{key}"
        now = time.time()
        member = f"{now}:{uuid.uuid4().hex[:8]}"
        pipe = self.redis.pipeline(transaction=True)
        pipe.zremrangebyscore(name, 0, now - self.window)
        pipe.zadd(name, {member: now})
        pipe.zcard(name)
        pipe.zrange(name, 0, 0, withscores=True)
        pipe.expire(name, int(self.window) + 1)
        _, _, count, oldest, _ = await pipe.execute()
        if count > self.limit:
            await self.redis.zrem(name, member)
            first = oldest[0][1] if oldest else now
            raise _limited(self.limit, self.window, first + self.window - now)


def _limited(limit: int, window: float, retry_after: float) -> RateLimitedError:
    return RateLimitedError(
        f"upload rate limit reached ({limit} per {window:g} s); retry in {max(retry_after, 0):.0f} s",
        retry_after=max(retry_after, 0.0),
    )
