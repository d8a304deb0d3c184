# vcsim: two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
VIZ_STAMP := $(VENV)/.installed-viz
DOCS_STAMP := $(VENV)/.installed-docs
SCENARIO ?= ckd
DAYS ?= 21
OUT ?= runs/$(SCENARIO)

.PHONY: run test lint bench validate convergence viz params params-docs docs clean setup

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e .
	touch $@

$(TEST_STAMP): $(STAMP) pyproject.toml
	$(PIP) install -q -e ".[test,sweep,viz,browser-test,distributed]"
	touch $@

$(DOCS_STAMP): $(STAMP) pyproject.toml
	$(PIP) install -q -e ".[docs]"
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

# the documentation site: warnings are errors, every tutorial notebook is executed, and no page
# may load anything from outside (docs/check_offline.py). Open docs/_build/html/index.html.
docs: $(DOCS_STAMP)
	$(PY) -m sphinx -W --keep-going -q -b html docs docs/_build/html
	$(PY) docs/check_offline.py docs/_build/html

params: $(STAMP)
	$(PY) run.py params

clean:
	rm -rf $(VENV) runs .pytest_cache .ruff_cache docs/_build docs/api docs/jupyter_execute

params-docs: $(STAMP)
	$(PY) -m vcsim.params.table
	$(PY) -m vcsim.systemic.reference
