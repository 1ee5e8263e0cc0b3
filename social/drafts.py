"""Claude's post drafts (social_post proposals) turned into posts a person edits and approves.

A draft's proposed_value has this shape (the agent writes it, this module reads it):

    {"channels": ["instagram", "facebook"],           # one or both
     "captions": {"instagram": "...", "facebook": "..."},
     "product_ids": [12, 15],                          # catalog Product pks, in stock only
     "image_urls": ["https://.../a.jpg"],              # public http(s); the first is used
     "suggested_time": "2025-06-03T18:00:00-04:00",    # ISO-8601; no offset = brand time zone
     "first_comment": "",                              # optional, Instagram
     "link": ""}                                       # optional, Facebook

The agent's first shape is read too: {"caption": "...", "product_ids": [...],
"suggested_time": "..."} with the channel in Proposal.platform.
A draft naming a product that is out of stock is refused, whatever the agent checked.
The approval proposals this app makes itself are social_post proposals too; they carry a
"post_id" key and are never listed as drafts.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from catalog.models import Product, ProductVariant
from flux.audit.actions import audit_record
from integrations.models import InventoryLevel
from proposals.models import Proposal, ProposalKind, ProposalStatus
from social.composing import first_product_image
from social.models import Channel, Channels, Post


class DraftRefused(Exception):
    """The draft cannot become a post; the message says why."""


@dataclass(frozen=True)
class Draft:
    """A social_post draft's proposed value, parsed."""

    channels: tuple[str, ...]
    captions: dict[str, str]
    product_ids: tuple[int, ...]
    image_urls: tuple[str, ...]
    suggested_time: datetime | None
    first_comment: str
    link: str


def draft_parse(value: Any, *, platform: str = "") -> Draft:
    """Parse a draft's proposed value (the channel may come from the proposal's platform)."""
    if not isinstance(value, dict):
        raise DraftRefused("The draft is not a post.")
    named = _strings(value.get("channels")) or (platform,)
    channels = tuple(c for c in named if c in Channel.values)
    if not channels:
        raise DraftRefused("The draft names no channel.")
    raw_captions, raw_ids = value.get("captions"), value.get("product_ids")
    one = str(value.get("caption") or "")
    captions = raw_captions if isinstance(raw_captions, dict) else dict.fromkeys(channels, one)
    ids = raw_ids if isinstance(raw_ids, list) else []
    return Draft(
        channels=channels,
        captions={c: str(captions.get(c) or "") for c in channels},
        product_ids=tuple(int(i) for i in ids if isinstance(i, int) and not isinstance(i, bool)),
        image_urls=_strings(value.get("image_urls")),
        suggested_time=_when(value.get("suggested_time")),
        first_comment=str(value.get("first_comment") or ""),
        link=str(value.get("link") or ""),
    )


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise DraftRefused("The suggested time is not an ISO-8601 time.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(settings.FLUX_BRAND_TIME_ZONE))
    return moment


def in_stock() -> QuerySet[Product]:
    """Return active products with at least one SKU in stock (or unlimited)."""
    stocked = InventoryLevel.objects.filter(
        Q(quantity__gt=0) | Q(is_unlimited=True), sku=OuterRef("sku")
    )
    skus = ProductVariant.objects.filter(product=OuterRef("pk")).filter(Exists(stocked))
    return Product.objects.active().filter(Exists(skus))


def products_in_stock() -> list[Product]:
    """Return the products a post draft may name."""
    return list(in_stock().order_by("name"))


def draft_problems(value: Any, *, platform: str = "") -> list[str]:
    """Return why a draft's proposed value cannot become a post (empty: it can)."""
    try:
        draft = draft_parse(value, platform=platform)
    except DraftRefused as refused:
        return [str(refused)]
    known = set(Product.objects.filter(pk__in=draft.product_ids).values_list("pk", flat=True))
    stocked = set(in_stock().filter(pk__in=draft.product_ids).values_list("pk", flat=True))
    names = dict(Product.objects.filter(pk__in=known - stocked).values_list("pk", "name"))
    problems = [f"Product #{pk} does not exist." for pk in draft.product_ids if pk not in known]
    return problems + [f"{names[pk]} is out of stock." for pk in sorted(known - stocked)]


def drafts_open() -> QuerySet[Proposal]:
    """Return Claude's pending post drafts that no post was made from yet."""
    return (
        Proposal.objects.filter(kind=ProposalKind.SOCIAL_POST, status=ProposalStatus.PENDING)
        .exclude(proposed_value__has_key="post_id")
        .exclude(social_posts__isnull=False)
        .order_by("-created_at")
    )


def draft_to_post(*, proposal: Proposal, user: User) -> Post:
    """Make a draft post from a Claude draft, refusing out-of-stock products."""
    if proposal.kind != ProposalKind.SOCIAL_POST or proposal.status != ProposalStatus.PENDING:
        raise DraftRefused("Only a pending post draft can be edited as a post.")
    existing = Post.objects.filter(draft_proposal=proposal).first()
    if existing is not None:
        return existing
    problems = draft_problems(proposal.proposed_value, platform=proposal.platform)
    if problems:
        raise DraftRefused(" ".join(problems))
    draft = draft_parse(proposal.proposed_value, platform=proposal.platform)
    return _post_from(draft, proposal, user)


def _post_from(draft: Draft, proposal: Proposal, user: User) -> Post:
    products = list(Product.objects.filter(pk__in=draft.product_ids))
    images = list(draft.image_urls) or first_product_image(products)
    with transaction.atomic():
        post = Post.objects.create(
            title=proposal.target_label[:120],
            channels=Channels.BOTH if len(draft.channels) == 2 else draft.channels[0],
            caption_facebook=draft.captions.get(Channel.FACEBOOK, ""),
            caption_instagram=draft.captions.get(Channel.INSTAGRAM, ""),
            image_urls=images,
            first_comment=draft.first_comment,
            link=draft.link,
            scheduled_at=draft.suggested_time,
            draft_proposal=proposal,
            author=user,
        )
        post.products.set(products)
        audit_record(
            actor=user, action="social.post.from_draft", target=post, after={"draft": proposal.pk}
        )
    return post
