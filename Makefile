# Two commands do all the set-up on a fresh machine with Python 3.11+:
#   make demo   install into .venv, scan a shipped example, print the summary
#   make test   install into .venv, then run the tests (those of the optional extras skip
#               unless `make install-extras` ran first, as .ci/run does)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install install-embeddings install-extras demo test lint clean

$(BIN)/databugs: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(BIN)/databugs

install: $(BIN)/databugs

# The optional sentence-embedding extra (--text-model). The CPU build of torch is installed
# first: left to the resolver, pip takes a CUDA build of several GB.
install-embeddings: install
	$(BIN)/pip install --quiet torch==2.13.0 || $(BIN)/pip install --quiet torch \
		--index-url https://download.pytorch.org/whl/cpu
	$(BIN)/pip install --quiet -e '.[test,embeddings]'

# Every optional extra: embeddings (above) and dask (--engine dask).
install-extras: install-embeddings
	$(BIN)/pip install --quiet -e '.[test,embeddings,dask]'

demo: install
	$(BIN)/databugs scan examples/sms_sample.csv --id message_id --out databugs-report --format rich
	@echo "open databugs-report/report.html (the page reviewers look at); then:"
	@echo "  $(BIN)/databugs review --report databugs-report        # decide row by row"
	@echo "  $(BIN)/databugs fix --report databugs-report --accept-top 30  # or accept the 30 worst"

test: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest -n auto src tests  # one worker per core (pytest-xdist)

lint: install
	$(BIN)/ruff check src tests benchmarks

clean:
	rm -rf $(VENV) databugs-report .pytest_cache
