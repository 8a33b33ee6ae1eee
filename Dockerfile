# syntax=docker/dockerfile:1
# One image for web (gunicorn), worker (celery worker), beat (celery beat) and migrate.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore \
    DJANGO_SETTINGS_MODULE=config.settings \
    VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles

# Non-root runtime user (fixed uid/gid so volume ownership is predictable).
RUN groupadd --system --gid 1000 app \
 && useradd --system --uid 1000 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

WORKDIR /app

# PDF rendering (WeasyPrint) needs Pango; documents are set in Noto CJK (Debian's fonts).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk \
 && rm -rf /var/lib/apt/lists/*

# Dependencies first, for layer caching. `[tool.setuptools] packages = []`, so installing
# the project installs only its declared dependencies (psycopg[binary] ships wheels: no apt
# packages or compilers needed). Built in a scratch dir so no egg-info is left in /app.
COPY pyproject.toml /tmp/build/pyproject.toml
RUN pip install --no-cache-dir /tmp/build && rm -rf /tmp/build

# Application source (see .dockerignore), owned by the runtime user.
COPY --chown=app:app . /app
RUN mkdir -p "$VAR_DIR" "$STATIC_ROOT" && chown -R app:app "$VAR_DIR" "$STATIC_ROOT"

USER app

# Static files at build time. The SECRET_KEY here is a throwaway used only for this
# command; it is not persisted in the image (real one comes from the environment at run time).
RUN SECRET_KEY=collectstatic-build-only-not-secret python manage.py collectstatic --noinput

EXPOSE 8000

# 3 sync workers; to change, override the command (e.g. compose `command:`) with another --workers.
CMD ["gunicorn", "config.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--workers", "3", \
     "--timeout", "60", \
     "--access-logfile", "-", \
     "--error-logfile", "-"]
