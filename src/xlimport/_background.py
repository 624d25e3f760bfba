"""Work run in a thread beside the caller's (the engine runs in its own process meanwhile)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class Background:
    """``fn()`` started in a daemon thread; :meth:`result` waits for it and returns its value
    or re-raises its error in the caller's thread."""

    def __init__(self, fn: Callable[[], Any], name: str) -> None:
        self._value: Any = None
        self._error: BaseException | None = None

        def run() -> None:
            try:
                self._value = fn()
            except BaseException as exc:  # handed to the caller's thread
                self._error = exc

        self._thread = threading.Thread(target=run, name=name, daemon=True)
        self._thread.start()

    def result(self, reraise: bool = True) -> Any:
        self._thread.join()
        if reraise and self._error is not None:
            raise self._error
        return self._value
