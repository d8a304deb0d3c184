# vcsim: two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
VIZ_STAMP := $(VENV)/.installed-viz
SCENARIO ?= ckd
DAYS ?= 21
OUT ?= runs/$(SCENARIO)

.PHONY: run test lint bench validate convergence viz params params-docs clean setup

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e .
	touch $@

$(TEST_STAMP): $(STAMP) pyproject.toml
	$(PIP) install -q -e ".[test,sweep,viz,browser-test,distributed]"
	touch $@

$(VIZ_STAMP): $(STAMP) pyproject.toml
	$(PIP) install -q -e ".[viz]"
	touch $@

setup: $(STAMP)

viz: $(VIZ_STAMP)
	$(PY) run.py viz --scenario $(SCENARIO)

run: $(STAMP)
	$(PY) run.py run $(SCENARIO) --days $(DAYS) --out $(OUT) --force

test: $(TEST_STAMP)
	$(PY) -m pytest -q

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check .

bench: $(TEST_STAMP)
	$(PY) benchmarks/run_benchmarks.py

validate: $(TEST_STAMP)
	$(PY) run.py validate --out runs/validation

# the time-step convergence study (issue 14): docs/convergence.md and its figures
convergence: $(STAMP)
	$(PY) analysis/convergence.py --out docs

params: $(STAMP)
	$(PY) run.py params

clean:
	rm -rf $(VENV) runs .pytest_cache .ruff_cache

params-docs: $(STAMP)
	$(PY) -m vcsim.params.table
	$(PY) -m vcsim.systemic.reference
