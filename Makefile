# Two commands a new user needs:  `make demo`  and  `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test lint bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt torch==2.13.0
	$(BIN)/pip install -q -c constraints.txt -e ".[test,bench,privacy,dask]"
	# anonymeter 1.1.0 pins numpy < 1.27 but runs on numpy 2: without --no-deps pip would downgrade the stack.
	$(BIN)/pip install -q --no-deps anonymeter==1.1.0
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/synthgan demo --output-dir synthgan-demo

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m mypy --strict tests/typing/user_code.py
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/transformer.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .ruff_cache .mypy_cache
