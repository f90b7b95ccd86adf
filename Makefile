# Every routine task of the project. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
# Rasa 3.6 needs Python 3.8–3.10; the lock file is made with 3.10.
# pyenv's shims exist for versions that are not selected, so every candidate is
# run once to check it really is a working 3.10.
PYENV_ROOT ?= $(shell pyenv root 2>/dev/null || echo $(HOME)/.pyenv)
PYTHON310 ?= $(shell for c in $(PYENV_ROOT)/versions/3.10.*/bin/python3.10 /usr/local/bin/python3.10 \
  /usr/bin/python3.10 python3.10; do "$$c" -c 'import sys; assert sys.version_info[:2] == (3, 10)' \
  >/dev/null 2>&1 && { command -v "$$c"; break; }; done)

# The processes' environment, in one place with the launcher's (bot/environment.py).
include bot/process.env
export $(shell sed -n 's/^\([A-Z][A-Z0-9_]*\)=.*/\1/p' bot/process.env)
export PYTHONPATH := $(CURDIR)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

KB_SOURCES := $(wildcard knowledge/*.py knowledge/*.yml knowledge/entries/*.yml knowledge/frameworks/*.yml \
  knowledge/asked/*.yml)
KB_DB := build/knowledge.db
# The chat widget (rasa-webchat) and what it needs, from the npm registry, as locked.
WEB_DIR := bot/web
WEB_DEPS := $(WEB_DIR)/node_modules/.installed

.PHONY: help install system web kb train run test test-unit bench lint lock clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

install: $(VENV)/.installed ## create .venv with Python 3.10 and the locked packages

$(VENV)/.installed: requirements.lock
	@if [ -z "$(PYTHON310)" ]; then \
	  echo "error: Rasa 3.6 needs Python 3.10, and none was found (looked for python3.10 on PATH and in $(PYENV_ROOT)/versions)."; \
	  echo "Install it with 'pyenv install 3.10' or 'apt-get install python3.10 python3.10-venv', or run 'make PYTHON310=/path/to/python3.10 …'."; \
	  exit 1; fi
	@if [ -x $(PY) ] && ! $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then \
	  echo "==> $(VENV) is not Python 3.10: recreating it"; rm -rf $(VENV); fi
	@echo "==> installing the locked environment into $(VENV) with $(PYTHON310) (a few minutes the first time)"
	@[ -x $(PY) ] || $(PYTHON310) -m venv $(VENV)
	@mkdir -p build
	@$(PY) -m pip install "pip==24.0" > build/pip-install.log 2>&1 && \
	  $(PY) -m pip install --no-deps -r requirements.lock >> build/pip-install.log 2>&1 || \
	  { tail -30 build/pip-install.log; echo "error: installing the locked environment failed (build/pip-install.log)"; exit 1; }
	@touch $@

# Debian packages the tests use: a browser for the widget test (and a Chinese font for its
# screenshots), PostgreSQL and Redis for scale-out.
SYSTEM_PACKAGES := chromium fonts-wqy-microhei postgresql redis-server

system: ## install the Debian packages the tests need (chromium, PostgreSQL, Redis) when missing
	@missing=$$(for p in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ]; then \
	    echo "error: the tests need these Debian packages: $$missing"; \
	    echo "install them with: sudo apt-get install --no-install-recommends $$missing"; exit 1; fi; \
	  echo "==> installing Debian packages: $$missing (log in build/apt-install.log)"; mkdir -p build; \
	  { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; } \
	    > build/apt-install.log 2>&1 || { tail -20 build/apt-install.log; echo "error: apt-get failed"; exit 1; }; fi

web: $(WEB_DEPS) ## install the web chat's npm packages (npm ci, when bot/web/package-lock.json changed)

$(WEB_DEPS): $(WEB_DIR)/package.json $(WEB_DIR)/package-lock.json
	@command -v npm >/dev/null || { echo "error: the web chat needs Node.js and npm (apt-get install nodejs npm)"; exit 1; }
	@echo "==> installing the web chat's npm packages into $(WEB_DIR)/node_modules (npm ci, ~20 s)"
	@mkdir -p build
	@cd $(WEB_DIR) && npm ci --no-audit --no-fund > $(CURDIR)/build/npm-install.log 2>&1 || \
	  { tail -20 $(CURDIR)/build/npm-install.log; echo "error: npm ci failed (build/npm-install.log)"; exit 1; }
	@grep -E '^(added|removed|changed)' build/npm-install.log || true
	@touch $@

kb: $(KB_DB) ## validate knowledge/ and build the database and NLU artefacts

$(KB_DB): $(VENV)/.installed $(KB_SOURCES)
	@echo "==> building the knowledge base"
	@$(PY) -m knowledge build

train: install kb ## train the fact reader and the Rasa model if their inputs changed
	@$(PY) -m knowledge.customers train
	@$(PY) -m bot.model train

# `make run TRAIN=no` starts at once with the existing model; the launcher says if it is older
# than the knowledge base (answers are current anyway: the actions read the live database).
run: install kb web $(if $(filter no,$(TRAIN)),,train) ## start the assistant (web chat and FAQ on :8080, REST + socket.io on :5005, actions on :5055)
	@$(PY) -m bot.launcher

# In stages, stopping at the first that fails and naming it: lint, the tests that need no Rasa
# model, then (training only if its inputs changed) the tests with the assistant running.
test: install system kb web ## lint, the tests that need no model, then training and the bot tests
	@echo "==> stage 1/3: lint (ruff check, ruff format --check)"
	@$(MAKE) --no-print-directory lint || { echo "error: make test stopped at stage 1/3: lint"; exit 1; }
	@echo "==> stage 2/3: the tests that need no Rasa model (pytest -m 'not server')"
	@{ $(PY) -m knowledge.customers train && $(PY) -m pytest -m "not server"; } || \
	  { echo "error: make test stopped at stage 2/3: the tests that need no Rasa model"; exit 1; }
	@echo "==> stage 3/3: the Rasa model (trained if its inputs changed), then the tests with the assistant running (pytest -m server)"
	@{ $(PY) -m bot.model train && $(PY) -m pytest -m server; } || \
	  { echo "error: make test stopped at stage 3/3: the tests with the assistant running"; exit 1; }

test-unit: install system kb web ## the fast lane: lint and the tests that need no Rasa model (~3 min)
	@$(MAKE) --no-print-directory lint
	@$(PY) -m knowledge.customers train
	@$(PY) -m pytest -m "not server"

bench: install kb train web ## print search, reading, customer-list, latency, start-up, memory, web front and load figures
	@$(PY) -m tests.benchmarks.search_bench
	@$(PY) -m tests.benchmarks.reader_bench
	@$(PY) -m tests.benchmarks.portfolio_bench
	@$(PY) -m tests.benchmarks.assistant_bench
	@$(PY) -m tests.benchmarks.web_bench
	@$(PY) -m tests.benchmarks.load_bench
	@$(PY) -m tests.benchmarks.stock_bench

lint: install ## ruff lint and format check
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

lock: ## re-resolve requirements.in into requirements.lock (fresh venv, ~4 min)
	@rm -rf build/lock-venv && $(PYTHON310) -m venv build/lock-venv
	@build/lock-venv/bin/pip install --quiet "pip==24.0" && build/lock-venv/bin/pip install --quiet -r requirements.in
	@(echo "# Generated by 'make lock' from requirements.in: the whole environment, pinned."; \
	  build/lock-venv/bin/pip freeze --all | grep -vE '^(pip)==') > requirements.lock
	@rm -rf build/lock-venv && echo "wrote requirements.lock"

clean: ## remove build products and trained models (keeps .venv)
	rm -rf build models data/generated results
