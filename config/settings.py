"""phaodai settings: one file, driven by environment variables (see docs/operations/configuration.md)."""

import base64
import hashlib
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PHAODAI_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# "production" refuses to start on development secrets; anything else is a developer's machine.
PHAODAI_ENV = os.environ.get("PHAODAI_ENV", "dev")
PRODUCTION = PHAODAI_ENV == "production"

DEBUG = env_bool("DEBUG", default=False)
_DEV_SECRET = "phaodai-insecure-development-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when PHAODAI_ENV=production.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")


def _dev_key(purpose: str) -> str:
    # Deterministic per SECRET_KEY so a developer's data stays readable between runs.
    return base64.urlsafe_b64encode(hashlib.sha256(f"{SECRET_KEY}:{purpose}".encode()).digest()).decode()


# Field encryption (AES-256-GCM). PHAODAI_FIELD_KEYS is "id:base64key,id:base64key"; the first encrypts,
# all decrypt, so keys rotate without rewriting every row at once.
PHAODAI_FIELD_KEYS = os.environ.get("PHAODAI_FIELD_KEYS", "" if PRODUCTION else f"1:{_dev_key('field')}")
# Keyed HMAC-SHA256 for blind indexes (lookup and uniqueness of encrypted identifiers).
PHAODAI_BLIND_INDEX_KEY = os.environ.get(
    "PHAODAI_BLIND_INDEX_KEY", "" if PRODUCTION else _dev_key("blind-index")
)
if not PHAODAI_FIELD_KEYS or not PHAODAI_BLIND_INDEX_KEY:
    raise ImproperlyConfigured("PHAODAI_FIELD_KEYS and PHAODAI_BLIND_INDEX_KEY must be set in production.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "phaodai.core",
    "phaodai.accounts",
    "phaodai.territory",
    "phaodai.people",
    "phaodai.zoning",
    "phaodai.notifications",
    "phaodai.sitreps",
    "phaodai.command",
    "phaodai.business",
    "phaodai.inspections",
    "phaodai.quarantine",
    "phaodai.cases",
    "phaodai.diagnostics",
    "phaodai.vaccination",
    "phaodai.passes",
    "phaodai.checkpoints",
    "phaodai.permits",
    "phaodai.declarations",
    "phaodai.vehicles",
    "phaodai.markets",
    "phaodai.welfare",
    "phaodai.relief",
    "phaodai.community",
    "phaodai.portal",
    "phaodai.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "phaodai.core.middleware.RefuseNulBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "phaodai.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "phaodai.core.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "phaodai" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "phaodai.accounts.context_processors.navigation",
                "phaodai.notifications.context_processors.unread",
            ],
        },
    }
]

_default_sqlite = f"sqlite:///{VAR_DIR / 'phaodai.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_sqlite), conn_max_age=60)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the demo server, a worker and a CLI import share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# SQLite builds an index's INCLUDE columns as absent; the index still serves its key (cases.Exposure's
# exposure_high_day carries low_id only on PostgreSQL, where it makes the reads index-only).
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if env_bool("PHAODAI_FAST_PASSWORD_HASHER"):
    # Tests and demo seeding create many users; production keeps Django's default PBKDF2.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "phaodai" / "locale"]
# Digit grouping and dd/mm/yyyy dates in both languages (Django's vi locale has no grouping).
FORMAT_MODULE_PATH = ["phaodai.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "phaodai" / "static"]

# Uploads: a ward's area list is small; anything larger is refused with a clear message.
PHAODAI_MAX_UPLOAD_BYTES = int(os.environ.get("PHAODAI_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

TASKS = {"default": {"BACKEND": os.environ.get("PHAODAI_TASK_BACKEND", "django_tasks_db.DatabaseBackend")}}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Attachments (task progress files, directive scans) live under the var directory.
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("PHAODAI_MEDIA_ROOT", VAR_DIR / "media"))

# Notifications reach people in the app and by e-mail through a pluggable notifier; without an SMTP
# host the e-mail is printed to the console (the demo shows it there).
PHAODAI_NOTIFIER = os.environ.get("PHAODAI_NOTIFIER", "phaodai.notifications.backends.EmailNotifier")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "") == "1"
_MAIL_BACKENDS = "django.core.mail.backends"
EMAIL_BACKEND = (
    f"{_MAIL_BACKENDS}.smtp.EmailBackend" if EMAIL_HOST else f"{_MAIL_BACKENDS}.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "phaodai <no-reply@phaodai.invalid>")

# API tokens live this long unless revoked.
PHAODAI_API_TOKEN_DAYS = int(os.environ.get("PHAODAI_API_TOKEN_DAYS", 30))
# Health declarations filed without signing in, per client address and hour (a family on one phone
# files a few; a script flooding the form is stopped). Officials signed in are not counted.
PHAODAI_DECLARATIONS_PER_HOUR = int(os.environ.get("PHAODAI_DECLARATIONS_PER_HOUR", 20))
# Residents' reports of temporary markets and street vending, per client address and hour (S27).
PHAODAI_VENDING_REPORTS_PER_HOUR = int(os.environ.get("PHAODAI_VENDING_REPORTS_PER_HOUR", 10))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
