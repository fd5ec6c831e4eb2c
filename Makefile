# wagtail-complaints: `make demo` to try it, `make test` to check it. Needs only Python 3.11+.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) example_site/manage.py
# `make serve PORT=8011`: the demo, and every link its e-mails carry, follow the port.
PORT ?= 8000
export WAGTAILADMIN_BASE_URL ?= http://127.0.0.1:$(PORT)
# The second demo hospital: the other name of this machine, same port (serve_demo_at sets it).
SECOND_HOSPITAL_URL = $(if $(findstring //localhost,$(WAGTAILADMIN_BASE_URL)),$(subst //localhost,//127.0.0.1,$(WAGTAILADMIN_BASE_URL)),$(subst //127.0.0.1,//localhost,$(WAGTAILADMIN_BASE_URL)))

.PHONY: demo setup serve test test-browser test-lts integration browsers axe bandit mail-server benchmark benchmark-stats bench load load-short messages clean

demo: setup serve

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[example]"
	touch $@

setup: $(VENV)/.installed
	$(MANAGE) migrate --no-input
	$(MANAGE) load_demo
	$(MANAGE) load_demo_complaints
	@echo ""
	@echo "  Ospedale San Luca:     $(WAGTAILADMIN_BASE_URL)/"
	@echo "  Ospedale Santa Maria:  $(SECOND_HOSPITAL_URL)/  (the same server under the machine's other name)"
	@echo "  Complaint form:  /reclami/ on either  (English: /en/complaints/, Spanish: /es/reclamaciones/)"
	@echo "  Admin:           $(WAGTAILADMIN_BASE_URL)/admin/"
	@echo "    administrator, both hospitals   admin / demo-admin"
	@echo "    ASL viewer, both hospitals      asl / demo-asl"
	@echo "    handler, San Luca               operatore / demo-operatore"
	@echo "    handler, Santa Maria            operatore-sm / demo-operatore-sm"
	@echo "    administrator, Santa Maria      admin-sm / demo-admin-sm"
	@echo "  E-mails are written to example_site/sent_emails/"
	@echo ""

serve: $(VENV)/.installed
	$(MANAGE) serve_demo_at
	$(MANAGE) runserver 127.0.0.1:$(PORT)

$(VENV)/.test-installed: $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[example,test]"
	touch $@

BROWSER_TESTS := tests/test_browser.py tests/test_browser_learning.py
NOT_IN_BROWSER := $(foreach file,$(BROWSER_TESTS),--ignore=$(file))
# The browser tests run in a process of their own: a live server and a real browser after
# hundreds of in-process tests would inherit their per-process state (translations, caches).
test: $(VENV)/.test-installed
	$(PY) -m pytest $(NOT_IN_BROWSER) $(PYTEST_ARGS)

test-browser: $(VENV)/.test-installed
	$(PY) -m pytest $(BROWSER_TESTS) $(PYTEST_ARGS)

# Debian's Chromium for the Playwright browser tests (they are skipped where it is missing).
browsers:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# axe-core for the accessibility checks in the browser tests: the npm package only (no browser),
# into a git-ignored folder. The tests find it at $(AXE_JS) (or WC_AXE_JS).
AXE_VERSION ?= 4.10.3
AXE_JS := .cache/axe/node_modules/axe-core/axe.min.js
axe: $(AXE_JS)
$(AXE_JS):
	@command -v npm >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq npm >/dev/null; }
	npm install --silent --no-save --no-audit --no-fund --prefix .cache/axe axe-core@$(AXE_VERSION)

bandit: $(VENV)/.test-installed
	$(VENV)/bin/bandit -r wagtail_complaints -q

# Debian's Dovecot for the IMAP tests: they start a private instance on 127.0.0.1:14301–14309 (never the
# system service) and are skipped where it is missing (CI sets WAGTAIL_COMPLAINTS_REQUIRE_DOVECOT).
mail-server:
	@command -v dovecot >/dev/null 2>&1 || test -x /usr/sbin/dovecot || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq dovecot-imapd openssl >/dev/null; }

# The same suite on the Wagtail LTS release, in a venv of its own.
LTS_VENV := .venv-wagtail-lts
$(LTS_VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(LTS_VENV)
	$(LTS_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LTS_VENV)/bin/python -m pip install --quiet "wagtail>=7.4,<7.5" -e ".[example,test]"
	touch $@

test-lts: $(LTS_VENV)/.installed
	$(LTS_VENV)/bin/python -m pytest $(NOT_IN_BROWSER) $(PYTEST_ARGS)

# The built wheel in brand-new `wagtail start` sites, on Django 5.2 + Wagtail 7.4 and the newest.
integration:
	.ci/integration.sh

benchmark: $(VENV)/.test-installed
	$(PY) benchmarks/submission.py

# The statistics at scale need PostgreSQL: N=1000000 for the full-size run.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres
N ?= 10000
benchmark-stats: $(VENV)/.test-installed
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) benchmarks/stats.py --n $(N)

# Every speed figure in one table, measured in one run, written to benchmarks/RESULTS.md (needs
# PostgreSQL; installs django-helpdesk into .cache/helpdesk-venv). Full size: make bench N="10000 1000000".
bench: $(VENV)/.test-installed
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) benchmarks/bench.py --sizes $(N)

# The example site on its production settings under concurrent patients (gunicorn, PostgreSQL,
# Redis, django-tasks-db workers, a recording SMTP sink): see benchmarks/load/run.py. Creates and
# drops its own database on LOAD_DATABASE_URL's server; Redis database 3 of LOAD_REDIS_URL.
LOAD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/wc_load
LOAD_REDIS_URL ?= redis://127.0.0.1:6379/3
export LOAD_DATABASE_URL LOAD_REDIS_URL
$(VENV)/.load-installed: $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[example,load]"
	touch $@

load: $(VENV)/.load-installed
	$(PY) benchmarks/load/run.py --clients 200 --duration 60

# The short form CI runs: 20 patients x 10 s, the same scenarios and assertions.
load-short: $(VENV)/.load-installed
	$(PY) benchmarks/load/run.py --clients 20 --duration 10 --drain-timeout 90

messages: $(VENV)/.installed
	cd wagtail_complaints && ../$(PY) ../example_site/manage.py makemessages -l it -l en -l es --no-obsolete
	cd wagtail_complaints && ../$(PY) ../example_site/manage.py compilemessages

clean:
	rm -rf $(VENV) $(LTS_VENV) example_site/db.sqlite3 example_site/sent_emails example_site/private_media
