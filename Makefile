# CivicGrid — the two quick-start commands are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The PostgreSQL server used by `make test-postgres` (CI runs it after `make test`).
PG_URL ?= postgres://postgres@127.0.0.1:5432/civicgrid

.PHONY: demo test test-postgres check bench install venv browser-deps migrate serve clean messages ci

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit("CivicGrid needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"

# Re-install when the dependency list changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

install: $(VENV)/.installed

migrate: install
	@mkdir -p var
	$(BIN)/civicgrid migrate --noinput

demo: migrate
	$(BIN)/civicgrid demo load
	$(BIN)/civicgrid demo appeals
	$(BIN)/civicgrid demo registry  # a slice of the synthetic city through the registry import
	$(BIN)/civicgrid demo plans  # policy documents → reviewed, published plan with progress
	$(BIN)/civicgrid demo indicators  # policy targets, district values 2012-2016, aggregates
	-$(BIN)/civicgrid appeals train-router  # routing suggestions; keeps the router when nothing changed
	$(BIN)/civicgrid appeals refresh-statistics
	$(BIN)/civicgrid demo accounts
	@echo "CivicGrid serves at http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	$(BIN)/civicgrid runserver $(HOST):$(PORT)

# Debian's Chromium for the browser tests (never a downloaded browser build).
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) \
	      || echo "WARNING: could not install chromium; browser tests will be skipped"; \
	  else \
	    echo "WARNING: /usr/bin/chromium missing (run: sudo apt-get install -y chromium); browser tests will be skipped"; \
	  fi; \
	fi

test: install browser-deps
	$(BIN)/python -m pytest --create-db -q $(PYTEST_ARGS)

test-postgres: install browser-deps
	DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest --create-db -q $(PYTEST_ARGS)

check: install
	@mkdir -p var
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy civicgrid config
	$(BIN)/djlint civicgrid --lint
	$(BIN)/lint-imports
	$(BIN)/civicgrid makemigrations --check --dry-run
	DJANGO_SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	  DJANGO_ALLOWED_HOSTS=civicgrid.example.org \
	  CIVICGRID_REGISTRY_HASH_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(48))')" \
	  CIVICGRID_REGISTRY_ENCRYPTION_KEYS="$$($(BIN)/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
	  DJANGO_SETTINGS_MODULE=config.settings.production \
	  $(BIN)/civicgrid check --deploy --fail-level WARNING

bench: migrate
	$(BIN)/civicgrid demo load --quiet
	$(BIN)/python bench/territory_locate.py

messages: install
	cd civicgrid && ../$(BIN)/civicgrid makemessages -l zh_Hans --no-obsolete --no-location
	cd civicgrid && ../$(BIN)/civicgrid compilemessages

clean:
	rm -rf $(VENV) var/*.sqlite3* var/staticfiles
