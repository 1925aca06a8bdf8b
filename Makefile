# agentic-assets: `make demo` and `make test` are the only set-up commands a new machine needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
UV ?= $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
RUN := $(UV) run --frozen
# openjdk-17-jre-headless: the JVM of the Spark engine (pyspark from PyPI brings Spark itself);
# chromium: the browser tests (Playwright drives Debian's Chromium, no browser download).
SYSTEM_PACKAGES := bubblewrap runsc openjdk-17-jre-headless chromium

# Keep every service's telemetry off and Dagster's instance inside the project.
export UV_PYTHON_DOWNLOADS := never
export DAGSTER_HOME := $(CURDIR)
export DATAHUB_TELEMETRY_ENABLED := false
export DO_NOT_TRACK := 1
# Bytecode compiled once at install: a Python started with PYTHONDONTWRITEBYTECODE (as here) never writes its
# cache, so every process (test workers, Dagster runs, sandboxes over the read-only venv) would compile its
# imports again; with it, importing the run path takes a third of the time.
export UV_COMPILE_BYTECODE := 1

.PHONY: help install system-packages python-packages demo dev test lint bench bench-materialize bench-incidents \
	bench-examples bench-sandbox bench-codegen incidents clean bench-tuned bench-heldout heldout heldout-b tuned-c bench-scale \
	bench-seeded-heldout seeded

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

system-packages: ## apt-get install the sandbox runtimes (bubblewrap, gVisor runsc), Java for Spark and chromium (browser tests) when missing
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

dev: install ## The Dagster UI on http://127.0.0.1:3000 and the review page on :8765 (stops on Ctrl-C / SIGTERM)
	@exec $(RUN) python -m agentic_assets.dev_supervisor

# --dist loadgroup: tests marked xdist_group(name) share one worker (the Spark tests: one JVM per module).
test: install ## Run the whole test suite (slow tests included)
	@$(RUN) pytest -n 2 --dist loadgroup --durations=15 $${PYTEST_ARGS:-}

lint: install ## ruff check and format check
	@$(RUN) ruff check . && $(RUN) ruff format --check .

# The six example incidents of the incident format (benchmarks/examples/FORMAT.md).
EXAMPLES ?= benchmarks/examples

# The seeded generators (benchmarks/seeded_formats, benchmarks/seeded_ops): seeds 1-99 are development data
# (the committed dev sets are seed 1), seeds from 500 up are held out: generated fresh, scored, never read.
SEEDED_HELDOUT_SEED ?= 500
SEEDED_HELDOUT_COUNT ?= 30
SEEDED := seeded_formats seeded_ops

bench: install ## Every incident split, each reported apart: the tuned ones, then the held-out ones (JOBS=2)
	@status=0; $(MAKE) --no-print-directory bench-tuned || status=1; $(MAKE) --no-print-directory bench-heldout || status=1; exit $$status

bench-tuned: install ## The tuned splits: benchmarks/incidents with the examples, tuned_c, the seeded dev sets (JOBS=2)
	@status=0; \
	$(RUN) agentic-assets bench benchmarks/incidents $(EXAMPLES) --split tuned --out bench-out/tuned --jobs $${JOBS:-2} || status=1; \
	$(RUN) agentic-assets bench benchmarks/tuned_c --split tuned-c --out bench-out/tuned_c --jobs $${JOBS:-2} || status=1; \
	for gen in $(SEEDED); do \
		$(RUN) agentic-assets bench benchmarks/$$gen/dev --split $${gen//_/-}-dev --out bench-out/$${gen}_dev --jobs $${JOBS:-2} || status=1; \
	done; \
	exit $$status

bench-heldout: install ## The held-out splits: benchmarks/heldout, heldout_b, and fresh seeded sets at SEEDED_HELDOUT_SEED (JOBS=2)
	@status=0; \
	$(RUN) agentic-assets bench benchmarks/heldout --split held-out --out bench-out/heldout --jobs $${JOBS:-2} || status=1; \
	$(RUN) agentic-assets bench benchmarks/heldout_b --split held-out-b --out bench-out/heldout_b --jobs $${JOBS:-2} || status=1; \
	$(MAKE) --no-print-directory bench-seeded-heldout || status=1; \
	exit $$status

bench-seeded-heldout: install ## Generate SEEDED_HELDOUT_COUNT incidents per seeded generator at SEEDED_HELDOUT_SEED and score them
	@status=0; seed=$(SEEDED_HELDOUT_SEED); \
	for gen in $(SEEDED); do \
		dir=bench-out/$${gen}_heldout_s$$seed; \
		if [ ! -f $$dir/incidents/.complete ]; then \
			rm -rf $$dir/incidents; \
			$(RUN) python benchmarks/$$gen/generate.py --seed $$seed --count $(SEEDED_HELDOUT_COUNT) --out $$dir/incidents --jobs $${JOBS:-2} \
				&& touch $$dir/incidents/.complete || { status=1; continue; }; \
		fi; \
		$(RUN) agentic-assets bench $$dir/incidents --split $${gen//_/-}-heldout-s$$seed --out $$dir/results --jobs $${JOBS:-2} || status=1; \
	done; \
	exit $$status

bench-examples: install ## Score the example incidents; fails if any is scored wrong (CI runs it)
	@$(RUN) agentic-assets bench $(EXAMPLES) --out bench-out/examples --jobs 2

bench-materialize: install ## Materialize the demo at 1,000,000 transactions: rows/s and peak memory
	@$(RUN) python benchmarks/materialize_demo.py --transactions $${TRANSACTIONS:-1000000}

bench-sandbox: install ## Sandbox start latency (cold, warm) and isolation overhead
	@$(RUN) python benchmarks/sandbox/bench_sandbox.py

bench-codegen: install ## Codegen accuracy on requests in words
	@$(RUN) python benchmarks/codegen/run.py

bench-scale: install ## The demo at 1M and 10M transactions on DuckDB and Spark local[2], beside the floor
	@$(RUN) python benchmarks/scale/run.py --sizes $${SIZES:-1000000 10000000} --out bench-out/scale

incidents: install ## Regenerate and verify the incident benchmark set (tuned split)
	@$(RUN) python benchmarks/incidents/generate.py

heldout: install ## Regenerate and verify the held-out incident split
	@$(RUN) python benchmarks/heldout/generate.py

tuned-c: install ## Regenerate and verify the third tuned incident split (benchmarks/tuned_c)
	@$(RUN) python benchmarks/tuned_c/generate.py

seeded: install ## Regenerate and verify the seeded generators' committed dev sets (seed 1, 30 incidents each)
	@for gen in $(SEEDED); do rm -rf benchmarks/$$gen/dev && $(RUN) python benchmarks/$$gen/generate.py --seed 1 --count 30 --out benchmarks/$$gen/dev --jobs $${JOBS:-2} || exit 1; done

heldout-b: install ## Regenerate and verify the second held-out incident split (benchmarks/heldout_b)
	@$(RUN) python benchmarks/heldout_b/generate.py

clean: ## Remove generated data and Dagster state (keeps .venv)
	rm -rf data bench-out storage history schedules logs .logs_queue .nux .telemetry
