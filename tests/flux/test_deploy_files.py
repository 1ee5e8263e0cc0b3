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
