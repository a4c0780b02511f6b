# The front door: `make demo` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint bench sample-data clean

# The venv is a file target: built once, rebuilt only when pyproject.toml changes.
$(VENV)/pyvenv.cfg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/pyvenv.cfg

demo: $(VENV)/pyvenv.cfg
	-$(BIN)/funnelctl audit configs/demo.yaml

test: $(VENV)/pyvenv.cfg lint
	$(BIN)/pytest

lint: $(VENV)/pyvenv.cfg
	$(BIN)/ruff check funnelctl tests sample_data $(wildcard bench)

sample-data: $(VENV)/pyvenv.cfg
	$(BIN)/python sample_data/generate.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
