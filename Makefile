# Helio: `make run` starts the whole system; `make test` installs and passes every test.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
BACKEND := $(CURDIR)/backend
LOCK := $(BACKEND)/requirements.lock
DEV_LOCK := $(BACKEND)/requirements-dev.lock
HELIO_HOST ?= 127.0.0.1
HELIO_PORT ?= 8000
export HELIO_HOST HELIO_PORT
export HELIO_DATA_DIR ?= $(BACKEND)/var

.PHONY: run test lint bench audit-deps asvs sbom lock install install-dev clean images image-test deploy-check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"

$(VENV)/.runtime: $(BIN)/python $(LOCK) $(BACKEND)/pyproject.toml
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e $(BACKEND)
	touch $@

$(VENV)/.dev: $(VENV)/.runtime $(DEV_LOCK)
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK) -r $(DEV_LOCK)
	touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

## run: check the ports, migrate (as HELIO_MIGRATE_DATABASE_URL when set), seed demo data once,
## serve with the local mail sink when mail goes to it.
run: install
	cd $(BACKEND) && $(BIN)/helio check-config
	cd $(BACKEND) && $(BIN)/helio check-ports
	cd $(BACKEND) && $(BIN)/helio migrate
	cd $(BACKEND) && $(BIN)/helio seed-demo
	cd $(BACKEND) && exec $(BIN)/helio serve --mail-sink

## test: every test, against MariaDB and Redis whenever they answer (required under CI=true).
test: install-dev
	cd $(BACKEND) && eval "$$($(BIN)/python tools/test_env.py)" && \
	  $(BIN)/python -m pytest -p tools.asvs_pytest_plugin $(PYTEST_ARGS)

lint: install-dev
	cd $(BACKEND) && $(BIN)/ruff check src tests tools bench migrations
	cd $(BACKEND) && $(BIN)/ruff format --check src tests tools bench migrations
	cd $(BACKEND) && $(BIN)/mypy

bench: install-dev
	cd $(BACKEND) && for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script; done

## audit-deps: every locked pin against OSV advisories on disk (HELIO_OSV_DIR); fails on a hit.
audit-deps: install-dev
	cd $(BACKEND) && mkdir -p var && $(BIN)/python -m tools.audit_deps $(LOCK) $(DEV_LOCK) --live --json var/audit-deps.json

asvs: install-dev
	cd $(BACKEND) && $(BIN)/python -m tools.asvs_report --json var/asvs-report.json

sbom: install-dev
	cd $(BACKEND) && mkdir -p var && $(BIN)/cyclonedx-py requirements requirements.lock --pyproject pyproject.toml --output-reproducible --of JSON -o var/sbom.cdx.json

lock: $(BIN)/python
	$(BIN)/pip install --quiet pip-tools
	cd $(BACKEND) && $(BIN)/pip-compile -q --generate-hashes --allow-unsafe --strip-extras -o requirements.lock requirements.in
	cd $(BACKEND) && $(BIN)/pip-compile -q --generate-hashes --allow-unsafe --strip-extras -o requirements-dev.lock requirements-dev.in

## images: build the Python image (API, worker, migrations) and, once web/ exists, the web image
## from Debian bases cached in /var/cache/helio-images; one CycloneDX SBOM each in build/images/.
images: install-dev
	bash deploy/images/build.sh

## image-test: run the images as production does (read-only root, uid 10001, no capabilities)
## against the host's MariaDB and Redis, with throwaway database users, and attack the hardening.
image-test: images
	bash deploy/images/image-test.sh

## deploy-check: every offline check of deploy/ (kubernetes-validate, checkov, hadolint, terraform).
deploy-check:
	bash deploy/tools/check.sh

clean:
	rm -rf $(VENV) $(BACKEND)/var
