# ReportQA: `make run` opens the REPL on seeds/, `make test` runs the test suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test test-all bench clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Installing ReportQA into $(VENV) (log: $(VENV)/install.log)…"
	@$(PY) -m pip install --disable-pip-version-check --upgrade pip >$(VENV)/install.log 2>&1 \
		&& $(PY) -m pip install --disable-pip-version-check -e '.[test]' >>$(VENV)/install.log 2>&1 \
		|| { tail -n 30 $(VENV)/install.log; echo "Installation failed; see $(VENV)/install.log"; exit 1; }
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	@$(VENV)/bin/reportqa repl

test: $(STAMP)
	$(PY) -m pytest -q

# Everything, slow cases included (large files, many files).
test-all: $(STAMP)
	$(PY) -m pytest -q -m "not bench"

# Benchmarks over ../shared/datasets and synthetic corpora; see benchmarks/README.md.
bench: $(STAMP)
	$(PY) -m pytest -q -m bench -s

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis *.egg-info
