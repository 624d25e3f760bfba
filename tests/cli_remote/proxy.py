"""A tiny TCP proxy for the tests: plain HTTP passes through; WebSocket upgrades are refused
(the connection is closed before any answer) or cut (the 101 handshake passes, then the
connection is closed before any message). A real network failure, seen by a real client."""

from __future__ import annotations

import asyncio
import contextlib
import threading


class WebSocketBlockingProxy:
    def __init__(self, target_port: int, mode: str = "refuse") -> None:
        assert mode in ("refuse", "cut")
        self.target_port = target_port
        self.mode = mode
        self.port = 0
        self.websocket_attempts = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task] = set()

    def __enter__(self) -> WebSocketBlockingProxy:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._start(), self._loop)
        future.result(timeout=10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._server.wait_closed(), 5)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        upstream: asyncio.StreamWriter | None = None
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            websocket = b"upgrade: websocket" in head.lower()
            if websocket:
                self.websocket_attempts += 1
                if self.mode == "refuse":
                    return
            up_reader, upstream = await asyncio.open_connection("127.0.0.1", self.target_port)
            upstream.write(head)
            await upstream.drain()
            if websocket:  # cut: pass the handshake answer, then drop the connection
                writer.write(await up_reader.readuntil(b"\r\n\r\n"))
                await writer.drain()
                return
            await asyncio.gather(_pipe(reader, upstream), _pipe(up_reader, writer))
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        except asyncio.CancelledError:
            pass
        finally:
            for w in (writer, upstream):
                if w is not None:
                    w.close()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.write_eof()
