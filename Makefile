# agentic-assets: `make demo` and `make test` are the only set-up commands a new machine needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
UV ?= $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
RUN := $(UV) run --frozen
SYSTEM_PACKAGES := bubblewrap runsc

# Keep every service's telemetry off and Dagster's instance inside the project.
export UV_PYTHON_DOWNLOADS := never
export DAGSTER_HOME := $(CURDIR)
export DATAHUB_TELEMETRY_ENABLED := false
export DO_NOT_TRACK := 1

.PHONY: help install system-packages python-packages demo dev test lint bench benchmarks clean

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

system-packages: ## apt-get install the sandbox runtimes (bubblewrap, gVisor runsc) when missing
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

python-packages: ## Install uv (if needed) and the locked Python environment in .venv
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	@$(UV) sync --frozen --python $(PYTHON)

install: system-packages python-packages ## Everything the project needs

demo: install ## Generate the sample data and materialize every demo asset (TRANSACTIONS=200000)
	@$(RUN) agentic-assets demo --transactions $${TRANSACTIONS:-200000}

dev: install ## Start the Dagster UI on http://127.0.0.1:3000
	@$(RUN) dagster dev -w workspace.yaml -h 127.0.0.1 -p $${PORT:-3000}

test: install ## Run the whole test suite (slow tests included)
	@$(RUN) pytest -n 2 --durations=15 $${PYTEST_ARGS:-}

lint: install ## ruff check and format check
	@$(RUN) ruff check . && $(RUN) ruff format --check agentic_assets asset_checks tests

bench: install ## The materialization benchmark at 1,000,000 transactions
	@$(RUN) python benchmarks/materialize_demo.py --transactions $${TRANSACTIONS:-1000000}

clean: ## Remove generated data and Dagster state (keeps .venv)
	rm -rf data storage history schedules logs .logs_queue .nux .telemetry
