"""A loopback HTTP server that answers from a script, for testing the HTTP wrapper."""

import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response


@dataclass
class Scripted:
    status: int = 200
    body: str = "{}"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class ScriptedServer:
    """Answer each request with the next scripted response; record what arrived."""

    script: deque[Scripted] = field(default_factory=deque)
    received: list[Request] = field(default_factory=list)
    url: str = ""

    def then(self, status: int = 200, body: str = "{}", **kwargs: Any) -> "ScriptedServer":
        self.script.append(Scripted(status, body, **kwargs))
        return self

    def __call__(self, environ, start_response):
        request = Request(environ)
        request.get_data()
        self.received.append(request)
        answer = self.script.popleft() if self.script else Scripted(status=599, body="unscripted")
        time.sleep(answer.delay)
        response = Response(answer.body, status=answer.status, headers=answer.headers)
        response.content_type = "application/json"
        return response(environ, start_response)


class QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Keep test output free of access-log lines."""


@contextmanager
def scripted_server() -> Iterator[ScriptedServer]:
    app = ScriptedServer()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    app.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield app
    finally:
        server.shutdown()
        thread.join(timeout=5)
