# Two commands for a fresh machine (Python 3.11+, Node.js and npm):
#   make run    set everything up, then serve the portal on http://127.0.0.1:5000
#   make test   set everything up, then run the whole test suite (SQLite, then PostgreSQL)
# Both are idempotent and quiet on success: a step's output is shown only when it fails.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app portal
CSS := portal/static/build/portal.css

quietly = out=$$( $(2) 2>&1 ) || { echo "$(1) failed:"; echo "$$out"; exit 1; }

CATALOGUES := $(wildcard translations/*/LC_MESSAGES/messages.po)
COMPILED_CATALOGUES := $(CATALOGUES:.po=.mo)
# bandit: the application with every test but B101 (pyproject.toml [tool.bandit]). bench/ is run by developers
# on their own machines: it starts servers (B404, B603), calls them on loopback (B310), seeds random data
# (B311) and gives throwaway apps fixed keys (B105); every other test applies there (docs/security-scans.md).
BANDIT := { $(BIN)/bandit -c pyproject.toml -q -r portal kiosk crm_bridge knowledge_base \
  && $(BIN)/bandit -c pyproject.toml -q -r bench -s B101,B105,B310,B311,B404,B603; }
EXTRACT := $(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output

.PHONY: setup run test database browser bench lint messages audit
.DEFAULT_GOAL := run

setup: $(VENV)/.installed node_modules/.installed $(CSS) $(COMPILED_CATALOGUES) database

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(call quietly,Installing Python packages,$(BIN)/python -m pip install --disable-pip-version-check -e ".[test]")
	@touch $@

node_modules/.installed: package.json package-lock.json
	@$(call quietly,Installing front-end packages,npm ci --no-audit --no-fund)
	@touch $@

$(CSS): node_modules/.installed $(wildcard portal/static/src/*.scss)
	@$(call quietly,Building front-end assets,npm run --silent build)

# Compiled catalogues are built, not committed.
translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(VENV)/.installed
	@$(call quietly,Compiling the $* translations,$(BIN)/pybabel compile -d translations -l $*)

# After changing user-facing text: extract every marked string and merge it into each language's catalogue.
messages: $(VENV)/.installed
	@$(EXTRACT) -o translations/messages.pot portal kiosk crm_bridge knowledge_base
	@$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date

database: $(VENV)/.installed
	@$(call quietly,Migrating the database,$(FLASK) db upgrade)
	@$(call quietly,Loading the sample content,$(FLASK) kb import-content --quiet)

run: setup
	@$(FLASK) run --host 127.0.0.1 --port 5000

# Browser tests drive Debian's chromium; installed with apt-get when missing and we are root.
browser:
	@command -v chromium >/dev/null || { test "$$(id -u)" = 0 || { echo "Browser tests need Debian's chromium: apt-get install chromium (as root)"; exit 0; }; \
	  $(call quietly,Installing chromium,apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium); }

test: setup browser audit
	@$(BIN)/python -m pytest

bench: $(VENV)/.installed
	@$(BIN)/python -m bench

lint: $(VENV)/.installed
	@$(BIN)/ruff check .
	@$(BANDIT)

# The static security scan, then known vulnerabilities in the installed packages (docs/security-scans.md).
# When no vulnerability service answers, the second prints a warning that it could not run, and passes.
audit: $(VENV)/.installed
	@$(call quietly,The security scan (bandit),$(BANDIT))
	@$(BIN)/python .ci/audit_dependencies.py

# The whole stack on this machine (docs/deployment.md): gunicorn and the outbox worker under honcho
# (Procfile), on PostgreSQL and Redis already running on 127.0.0.1. The database is made if missing,
# migrated and given the sample content first. Any of DATABASE_URL, REDIS_URL, PORT, SECRET_KEY set in the
# environment wins; without SECRET_KEY the key generated once into instance/ is used. Ctrl+C stops it.
STACK_DATABASE_URL := postgresql://postgres@127.0.0.1:5432/council
STACK_REDIS_URL := redis://127.0.0.1:6379/0
.PHONY: stack
stack: $(VENV)/.installed node_modules/.installed $(CSS) $(COMPILED_CATALOGUES)
	@export DATABASE_URL="$${DATABASE_URL:-$(STACK_DATABASE_URL)}" REDIS_URL="$${REDIS_URL:-$(STACK_REDIS_URL)}" \
	  PATH="$(CURDIR)/$(BIN):$$PATH"; \
	$(call quietly,Creating the database,$(BIN)/python deploy/ensure_database.py); \
	$(call quietly,Migrating the database,$(FLASK) db upgrade); \
	$(call quietly,Loading the sample content,$(FLASK) kb import-content --quiet); \
	export SECRET_KEY="$${SECRET_KEY:-$$(cat "$${INSTANCE_PATH:-instance}/secret_key")}"; \
	echo "The portal: http://127.0.0.1:$${PORT:-8000} (readiness: /readyz); Ctrl+C stops the stack"; \
	exec $(BIN)/honcho start -f Procfile -p "$${PORT:-8000}"
