# Two commands do all the set-up on a fresh machine (see README):
#   make run    install what is missing, then convert everything in input/ to dist/ in every format
#   make test   install what is missing (test tools included), then run the test suite
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
# Test files run side by side on this many processes (xdist); CI has two cores.
TEST_JOBS ?= 2

.PHONY: run test lint bench clean bytecode

run: $(VENV)/.run-installed bytecode
	@bash scripts/system-deps run
	$(BIN)/convert input/ --to all -o dist

# The pathological cases run alone, after the rest: they measure how CPU time grows with the size
# of an input, which a neighbouring test's load would blur.
test: $(VENV)/.test-installed bytecode
	@bash scripts/system-deps test
	$(BIN)/ruff check pipeline tests
	$(BIN)/python -m pytest -n $(TEST_JOBS) --dist loadfile --ignore=tests/test_pathological.py
	$(BIN)/python -m pytest tests/test_pathological.py

lint: $(VENV)/.test-installed
	$(BIN)/ruff check pipeline tests

bench: $(VENV)/.test-installed bytecode
	@bash scripts/system-deps run
	$(BIN)/python bench/run.py

$(VENV)/.run-installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.test-installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.run-installed

# An editable install leaves our modules uncompiled, and where PYTHONDONTWRITEBYTECODE is set (as
# on our CI's image) every process compiled them again: 0.1-0.2 s of a one-document run's critical
# path. Compiled here as pip compiles an installed package; only changed files, in 0.04 s.
bytecode:
	@$(BIN)/python -m compileall -q pipeline

clean:
	rm -rf dist
