"""Settings, all read from the environment (django-environ) with safe embedded defaults.

Embedded default (no variables set): SQLite file and Celery on kombu's filesystem
transport under ``var/``. Production: ``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL``.
"""

import datetime
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.api.spectacular import SCHEMA_SETTINGS
from core.db import databases

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))

# A local .env (written by `make install` with a generated SECRET_KEY; never committed, not
# in the image) is read first; real environment variables win over it.
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["localhost", "127.0.0.1", "[::1]"]),
)

DEBUG = env("DEBUG")
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set unless DEBUG=1.")
    SECRET_KEY = "insecure-development-key-only-for-debug"  # noqa: S105
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served by the app, not a CDN
    "django_celery_beat",
    "axes",
    "accounts",
    "projects",
    "supervision",
    "supervision.webhooks",
    "supervision.web",
    "seeds",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "accounts.middleware.PermissionsPolicyMiddleware",
    "config.api.middleware.ApiBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.SessionIdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked login into the 429 answer
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "supervision.web.context_processors.unread_messages",
            ],
        },
    },
]

# DATABASE_URL (SQLite under var/ by default) and the optional DATABASE_REPLICA_URL.
DATABASES, DATABASE_ROUTERS = databases(env, VAR_DIR, MIDDLEWARE)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# django-axes first: it refuses a locked caller before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.login_limits.NormalizingModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env("STATIC_ROOT", default=str(VAR_DIR / "static"))
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it to exist
# Uploaded files (佐证材料) and generated documents: the file system under var/ by default,
# an S3-compatible object store (MinIO in docker-compose.yml) with FILE_STORAGE=s3. Never
# served as static or media: downloads go through views that check the parent's visibility.
MEDIA_ROOT = env("MEDIA_ROOT", default=str(VAR_DIR / "media"))
FILE_STORAGE = env("FILE_STORAGE", default="filesystem")
if FILE_STORAGE not in ("filesystem", "s3"):
    raise ImproperlyConfigured(f"FILE_STORAGE must be filesystem or s3, got {FILE_STORAGE!r}")


def _s3_transfer_config():
    from boto3.s3.transfer import TransferConfig

    return TransferConfig(multipart_chunksize=8 * 1024 * 1024, max_concurrency=2)


_files_storage = (
    {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("S3_BUCKET", default="wulong-files"),
            "endpoint_url": env("S3_ENDPOINT_URL", default="") or None,
            "access_key": env("S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env("S3_SECRET_ACCESS_KEY", default="") or None,
            "region_name": env("S3_REGION", default="us-east-1"),
            "addressing_style": "path",
            "signature_version": "s3v4",
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": env.int("FILES_SIGNED_URL_SECONDS", default=60),
            "file_overwrite": False,
            "custom_domain": None,
            # Uploads go in 8 MB parts, two at a time: memory stays flat whatever the size.
            "transfer_config": _s3_transfer_config(),
        },
    }
    if FILE_STORAGE == "s3"
    else {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": None},
    }
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "files": _files_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Attachments (supervision.files): caps, accepted types (sniffed from content), delivery.
FILES_MAX_SIZE_MB = env.int("FILES_MAX_SIZE_MB", default=20)
FILES_MAX_REQUEST_MB = env.int("FILES_MAX_REQUEST_MB", default=100)
FILES_ALLOWED_TYPES = env.list(
    "FILES_ALLOWED_TYPES", default=["pdf", "ofd", "jpeg", "png", "heic", "docx", "xlsx", "mp4"]
)
FILES_MAX_VIDEO_SECONDS = env.int("FILES_MAX_VIDEO_SECONDS", default=120)
# How a download leaves: "stream" (Django streams it; the embedded default), "accel"
# (X-Accel-Redirect to FILES_ACCEL_PREFIX, served by nginx from the same storage) or
# "redirect" (a short-lived signed URL of the S3 store).
FILES_DELIVERY = env("FILES_DELIVERY", default="stream")
if FILES_DELIVERY not in ("stream", "accel", "redirect"):
    raise ImproperlyConfigured(
        f"FILES_DELIVERY must be stream, accel or redirect, got {FILES_DELIVERY!r}"
    )
if FILES_DELIVERY == "redirect" and FILE_STORAGE != "s3":
    raise ImproperlyConfigured("FILES_DELIVERY=redirect needs FILE_STORAGE=s3 (signed URLs).")
FILES_ACCEL_PREFIX = env("FILES_ACCEL_PREFIX", default="/protected-files/")
# Uploaded files are spooled to a temporary file past this size, never held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
# Documents (督办通知书 …): the issuing office and the 发文字号 prefix.
DOCUMENTS_ISSUER = env("DOCUMENTS_ISSUER", default="武隆区人民政府督查办公室")
DOCUMENTS_PREFIX = env("DOCUMENTS_PREFIX", default="武隆督")
DOCUMENTS_AUTO_DUBAN = env.bool("DOCUMENTS_AUTO_DUBAN", default=True)  # at the 督办 rung

# E-mail: console backend by default, SMTP via EMAIL_URL (smtp+tls://user:pw@host:587).
vars().update(env.email("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="武隆督办 <duban@localhost>")

# The one clock: pin "today" for demos (DESIGN.md, "One clock").
_today = env("SUPERVISION_TODAY", default="")
try:
    SUPERVISION_TODAY = datetime.date.fromisoformat(_today) if _today else None
except ValueError as exc:
    raise ImproperlyConfigured(f"SUPERVISION_TODAY must be YYYY-MM-DD, got {_today!r}") from exc

# Celery: Redis in production, kombu's filesystem transport when REDIS_URL is unset.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    _broker_dir = VAR_DIR / "celery-broker"
    for _sub in ("out", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 600  # shorter than the Redis visibility timeout
CELERY_TASK_SOFT_TIME_LIMIT = 540
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Synced into django-celery-beat's tables at beat start; the office edits them in the admin.
# The digest runs every day at 09:00 and itself skips non-working days (调休 Saturdays count).
CELERY_BEAT_SCHEDULE = {
    "scan-deadlines": {
        "task": "supervision.tasks.scan_deadlines",
        "schedule": env.int("SCAN_INTERVAL_SECONDS", default=15 * 60),
    },
    "deliver-reminders": {"task": "supervision.tasks.deliver_reminders", "schedule": 60.0},
    "sweep-webhooks": {"task": "supervision.webhooks.tasks.sweep_webhooks", "schedule": 60.0},
    "daily-digest": {
        "task": "supervision.tasks.send_daily_digest",
        "schedule": crontab(hour=9, minute=0),
    },
    "purge-staged-attachments": {
        "task": "supervision.files.tasks.purge_staged_attachments",
        "schedule": crontab(hour=3, minute=30),
    },
    "purge-idempotency-records": {
        "task": "accounts.tasks.purge_idempotency_records",
        "schedule": crontab(minute=20),  # hourly: keys are kept 24 hours
    },
    "weekly-notice": {
        "task": "supervision.tasks.compile_weekly_notice",
        "schedule": crontab(hour=9, minute=0, day_of_week="mon"),
    },
}

# Webhooks (API.md): private targets only where explicitly allowed (tests, embedded demo).
WEBHOOK_ALLOW_PRIVATE_NETWORKS = env.bool("WEBHOOK_ALLOW_PRIVATE_NETWORKS", default=DEBUG)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
WEBHOOK_RETRY_BASE_SECONDS = env.float("WEBHOOK_RETRY_BASE_SECONDS", default=5.0)
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# Password guessing (accounts/login_limits.py, django-axes), the same at the three doors.
# The client address is REMOTE_ADDR; X-Forwarded-For is read only through this many proxies
# of our own (compose: nginx, so 1). Never set it higher than the proxies really there.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)  # per username and address
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=30)  # per address
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = datetime.timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "accounts.login_limits.LoginLimitHandler"
AXES_USERNAME_CALLABLE = "accounts.login_limits.axes_username"
AXES_CLIENT_IP_CALLABLE = "accounts.login_limits.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.login_limits.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_SENSITIVE_PARAMETERS = []  # log who and from where (the password is always masked)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "config.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "config.api.permissions.ReadTokenIsReadOnly",
    ],
    # Search (``q``/``search``) and ordering are filters of each resource's FilterSet.
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "config.api.pagination.Pagination",
    "DEFAULT_PARSER_CLASSES": [
        "config.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["config.api.throttles.TokenOrUserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": env("API_RATE_USER", default="600/min"),
    },
    "EXCEPTION_HANDLER": "config.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "config.api.schema.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "config.api.renderers.OrjsonRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": True,
}

# django-filter's forms (the cockpit's lists): the empty option of every choice filter.
FILTERS_EMPTY_CHOICE_LABEL = "全部"

# Request bodies: JSON and form fields up to Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB),
# any API body (an xlsx upload included) up to API_MAX_BODY_BYTES; larger → 413 (JSON).
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=12 * 1024 * 1024)

# Cache: Redis when configured, else local memory; keys per database (counts keyed by SQL).
CACHES = {
    "default": {
        "BACKEND": "core.cache.RedisCache",
        "LOCATION": env("CACHE_URL", default=REDIS_URL),
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default=f"wulong:{DATABASES['default']['NAME']}"),
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

SPECTACULAR_SETTINGS = SCHEMA_SETTINGS  # config/api/spectacular.py

# A browser session ends after this long without a request (API tokens are not sessions).
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=120)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60

CSRF_FAILURE_VIEW = "supervision.web.views.errors.csrf_failure"

LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:dashboard"

# Production hardening (manage.py check --deploy passes when DEBUG is off).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
# Content-Security-Policy on every response (django-csp): scripts, styles, fonts and images
# from this site only — no inline script or style attribute anywhere (templates use static
# files; the bar charts use classes from web/bars.css).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # blob:: the upload widget previews the chosen image or PDF before it is sent
        "img-src": ["'self'", "data:", "blob:"],
        "frame-src": ["'self'", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# No page of ours uses these browser features.
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "magnetometer=(), gyroscope=(), accelerometer=(), display-capture=(), interest-cohort=()"
)
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint narrates every rendering step at INFO; fontTools every subset.
    "loggers": {name: {"level": "WARNING"} for name in ("weasyprint", "fontTools")},
}

# Project light thresholds (percentage points behind 序时进度) and milestone warning window.
PROJECT_LIGHT_YELLOW_GAP = env.int("PROJECT_LIGHT_YELLOW_GAP", default=10)
PROJECT_LIGHT_RED_GAP = env.int("PROJECT_LIGHT_RED_GAP", default=20)
PROJECT_MILESTONE_WARNING_DAYS = env.int("PROJECT_MILESTONE_WARNING_DAYS", default=7)
