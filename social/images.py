"""Read an image's format and size from the first bytes at its public URL.

The request goes through the shared HTTP wrapper with a short timeout, asks for the first
bytes only (Range) and reads at most READ_CAP bytes whatever the server sends. JPEG and PNG
headers are parsed here; nothing is decoded or stored.
"""

import ipaddress
import socket
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings

from integrations.http import HttpClient, ProviderError, RetryPolicy

READ_CAP = 256 * 1024
PROBE_POLICY = RetryPolicy(max_attempts=2, backoff_base=0.2, connect_timeout=3, read_timeout=5)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Start-of-frame markers carry the size; C4 (DHT), C8 (JPG) and CC (DAC) are not frames.
SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


class ImageUnreadable(Exception):
    """The URL does not lead to a JPEG or PNG image we could read; the message says why."""


@dataclass(frozen=True)
class ImageInfo:
    """What the first bytes of an image say."""

    url: str
    format: str  # "jpeg" or "png"
    width: int
    height: int


class _CappedSession(requests.Session):
    """A session that streams, so the caller reads only the bytes it wants."""

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs["stream"] = True
        return super().request(*args, **kwargs)


def image_probe(url: str, *, session: requests.Session | None = None) -> ImageInfo:
    """Fetch the first bytes of an image and return its format and size."""
    _check_address(url)
    client = HttpClient(
        provider="images", base_url="", policy=PROBE_POLICY, session=session or _CappedSession()
    )
    try:
        response = client.request("GET", url, headers={"Range": f"bytes=0-{READ_CAP - 1}"})
    except ProviderError as error:
        raise ImageUnreadable(
            f"The image could not be fetched ({error.status or error})."
        ) from None
    try:
        head = response.raw.read(READ_CAP) if response.raw is not None else response.content
    finally:
        response.close()
    return image_info(url, head)


def image_info(url: str, head: bytes) -> ImageInfo:
    """Parse the format and size from an image's first bytes."""
    for parser in PARSERS:
        found = parser(head)
        if found is not None:
            return ImageInfo(url, *found)
    raise ImageUnreadable("This is not a JPEG or PNG image (or its header is cut short).")


def _png_size(head: bytes) -> tuple[str, int, int] | None:
    if not head.startswith(PNG_SIGNATURE) or head[12:16] != b"IHDR" or len(head) < 24:
        return None
    width, height = struct.unpack(">II", head[16:24])
    return "png", width, height


def _jpeg_size(head: bytes) -> tuple[str, int, int] | None:
    if not head.startswith(b"\xff\xd8"):
        return None
    at = 2
    while at + 9 <= len(head):
        if head[at] != 0xFF:
            return None
        marker = head[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in SOF_MARKERS:
            height, width = struct.unpack(">HH", head[at + 5 : at + 9])
            return "jpeg", width, height
        at += 2 + struct.unpack(">H", head[at + 2 : at + 4])[0]
    return None


PARSERS: tuple[Callable[[bytes], tuple[str, int, int] | None], ...] = (_png_size, _jpeg_size)


def _check_address(url: str) -> None:
    """Refuse non-web URLs, and private addresses in production (Meta could not fetch them)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ImageUnreadable("An image URL starts with http:// or https://.")
    if settings.FLUX_SOCIAL_PRIVATE_IMAGES:
        return
    if any(not address.is_global for address in _addresses(parts.hostname)):
        raise ImageUnreadable("The image must be on a public address Meta can fetch.")


def _addresses(host: str) -> set[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """Every address the host name resolves to: a public-looking name can point inside."""
    try:
        return {ipaddress.ip_address(host)}
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as error:
        raise ImageUnreadable(f"The image's host {host} could not be found.") from error
    return {ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found}
