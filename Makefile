# wagtail-complaints: `make demo` to try it, `make test` to check it. Needs only Python 3.11+.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) example_site/manage.py

.PHONY: demo setup serve test test-lts browsers mail-server benchmark benchmark-stats messages clean

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
	@echo "  Site:            http://127.0.0.1:8000/"
	@echo "  Complaint form:  http://127.0.0.1:8000/reclami/  (English: /en/complaints/, Spanish: /es/reclamaciones/)"
	@echo "  Admin:           http://127.0.0.1:8000/admin/"
	@echo "    administrator  admin / demo-admin"
	@echo "    handler        operatore / demo-operatore"
	@echo "    ASL viewer     asl / demo-asl"
	@echo "  E-mails are written to example_site/sent_emails/"
	@echo ""

serve: $(VENV)/.installed
	$(MANAGE) runserver 127.0.0.1:8000

$(VENV)/.test-installed: $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[example,test]"
	touch $@

test: $(VENV)/.test-installed
	$(PY) -m pytest $(PYTEST_ARGS)

# Debian's Chromium for the Playwright browser tests (they are skipped where it is missing).
browsers:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

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
	$(LTS_VENV)/bin/python -m pytest $(PYTEST_ARGS)

benchmark: $(VENV)/.test-installed
	$(PY) benchmarks/submission.py

# The statistics at scale need PostgreSQL: N=1000000 for the full-size run.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres
N ?= 10000
benchmark-stats: $(VENV)/.test-installed
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) benchmarks/stats.py --n $(N)

messages: $(VENV)/.installed
	cd wagtail_complaints && ../$(PY) ../example_site/manage.py makemessages -l it -l en -l es --no-obsolete
	cd wagtail_complaints && ../$(PY) ../example_site/manage.py compilemessages

clean:
	rm -rf $(VENV) $(LTS_VENV) example_site/db.sqlite3 example_site/sent_emails example_site/private_media
