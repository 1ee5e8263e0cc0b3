"""The Meta sandbox and an image host on loopback, a Meta connection, authors and approvers."""

import struct
import threading
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from integrations.models import Connection
from sandbox.platforms.meta import SYSTEM_USER_TOKEN, MetaApp, MetaPlatform
from sandbox.server import Sandbox, SandboxOptions
from sandbox.testing import running_sandbox
from social.composing import PostFields, post_create
from social.models import Post

ANCHOR = datetime(2026, 11, 20, tzinfo=UTC)


def jpeg_header(width: int, height: int) -> bytes:
    """Return the first bytes of a baseline JPEG: SOI, an APP0 segment, then SOF0."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, height, width, 3) + b"\x01\x22\x00" * 3
    return b"\xff\xd8" + app0 + sof0 + b"\x00" * 64


def png_header(width: int, height: int) -> bytes:
    """Return the signature and IHDR chunk of a PNG."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (
        b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))
    )


IMAGES = {
    "/square.jpg": jpeg_header(1080, 1080),
    "/portrait.jpg": jpeg_header(1080, 1350),
    "/story.jpg": jpeg_header(1080, 1920),
    "/photo.png": png_header(1080, 1080),
    "/notes.txt": b"not an image at all",
}


@dataclass
class ImageHost:
    url: str

    def __call__(self, name: str) -> str:
        return f"{self.url}/{name}"


@pytest.fixture(scope="session")
def images() -> Iterator[ImageHost]:
    """Serve a few image headers on loopback, as a public image host would."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        body = IMAGES.get(Request(environ).path)
        response = Response(body, 200) if body is not None else Response(b"", 404)
        return response(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield ImageHost(f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    server.server_close()


@dataclass
class Meta:
    platform: MetaPlatform
    url: str

    def writes(self, route: str) -> list[Any]:
        return [w for w in self.platform.writes if w.route == route]


@pytest.fixture
def meta(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Meta]:
    """The Meta sandbox with the app pointed at it; no real waiting between polls."""
    platform = MetaPlatform(SandboxOptions(seed=5), anchor=ANCHOR)
    with running_sandbox(Sandbox([platform])) as url:
        settings.META_GRAPH_URL = settings.META_DIALOG_URL = f"{url}/meta"
        settings.META_APP_ID, settings.META_APP_SECRET = MetaApp.app_id, MetaApp.app_secret
        settings.FLUX_SOCIAL_POLL_SECONDS = 0
        monkeypatch.setattr("integrations.meta.client.pause", lambda seconds: None)
        yield Meta(platform, f"{url}/meta")


@pytest.fixture
def connection(meta: Meta, db: None) -> Connection:
    """Connect the sandbox's system-user token; the Page and Instagram come with it."""
    account = meta.platform.brand.accounts[0].act_id
    call_command("connect", "meta", "--api-key", SYSTEM_USER_TOKEN, "--account", account, "--json")
    return Connection.objects.get(provider="meta")


@pytest.fixture
def author(make_user: Callable[[str, str | None], User]) -> User:
    return make_user("paula-author", "operator")


@pytest.fixture
def approver(make_user: Callable[[str, str | None], User]) -> User:
    return make_user("abe-approver", "operator")


@pytest.fixture
def compose(author: User, images: ImageHost) -> Callable[..., Post]:
    """Write a valid post for both channels an hour from now; keyword arguments override."""

    def make(user: User | None = None, **values: Any) -> Post:
        fields = {
            "title": "Caliper launch",
            "channels": "both",
            "caption_facebook": "Our new caliper is in the shop.",
            "caption_instagram": "New caliper on the bench. #engineering #tools",
            "image_urls": [images("square.jpg")],
            "first_comment": "Link in bio.",
            "scheduled_at": timezone.now() + timedelta(hours=1),
            **values,
        }
        return post_create(user=user or author, fields=PostFields(fields))

    return make
