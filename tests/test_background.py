"""Threads beside the engine (xlimport._background)."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from xlimport._background import Background


def _niceness() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread priority: Linux")
def test_low_priority_lowers_only_its_own_thread() -> None:
    base = _niceness()
    low = Background(_niceness, "low", low_priority=True).result()
    normal = Background(_niceness, "normal").result()
    assert low == max(base, 10)
    assert normal == base and _niceness() == base


def test_background_hands_its_error_to_the_caller() -> None:
    def fail() -> None:
        raise ValueError("boom")

    job = Background(fail, "failing", low_priority=True)
    with pytest.raises(ValueError, match="boom"):
        job.result()
    assert job.result(reraise=False) is None
