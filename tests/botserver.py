"""A real HTTP server on 127.0.0.1 playing a group bot, with scripted replies."""

from __future__ import annotations

import collections
import json
import select
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable


def pause(seconds: float) -> None:
    """Sleep in a server thread. select() rather than time.sleep(): under faketime (the suite is
    also run with the clock set years ahead) a thread's time.sleep fails with EINVAL."""
    select.select([], [], [], seconds)


@dataclass
class Reply:
    status: int = 200
    # A callable body is given the recorded request (path, headers, body) and returns the answer:
    # a platform that echoes parts of the request back, such as DingTalk's signature errors.
    body: dict | str | Callable[[dict], dict | str] = field(default_factory=lambda: {"errcode": 0, "errmsg": "ok"})
    headers: dict = field(default_factory=dict)
    delay: float = 0.0
    content_type: str = "application/json"
    trickle: float = 0.0        # seconds between single bytes of the answer
    hang_up: bool = False       # read the request, then close without answering
    size: int = 0               # pad the answer to this many bytes


class BotServer:
    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.replies: collections.deque[Reply] = collections.deque()
        self.default = Reply()
        self.limited = Reply(body={"errcode": 45009, "errmsg": "api freq out of limit"})
        self.limited_until = 0.0    # answer `limited` to everything until this time
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                request = {"path": self.path, "headers": dict(self.headers),
                           "body": json.loads(raw.decode("utf-8")), "time": time.time()}
                with owner.lock:
                    owner.requests.append(request)
                    if time.time() < owner.limited_until:
                        reply = owner.limited
                    else:
                        reply = owner.replies.popleft() if owner.replies else owner.default
                if reply.delay:
                    pause(reply.delay)
                if reply.hang_up:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                body = reply.body(request) if callable(reply.body) else reply.body
                data = body if isinstance(body, str) else json.dumps(body)
                encoded = data.encode("utf-8")
                if reply.size > len(encoded):
                    encoded += b" " * (reply.size - len(encoded))
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    self.send_header("Content-Length", str(len(encoded)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    if reply.trickle:
                        for index in range(len(encoded)):
                            self.wfile.write(encoded[index:index + 1])
                            self.wfile.flush()
                            pause(reply.trickle)
                    else:
                        self.wfile.write(encoded)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def url(self, path: str = "/cgi-bin/webhook/send?key=SECRETKEY0123456789") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def limit_with(self, retry_after: str, seconds: float = 60.0) -> None:
        """Answer HTTP 429 with this Retry-After header to everything for `seconds`."""
        self.limited = Reply(status=429, body="too many requests", content_type="text/plain",
                             headers={"Retry-After": retry_after})
        self.limited_until = time.time() + seconds

    def bodies(self) -> list[dict]:
        with self.lock:
            return [r["body"] for r in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
