# The two commands a newcomer needs: `make chat` and `make test`. Everything else is set up on demand.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
INSTALLED := $(VENV)/.installed
WEB_INSTALLED := web/node_modules/.installed
MODEL := models/lbp.tar.gz
TRAINING_INPUTS := config.yml domain.yml $(wildcard data/*.yml) $(wildcard components/*.py)

# Quiet, offline, reproducible runs.
export TF_CPP_MIN_LOG_LEVEL ?= 3
export RASA_TELEMETRY_ENABLED ?= false
export SQLALCHEMY_SILENCE_UBER_WARNING ?= 1
export PYTHONWARNINGS ?= ignore
export PIP_DISABLE_PIP_VERSION_CHECK ?= 1

.PHONY: help install browser services test-scale train chat serve test lint test-unit test-e2e validate test-stories bench clean constraints

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(INSTALLED): requirements.txt requirements-dev.txt constraints.txt scripts/find-python310.sh
	@python310=$$(scripts/find-python310.sh) || exit 1; \
	if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$python310"; $$python310 -m venv $(VENV) || exit 1; fi
	$(PY) -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	$(PY) -m pip check
	@touch $@

install: $(INSTALLED) $(WEB_INSTALLED) browser services ## Create .venv, install pinned dependencies, the web chat's npm packages, chromium, redis-server and PostgreSQL (skipped when unchanged)

$(WEB_INSTALLED): web/package.json web/package-lock.json
	@command -v npm >/dev/null || { echo "The web chat needs Node.js 18+ and npm: install them (Debian: apt-get install nodejs npm)"; exit 1; }
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

services: ## Debian's redis-server and PostgreSQL for the store, fault and scale-out tests (installed when missing, as root)
	@scripts/system-packages.sh redis-server postgresql

browser: ## Debian's chromium for the web chat's browser tests (installed when missing, as root)
	@scripts/system-packages.sh chromium

$(MODEL): $(TRAINING_INPUTS) $(INSTALLED)
	$(RASA) train --fixed-model-name lbp --out models
	@touch $@

train: $(MODEL) ## Train the model (skipped when data, domain and config are unchanged)

chat: $(MODEL) ## Talk to the assistant in the terminal
	@scripts/chat.sh

serve: $(MODEL) $(WEB_INSTALLED) ## Rasa server on 127.0.0.1:5005 and action server on 5055, in the foreground
	@scripts/serve.sh

.PHONY: telegram-webhook
telegram-webhook: $(INSTALLED) ## Tell Telegram where to post updates (the LBP_TELEGRAM_* variables; see docs/channels.md)
	$(PY) -m channels.telegram_webhook

lint: $(INSTALLED) ## Ruff over the whole project
	$(PY) -m ruff check .

test-unit: $(INSTALLED) services ## Fast tests that need no trained model
	$(PY) -m pytest -q -m "not e2e"

validate: $(INSTALLED) ## rasa data validate, failing on warnings
	$(RASA) data validate --fail-on-warnings

test-stories: $(MODEL) ## Test stories against the trained model, failing on any wrong prediction
	$(RASA) test core --model $(MODEL) --stories tests/test_stories.yml \
	  --fail-on-prediction-errors --out var/results/core

test-e2e: $(MODEL) $(WEB_INSTALLED) browser services ## End-to-end tests against real Rasa and action servers
	$(PY) -m pytest -q -m "e2e and not scale"

test: lint validate $(MODEL) $(WEB_INSTALLED) browser services ## Every check: lint, validate, all pytest tests, test stories
	$(PY) -m pytest -q -m "not scale"
	$(MAKE) --no-print-directory test-stories

test-scale: $(MODEL) services ## Scale-out: two Rasa servers sharing PostgreSQL and Redis (slow; .ci/run runs it after make test)
	$(PY) -m pytest -q -m scale

bench: $(MODEL) ## Benchmarks (slow; figures go in docs/performance.md)
	$(PY) bench/safety_bench.py --set bench/safety/heldout.yml
	$(PY) bench/clinical_bench.py
	$(PY) bench/own_words_bench.py
	$(PY) bench/followups_bench.py
	$(PY) bench/assess_bench.py --no-tensorflow
	$(PY) bench/assess_bench.py --no-tensorflow --set bench/vignettes_lay.yml
	$(PY) bench/assess_bench.py --no-tensorflow --set bench/vignettes_heldout.yml
	$(PY) bench/nlu_bench.py
	$(PY) bench/serve_bench.py
	$(PY) bench/conversation_bench.py
	$(PY) bench/load_bench.py

constraints: ## Re-resolve the pinned set from requirements*.txt into constraints.txt
	rm -rf var/constraints-venv && $$(scripts/find-python310.sh) -m venv var/constraints-venv
	var/constraints-venv/bin/pip install --quiet -r requirements-dev.txt
	var/constraints-venv/bin/pip check
	{ echo "# Every package of the runtime and development sets at one consistent version (pip check passes)."; \
	  echo "# Regenerate with: make constraints"; var/constraints-venv/bin/pip freeze; } > constraints.txt

.PHONY: prune
prune: $(INSTALLED) ## Delete conversations idle longer than LBP_RETENTION_DAYS (or DAYS=N) days
	@source scripts/env.sh && $(PY) -m store prune $(if $(DAYS),--days '$(DAYS)')

clean: ## Remove the virtual environment, models and local state
	rm -rf $(VENV) models var .rasa
