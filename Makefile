# 武隆督办 — two commands: `make run` (embedded demo) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: install install-test run test lint format bench clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e ".[test]"
	test -f .env || echo "SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" > .env
	touch $@

install: $(VENV)/.installed

install-test: install

# Embedded defaults: SQLite + Celery on kombu's filesystem transport, under var/. DEBUG off
# (Chinese error pages, as in production; static files from WhiteNoise after collectstatic),
# plain HTTP on the local machine, the demo loaded on purpose (--force).
RUN_ENV := DEBUG=0 SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0 \
	SECURE_HSTS_SECONDS=0 WEBHOOK_ALLOW_PRIVATE_NETWORKS=1 \
	SUPERVISION_TODAY=$${SUPERVISION_TODAY:-2024-06-28}

run: install
	@set -e; export $(RUN_ENV); \
	$(PY) manage.py migrate --noinput; \
	$(PY) manage.py collectstatic --noinput -v 0; \
	$(PY) manage.py load_seeds --demo --force; \
	$(PY) manage.py scan_deadlines; \
	$(VENV)/bin/celery -A config worker -l info --concurrency=2 & worker=$$!; \
	$(VENV)/bin/celery -A config beat -l info & beat=$$!; \
	trap 'kill $$worker $$beat 2>/dev/null' EXIT INT TERM; \
	echo "==> 武隆督办: http://$(HOST):$(PORT)/  (admin: /admin/, API docs: /api/docs/)"; \
	$(PY) manage.py runserver --noreload $(HOST):$(PORT)

test: install
	DEBUG=1 $(PY) manage.py check
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	DEBUG=1 $(PY) manage.py spectacular --validate --fail-on-warn --file $${VAR_DIR:-var}/openapi.yml
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	command -v chromium >/dev/null && command -v pdftoppm >/dev/null && fc-list ':lang=zh' | grep -q . && command -v docker-compose >/dev/null || (apt-get update && apt-get install -y chromium fonts-noto-cjk poppler-utils docker-compose)
	SECRET_KEY=$${SECRET_KEY:-test-only-insecure-key} $(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Needs PostgreSQL (DATABASE_URL, a server: scratch databases are created there) and Redis.
bench: install
	$(PIP) install --quiet -e ".[test,bench]"
	$(PY) bench/run.py $(SCALES)

clean:
	rm -rf var/ .pytest_cache
