"""Work run in a thread beside the caller's (the engine runs in its own process meanwhile)."""

from __future__ import annotations

import contextlib
import os
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any


class Background:
    """``fn()`` started in a daemon thread; :meth:`result` waits for it and returns its value
    or re-raises its error in the caller's thread. ``low_priority``: the thread yields the CPU
    to other processes' threads."""

    def __init__(self, fn: Callable[[], Any], name: str, *, low_priority: bool = False) -> None:
        self._value: Any = None
        self._error: BaseException | None = None

        def run() -> None:
            if low_priority:
                _lower_priority()
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


def _lower_priority() -> None:
    """Lower the calling thread's priority (Linux sets it per thread), so that other processes'
    threads go first on a busy machine: work beside the engine's build leaves the second core
    to V8's garbage-collector threads."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


class Prefetch:
    """Iterates ``items`` in a daemon thread, up to ``ahead`` items before the consumer: the
    producer's Python work overlaps whatever the consumer does with the GIL released (a
    database driver sending or storing the previous item). An error of the producer is raised
    in the consumer's thread at the point it would have come; :meth:`close` stops the producer
    when the consumer ends early."""

    def __init__(self, items: Iterable[Any], ahead: int, name: str) -> None:
        self._items = iter(items)
        self._queue: queue.Queue = queue.Queue(maxsize=max(1, ahead))
        self._stop = threading.Event()
        self._done = object()
        threading.Thread(target=self._produce, name=name, daemon=True).start()

    def _produce(self) -> None:
        try:
            for item in self._items:
                if not self._put(item):
                    return
            self._put(self._done)
        except BaseException as exc:  # handed to the consumer's thread
            self._put(_Failure(exc))

    def _put(self, item: Any) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        item = self._queue.get()
        if item is self._done:
            self._queue.put(item)  # later calls stop too
            raise StopIteration
        if isinstance(item, _Failure):
            self.close()
            raise item.error
        return item

    def close(self) -> None:
        self._stop.set()


class _Failure:
    __slots__ = ("error",)

    def __init__(self, error: BaseException) -> None:
        self.error = error
