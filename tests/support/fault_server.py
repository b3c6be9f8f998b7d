"""A real HTTP server on 127.0.0.1 that serves scripted responses and faults, for tests.

Each path has a queue of `Reply` objects consumed one per request (the last one repeats).
POST requests (query APIs) are answered the same way, their body recorded.
Faults: delay past the client's timeout, a truncated body (Content-Length larger than what is
sent), a connection reset, status codes with headers (429 + Retry-After, 5xx, 304), and a check
that rejects requests without a User-Agent (403, as SEC does).
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    truncate_to: int | None = None  # send only this many bytes of the body
    reset: bool = False  # close the socket abruptly (RST) without answering
    require_user_agent: bool = False
    etag: str | None = None  # answer 304 when If-None-Match matches


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    at: float
    method: str = "GET"
    body: bytes = b""


class FaultServer:
    def __init__(self) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 (a query API: the form is recorded in Seen.body)
                length = int(self.headers.get("Content-Length") or 0)
                self.do_GET(method="POST", body=self.rfile.read(length) if length else b"")

            def do_GET(self, method: str = "GET", body: bytes = b"") -> None:  # noqa: N802
                with server._lock:
                    server.requests.append(Seen(self.path, {k.lower(): v for k, v in self.headers.items()},
                                                time.monotonic(), method, body))
                    queue = server.routes.get(self.path)
                    reply = (queue.pop(0) if len(queue) > 1 else queue[0]) if queue else Reply(404, b"not found")
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                if reply.reset:
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.rfile.close()  # the socket closes (and RSTs) only when its last file object does
                    self.connection.close()
                    self.close_connection = True
                    return
                if reply.require_user_agent and not self.headers.get("User-Agent", "").strip():
                    self._send(Reply(403, b"Undeclared automated tool"))
                    return
                if reply.etag and self.headers.get("If-None-Match") == reply.etag:
                    self._send(Reply(304, b"", {"ETag": reply.etag}))
                    return
                self._send(reply)

            def _send(self, reply: Reply) -> None:
                try:
                    self.send_response(reply.status)
                    headers = dict(reply.headers)
                    if reply.etag:
                        headers.setdefault("ETag", reply.etag)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(reply.body)))
                    if reply.truncate_to is not None:
                        self.send_header("Connection", "close")
                    self.end_headers()
                    body = reply.body if reply.truncate_to is None else reply.body[: reply.truncate_to]
                    self.wfile.write(body)
                    self.wfile.flush()
                    if reply.truncate_to is not None:
                        self.close_connection = True
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def route(self, path: str, *replies: Reply) -> None:
        with self._lock:
            self.routes[path] = list(replies)

    def hits(self, path: str) -> list[Seen]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def __enter__(self) -> FaultServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
