"""The demo calendar: one post in every state, published through the sandbox."""

import pytest

from social.demo import social_demo_seed
from social.models import Post, PostStatus

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_a_post_in_every_state_once(meta, connection):
    made = social_demo_seed(report=lambda line: None)

    states = set(Post.objects.values_list("status", flat=True))
    assert made == 7
    assert states == {
        PostStatus.DRAFT, PostStatus.APPROVED, PostStatus.SCHEDULED, PostStatus.PUBLISHED,
        PostStatus.PARTIAL, PostStatus.FAILED,
    }  # fmt: skip
    assert Post.objects.filter(proposal__status="pending").count() == 1  # awaiting approval
    assert social_demo_seed(report=lambda line: None) == 0
