"""Connecting Anthropic by key: one cheap check, the key sealed, refusals leave nothing behind."""

from collections.abc import Iterator

import pytest
from django.core.management import CommandError, call_command
from django.db import connection as db

from integrations.anthropic.adapter import AnthropicAdapter
from integrations.http import AuthError, PermanentError
from integrations.models import Connection, ConnectionStatus
from integrations.providers import registry
from sandbox.platforms.anthropic import DEMO_API_KEY, AnthropicPlatform
from sandbox.server import Sandbox, SandboxOptions
from sandbox.testing import running_sandbox


@pytest.fixture
def platform(settings) -> Iterator[AnthropicPlatform]:
    found = AnthropicPlatform(SandboxOptions())
    with running_sandbox(Sandbox([found])) as url:
        settings.ANTHROPIC_BASE_URL = f"{url}/anthropic"
        yield found


def test_the_provider_is_registered_as_key_only():
    adapter = registry.get("anthropic")
    assert (adapter.connects_by_key, adapter.connects_by_oauth) == (True, False)
    assert list(adapter.stream_names) == []


@pytest.mark.django_db
def test_connecting_checks_the_key_once_and_seals_it(platform):
    call_command("connect", "anthropic", "--api-key", DEMO_API_KEY)
    connection = Connection.objects.get(provider="anthropic")
    assert connection.status == ConnectionStatus.ACTIVE
    assert connection.credential is not None
    assert connection.credential.secret.reveal() == {"api_key": DEMO_API_KEY}
    assert [(r.path, r.auth) for r in platform.requests] == [("/v1/models", "bearer")]
    with db.cursor() as cursor:
        cursor.execute("SELECT secret FROM integrations_credential")
        assert DEMO_API_KEY not in str(cursor.fetchall())


@pytest.mark.django_db
def test_a_refused_key_makes_no_connection(platform):
    with pytest.raises((AuthError, CommandError)):
        call_command("connect", "anthropic", "--api-key", "not-a-key")
    assert not Connection.objects.filter(provider="anthropic").exists()


def test_a_server_error_on_the_check_is_a_provider_error(platform, settings):
    settings.FLUX_AI_SDK_MAX_RETRIES = 0
    platform.faults.arm("models", "server_error")
    with pytest.raises(PermanentError, match="api_error"):
        AnthropicAdapter().connect_with_key(api_key=DEMO_API_KEY, account="")


def test_oauth_is_refused():
    with pytest.raises(PermanentError, match="API key only"):
        AnthropicAdapter().oauth_start(state="s", redirect_uri="https://x.example/cb")
