"""A real HTTP receiver for webhook tests: listens on 127.0.0.1, records requests, answers as told."""

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers each request with the next status in `answers` (200 once they run out)."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    headers_to_send: dict[str, str] = field(default_factory=dict)

    def answer(self, *statuses: int) -> None:
        self.answers.extend(statuses)

    @property
    def events(self) -> list[str]:
        return [request.headers["X-Cocreate-Event"] for request in self.requests]


def _handler(receiver: Receiver, lock: threading.Lock):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the name http.server calls
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                receiver.requests.append(Received(self.path, dict(self.headers.items()), body))
                status = receiver.answers.pop(0) if receiver.answers else 200
            self.send_response(status)
            for name, value in receiver.headers_to_send.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    return Handler


@contextmanager
def running_receiver(app) -> Iterator[Receiver]:
    """A local receiver; private targets are allowed while it runs (WEBHOOK_ALLOW_PRIVATE)."""
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    target = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(target, threading.Lock()))
    target.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield target
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
