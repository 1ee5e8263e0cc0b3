"""Fixtures that run the sandbox in a thread on a free loopback port."""

from collections.abc import Iterator

import pytest

from sandbox.server import Sandbox, build_sandbox
from sandbox.testing import running_sandbox


@pytest.fixture
def sandbox_app() -> Sandbox:
    """A fresh sandbox, so a test can reach its platforms from Python."""
    return build_sandbox()


@pytest.fixture
def sandbox_url(sandbox_app: Sandbox) -> Iterator[str]:
    """The base URL of `sandbox_app`, served on loopback for the length of the test."""
    with running_sandbox(sandbox_app) as url:
        yield url
