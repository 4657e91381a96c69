# Everyday verbs. `make run` and `make test` work on a fresh machine.
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/verification_portal
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
PG_VERSION = $(shell ls /etc/postgresql 2>/dev/null | head -n1)
S3RVER_VERSION := 3.7.1
S3RVER := $(VENV)/s3rver/node_modules/.bin/s3rver

.PHONY: run test test-fast install system-deps services browser clamav fmt lint worker ocr-worker beat bench bench-load

# The local demo runs in debug mode (a development key, the TOTP code helper, local files).
run: export DJANGO_DEBUG ?= true
run: export PORTAL_BASE_URL ?= http://127.0.0.1:$(PORT)
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference
	$(PY) manage.py load_demo
	$(PY) manage.py make_signing_pair
	@echo "Serving on http://127.0.0.1:$(PORT)/ (the periodic jobs run alongside; Ctrl-C stops both)"
	@trap 'kill 0' INT TERM EXIT; \
	if [ -n "$$REDIS_URL" ]; then $(VENV)/bin/celery -A verification_portal worker -B -l INFO & \
	else $(PY) manage.py run_periodic & fi; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

TEST_ENV = DJANGO_DEBUG=true DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
	CELERY_TASK_ALWAYS_EAGER=1 DJANGO_CONN_MAX_AGE=0

test: install services browser clamav $(VENV)/axe.min.js $(S3RVER)
	$(TEST_ENV) $(VENV)/bin/pytest $(PYTEST_ARGS)

# Everything but the browser journeys and the tests that start worker processes.
test-fast: install services clamav $(S3RVER)
	$(TEST_ENV) $(VENV)/bin/pytest -m "not e2e and not worker" $(PYTEST_ARGS)

# The browser tests check pages with axe-core (accessibility), fetched from the npm registry.
AXE_VERSION := 4.14.1
$(VENV)/axe.min.js:
	cd $(VENV) && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null && \
		tar xzf axe-core-$(AXE_VERSION).tgz package/axe.min.js && mv package/axe.min.js axe.min.js && \
		rm -rf package axe-core-$(AXE_VERSION).tgz

# Signed URLs expiring is tested against s3rver, an S3-compatible server from the npm registry
# that checks SigV4 query signatures' expiry (moto's server, used for the rest, does not).
$(S3RVER):
	mkdir -p $(VENV)/s3rver && cd $(VENV)/s3rver && \
		npm install --silent --no-audit --no-fund --prefix . s3rver@$(S3RVER_VERSION) >/dev/null

# The browser tests drive Debian's Chromium (Playwright's own download is not used).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Chromium (Debian package) for the browser tests"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

# The upload tests scan with a real clamd (Debian's clamav-daemon), started by the tests with
# a signature database they write; no signature download is needed.
clamav:
	@command -v clamd >/dev/null 2>&1 || [ -x /usr/sbin/clamd ] || { \
		echo "Installing clamd (Debian package) for the virus-scanning tests"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq clamav-daemon; }

install: system-deps $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	python3 -m venv $(VENV)
	@echo "Installing the Python packages into $(VENV) (a minute or two the first time)"
	$(VENV)/bin/pip install -qq --upgrade pip
	$(VENV)/bin/pip install -qq -r requirements-dev.txt
	touch $@

# WeasyPrint needs pango, and Chinese text needs a CJK font.
system-deps:
	@if ! ldconfig -p | grep -q libpangoft2-1.0 || ! fc-list :lang=zh 2>/dev/null | grep -q .; then \
		echo "Installing pango and a CJK font (Debian packages)"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq \
			libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-wqy-microhei fontconfig; \
	fi

# PostgreSQL and Redis for the test suite, started when they are not running.
services:
	@pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || \
		$(SUDO) pg_ctlcluster --skip-systemctl-redirect $(PG_VERSION) main start
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || \
		redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save ""
	@for i in 1 2 3 4 5 6 7 8 9 10; do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done

fmt: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

lint: install
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

worker: install
	$(VENV)/bin/celery -A verification_portal worker -Q celery --loglevel=INFO

# OCR of uploaded pages, on its own queue: one process a core (OCR_CONCURRENCY), scaled apart
# from the other jobs (README: how many a round needs).
OCR_CONCURRENCY ?= 2
ocr-worker: install
	$(VENV)/bin/celery -A verification_portal worker -Q ocr --concurrency $(OCR_CONCURRENCY) --max-tasks-per-child 500 --loglevel=INFO -n ocr@%h

beat: install
	$(VENV)/bin/celery -A verification_portal beat --loglevel=INFO

# The load benchmark drives gunicorn with wrk (Debian's package, installed when missing).
bench-load: install services
	@command -v wrk >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk; }
	$(PY) benchmarks/load.py

bench: install services
	$(PY) benchmarks/upload_scan.py
	$(PY) benchmarks/review_queue.py
	$(PY) benchmarks/roster_import.py
	$(PY) benchmarks/publication.py
	$(PY) benchmarks/ocr.py
