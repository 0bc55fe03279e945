"""One settings module for every deployment, driven by environment variables.

Embedded default: SQLite in the data directory, an in-process task worker.
Production: DATABASE_URL points at PostgreSQL and workers run separately.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.utils.translation import gettext_lazy as _

from minsheng.datadir import (
    create_private_file,
    data_dir,
    new_django_secret,
    read_or_create_secret,
)

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = data_dir()


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("MINSHENG_DEBUG", False)
SECRET_KEY = os.environ.get("MINSHENG_SECRET_KEY") or read_or_create_secret(
    "django-secret.key", new_django_secret
)
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("MINSHENG_ALLOWED_HOSTS", "*").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("MINSHENG_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "django_tasks",
    "minsheng.tasks_app.BackgroundTasksConfig",
    "minsheng.accounts",
    "minsheng.directory",
    "minsheng.cases",
    "minsheng.contacts",
    "minsheng.intake",
    "minsheng.api",
    "minsheng.demo",
    "minsheng.triage",
    "minsheng.open311",
    "minsheng.insight",
    "minsheng.projects",
    "minsheng.throttle",
    "minsheng.photos",
]

MIDDLEWARE = [
    # First, so it compresses what every other middleware produced (WhiteNoise's files too):
    # the public board is 125 KB of HTML, ~15 KB gzipped, on a village phone connection.
    # Django's gzip adds random padding against BREACH, and CSRF tokens are masked per request.
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # A link that names its language (the Uyghur poster's QR code) sets it for the visit.
    "minsheng.intake.language.LanguageLinkMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "minsheng.accounts.middleware.FirstPasswordMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "minsheng.security.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "minsheng.urls"
WSGI_APPLICATION = "minsheng.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "minsheng.accounts.context.staff_navigation",
            ],
        },
    },
]

_default_sqlite = f"sqlite:///{DATA_DIR / 'minsheng.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or _default_sqlite, conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] == str(DATA_DIR / "minsheng.sqlite3"):
        create_private_file(DATA_DIR / "minsheng.sqlite3")
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE transactions take the write lock up front, so two writers queue
        # instead of one failing half-way with "database is locked".
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
        ),
    }

# SQLite cannot enforce NULLS NOT DISTINCT; RoutingRule.clean checks it there instead.
# SQLite also ignores an index's covering (INCLUDE) columns: the rollup indexes are for
# PostgreSQL at scale, and on SQLite the key columns alone serve a county.
SILENCED_SYSTEM_CHECKS = ["models.W047", "models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "staff:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", _("Chinese")),
    ("en", _("English")),
    ("ug", _("Uyghur")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["minsheng.formats"]
TIME_ZONE = os.environ.get("MINSHENG_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns about a missing root on every start
STATICFILES_DIRS = [BASE_DIR / "static"]
# Serve straight from the app directories: the embedded setup has no collectstatic step.
WHITENOISE_USE_FINDERS = True
# Static URLs carry their content's hash (minsheng.static_storage), so files may be kept a
# year: a slow phone then asks for nothing but the page itself.
MEDIA_ROOT = DATA_DIR / "uploads"
MEDIA_URL = "/media/"  # served by nothing: uploads are read only through views that check
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "minsheng.static_storage.VersionedStaticFilesStorage"},
    # Photos of cases (minsheng.photos): faces, number plates, house numbers. Readable by
    # the server's user alone; back them up with the database (docs/operator-guide.md).
    "photos": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": os.environ.get("MINSHENG_PHOTO_DIR") or str(MEDIA_ROOT / "photos"),
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    },
}
WHITENOISE_MAX_AGE = 0 if DEBUG else 365 * 24 * 3600

TASKS = {
    "default": {
        "BACKEND": os.environ.get("MINSHENG_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12

# Served over HTTPS (behind a reverse proxy that terminates TLS and sets X-Forwarded-Proto):
# cookies only over HTTPS, and browsers told to use HTTPS for a year (HSTS). The proxy must
# set X-Forwarded-Proto itself, overwriting what a client sent, and redirect plain HTTP
# (minsheng does not, so an SMS gateway may still post to it directly on the inside).
MINSHENG_HTTPS = env_bool("MINSHENG_HTTPS", False)
if MINSHENG_HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 365 * 24 * 3600
# How many reverse proxies in front of minsheng append to X-Forwarded-For (0: none, the
# client's address is REMOTE_ADDR). Attempt limits count per client address.
MINSHENG_TRUSTED_PROXIES = int(os.environ.get("MINSHENG_TRUSTED_PROXIES", "0"))
# API tokens stop working this many days after they were issued.
MINSHENG_API_TOKEN_DAYS = int(os.environ.get("MINSHENG_API_TOKEN_DAYS", "90"))

# Contact details: Fernet keys, newest first. Extra keys let old rows be read after rotation.
_contact_keys = os.environ.get("MINSHENG_CONTACT_KEYS") or read_or_create_secret(
    "contact.key", lambda: base64.urlsafe_b64encode(os.urandom(32)).decode()
)
MINSHENG_CONTACT_KEYS = [k.strip() for k in _contact_keys.split(",") if k.strip()]
# Contact details are purged this many days after a case closes (or ends otherwise).
MINSHENG_CONTACT_RETENTION_DAYS = int(os.environ.get("MINSHENG_CONTACT_RETENTION_DAYS", "90"))
# How often (seconds) the in-process scheduler asks the worker for a deadline sweep.
MINSHENG_SWEEP_INTERVAL = int(os.environ.get("MINSHENG_SWEEP_INTERVAL", "300"))
# A resolved case the resident never rates is closed by the sweep after this many days.
MINSHENG_AUTO_CLOSE_DAYS = int(os.environ.get("MINSHENG_AUTO_CLOSE_DAYS", "7"))
# Extensions (延期): how many a case may be granted over its life, and how many working
# days one extension may add to the deadline.
MINSHENG_EXTENSIONS_PER_CASE = int(os.environ.get("MINSHENG_EXTENSIONS_PER_CASE", "2"))
MINSHENG_EXTENSION_MAX_DAYS = int(os.environ.get("MINSHENG_EXTENSION_MAX_DAYS", "30"))
# Possible duplicates of a case: open cases raised within this many days of it.
MINSHENG_DUPLICATE_WINDOW_DAYS = int(os.environ.get("MINSHENG_DUPLICATE_WINDOW_DAYS", "30"))
# The dashboard's hot spots are searched again by the worker once this many minutes old.
MINSHENG_HOTSPOT_SNAPSHOT_MINUTES = int(os.environ.get("MINSHENG_HOTSPOT_SNAPSHOT_MINUTES", "5"))
# Triage suggestions: the worker retrains the models this often (hours; 0 = only on
# demand). Suggestions switch from the category keywords to the learned model once at
# least MIN_LABELS categories have MIN_EXAMPLES dispatched cases each.
MINSHENG_TRIAGE_RETRAIN_HOURS = float(os.environ.get("MINSHENG_TRIAGE_RETRAIN_HOURS", "24"))
MINSHENG_TRIAGE_MIN_EXAMPLES = int(os.environ.get("MINSHENG_TRIAGE_MIN_EXAMPLES", "20"))
MINSHENG_TRIAGE_MIN_LABELS = int(os.environ.get("MINSHENG_TRIAGE_MIN_LABELS", "2"))
# Models learn from the newest this-many dispatched cases (100,000 train in about a minute).
MINSHENG_TRIAGE_MAX_EXAMPLES = int(os.environ.get("MINSHENG_TRIAGE_MAX_EXAMPLES", "100000"))
# A suggestion fills a field in by itself only where the model's held-out predictions were
# right at least this often.
MINSHENG_TRIAGE_TARGET_PRECISION = float(os.environ.get("MINSHENG_TRIAGE_TARGET_PRECISION", "0.99"))
# Open311 jurisdiction ids this server answers to (comma-separated); empty accepts any.
MINSHENG_OPEN311_JURISDICTION = os.environ.get("MINSHENG_OPEN311_JURISDICTION", "")
MINSHENG_HOTLINE = os.environ.get("MINSHENG_HOTLINE", "12345")
# The site's public address (no trailing slash): QR posters and SMS links point here.
MINSHENG_PUBLIC_URL = (
    os.environ.get("MINSHENG_PUBLIC_URL")
    or os.environ.get("MINSHENG_SERVED_AT")  # set by `minsheng run` for its own address
    or "http://127.0.0.1:8000"
).rstrip("/")
# Posters and text messages carry this address; the posters page warns while it is unset.
MINSHENG_PUBLIC_URL_SET = bool(os.environ.get("MINSHENG_PUBLIC_URL"))
if MINSHENG_PUBLIC_URL_SET:
    # Behind an HTTPS proxy every form is posted from the public address: trust its origin
    # without a second variable to forget (every staff sign-in and report was refused).
    _public = urlsplit(MINSHENG_PUBLIC_URL)
    if _public.scheme and _public.netloc:
        _origin = f"{_public.scheme}://{_public.netloc}"
        if _origin not in CSRF_TRUSTED_ORIGINS:
            CSRF_TRUSTED_ORIGINS.append(_origin)
# The number residents text (printed on the posters); the hotline unless set.
MINSHENG_SMS_NUMBER = os.environ.get("MINSHENG_SMS_NUMBER") or MINSHENG_HOTLINE
# Shared secret the SMS gateway sends in the X-Minsheng-Sms-Token header of inbound
# messages. Unset, /sms/inbound answers 404: the SMS door is closed.
MINSHENG_SMS_INBOUND_TOKEN = os.environ.get("MINSHENG_SMS_INBOUND_TOKEN", "")
# Outgoing SMS: "file" appends to sms-outbox.log in the data directory (numbers masked);
# "http" posts {to, text} as JSON to MINSHENG_SMS_GATEWAY_URL, with the optional bearer
# token MINSHENG_SMS_GATEWAY_TOKEN, giving up after MINSHENG_SMS_GATEWAY_TIMEOUT seconds.
MINSHENG_SMS_BACKEND = os.environ.get("MINSHENG_SMS_BACKEND", "file")
MINSHENG_SMS_GATEWAY_URL = os.environ.get("MINSHENG_SMS_GATEWAY_URL", "")
MINSHENG_SMS_GATEWAY_TOKEN = os.environ.get("MINSHENG_SMS_GATEWAY_TOKEN", "")
MINSHENG_SMS_GATEWAY_TIMEOUT = float(os.environ.get("MINSHENG_SMS_GATEWAY_TIMEOUT", "10"))
# Public board map: a tile URL template ({z}/{x}/{y}) and its attribution. Empty by default,
# so nothing is fetched from outside: the map then shows the points on a plain background.
MINSHENG_MAP_TILES = os.environ.get("MINSHENG_MAP_TILES", "")
MINSHENG_MAP_ATTRIBUTION = os.environ.get("MINSHENG_MAP_ATTRIBUTION", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # A server error's log line starts with the reference its 500 page shows.
    "filters": {"error_reference": {"()": "minsheng.errors.ErrorReferenceFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("MINSHENG_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"filters": ["error_reference"]},
    },
}
