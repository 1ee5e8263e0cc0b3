"""`manage.py sandbox` serves the platforms and prints a one-line summary."""

import json
import subprocess
import sys
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def test_the_command_prints_its_address_and_serves_discovery():
    command = [sys.executable, "manage.py", "sandbox", "--port", "0", "--seed", "7", "--json"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)  # noqa: S603
    try:
        assert process.stdout is not None
        summary = json.loads(process.stdout.readline())
        assert {"oidc", "squarespace"} <= set(summary["platforms"])
        assert summary["seed"] == 7
        config = requests.get(f"{summary['url']}/oidc/.well-known/openid-configuration", timeout=5)
        assert config.json()["issuer"] == f"{summary['url']}/oidc"
    finally:
        process.terminate()
        process.wait(timeout=10)
