# make demo: run the demo.  make test: run the tests.  Both set everything up first.
VENV := .venv
PY := $(VENV)/bin/python
LFR := $(VENV)/bin/lfr
STAMP := $(VENV)/.installed

.PHONY: demo test lint models clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

models: $(STAMP)
	$(LFR) models install

demo: models
	$(LFR) demo

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/mypy

test: models lint
	$(VENV)/bin/pytest

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
