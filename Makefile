# make demo: run the demo.  make test: run the tests.  Both set everything up first.
# make test also needs PostgreSQL's server programs (tests/postgres.py starts a throwaway server).
VENV := .venv
PY := $(VENV)/bin/python
LFR := $(VENV)/bin/lfr
STAMP := $(VENV)/.installed

.PHONY: demo test lint models postgres bench clean

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

# The tests' throwaway PostgreSQL server needs initdb and pg_ctl: on PATH or in $(PG_LIB)/*/bin,
# else Debian's package is installed (as root, or with sudo).
PG_LIB ?= /usr/lib/postgresql
postgres:
	@if { { command -v initdb && command -v pg_ctl; } || \
	      ls $(PG_LIB)/*/bin/initdb $(PG_LIB)/*/bin/pg_ctl; } >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null && { [ "$$(id -u)" = 0 ] || command -v sudo >/dev/null; }; then \
	  echo "make postgres: initdb and pg_ctl not found, installing Debian's postgresql"; \
	  sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$sudo apt-get update && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql; \
	else \
	  echo "make postgres: PostgreSQL's server programs (initdb, pg_ctl) are missing: install PostgreSQL as root (Debian: apt-get install postgresql) or put its bin directory on PATH" >&2; \
	  exit 1; \
	fi

test: models lint postgres
	$(VENV)/bin/pytest

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache

# The engine benchmark's baselines: face_recognition without a dlib build (dlib-bin instead).
LFW ?= ../shared/data/lfw
bench: models
	$(PY) -m pip install --quiet --no-deps face_recognition==1.3.0 face-recognition-models==0.3.0 dlib-bin==20.0.1.post1
	$(PY) benchmarks/engine.py --lfw $(LFW) --json docs/engine-benchmark.json
