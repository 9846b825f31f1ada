# ReportQA: `make run` opens the REPL on seeds/, `make test` runs the test suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
OCR_STAMP := $(VENV)/.installed-ocr

.PHONY: install run test lint test-slow test-all bench clean antiword fit-decision

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Installing ReportQA into $(VENV) (log: $(VENV)/install.log)…"
	@$(PY) -m pip install --disable-pip-version-check --upgrade pip >$(VENV)/install.log 2>&1 \
		&& $(PY) -m pip install --disable-pip-version-check -e '.[test]' >>$(VENV)/install.log 2>&1 \
		|| { tail -n 30 $(VENV)/install.log; echo "Installation failed; see $(VENV)/install.log"; exit 1; }
	@touch $(STAMP)

# Debian's antiword reads legacy .doc files: installed when missing and we are root (as in CI).
# Without it everything else works and .doc files are skipped with a message naming it.
antiword:
	@command -v antiword >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
		&& { apt-get install -y -q antiword >/dev/null 2>&1 \
		     || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q antiword >/dev/null 2>&1; }; } \
		|| echo "注意：未能安装 antiword，.doc 文件将被跳过（Debian/Ubuntu：apt-get install antiword）"; }

# The OCR extra (rapidocr-onnxruntime with ONNX Runtime and OpenCV, about 470 MB): only for the
# slow tests, which read a scanned page with it; `make test` runs without it.
$(OCR_STAMP): $(STAMP)
	@echo "Installing the OCR extra into $(VENV) (about 470 MB; log: $(VENV)/install.log)…"
	@$(PY) -m pip install --disable-pip-version-check -e '.[test,ocr]' >>$(VENV)/install.log 2>&1 \
		|| { tail -n 30 $(VENV)/install.log; echo "Installation failed; see $(VENV)/install.log"; exit 1; }
	@touch $(OCR_STAMP)

install: $(STAMP) antiword

run: $(STAMP) antiword
	@$(VENV)/bin/reportqa repl

test: $(STAMP) antiword
	$(PY) -m pytest -q

# Lint: ruff's rules over the whole tree and mypy over the engine (both configured in pyproject.toml).
lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

# The slow cases alone (a 200 MB file, 20,000 files, a heavier kill test, OCR of a scanned page).
test-slow: $(OCR_STAMP) antiword
	$(PY) -m pytest -q -m slow

# Everything but the benchmarks: the default suite and the slow cases.
test-all: $(OCR_STAMP) antiword
	$(PY) -m pytest -q -m "not bench"

# Benchmarks: answer quality on ../shared/datasets, the Telegram load test, and the scale
# benchmark at 10,000 chunks (BENCH_CHUNKS=100000 for the larger run; see benchmarks/README.md).
BENCH_CHUNKS ?= 10000
bench: $(STAMP)
	$(PY) -m pytest -q -m bench -s -p no:cacheprovider
	$(PY) benchmarks/run.py --chunks $(BENCH_CHUNKS) --work $${TMPDIR:-/tmp}/reportqa-bench

# Refit the learned answer decision (config/decision.toml) on the dev sets: every set the fit reads
# (the seeds sets asked without and with sentence vectors) and the public sets' dev articles
# (tools/fit_decision.py's docstring and docs/quality.md give the rules). FIT_ROWS keeps the
# collected rows for refits in seconds; scikit-learn and LightGBM come with the fit extra.
DATASETS ?= ../shared/datasets
FIT_ROWS ?=
DEV_ROUNDS := blind blind3 blind4 blind5 blind6 blind7 blind8 blind9
SETS_SEEDS := tests/data/dev.jsonl $(foreach r,$(DEV_ROUNDS),tests/data/$(r)/seeds.dev.jsonl)
SETS_GWR := tests/data/gwr.jsonl $(foreach r,$(DEV_ROUNDS),tests/data/$(r)/gwr.dev.jsonl)
SETS_REAL := $(foreach r,$(DEV_ROUNDS),tests/data/$(r)/real.dev.jsonl)
fit-decision: $(STAMP)
	@$(PY) -m pip install --disable-pip-version-check -e '.[test,fit]' >>$(VENV)/install.log 2>&1
	$(PY) tools/fit_decision.py \
		$(foreach s,$(SETS_SEEDS),--train $(s)=seeds) \
		$(foreach s,$(SETS_GWR),--train $(s)=$(DATASETS)/gwr_even) \
		$(foreach s,$(SETS_REAL),--train $(s)=$(DATASETS)/real_reports) \
		$(foreach s,$(SETS_SEEDS),--train-vectors $(s)=seeds) \
		--public $(DATASETS)/cmrc2018_trial.json --public $(DATASETS)/drcd_test.json \
		--each-corpus --rule-sets /blind $(if $(FIT_ROWS),--rows $(FIT_ROWS)) --out config/decision.toml

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis *.egg-info
