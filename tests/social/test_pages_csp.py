"""Every social page answers under the strict content security policy, with no inline code."""

import pytest

from tests.security.test_csp import assert_strict

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("suffix", ["", "calendar/", "calendar/?view=week", "new/"])
def test_social_list_pages_have_a_strict_policy(client, operator, suffix):
    client.force_login(operator)
    response = client.get(f"/social/{suffix}")
    assert response.status_code == 200
    assert_strict(response)


@pytest.mark.parametrize("suffix", ["", "edit/"])
def test_social_post_pages_have_a_strict_policy(client, operator, compose, suffix):
    post = compose()
    client.force_login(operator)
    response = client.get(f"/social/{post.pk}/{suffix}")
    assert response.status_code == 200
    assert_strict(response)
