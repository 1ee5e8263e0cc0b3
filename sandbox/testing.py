"""Run the sandbox in a background thread for tests and other in-process users."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from sandbox.server import Sandbox, build_sandbox

LOOPBACK = "127.0.0.1"


class QuietRequestHandler(WSGIRequestHandler):
    """Serve without access-log lines: they flood the demo and carry OAuth state in URLs."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


def start_server(app: Sandbox, port: int = 0) -> BaseWSGIServer:
    """Bind a threaded server for `app` on loopback; port 0 picks a free one."""
    return make_server(LOOPBACK, port, app, threaded=True, request_handler=QuietRequestHandler)


@contextmanager
def running_sandbox(app: Sandbox | None = None) -> Iterator[str]:
    """Serve the sandbox (or `app`) on a free loopback port and yield its base URL."""
    server = start_server(app or build_sandbox())
    thread = threading.Thread(target=server.serve_forever, name="sandbox", daemon=True)
    thread.start()
    try:
        yield f"http://{LOOPBACK}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def running_google_ads(app: Sandbox) -> Iterator[tuple[str, str]]:
    """Serve the sandbox's Google Ads gRPC API; yield (endpoint, CA certificate path)."""
    from sandbox.platforms.google_ads import GoogleAdsPlatform
    from sandbox.platforms.google_ads_server import google_ads_server

    platform = app.platforms["google_ads"]
    assert isinstance(platform, GoogleAdsPlatform)  # noqa: S101 - build_sandbox mounts it
    running = google_ads_server(platform)
    try:
        yield running.endpoint, str(running.ca_file)
    finally:
        running.stop()
