"""The social pages: composer errors beside fields, autosave, approval rules, calendar moves."""

from datetime import timedelta

import pytest
from django.utils import timezone

from proposals.models import ProposalStatus
from social.approval import post_approve, post_schedule, post_submit
from social.forms import brand_zone
from social.models import Post, PostChannel, PostStatus

pytestmark = pytest.mark.django_db


def local_input(moment):
    return moment.astimezone(brand_zone()).strftime("%Y-%m-%dT%H:%M")


def form_data(images, **overrides):
    data = {
        "title": "Bench vise",
        "channels": "both",
        "caption_facebook": "The bench vise is back.",
        "caption_instagram": "Back on the bench. #vise",
        "image_urls": images("portrait.jpg"),
        "scheduled_at": local_input(timezone.now() + timedelta(days=2)),
    }
    return {**data, **overrides}


def test_the_composer_creates_a_draft_in_the_brand_time_zone(client, author, images):
    client.force_login(author)
    data = form_data(images, scheduled_at="2031-06-03T18:30")

    response = client.post("/social/new/", data)

    post = Post.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/social/{post.pk}/edit/"
    assert post.scheduled_at is not None
    local = post.scheduled_at.astimezone(brand_zone())
    assert (local.hour, local.minute) == (18, 30)
    assert post.status == PostStatus.DRAFT
    assert post.author == author


def test_validation_errors_show_beside_their_fields_before_approval(client, author, images):
    client.force_login(author)
    client.post("/social/new/", form_data(images))
    post = Post.objects.get()
    caption = "x " + " ".join(f"#tag{n}" for n in range(31))
    data = form_data(images, caption_instagram=caption, image_urls=images("story.jpg"),
                     link="ftp://example.com/x", action="submit")  # fmt: skip

    page = client.post(f"/social/{post.pk}/edit/", data).content.decode()

    assert 'id="id_caption_instagram-error">Instagram allows 30 hashtags; this has 31.' in page
    assert 'id="id_image_urls-error">Instagram accepts aspect ratios from 4:5 to 1.91:1' in page
    assert 'id="id_link-error">The link must start with http:// or https://.' in page
    post.refresh_from_db()
    assert post.proposal is None


def test_the_quota_error_shows_before_approval(client, author, images, compose):
    when = (timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0)
    for n in range(50):
        Post.objects.filter(
            pk=compose(channels="instagram", scheduled_at=when - timedelta(minutes=n)).pk
        ).update(status=PostStatus.SCHEDULED)

    for post in Post.objects.all():
        PostChannel.objects.create(post=post, channel="instagram")
    client.force_login(author)
    client.post("/social/new/", form_data(images, scheduled_at=local_input(when)))
    post = Post.objects.latest("pk")

    page = client.post(
        f"/social/{post.pk}/edit/",
        form_data(images, scheduled_at=local_input(when), action="check"),
    ).content.decode()

    assert (
        'id="id_scheduled_at-error">Instagram allows 50 posts in 24 hours; 50 are already' in page
    )


def test_autosave_stores_the_draft_and_answers_with_quick_checks(client, author, compose):
    post = compose()
    client.force_login(author)
    data = {"title": "Autosaved", "channels": "instagram", "caption_instagram": "#a " * 31}

    response = client.post(f"/social/{post.pk}/autosave/", data, HTTP_HX_REQUEST="true")

    post.refresh_from_db()
    assert post.title == "Autosaved"
    assert post.channels == "instagram"
    page = response.content.decode()
    assert page.strip().startswith('<div id="autosave-status"')
    assert "Draft saved at" in page
    assert "Instagram allows 30 hashtags; this has 31." in page


def test_the_author_cannot_approve_their_own_post(client, author, compose):
    post = compose()
    post_submit(post=post, user=author)
    client.force_login(author)

    client.post(f"/social/{post.pk}/approve/")

    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT
    assert post.proposal.status == ProposalStatus.PENDING


def test_another_operator_approves_then_schedules(client, author, approver, compose):
    post = compose()
    post_submit(post=post, user=author)
    client.force_login(approver)

    client.post(f"/social/{post.pk}/approve/", {"note": "Looks right"})
    client.post(f"/social/{post.pk}/schedule/")

    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED
    assert sorted(post.targets.values_list("channel", flat=True)) == ["facebook", "instagram"]


def test_dragging_an_approved_post_voids_its_approval_and_asks_for_a_fresh_one(
    client, author, approver, compose
):
    post = compose()
    post_submit(post=post, user=author)
    post_approve(post=post, user=approver)
    post_schedule(post=post, user=approver)
    old_proposal = post.proposal
    new_day = (post.scheduled_at + timedelta(days=1)).astimezone(brand_zone()).date()
    client.force_login(approver)

    response = client.post(f"/social/{post.pk}/reschedule/", {"day": new_day.isoformat()})

    assert response.status_code == 204
    assert response["HX-Refresh"] == "true"
    post.refresh_from_db()
    old_proposal.refresh_from_db()
    assert post.status == PostStatus.DRAFT
    assert old_proposal.status == ProposalStatus.STALE
    assert post.proposal.status == ProposalStatus.PENDING  # a fresh request, bound to the new time
    assert post.scheduled_at.astimezone(brand_zone()).date() == new_day
    assert not post.targets.exists()


def test_the_calendar_shows_posts_in_month_and_week_views(client, viewer, compose):
    post = compose(title="Calendar entry")
    day = post.scheduled_at.astimezone(brand_zone()).date().isoformat()
    client.force_login(viewer)

    month = client.get(f"/social/calendar/?date={day}").content.decode()
    week = client.get(f"/social/calendar/?view=week&date={day}").content.decode()

    assert f'id="calendar-post-{post.pk}"' in month
    assert f'id="calendar-post-{post.pk}"' in week
    assert "draggable" not in month  # a viewer cannot move posts


def test_a_failed_post_shows_a_banner_until_dismissed(client, viewer, operator, compose):
    post = compose(title="Broken post")
    Post.objects.filter(pk=post.pk).update(status=PostStatus.FAILED)
    client.force_login(viewer)
    assert "Publishing failed" in client.get("/social/").content.decode()

    client.force_login(operator)
    client.post(f"/social/{post.pk}/acknowledge/", {"next": "/social/"})

    assert "Publishing failed" not in client.get("/social/").content.decode()
