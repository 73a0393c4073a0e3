# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
EXTRAS ?= dev,kinto
comma := ,
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))
BUNDLED := tools/skillpack/examples/workspace/tests

.PHONY: install demo test lint unit live bench mutants compat compat-tools accuracy clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -q --disable-pip-version-check -e '.[$(EXTRAS)]'
	touch $@

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/skillpack demo --workspace .demo

lint: $(STAMP)
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

# Offline run of everything (connector suites in simulate mode), then the bundled
# sources again in live mode, which is where the write-back tests write.
unit: $(STAMP)
	$(PY) -m pytest

live: $(STAMP)
	CONNECTOR_TEST_MODE=live $(PY) -m pytest $(BUNDLED)

test: lint unit live

bench: $(STAMP)
	$(PY) bench/run.py

# Each pinned behaviour's mutant, applied alone to a temporary copy, must fail its tests.
mutants: $(STAMP)
	$(PY) bench/mutants.py
# Against a Lakeflow Community Connectors checkout: `make compat UPSTREAM=DIR`. COMPAT_PYTHON
# must have both the checkout (pip install -e DIR[dev]) and this pack installed.
UPSTREAM ?=
COMPAT_PYTHON ?= $(PY)

compat: $(STAMP)
	@test -n "$(UPSTREAM)" || (echo "usage: make compat UPSTREAM=DIR [COMPAT_PYTHON=...]" && exit 2)
	$(COMPAT_PYTHON) bench/compat.py --upstream $(UPSTREAM) --python $(COMPAT_PYTHON)

compat-tools: $(STAMP)
	@test -n "$(UPSTREAM)" || (echo "usage: make compat-tools UPSTREAM=DIR [COMPAT_PYTHON=...]" && exit 2)
	$(COMPAT_PYTHON) bench/compat.py --upstream $(UPSTREAM) --mode tools

clean:
	rm -rf $(VENV) build dist .pytest_cache .demo

# Parser accuracy on a Lakeflow Community Connectors checkout's own API docs; the ground
# truth comes from its connectors, read with UPSTREAM_PYTHON (a Python that has it installed).
UPSTREAM ?=
UPSTREAM_PYTHON ?= python3
accuracy: $(STAMP)
	@test -n "$(UPSTREAM)" || { echo "usage: make accuracy UPSTREAM=DIR [UPSTREAM_PYTHON=PY]"; exit 2; }
	$(PY) bench/accuracy.py "$(UPSTREAM)" --python "$(UPSTREAM_PYTHON)"
