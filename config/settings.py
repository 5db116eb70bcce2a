"""One settings module, driven by the environment (django-environ).

Local default: SQLite file, eager Celery, DEBUG on. Production: set DATABASE_URL
(PostgreSQL), CELERY_BROKER_URL (Redis), SECRET_KEY, ALLOWED_HOSTS and DEBUG=0.
"""

import base64
import binascii
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=True)
# The development key is published in this repository: anyone could sign sessions
# and password-reset links with it, so a production start without a key of its own stops.
DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-change-me-in-production-0123456789"
SECRET_KEY = env("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY if DEBUG else "")
if not DEBUG and SECRET_KEY in ("", DEVELOPMENT_SECRET_KEY):
    raise ImproperlyConfigured(
        "DEBUG is off but SECRET_KEY is not set (or is the development key published in the repository). "
        "Set SECRET_KEY in the environment or in .env to a long random value, e.g. the output of: "
        "python -c \"import secrets; print(secrets.token_urlsafe(60))\""
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "viewflow",
    "viewflow.workflow",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "rest_framework.authtoken",
    "axes",
    "csp",
    "django_celery_beat",
    "core",
    "directory",
    "titles",
    "workflows",
    "notifications",
    "evaluations",
    "figures",
    "documents",
    "demo",
    "benchmarks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # WhiteNoise answers static files itself (already compressed, hashed names) before
    # reaching GZip; every other response, HTML and JSON alike, is compressed when
    # the client accepts it. GZip sits above every middleware that reads or writes
    # the body, so it compresses the final one (BREACH: see README, Deployment).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.security.NoStoreForSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.security.RejectNulCharactersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes requires: it turns a lockout into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["ENGINE"] = "config.sqlite"
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A worker keeps its connection between requests instead of opening one per request: a new
# PostgreSQL connection costs the worker its handshake and the server a process that starts with
# empty catalogue caches, several milliseconds of CPU each (issue 17, benchmarks/README.md). The
# health check drops a connection the server closed before it is reused. Not in development (DEBUG),
# where runserver's thread per request would only leave them to the garbage collector.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0 if DEBUG else 600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username/IP before any password is checked.
    "config.security.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workflows:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Files under their hashed name (config.storage, production) are served by WhiteNoise
# as immutable, cached for ten years: a changed file gets a new name. This is the
# lifetime of the few unhashed names left (favicon-like paths, the unhashed copies).
WHITENOISE_MAX_AGE = env.int("WHITENOISE_MAX_AGE", default=0 if DEBUG else 60)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "config.storage.StaticFilesStorage"
    },
}
# Minutes files are scans or photos of a signed paper; keep uploads bounded.
MINUTES_MAX_BYTES = env.int("MINUTES_MAX_BYTES", default=10 * 1024 * 1024)
# Pages of one meeting's minutes (photos of a paper record), a storage limit, not law.
MINUTES_MAX_PAGES = env.int("MINUTES_MAX_PAGES", default=20)
# Household lists imported from Excel (a hamlet has a few hundred households, a commune a few thousand, a
# district about 45,000: its file of 45,000 rows is about 1.5 MB).
HOUSEHOLD_IMPORT_MAX_BYTES = env.int("HOUSEHOLD_IMPORT_MAX_BYTES", default=10 * 1024 * 1024)
HOUSEHOLD_IMPORT_MAX_ROWS = env.int("HOUSEHOLD_IMPORT_MAX_ROWS", default=60_000)
# Above this many rows a confirmed import runs in the Celery worker, with a progress page.
HOUSEHOLD_IMPORT_SYNC_ROWS = env.int("HOUSEHOLD_IMPORT_SYNC_ROWS", default=1_000)
# A tally draft kept on the server (workflows.TallyDraft) not saved again for this many days is
# deleted by beat's nightly purge-tally-drafts, as is any draft once its dossier is past the meeting.
TALLY_DRAFT_RETENTION_DAYS = env.int("TALLY_DRAFT_RETENTION_DAYS", default=30)
# A date typed on the web more than this many days before the day it is entered
# asks for an explicit confirmation (a typo must not shorten a public posting).
DATE_CONFIRM_AFTER_DAYS = env.int("DATE_CONFIRM_AFTER_DAYS", default=60)

CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://")
}
# The login, /verify/ and API limits count in this cache. A per-process cache
# multiplies every limit by the number of workers (and a dummy one disables them),
# so production refuses to start without a cache all processes share.
PER_PROCESS_CACHES = ("django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache")
if not DEBUG and CACHES["default"]["BACKEND"] in PER_PROCESS_CACHES:
    raise ImproperlyConfigured(
        "DEBUG is off but CACHE_URL is not set (or names a per-process cache): the login, certificate "
        "verification and API rate limits would count separately in each worker. Set CACHE_URL to a cache "
        "shared by all processes, e.g. CACHE_URL=redis://127.0.0.1:6379/1"
    )
# Public certificate verification (/verify/<code>/): requests per client IP,
# in django-ratelimit's syntax; every request counts, found or not.
VERIFY_RATE_LIMIT = env("VERIFY_RATE_LIMIT", default="30/m")
# Printed documents as PDF go through LibreOffice where it is installed (not a requirement:
# without it the pages offer the .docx). SOFFICE_PATH names another executable.
SOFFICE_PATH = env("SOFFICE_PATH", default="soffice")
SOFFICE_TIMEOUT_SECONDS = env.int("SOFFICE_TIMEOUT_SECONDS", default=60)

# Celery: an empty broker means tasks run eagerly in-process (local default).
CELERY_TASK_ALWAYS_EAGER = not env("CELERY_BROKER_URL", default="")
# Eager mode never talks to a broker; "memory://" only keeps kombu from guessing one.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="") or "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A transition must never wait on an unreachable broker: the outbox keeps the
# message and the periodic re-dispatch delivers it later.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 0, "socket_connect_timeout": 2}
# Beat keeps its schedules in the database (django-celery-beat); the entries
# below are written there when beat starts and can then be edited in the admin.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "redispatch-pending-notifications": {
        "task": "notifications.tasks.redispatch_pending",
        "schedule": 60.0,
    },
    "anchor-audit-chains": {
        "task": "workflows.tasks.anchor_audit_chains",
        "schedule": env.int("AUDIT_ANCHOR_SECONDS", default=3600),
    },
    # Memberships are dated: at the top of every hour (local time), so the midnight run
    # starts and ends the memberships of the day and a missed run is caught up within the hour.
    "apply-membership-dates": {
        "task": "directory.tasks.apply_membership_dates",
        "schedule": crontab(minute=0),
    },
    # Tally drafts nobody can record any more (workflows.services.drafts.purge_tally_drafts), nightly.
    "purge-tally-drafts": {
        "task": "workflows.tasks.purge_tally_drafts",
        "schedule": crontab(minute=30, hour=3),
    },
    "deadline-reminders-and-escalations": {
        "task": "documents.tasks.check_deadlines",
        "schedule": env.int("DEADLINE_CHECK_SECONDS", default=3600),
    },
}
# Notification delivery policy (not law): retries, backoff, reminder lead time,
# how often an overdue step is escalated again, the SMS gateway.
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=6)
NOTIFICATION_RETRY_BASE_SECONDS = env.int("NOTIFICATION_RETRY_BASE_SECONDS", default=60)
NOTIFICATION_CLAIM_TIMEOUT_SECONDS = env.int("NOTIFICATION_CLAIM_TIMEOUT_SECONDS", default=600)
DEADLINE_REMINDER_DAYS = env.int("DEADLINE_REMINDER_DAYS", default=2)
DEADLINE_ESCALATION_PERIOD_DAYS = env.int("DEADLINE_ESCALATION_PERIOD_DAYS", default=7)
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
SMS_BACKEND = env("SMS_BACKEND", default="notifications.channels.sms.LoggingSmsBackend")
SMS_GATEWAY_URL = env("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env("SMS_GATEWAY_TOKEN", default="")
SMS_SENDER_ID = env("SMS_SENDER_ID", default="THIDUA")
SMS_GATEWAY_TIMEOUT = env.float("SMS_GATEWAY_TIMEOUT", default=10.0)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {"TITLE": "Thi đua API", "VERSION": "0.1.0"}

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="thidua@localhost")

if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# ---------------------------------------------------------------- API and security (issue 5)
REST_FRAMEWORK.update({
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_SCHEMA_CLASS": "workflows.api.schema.ErrorDocumentingSchema",
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "EXCEPTION_HANDLER": "workflows.api.errors.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "workflows.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": env("API_USER_RATE", default="6000/hour"),
        # POST/DELETE /api/auth/token/ per client, on top of the login lock-out it shares.
        "auth_token": env("API_TOKEN_RATE", default="10/minute"),
    },
})
SPECTACULAR_SETTINGS.update({
    # Swagger UI served from our own static files (drf-spectacular-sidecar): no CDN in the script policy.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "DESCRIPTION": (
        "Đọc và điều khiển quy trình xét tặng danh hiệu thi đua. Every error answers "
        '{"code": machine code, "message": Vietnamese message, "details": ...}; see each operation.'
    ),
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "ENUM_NAME_OVERRIDES": {
        "LevelEnum": "directory.models.Level",
        "DayTypeEnum": "titles.models.DayType",
        "DossierStateEnum": "workflows.models.DossierState",
        "NominationStateEnum": "workflows.models.NominationState",
    },
    # Type names must not follow the request's language (see name_parameter_enums).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "workflows.api.schema.name_parameter_enums",
    ],
})

# Login throttling (django-axes): lock a username from one address after
# AXES_FAILURE_LIMIT failures, any username from an address after
# AXES_ADDRESS_FAILURE_LIMIT failures over all usernames (password spraying), and a
# username from every address after AXES_USERNAME_FAILURE_LIMIT failures from any
# addresses; each lock lasts AXES_COOLOFF_HOURS (config.security.SprayingAwareHandler).
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_HANDLER = "config.security.SprayingAwareHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=20)
AXES_USERNAME_FAILURE_LIMIT = env.int("AXES_USERNAME_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)
AXES_LOCKOUT_CALLABLE = "config.security.lockout_response"
# Who unlocks accounts and resets passwords by hand, named on the lock-out and error pages.
ACCOUNT_SUPPORT_CONTACT = env("ACCOUNT_SUPPORT_CONTACT", default="")

# Cookies and transport.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
FILE_UPLOAD_PERMISSIONS = 0o640

# Content security policy (django-csp 4). Only our own origin, the API docs page
# included (its Swagger UI is served locally by drf-spectacular-sidecar).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# Test and benchmark runs with DEBUG=0 may swap the static storage (collecting
# viewflow's 140 MB of assets takes minutes and they do not load static files).
if env("STATIC_STORAGE", default=""):
    STORAGES["staticfiles"]["BACKEND"] = env("STATIC_STORAGE")
if not DEBUG:
    # Only the plain-HTTP loopback load test turns these off; production never should.
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)

# ---------------------------------------------------------------- audit keys and anchor copies (issue 16)
# Every audit event and anchor carries an HMAC-SHA256 under a key the database never
# holds: someone who can write the tables but not read this environment cannot
# forge an event that verify_audit accepts. AUDIT_KEYS lists every key still needed
# to verify ("kid:base64key,kid2:base64key"), AUDIT_KEY_ID names the one that signs
# now; to rotate, add a new kid and point AUDIT_KEY_ID at it, keeping the old one.
def _audit_keys(text):
    keys = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        kid, sep, encoded = item.partition(":")
        try:
            key = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            key = b""
        if not sep or not kid or len(kid) > 16 or len(key) < 32:
            raise ImproperlyConfigured(
                f"AUDIT_KEYS: {kid or item[:16]!r} must read kid:base64key, the kid at most 16 characters and "
                "the key at least 32 bytes (python -c \"import base64,os;print(base64.b64encode(os.urandom(32))"
                ".decode())\")."
            )
        keys[kid] = key
    return keys


AUDIT_KEYS = _audit_keys(env("AUDIT_KEYS", default=""))
AUDIT_KEY_ID = env("AUDIT_KEY_ID", default="")
if not AUDIT_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "AUDIT_KEYS is not set. With DEBUG off the audit trail must be signed with a key kept outside the "
            "database: set AUDIT_KEYS=kid:base64key (32 random bytes, e.g. python -c \"import base64,os;"
            "print(base64.b64encode(os.urandom(32)).decode())\") and AUDIT_KEY_ID=kid."
        )
    # Development only: published in the repository, so it proves nothing.
    AUDIT_KEYS = {"dev": b"thidua-development-audit-key-not-secret-0123456789"}
AUDIT_KEY_ID = AUDIT_KEY_ID or (next(iter(AUDIT_KEYS)) if len(AUDIT_KEYS) == 1 else "")
if AUDIT_KEY_ID not in AUDIT_KEYS:
    raise ImproperlyConfigured(
        f"AUDIT_KEY_ID={AUDIT_KEY_ID!r} names no key of AUDIT_KEYS ({', '.join(AUDIT_KEYS)}): set it to the kid "
        "that signs new events."
    )
# Each anchor is also written here, through Django's storage API, so that anchors
# deleted from the database are noticed: point it at a place the database's
# administrators cannot rewrite (another host, object storage with versioning).
AUDIT_ANCHOR_DIR = env("AUDIT_ANCHOR_DIR", default=str(Path(str(MEDIA_ROOT)) / "audit-anchors"))
AUDIT_ANCHOR_STORAGE = env("AUDIT_ANCHOR_STORAGE", default="django.core.files.storage.FileSystemStorage")
STORAGES["audit_anchors"] = {
    "BACKEND": AUDIT_ANCHOR_STORAGE,
    # A directory, or the key prefix of an object-storage backend (django-storages' `location`).
    "OPTIONS": {"location": AUDIT_ANCHOR_DIR},
}
