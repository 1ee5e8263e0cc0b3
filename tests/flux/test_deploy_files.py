"""The deploy files agree with the app: what docker-compose.yml and .env.example set works."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]


def example_env() -> dict[str, str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    pairs = (line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


@pytest.mark.django_db
def test_the_web_containers_health_check_passes_with_the_example_allowed_hosts(
    client: Client, settings: object
) -> None:
    compose = (ROOT / "docker-compose.yml").read_text()
    found = re.search(r"urlopen\('(http://[^']+)'", compose)
    assert found, "the web service's health check no longer opens a URL"
    url = urlsplit(found.group(1))
    settings.ALLOWED_HOSTS = example_env()["ALLOWED_HOSTS"].split(",")  # type: ignore[attr-defined]
    response = client.get(url.path, HTTP_HOST=url.netloc)
    assert response.status_code == 200, response.content


def test_every_variable_the_example_sets_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    for name in example_env():
        if name != "POSTGRES_PASSWORD":  # docker compose's, not the app's
            assert f"`{name}`" in readme, f"{name} is missing from the README's table"


OPERATIONS = (ROOT / "docs" / "operations.md").read_text()
# What the runbooks tell staff they will see, each as the app writes it.
SHOWN = (
    "Needs reconnect", "needs reconnecting", "before fetching stops",
    "token expires soon", "token expired", "abandoned: the worker stopped answering",
    "the database connection failed", "a live run already holds every stream",
    "Flagged overdue", "Overdue", "Partly published", "sync skipped",
)  # fmt: skip


def test_every_command_the_operations_guide_names_exists() -> None:
    from django.core.management import get_commands

    named = set(re.findall(r"`manage (\w+)", OPERATIONS))
    assert named, "the guide names no manage.py command"
    assert named <= set(get_commands()), named - set(get_commands())
    assert (ROOT / "scripts" / "backup_restore_check.sh").exists()


def test_every_scheduled_job_the_guide_names_runs_when_it_says(settings: object) -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE  # type: ignore[attr-defined]
    named = re.findall(r"`([a-z-]+)`, (\d\d):(\d\d) UTC", " ".join(OPERATIONS.split()))
    assert len(named) >= 3, "the guide names fewer scheduled jobs than it did"
    for name, hour, minute in named:
        entry = schedule[name]["schedule"]
        assert (entry.hour, entry.minute) == ({int(hour)}, {int(minute)}), name


def test_what_the_runbooks_say_staff_will_see_is_what_the_app_shows() -> None:
    apps = ("flux", "integrations", "proposals", "social", "templates")
    sources = [
        path
        for app in apps
        for pattern in ("*.py", "*.html")
        for path in (ROOT / app).rglob(pattern)
    ]
    text = "\n".join(path.read_text() for path in sources)
    for phrase in SHOWN:
        assert phrase in " ".join(OPERATIONS.split()), f"the guide no longer mentions {phrase!r}"
        assert phrase in text, f"the app no longer shows {phrase!r}"
