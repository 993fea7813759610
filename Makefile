# make demo: run the demo.  make test: run the tests.  Both set everything up first.
# make test also installs what the tests need from Debian (see system).
VENV := .venv
PY := $(VENV)/bin/python
LFR := $(VENV)/bin/lfr
STAMP := $(VENV)/.installed

.PHONY: demo test lint models system bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

models: $(STAMP)
	$(LFR) models install

# A whole deployment on the demo clip, then the console on a live one (Ctrl-C ends it).
demo: models
	$(LFR) demo --console

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/mypy

# The tests need three programs from Debian: PostgreSQL's server (initdb and pg_ctl, on PATH or
# in $(PG_LIB)/*/bin: tests/postgres.py starts a throwaway server), FFmpeg (tests serve a clip
# over RTSP with it) and Chromium (Playwright drives it: its own browser download is not used).
# Whichever is missing is installed (as root, or with sudo).
PG_LIB ?= /usr/lib/postgresql
system:
	@missing=""; \
	{ { command -v initdb && command -v pg_ctl; } || \
	  ls $(PG_LIB)/*/bin/initdb $(PG_LIB)/*/bin/pg_ctl; } >/dev/null 2>&1 || missing="postgresql"; \
	command -v ffmpeg >/dev/null || missing="$$missing ffmpeg"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	if [ -z "$$missing" ]; then :; \
	elif command -v apt-get >/dev/null && { [ "$$(id -u)" = 0 ] || command -v sudo >/dev/null; }; then \
	  echo "make system: installing Debian's$$missing"; \
	  sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$sudo apt-get update && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	else \
	  echo "make system: the tests need$$missing: install it as root (Debian: apt-get install$$missing)" >&2; \
	  exit 1; \
	fi

test: models lint system
	$(VENV)/bin/pytest

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache

# The engine benchmark's baselines: face_recognition without a dlib build (dlib-bin instead).
LFW ?= ../shared/data/lfw
bench: models
	$(PY) -m pip install --quiet --no-deps face_recognition==1.3.0 face-recognition-models==0.3.0 dlib-bin==20.0.1.post1
	$(PY) benchmarks/engine.py --lfw $(LFW) --json docs/engine-benchmark.json
