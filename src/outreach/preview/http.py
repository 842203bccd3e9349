"""Serving the preview's ASGI app on 127.0.0.1 with uvicorn, with the limits a local server needs.

Connections are coroutines, not threads: hundreds of slow or idle clients cost little and
cannot starve normal requests. uvicorn itself has no deadline for a request's headers, so
the protocol below closes a connection that has not sent a whole request head within
HEADER_DEADLINE seconds (a "slow loris" or a forgotten socket); idle keep-alive connections
close after KEEP_ALIVE seconds; beyond MAX_CONNECTIONS uvicorn answers 503 at once.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import socket
from typing import Callable

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_DEADLINE = 10.0      # seconds to send a whole request line and headers
KEEP_ALIVE = 5              # seconds an idle keep-alive connection stays open
MAX_CONNECTIONS = 4000      # connections and requests in progress; more get 503 at once
MAX_HEADER_BYTES = 64 * 1024
WANTED_OPEN_FILES = 8192


class DeadlineProtocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a deadline for each request head."""

    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        cycle = self.cycle
        waiting = cycle is None or cycle.response_complete
        if waiting and self._head_timer is None:
            self._arm()   # the first bytes of the next request on a kept-alive connection
        super().data_received(data)
        if self.cycle is not cycle:
            self._disarm()   # a whole request head arrived

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._head_timer = self.loop.call_later(HEADER_DEADLINE, self._expired)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _expired(self) -> None:
        self._head_timer = None
        if (self.cycle is None or self.cycle.response_complete) and not self.transport.is_closing():
            self.transport.close()


class _OneLine(logging.Formatter):
    """What uvicorn reports reaches the terminal as one plain line, never a traceback."""

    def format(self, record: logging.LogRecord) -> str:
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            return f"预览服务器处理请求时出错：{type(error).__name__}: {error}"
        return f"预览服务器：{record.getMessage()}"


def _quiet_logging() -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(_OneLine())
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(logging.ERROR)   # 503s and malformed requests are answered, not printed
        logger.propagate = False
    logging.getLogger("uvicorn.access").disabled = True


def raise_open_file_limit() -> None:
    """Each connection is a file descriptor: allow a few thousand (within the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = WANTED_OPEN_FILES if hard == resource.RLIM_INFINITY else min(WANTED_OPEN_FILES, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def listen(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1 (OSError when the port is taken), bound before the
    server starts so the command can print the real port at once."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
        sock.listen(256)
    except OSError:
        sock.close()
        raise
    return sock


class LocalServer(uvicorn.Server):
    """uvicorn's server, telling the preview when it starts to stop (SIGINT, SIGTERM)."""

    def __init__(self, config: uvicorn.Config, on_exit: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_exit = on_exit

    def handle_exit(self, sig, frame) -> None:
        self._on_exit()
        super().handle_exit(sig, frame)


def make_server(app, on_exit: Callable[[], None]) -> LocalServer:
    _quiet_logging()
    raise_open_file_limit()
    config = uvicorn.Config(
        app, http=DeadlineProtocol, lifespan="off", log_config=None, access_log=False,
        limit_concurrency=MAX_CONNECTIONS, timeout_keep_alive=KEEP_ALIVE, timeout_graceful_shutdown=3,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES, server_header=False, date_header=False,
        ws="none", interface="asgi3",
    )
    return LocalServer(config, on_exit)
