# Two commands do all the set-up on a fresh machine with Python 3.11+:
#   make demo   install into .venv, scan a shipped example, print the summary
#   make test   install into .venv, then run the tests
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install demo test lint clean

$(BIN)/databugs: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(BIN)/databugs

install: $(BIN)/databugs

demo: install
	$(BIN)/databugs scan examples/sms_sample.csv --id message_id --out databugs-report --format rich

test: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest src tests

lint: install
	$(BIN)/ruff check src tests benchmarks

clean:
	rm -rf $(VENV) databugs-report .pytest_cache
