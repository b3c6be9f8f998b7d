# aipipe — two commands for a newcomer: `make run` and `make test`.
# Both create .venv when missing and install the project from its own files.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export DO_NOT_TRACK := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS := 120

.PHONY: run test bench lint install clean serve-demo

run: $(STAMP)
	$(BIN)/aipipe refresh $(ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src flows schemas tests benchmarks

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "aipipe needs Python 3.11 or newer (found " + sys.version.split()[0] + "); set PYTHON=python3.11")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

clean:
	rm -rf $(VENV) .prefect .pytest_cache .ruff_cache

# Headless Chromium for the report rendering tests (tests/test_report.py, test_edition.py):
# installed from Debian's packages when missing (needs root, as in CI).
.PHONY: browser
test: browser
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "headless Chromium is needed by the report tests: sudo apt-get install -y chromium" >&2; exit 1; fi; }

# A served schedule triggering a real refresh on a local Prefect server (about a minute; kept out
# of `make test`): see scripts/schedule_demo.py.
.PHONY: schedule-demo
schedule-demo: $(STAMP)
	$(BIN)/python scripts/schedule_demo.py
