# The two commands of the README. Each does all of its own set-up on a fresh machine with Python 3.11 and make,
# and reinstalls only when a requirements file changed.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev

.PHONY: run test bench clean package

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m devstack.run

# The browser tests drive Debian's Chromium with Playwright (never a browser Playwright downloads itself).
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	$(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

# The browser tests load axe-core (the accessibility checker) from npm, pinned by package-lock.json; npm comes from
# the distribution when the machine has none.
NPM_STAMP := node_modules/.installed

$(NPM_STAMP): package.json package-lock.json
	command -v npm >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NPM_STAMP)

# One pytest-xdist worker per core (at most 4: each holds the app, moto and, for one of them, the e2e stack). A work
# unit runs whole on one worker: all of e2e (one stack, the OpenAPI check last), all of infra (each stage packaged
# once), otherwise one module (its moto world built once); tests/conftest.py schedules them.
TEST_WORKERS ?= auto

# mypy first (mypy.ini: --strict on all the code but the tests): a type error fails the build before any test runs.
test: $(STAMP) $(CHROMIUM) $(NPM_STAMP)
	$(BIN)/python -m mypy
	TOKENMINT_CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest -n $(TEST_WORKERS) --maxprocesses 4 --dist loadscope

# `make bench FLOWS=login,refresh` measures only those flows in the Flows section; SCALE=1 adds bench/scale.py.
bench: $(STAMP)
	$(BIN)/python -m bench.tokens $(if $(FLOWS),--flows $(FLOWS)) $(if $(SCALE),--scale)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .tokenmint-local node_modules

# `make package STAGE=dev|prod`: the deployable CloudFormation (SAM) template and Lambda bundle of one stage, in
# build/<stage>/ (sam.json + deployment.zip): `chalice package` merged with infra/resources.json. Needs no AWS
# account or credentials; pip downloads the Lambda's Linux wheels from PyPI; infra/stage_settings.py then writes the
# settings that differ per stage into the template (.chalice/config.json, e.g. the abuse limits) and
# infra/precompile.py adds the bytecode Lambda cannot write itself (its code directory is read-only).
# Deploying: docs/operations.md.
STAGE ?= dev
BUILD_DIR ?= build/$(STAGE)

package: $(STAMP)
	@case "$(STAGE)" in dev|prod) ;; *) echo "STAGE must be dev or prod (.chalice/config.json)" >&2; exit 2;; esac
	rm -rf "$(BUILD_DIR)"
	AWS_DEFAULT_REGION="$${AWS_DEFAULT_REGION:-us-east-1}" $(BIN)/chalice package --stage "$(STAGE)" \
		--merge-template infra/resources.json "$(BUILD_DIR)"
	$(BIN)/python infra/stage_settings.py "$(STAGE)" "$(BUILD_DIR)"
	$(BIN)/python infra/precompile.py "$(BUILD_DIR)"
	@echo "$(BUILD_DIR)/sam.json and $(BUILD_DIR)/deployment.zip: deploy as in docs/operations.md"
