# Every target a person runs. Each creates and uses the local virtual environment itself.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-slow test-all bench lint addin template dist readme clean jsclient

# jsforce, the independent Salesforce client of tests/sync/salesforce/test_salesforce_jsforce.py (needs npm).
JSCLIENT := tests/jsclient
JS_STAMP := $(JSCLIENT)/node_modules/.installed

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/demandgrid demo

# The default run leaves out the tests marked slow (the exhaustive kill loop, the wheel build,
# the region-size demo org, ...); test-slow runs just those, test-all everything. CI runs both.
JS := $(if $(shell command -v npm 2>/dev/null),$(JS_STAMP))
# Tests run on every core (pytest-xdist); PYTEST_ARGS="-n 0" runs them in one process.
PYTEST := $(BIN)/python -m pytest -q -n auto
test: $(STAMP) $(JS)
	$(PYTEST) -m "not slow" $(PYTEST_ARGS)

test-slow: $(STAMP) $(JS)
	$(PYTEST) -m slow $(PYTEST_ARGS)

test-all: $(STAMP) $(JS)
	$(PYTEST) $(PYTEST_ARGS)

# Without npm or the registry the jsforce test skips (CI=true turns that skip into a failure).
$(JS_STAMP): $(JSCLIENT)/package-lock.json
	cd $(JSCLIENT) && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed \
	  || echo "tests/jsclient: npm ci failed; the jsforce test will skip (CI forbids that)"

jsclient:
	cd $(JSCLIENT) && npm ci --no-audit --no-fund --loglevel=error
	touch $(JS_STAMP)

# The README's sample sessions, run for real (tests/readme_samples.py; tests/test_readme.py
# fails when they drift).
readme: $(STAMP)
	$(BIN)/python -m cogapp -r -I tests -p "import cog, readme_samples as s" README.md

bench: $(STAMP)
	$(BIN)/python -m bench

lint: $(STAMP)
	$(BIN)/ruff check addin sync tests bench
	$(BIN)/ruff format --check addin sync tests bench
	$(BIN)/mypy

addin: $(STAMP)
	$(BIN)/demandgrid addin build

template: $(STAMP)
	$(BIN)/demandgrid template build

# A wheel to install demandgrid elsewhere (the add-in's Python): dist/demandgrid-<version>-py3-none-any.whl
dist: $(STAMP)
	$(BIN)/python -m pip wheel -q --no-deps -w dist .

clean:
	rm -rf $(VENV) build dist *.egg-info demo $(JSCLIENT)/node_modules
