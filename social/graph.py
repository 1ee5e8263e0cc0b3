"""The Graph API calls publishing needs, through the Meta provider's SDK client, parsed strictly.

Facebook: `POST /{page_id}/feed` (message, link). Instagram: `POST /{ig_user_id}/media`
(image_url, caption) makes a container; `GET /{container_id}?fields=status_code,status`
until FINISHED; `POST /{ig_user_id}/media_publish` (creation_id). Only the container call is
retried blindly (a spare container is never published); the feed post and media_publish are
sent once per attempt, and a later attempt looks for the earlier one's result first.
"""

from dataclasses import dataclass
from typing import Any

from integrations.http import PermanentError
from integrations.meta.client import MetaClient, client_for
from integrations.meta.parse import PROVIDER, MalformedResponse
from integrations.models import Connection, ConnectionStatus

RECENT = 25  # items searched when looking for an earlier attempt's post


@dataclass(frozen=True)
class ContainerState:
    """An Instagram container's status_code (IN_PROGRESS, FINISHED, ERROR, EXPIRED, PUBLISHED)."""

    code: str
    message: str


@dataclass
class SocialGraph:
    """One Page and its Instagram account, seen through the Page token."""

    client: MetaClient
    page_id: str
    ig_user_id: str

    def feed_post(self, *, message: str, link: str) -> str:
        """Publish a Page feed post and return its id."""
        params = {"message": message, **({"link": link} if link else {})}
        return _id(self.client.post((self.page_id, "feed"), params, retry=False))

    def feed_find(self, message: str) -> str | None:
        """Return the id of a recent Page post with exactly this message, if any."""
        body = self.client.get((self.page_id, "feed"), {"fields": "id,message", "limit": RECENT})
        return _match(body, "message", message)

    def container_create(self, *, image_url: str, caption: str) -> str:
        """Create an Instagram image container and return its id."""
        params = {"image_url": image_url, "caption": caption}
        return _id(self.client.post((self.ig_user_id, "media"), params, retry=True))

    def container_state(self, container_id: str) -> ContainerState:
        """Read a container's status."""
        body = self.client.get((container_id,), {"fields": "status_code,status"})
        if not isinstance(body, dict) or not isinstance(body.get("status_code"), str):
            raise MalformedResponse("container without a status_code", provider=PROVIDER)
        return ContainerState(body["status_code"], str(body.get("status") or ""))

    def media_publish(self, container_id: str) -> str:
        """Publish a finished container and return the media id."""
        params = {"creation_id": container_id}
        return _id(self.client.post((self.ig_user_id, "media_publish"), params, retry=False))

    def media_find(self, caption: str) -> str | None:
        """Return the id of a recent Instagram media item with exactly this caption, if any."""
        params = {"fields": "id,caption", "limit": RECENT}
        return _match(self.client.get((self.ig_user_id, "media"), params), "caption", caption)

    def permalink(self, object_id: str, *, instagram: bool) -> str:
        """Return a published object's public link."""
        name = "permalink" if instagram else "permalink_url"
        body = self.client.get((object_id,), {"fields": name})
        value = body.get(name) if isinstance(body, dict) else None
        return value if isinstance(value, str) and value.startswith("https://") else ""

    def comment_find(self, media_id: str, message: str) -> str | None:
        """Return the id of a comment on the media with exactly this text, if any."""
        params = {"fields": "id,text", "limit": RECENT}
        return _match(self.client.get((media_id, "comments"), params), "text", message)

    def comment_create(self, media_id: str, message: str) -> str:
        """Comment on a published Instagram media item and return the comment id."""
        return _id(self.client.post((media_id, "comments"), {"message": message}, retry=False))


def _id(body: Any) -> str:
    if not isinstance(body, dict) or not isinstance(body.get("id"), str) or not body["id"]:
        raise MalformedResponse("answer without an id", provider=PROVIDER)
    return str(body["id"])


def _match(body: Any, key: str, text: str) -> str | None:
    rows = body.get("data") if isinstance(body, dict) else None
    for row in rows if isinstance(rows, list) else []:
        if isinstance(row, dict) and row.get(key) == text and isinstance(row.get("id"), str):
            return str(row["id"])
    return None


def meta_connection() -> Connection:
    """Return the active Meta connection that has a Page (and maybe Instagram) chosen."""
    found = (
        Connection.objects.filter(provider="meta", status=ConnectionStatus.ACTIVE)
        .select_related("credential")
        .order_by("pk")
    )
    for connection in found:
        if connection.options.get("page_id"):
            return connection
    raise PermanentError("No active Meta connection with a Facebook Page", provider=PROVIDER)


def graph_for(connection: Connection) -> SocialGraph:
    """Return the publishing calls for a connection's Page and Instagram account."""
    options = connection.options
    return SocialGraph(
        client_for(connection, page=True),
        page_id=str(options.get("page_id") or ""),
        ig_user_id=str(options.get("ig_user_id") or ""),
    )
