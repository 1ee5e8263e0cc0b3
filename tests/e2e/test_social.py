"""In a real browser: compose a post (product image, autosave, errors beside fields), approve it,
move it.

The author writes and submits; another operator approves and schedules; dragging the post to
another day on the calendar voids that approval and asks for a fresh one.
"""

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from catalog.models import Product
from flux.accounts.roles import Role
from social.forms import brand_zone
from social.models import Post, PostStatus
from tests.social.conftest import ImageHost, images  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def role_groups(db: None) -> None:
    """Bring back the role groups a transactional test's flush removed."""
    for role in Role:
        Group.objects.get_or_create(name=role.group_name)


def switch_user(page: Any, sign_in: Any, user: User) -> None:
    page.context.clear_cookies()
    sign_in(page, user)


def test_a_post_is_composed_approved_scheduled_and_moved_on_the_calendar(
    browser_page: Any, sign_in: Any, live_server: Any, images: ImageHost,  # noqa: F811
    make_user: Any, screenshot: Any,
) -> None:  # fmt: skip
    page, base = browser_page, live_server.url
    author, approver = make_user("paula-author", "operator"), make_user("abe-approver", "operator")
    when = (timezone.now() + timedelta(days=3)).astimezone(brand_zone()).replace(hour=10, minute=0)
    driver = Product.objects.create(name="Torque Driver", slug="torque-driver", price=4500,
                                    unit_cost=1500, image_url=images("portrait.jpg"))  # fmt: skip

    # Compose: a draft, then autosave with a quick check beside the typing.
    sign_in(page, author)
    page.goto(f"{base}/social/new/")
    page.fill("#id_title", "Torque driver launch")
    page.fill("#id_caption_facebook", "The torque driver is in the shop.")
    # The image comes from the selected product's catalog image.
    assert not page.is_visible("text=Use this image")
    page.select_option("#id_products", label="Torque Driver")
    page.click("text=Use this image")
    assert page.input_value("#id_image_urls") == images("portrait.jpg")
    page.fill("#id_scheduled_at", when.strftime("%Y-%m-%dT%H:%M"))
    page.click("text=Create draft")
    page.wait_for_url("**/edit/")
    post = Post.objects.get()
    assert (post.image_urls, list(post.products.all())) == ([images("portrait.jpg")], [driver])
    page.fill("#id_caption_instagram", "Tight bolts. " + " ".join(f"#t{n}" for n in range(30)))
    page.locator("#id_caption_instagram").press_sequentially(" #more")  # keyup, as typed
    page.wait_for_selector("#autosave-status:has-text('Instagram allows 30 hashtags')")
    assert "Draft saved at" in page.inner_text("#autosave-status")
    screenshot(page, "social-composer-autosave")

    # Submitting checks every rule: the error shows beside its field.
    page.click("button[value=submit]")
    page.wait_for_selector("#id_caption_instagram-error")
    assert "30 hashtags" in page.inner_text("#id_caption_instagram-error")
    page.fill("#id_caption_instagram", "Tight bolts, every time. #tools")
    page.click("button[value=submit]")
    page.wait_for_selector("text=Awaiting approval")
    assert "Waiting for another operator" in page.inner_text(
        "section[aria-labelledby=approval-heading]"
    )

    # Another operator approves and schedules.
    switch_user(page, sign_in, approver)
    page.goto(f"{base}/social/{post.pk}/")
    page.fill("#id_note", "Good to go")
    page.click("button:has-text('Approve')")
    page.wait_for_selector("#post-status:has-text('Approved')")
    page.click("button:has-text('Schedule')")
    page.wait_for_selector("#post-status:has-text('Scheduled')")
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED

    # The calendar shows it; dragging it a day later needs a fresh approval.
    page.goto(f"{base}/social/calendar/?date={when.date().isoformat()}")
    card = f"#calendar-post-{post.pk}"
    assert page.is_visible(card)
    next_day = (when + timedelta(days=1)).date().isoformat()
    with page.expect_navigation():
        page.drag_and_drop(card, f"td[data-drop-day='{next_day}']")
    page.wait_for_selector(f"td[data-drop-day='{next_day}'] {card}")
    assert "needs a fresh approval" in page.inner_text("main")
    screenshot(page, "social-calendar-moved")
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT
    assert post.proposal is not None
    assert post.proposal.status == "pending"
    page.goto(f"{base}/social/calendar/?view=week&date={next_day}")
    assert page.is_visible(card)
