# Two commands on a fresh machine: `make demo` and `make test`. Each builds .venv from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# uv (installed into .venv from PyPI) builds the extra venvs; it uses the interpreters it is given.
UV := UV_PYTHON_DOWNLOADS=never $(BIN)/uv

.PHONY: demo test lint typecheck unit contract generate check-generated bench soak clean
.PHONY: unit-interpreters unit-lowest unit-stdlib-json dist-check docs-check docs

$(STAMP): pyproject.toml
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python examples/quickstart.py

test: $(STAMP) check-generated lint typecheck unit unit-stdlib-json unit-interpreters unit-lowest \
	dist-check docs-check contract

generate: $(STAMP)
	$(BIN)/python -m codegen

# Regenerating must be a no-op: generated files are never edited by hand.
check-generated: $(STAMP)
	$(BIN)/python -m codegen --check

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# Every suite runs on PYTEST_WORKERS pytest-xdist workers (the CI machine has 2 cores);
# `make unit PYTEST_WORKERS=0` runs in one process, for a debugger or a clearer traceback.
PYTEST_WORKERS ?= 2
XDIST := -n $(PYTEST_WORKERS)

unit: $(STAMP)
	$(BIN)/pytest -q $(XDIST)

# Every venv has orjson (the test extra brings the speedups extra), so the suite parses with it;
# the parser tests run on both parsers (the json_backend fixture), and this runs the tests that
# read bodies through the client and webhooks on the standard library, as without the extra.
STDLIB_JSON_TESTS := tests/test_json.py tests/test_client.py tests/test_decoding.py \
	tests/test_errors.py tests/test_events.py tests/test_webhook_events.py

unit-stdlib-json: $(STAMP)
	STRIPE_CREDIT_NOTES_NO_SPEEDUPS=1 $(BIN)/python -c 'from stripe_credit_notes import _json; \
	assert _json.BACKEND == "json", _json.BACKEND; print("unit-stdlib-json: parser", _json.BACKEND)'
	STRIPE_CREDIT_NOTES_NO_SPEEDUPS=1 $(BIN)/pytest -q $(XDIST) $(STDLIB_JSON_TESTS)

# -- the unit suite on the other supported interpreters ------------------------------------------
# .venv is 3.11 (PYTHON); each other one found (tools/find_python.sh: PATH, then pyenv) gets its
# own venv with the test extra, built once (stamp), and runs the unit suite. One that is not
# installed is skipped with a line saying so.
OTHER_PYTHONS := 3.10 3.12 3.13
# Those venvs have the test extra only: no ruff, which the generated-code test needs.
UNIT_ELSEWHERE := -q $(XDIST) -m "not dev_tools"
# The other interpreters run the unit suite; the integration and soak tests (real processes,
# minutes of wall time) run on .venv only.
UNIT_ONLY := --ignore=tests/integration --ignore=tests/soak

unit-interpreters: $(OTHER_PYTHONS:%=unit-py%)

unit-py%: $(STAMP)
	@python="$$(tools/find_python.sh $*)" || { echo "unit-py$*: no Python $* found: skipped"; exit 0; }; \
	$(MAKE) --no-print-directory .venv-py$*/.installed FOUND_PYTHON="$$python" && \
	echo "unit-py$*: $$python" && .venv-py$*/bin/pytest $(UNIT_ELSEWHERE) $(UNIT_ONLY)

.venv-py%/.installed: pyproject.toml | $(STAMP)
	rm -rf .venv-py$*
	$(UV) venv --quiet --python "$(FOUND_PYTHON)" .venv-py$*
	$(UV) pip install --quiet --python .venv-py$*/bin/python -e '.[test]'
	touch $@

# -- the unit suite at the lowest versions pyproject.toml allows ---------------------------------
# Every direct dependency (runtime and test tools) at its floor, on the oldest supported Python
# (3.10, or PYTHON when there is none), so a floor that is not true fails here.
LOWEST := .venv-lowest

$(LOWEST)/.installed: pyproject.toml | $(STAMP)
	rm -rf $(LOWEST)
	$(UV) venv --quiet --python "$$(tools/find_python.sh 3.10 || command -v $(PYTHON))" $(LOWEST)
	$(UV) pip install --quiet --python $(LOWEST)/bin/python --resolution lowest-direct -e '.[test]'
	touch $@

unit-lowest: $(LOWEST)/.installed
	@$(LOWEST)/bin/python -c 'import sys; from importlib.metadata import version as v; \
	print("unit-lowest: Python %d.%d," % sys.version_info[:2], \
	", ".join(f"{p} {v(p)}" for p in ("httpx", "attrs", "cattrs", "sniffio", "orjson")))'
	$(LOWEST)/bin/pytest $(UNIT_ELSEWHERE) $(UNIT_ONLY)

# -- what would be uploaded ----------------------------------------------------------------------
# sdist and wheel (the wheel built from the sdist), their metadata (twine), their content
# (tools/check_dist.py), and the wheel installed into an empty venv: it imports and runs.
DIST_VENV := build/venv-dist

dist-check: $(STAMP)
	rm -rf dist $(DIST_VENV)
	$(BIN)/python -m build --installer uv --outdir dist . >/dev/null
	$(BIN)/twine check --strict dist/*
	$(BIN)/python tools/check_dist.py dist
	$(UV) venv --quiet --python $(BIN)/python $(DIST_VENV)
	$(UV) pip install --quiet --python $(DIST_VENV)/bin/python dist/*.whl
	cd build && venv-dist/bin/python -c 'import stripe_credit_notes as s, stripe_credit_notes.models; \
	s.Client; assert "site-packages" in s.__file__, s.__file__; \
	print("dist-check: the wheel", s.__version__, "imports from", s.__file__)'
	$(DIST_VENV)/bin/stripe-credit-notes-emulator --help >/dev/null

# -- the documentation site (mkdocs-material, API reference by mkdocstrings) ---------------------
# --strict: a broken link, a reference that does not resolve or a docstring warning fails;
# tools/check_docs.py: a public name missing from the API reference fails.
MKDOCS := NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs

docs-check: $(STAMP)
	$(MKDOCS) build --strict --quiet --site-dir build/site
	$(BIN)/python tools/check_docs.py build/site

docs: $(STAMP)
	$(MKDOCS) serve --dev-addr 127.0.0.1:8000

# The SDK against Prism 4.14.1, an OpenAPI validator nobody here wrote (needs Node and npm).
contract: $(STAMP)
	bash contract/run.sh

# The long kill/resume run of the bulk runner: 2,000 rows, 25 SIGKILLs (BULK_KILL_SEED to replay).
.PHONY: soak-bulk
soak-bulk: $(STAMP)
	BULK_SOAK=1 $(BIN)/pytest -q tests/integration/test_bulk_kill.py -k soak

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# The long fault soak (1,000 Client + 300 AsyncClient sequences); `make soak SEED=123` repeats
# a run. `make test` runs a short one (tests/soak/test_soak.py).
soak: $(STAMP)
	$(BIN)/python -m tests.soak $(if $(SEED),--seed $(SEED))

clean:
	rm -rf $(VENV) .venv-py* $(LOWEST) build dist site .mypy_cache .ruff_cache .pytest_cache \
	.hypothesis contract/build contract/node_modules
