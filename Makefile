# The front door: `make demo` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint bench sample-data screenshot clean

# The venv is a file target: built once, rebuilt only when pyproject.toml changes.
$(VENV)/pyvenv.cfg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/pyvenv.cfg

# Exit code 1 only means the demo data has findings: the demo itself succeeded.
demo: $(VENV)/pyvenv.cfg
	@$(BIN)/funnelctl audit configs/demo.yaml; code=$$?; \
	echo "funnelctl exit code: $$code (0 ok, 1 findings at or above --fail-on, 2 could not run)"; \
	[ $$code -lt 2 ]

test: $(VENV)/pyvenv.cfg lint
	$(BIN)/pytest

lint: $(VENV)/pyvenv.cfg
	$(BIN)/ruff check $(wildcard funnelctl tests sample_data bench)

# The benchmark: funnelctl against the peers in ../shared/bench (polars, duckdb, chdb,
# pandas), whole process against whole process, with the harness's equality check.
SHARED      ?= ../shared
BENCH_VENV  := .venv-bench
BENCH_DATA  ?= .benchdata
BENCH_SIZES ?= 10m,30m
BENCH_REPS  ?= 3
BENCH_ARGS  ?=

$(BENCH_VENV)/pyvenv.cfg:
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet polars duckdb chdb pandas pyarrow numpy
	touch $(BENCH_VENV)/pyvenv.cfg

bench: $(VENV)/pyvenv.cfg $(BENCH_VENV)/pyvenv.cfg
	$(BENCH_VENV)/bin/python $(SHARED)/bench/run_peers.py --gen \
	  --data-root $(abspath $(BENCH_DATA)) --sizes $(BENCH_SIZES) --reps $(BENCH_REPS) \
	  --out-dir $(abspath bench/results) $(BENCH_ARGS) \
	  --extra-peer "funnelctl=$(abspath $(BIN))/python $(abspath bench/funnelctl_peer.py) {workload} {data} {out}"

sample-data: $(VENV)/pyvenv.cfg
	$(BIN)/python sample_data/generate.py

# docs/example-report.html and its screenshot; installs Debian's chromium if missing.
# Not part of `make test`: CI needs no browser.
screenshot: $(VENV)/pyvenv.cfg
	scripts/screenshot.sh

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
