# ESS: `make run` serves the portal with demo data; `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

TOOLS   := .tools
UV      := $(TOOLS)/bin/uv
PY      := .venv/bin/python
UV_VERSION := 0.13.9
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy

# Debian packages, by the command or file that shows each is present.
BUILD_PKGS := libldap2-dev libsasl2-dev gettext fonts-dejavu-core
TEST_PKGS  := slapd ldap-utils chromium redis-server postgresql openssl dovecot-imapd

.PHONY: help run serve install system-deps system-deps-test assets messages migrate seed \
        test lint test-unit check-deploy clean

help:
	@echo "make run    install, migrate, load demo data once, serve http://127.0.0.1:8000"
	@echo "make test   install, lint, then run every test (unit, integration, browser)"

$(UV):
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# --- system packages ---------------------------------------------------------------------
define ensure_packages
	@missing=""; \
	for pkg in $(1); do dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq $$missing >/dev/null; \
	  else \
	    echo "ESS needs these Debian packages:$$missing"; \
	    echo "Install them with:  sudo apt-get install -y$$missing"; \
	    exit 1; \
	  fi; \
	fi
endef

system-deps:
	$(call ensure_packages,$(BUILD_PKGS))
	@# Node may come from Debian or from NodeSource; either is fine as long as npm runs.
	@if ! command -v npm >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq nodejs npm >/dev/null; \
	  else \
	    echo "ESS needs Node.js and npm: sudo apt-get install -y nodejs npm"; exit 1; \
	  fi; \
	fi

system-deps-test:
	$(call ensure_packages,$(TEST_PKGS))

# --- install -----------------------------------------------------------------------------
install: system-deps $(UV) assets
	$(UV) sync --frozen
	$(MAKE) --no-print-directory messages

assets: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p ess/static/vendor/bootstrap ess/static/vendor/htmx ess/static/vendor/bootstrap-icons
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map ess/static/vendor/bootstrap/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map ess/static/vendor/bootstrap/
	cp node_modules/htmx.org/dist/htmx.min.js ess/static/vendor/htmx/
	cp node_modules/bootstrap-icons/bootstrap-icons.svg ess/static/vendor/bootstrap-icons/

messages:
	cd ess && ../$(PY) ../manage.py compilemessages --ignore=.venv -v 0

migrate:
	$(PY) manage.py migrate --no-input

seed:
	$(PY) manage.py seed_demo --if-empty

# --- run ---------------------------------------------------------------------------------
run: install
	DEBUG=true $(MAKE) --no-print-directory migrate seed serve

serve:
	DEBUG=true $(PY) manage.py runserver 127.0.0.1:8000

# --- test --------------------------------------------------------------------------------
test: install system-deps-test lint
	$(PY) -m pytest
	$(PY) -m tests.integration.run

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

check-deploy:
	DEBUG=false SECRET_KEY=$$(head -c 48 /dev/urandom | base64) ALLOWED_HOSTS=ess.example.org \
	  SITE_URL=https://ess.example.org $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf .venv $(TOOLS) node_modules ess/static/vendor staticfiles
