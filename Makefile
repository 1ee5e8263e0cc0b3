# Flux Marketing: the two commands are `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 8000
SANDBOX_PORT ?= 8765
GOOGLE_ADS_PORT ?= 8766
MANAGE := $(BIN)/python manage.py

# The demo runs against the sandbox's sign-in provider and platforms on loopback.
SANDBOX := http://127.0.0.1:$(SANDBOX_PORT)
DEMO_ENV := FLUX_ENV=demo DEBUG=true GRPC_VERBOSITY=ERROR FLUX_STAFF_DOMAINS=flux-engineering.example \
	OIDC_SERVER_URL=$(SANDBOX)/oidc \
	SQUARESPACE_API_URL=$(SANDBOX)/squarespace SQUARESPACE_OAUTH_URL=$(SANDBOX)/squarespace \
	SQUARESPACE_CLIENT_ID=flux-squarespace SQUARESPACE_CLIENT_SECRET=sandbox-squarespace-secret \
	SHIPPO_API_URL=$(SANDBOX)/shippo \
	META_GRAPH_URL=$(SANDBOX)/meta META_DIALOG_URL=$(SANDBOX)/meta \
	META_APP_ID=1405925561102717 META_APP_SECRET=sandbox-meta-secret \
	GOOGLE_OAUTH_URL=$(SANDBOX)/google GOOGLE_ACCOUNTS_URL=$(SANDBOX)/google \
	GOOGLE_CLIENT_ID=flux-sandbox.apps.googleusercontent.com GOOGLE_CLIENT_SECRET=sandbox-google-secret \
	GOOGLE_ADS_DEVELOPER_TOKEN=sandbox-developer-token \
	GOOGLE_ADS_ENDPOINT=127.0.0.1:$(GOOGLE_ADS_PORT) GOOGLE_ADS_CA_FILE=$(CURDIR)/var/google_ads_sandbox_cert.pem \
	SEARCH_CONSOLE_URL=$(SANDBOX)/search_console/ \
	ANTHROPIC_BASE_URL=$(SANDBOX)/anthropic

.PHONY: install demo test lint typecheck check pytest bench clean chromium

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(DEMO_ENV) $(MANAGE) migrate --no-input
	@echo "Sandbox on $(SANDBOX); app on http://127.0.0.1:$(PORT) (Ctrl-C stops both)"
	@trap 'kill 0' INT TERM EXIT; \
	$(DEMO_ENV) $(MANAGE) sandbox --port $(SANDBOX_PORT) --google-ads-port $(GOOGLE_ADS_PORT) & \
	$(DEMO_ENV) $(MANAGE) seed_demo --sandbox $(SANDBOX) && \
	$(DEMO_ENV) $(MANAGE) runserver --noreload 127.0.0.1:$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy .

check: install
	$(MANAGE) check --fail-level WARNING
	$(MANAGE) makemigrations --check --dry-run

# Browser tests drive Debian's Chromium; never a downloaded browser.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
			echo "Installing Debian's chromium for the browser tests"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "Browser tests need Chromium at /usr/bin/chromium: sudo apt-get install chromium"; exit 1; \
		fi; \
	fi

pytest: install chromium
	$(BIN)/pytest -n 2

test: lint typecheck check pytest

# Benchmarks need PostgreSQL (DATABASE_URL, default: the local test database); never run by `make test`.
bench: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} \
		$(BIN)/pytest tests/bench -p no:xdist -s --override-ini="addopts=-ra -p no:cacheprovider"

clean:
	rm -rf $(VENV) var staticfiles .mypy_cache .ruff_cache .hypothesis
