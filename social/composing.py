"""Create and edit posts; a change to approved content or time voids the approval.

A post that names products but gives no image is saved with the first product's catalog image.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from catalog.models import Product
from flux.audit.actions import audit_record
from proposals.models import ProposalStatus
from social.approval import PostInvalid, PostRefused, approval_void, post_submit
from social.content import content_hash
from social.models import Post, PostStatus
from social.validation import Problems as PostProblems

CONTENT_FIELDS = (
    "title", "channels", "caption_facebook", "caption_instagram", "image_urls",
    "first_comment", "link", "scheduled_at",
)  # fmt: skip


@dataclass(frozen=True)
class PostFields:
    """What the composer sends: every editable field of a post."""

    values: dict[str, Any]
    products: list[Product] = field(default_factory=list)


def first_product_image(products: Iterable[Product]) -> list[str]:
    """Return the first of the products' catalog images, as a post's image list (or none)."""
    return [product.image_url for product in products if product.image_url][:1]


def post_create(*, user: User, fields: PostFields) -> Post:
    """Store a new draft by `user`."""
    with transaction.atomic():
        post = Post.objects.create(author=user, **_known(_with_image(fields)))
        post.products.set(fields.products)
        audit_record(actor=user, action="social.post.create", target=post, after={"id": post.pk})
    return post


def post_update(*, post: Post, user: User, fields: PostFields, autosave: bool = False) -> Post:
    """Save the composer's fields; changed content voids any approval."""
    if not post.is_editable:
        raise PostRefused(f"A {post.get_status_display().lower()} post cannot be edited.")
    before = content_hash(post.content())
    for name, value in _known(_with_image(fields)).items():
        setattr(post, name, value)
    changed = content_hash(post.content()) != before
    with transaction.atomic():
        post.save()
        post.products.set(fields.products)
        if changed:
            approval_void(post=post, actor=user, reason="The content or time changed.")
        if not autosave:
            audit_record(actor=user, action="social.post.update", target=post, after=_summary(post))
    return post


def post_reschedule(*, post: Post, user: User, when: datetime) -> tuple[Post, PostProblems]:
    """Move a post to `when`; an approved one needs (and is submitted for) a fresh approval."""
    if not post.is_editable:
        raise PostRefused(f"A {post.get_status_display().lower()} post cannot be moved.")
    was_approved = post.status != PostStatus.DRAFT or _pending(post)
    fields = _same_fields(post)
    post_update(post=post, user=user, fields=PostFields({**fields.values, "scheduled_at": when},
                                                        fields.products))  # fmt: skip
    if not was_approved:
        return post, {}

    try:
        post_submit(post=post, user=user)
    except PostInvalid as invalid:
        return post, invalid.problems
    return post, {}


def _pending(post: Post) -> bool:
    return post.proposal is not None and post.proposal.status == ProposalStatus.PENDING


def _same_fields(post: Post) -> PostFields:
    values = {name: getattr(post, name) for name in CONTENT_FIELDS}
    return PostFields(values, list(post.products.all()))


def _with_image(fields: PostFields) -> dict[str, Any]:
    """Return the values, a post naming products but no image taking the first product's."""
    if fields.values.get("image_urls") or not fields.products:
        return fields.values
    return {**fields.values, "image_urls": first_product_image(fields.products)}


def _known(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k in CONTENT_FIELDS}


def _summary(post: Post) -> dict[str, Any]:
    return {"status": post.status, "content_hash": content_hash(post.content())}
