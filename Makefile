# make demo: run the demo.  make test: run the tests.  Both set everything up first.
VENV := .venv
PY := $(VENV)/bin/python
LFR := $(VENV)/bin/lfr
STAMP := $(VENV)/.installed

.PHONY: demo test lint models bench clean

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

# The engine benchmark's baselines: face_recognition without a dlib build (dlib-bin instead).
LFW ?= ../shared/data/lfw
bench: models
	$(PY) -m pip install --quiet --no-deps face_recognition==1.3.0 face-recognition-models==0.3.0 dlib-bin==20.0.1.post1
	$(PY) benchmarks/engine.py --lfw $(LFW) --json docs/engine-benchmark.json
