"""Production mode refuses weak configuration and passes Django's deployment checks."""

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from flux.envcheck import production_problems

ROOT = Path(__file__).resolve().parents[2]


def strong_production_env() -> dict[str, str]:
    return {
        "FLUX_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "FLUX_KEYS": "k2026:" + base64.b64encode(os.urandom(32)).decode(),
        "FLUX_HASH_KEY": secrets.token_hex(32),
        "ALLOWED_HOSTS": "flux.example.ts.net",
        "FLUX_PUBLIC_URL": "https://flux.example.ts.net",
        "DATABASE_URL": "sqlite:////tmp/flux-settings-test.sqlite3",
    }


def run_manage(env_overrides: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLUX_", "SECRET_KEY"))}
    env.pop("ALLOWED_HOSTS", None)
    # The browser tests allow async-unsafe ORM calls in this process; production never does.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(env_overrides)
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_in_production_mode_reports_no_warnings():
    result = run_manage(strong_production_env(), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    "variable", ["SECRET_KEY", "FLUX_KEYS", "FLUX_HASH_KEY", "ALLOWED_HOSTS", "FLUX_PUBLIC_URL"]
)
def test_production_refuses_to_start_without_each_required_variable(variable):
    env = strong_production_env()
    del env[variable]
    result = run_manage(env, "check")
    assert result.returncode != 0
    message = result.stderr.strip().splitlines()
    assert len(message) == 1, result.stderr
    assert message[0].startswith("flux: refusing to start in production:")
    assert variable in message[0]


def test_the_connect_forms_may_redirect_to_every_consent_screen():
    """A CSP form-action without them makes the browser block "Connect with ..." mid-redirect."""
    show = (
        "from django.conf import settings as s; "
        "print(*s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'])"
    )
    result = run_manage(strong_production_env(), "shell", "-c", show)
    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) >= {
        "https://www.facebook.com", "https://accounts.google.com", "https://login.squarespace.com",
    }  # fmt: skip


def test_production_refuses_the_development_secret_key():
    env = strong_production_env()
    env["SECRET_KEY"] = "django-insecure-" + "x" * 60
    result = run_manage(env, "check")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def strong_values() -> dict[str, object]:
    env = strong_production_env()
    return {
        "secret_key": env["SECRET_KEY"],
        "flux_keys": env["FLUX_KEYS"],
        "hash_key": env["FLUX_HASH_KEY"],
        "allowed_hosts": [env["ALLOWED_HOSTS"]],
        "public_url": env["FLUX_PUBLIC_URL"],
    }


def test_strong_configuration_has_no_problems():
    assert production_problems(**strong_values()) == []  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "weak_value", "named"),
    [
        ("secret_key", "short", "SECRET_KEY"),
        ("flux_keys", "k1:" + base64.b64encode(b"sixteen bytes!!!").decode(), "FLUX_KEYS"),
        ("flux_keys", "k1:not-base64!!", "FLUX_KEYS"),
        ("flux_keys", "dev1:" + base64.b64encode(os.urandom(32)).decode(), "FLUX_KEYS"),
        ("hash_key", "too-short", "FLUX_HASH_KEY"),
        ("allowed_hosts", ["*"], "ALLOWED_HOSTS"),
        ("public_url", "http://flux.example.ts.net", "FLUX_PUBLIC_URL"),
    ],
    ids=["short-secret", "short-kek", "bad-base64", "dev-kek-id", "short-hash", "star", "http"],
)
def test_weak_values_are_named(field, weak_value, named):
    values = strong_values()
    values[field] = weak_value
    problems = production_problems(**values)  # type: ignore[arg-type]
    assert len(problems) == 1
    assert named in problems[0]
