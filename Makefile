# LinkStar — every target installs what it needs into ./.venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: install run test dbt-unit-tests dev sandbox lint clean

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "LinkStar needs Python 3.11 or newer; set PYTHON=python3.11 (or newer)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv
	# --compile-bytecode: compile once here, not in every first process of a test run or refresh.
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -e '.[dev]'
	@touch $(INSTALLED)

install: $(INSTALLED)

## Start the sandbox, load its data, build and publish the marts, print a summary.
run: $(INSTALLED)
	$(BIN)/linkstar run --with-sandbox

## The whole test suite (unit, integration, end-to-end, dbt, Dagster definitions).
test: $(INSTALLED)
	$(BIN)/pytest

## The crash matrix: `linkstar run` really killed (kill -9) at each step, then reruns, two runs
## at once and a mixed-fault landing, compared with a clean run (~6 pipeline runs; CI's second
## stage, after `make test`).
test-crash: $(INSTALLED)
	$(BIN)/pytest -m crash -n 0

## dbt's unit tests alone (fixed input rows; the refresh's build leaves them out), against the
## warehouse a run built (they read its column types): `make run` first.
dbt-unit-tests: $(INSTALLED)
	cd dbt_project && LINKSTAR_HOME=$(abspath $(or $(LINKSTAR_HOME),data)) ../$(BIN)/linkstar-dbt test --select test_type:unit --profiles-dir .

## The Dagster UI (http://127.0.0.1:3000; `make dev PORT=3001` for another port) with the
## sandbox on port 8910.
PORT ?= 3000
dev: $(INSTALLED)
	$(BIN)/linkstar dev --port $(PORT)

sandbox: $(INSTALLED)
	$(BIN)/linkstar sandbox

lint: $(INSTALLED)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) data dbt_project/target dbt_project/logs
