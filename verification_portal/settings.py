"""Settings, read from the environment with safe local defaults.

With nothing set the portal runs on an embedded default: a SQLite file under
``var/``, Celery tasks run eagerly in the web process, uploaded files on local
disk in ``var/private`` (a folder no URL serves). Setting ``DATABASE_URL``,
``REDIS_URL`` and ``AWS_STORAGE_BUCKET_NAME`` switches to PostgreSQL, a Redis
broker with real workers, and S3-compatible object storage.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("PORTAL_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

# Off unless asked for: a deployment that forgets the setting does not run in debug mode.
# `make run` and `make test` turn it on.
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "insecure-local-development-key-never-used-in-production"

# The key of the audit trail's chain (candidates/services/audit.py). It lives in the
# environment only, never in the database, so the database's own administrator cannot
# recompute the chain after changing a row. Keep it in the bureau's secret store; changing it
# makes the existing chain unverifiable.
PORTAL_AUDIT_KEY = env.str("PORTAL_AUDIT_KEY", default="")
if not PORTAL_AUDIT_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("PORTAL_AUDIT_KEY must be set when DJANGO_DEBUG is off.")
    PORTAL_AUDIT_KEY = "insecure-local-audit-key-" + SECRET_KEY

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "ninja",  # serves the API docs' scripts and styles from the package (no CDN)
    "candidates",
    "reviews",
    "notices",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "verification_portal.middleware.RequestSizeLimitMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "verification_portal.middleware.ChosenLanguageMiddleware",
    "verification_portal.middleware.RefuseNulBytesMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "candidates.auth.KeptDevicesOTPMiddleware",
    "verification_portal.middleware.StaffSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "verification_portal.urls"
WSGI_APPLICATION = "verification_portal.wsgi.application"

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
                "verification_portal.care.care_mode",
            ],
        },
    },
]

if "DATABASE_URL" not in env:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections on PostgreSQL (a new connection per request costs milliseconds).
DATABASES["default"]["CONN_MAX_AGE"] = env.int(
    "DJANGO_CONN_MAX_AGE", default=60 if "DATABASE_URL" in env else 0
)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's own, with a health check that costs no round trip (verification_portal.postgresql).
    DATABASES["default"]["ENGINE"] = "verification_portal.postgresql"
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded default serves several requests (a reviewer's page loads many scans) and
    # the periodic jobs at once. WAL lets readers go on while one writes; IMMEDIATE takes the
    # write lock when a transaction begins, so two writers queue (for up to 20 s) instead of
    # one failing with "database is locked" when it upgrades a read lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # django-redis: Django's own backend builds a Redis client (its command table) on every
            # call, about 0.2 ms, more than the round trip; a signed-in page makes two or three.
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="portal"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "candidates.auth.IdNumberOrPhoneBackend",
    "candidates.auth.UsernameBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "candidates:login"
LOGIN_REDIRECT_URL = "candidates:dashboard"
LOGOUT_REDIRECT_URL = "candidates:home"

# Sessions read from the cache (Redis with workers; the process's memory in the embedded
# default), written through to the database, which answers when the cache has lost one.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=int(timedelta(hours=4).total_seconds()))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"

# Uploaded scans live in a private folder that no URL maps to; they are served
# only through views that check who asks.
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")))
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    from botocore.config import Config as _BotoConfig

    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env.str("AWS_S3_REGION_NAME", default=None),
            "access_key": env.str("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default=None),
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
            "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=60),
            "signature_version": "s3v4",
            # An unreachable store answers within seconds (the upload is refused, nothing kept).
            "client_config": _BotoConfig(
                signature_version="s3v4",
                connect_timeout=env.int("AWS_S3_CONNECT_TIMEOUT", default=5),
                read_timeout=env.int("AWS_S3_READ_TIMEOUT", default=60),
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": PRIVATE_MEDIA_ROOT,
            "base_url": None,
            "file_permissions_mode": 0o640,
            "directory_permissions_mode": 0o750,
        },
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Uploads larger than this are spooled to a temporary file, never held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = env.str("FILE_UPLOAD_TEMP_DIR", default=None)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 10
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500

# Celery: eager in the embedded default, a Redis broker when REDIS_URL is set.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("PORTAL_TASK_TIME_LIMIT", default=180)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("PORTAL_TASK_SOFT_TIME_LIMIT", default=CELERY_TASK_TIME_LIMIT * 2 // 3)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task taken by a worker that then dies (SIGKILL, lost machine) is unacknowledged; Redis
# hands it to another worker after the visibility timeout. Five minutes, not Redis's default
# hour; it must exceed the longest a task may run (the hard time limit), or a running task
# would be handed out twice.
PORTAL_BROKER_VISIBILITY_SECONDS = env.int("PORTAL_BROKER_VISIBILITY_SECONDS", default=300)
if PORTAL_BROKER_VISIBILITY_SECONDS <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured("PORTAL_BROKER_VISIBILITY_SECONDS must exceed the task time limit.")
# How often workers look for such tasks (each sweep scans Redis once).
PORTAL_BROKER_RESTORE_SECONDS = env.int("PORTAL_BROKER_RESTORE_SECONDS", default=30)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "visibility_timeout": PORTAL_BROKER_VISIBILITY_SECONDS,
    "unacked_restore_interval": PORTAL_BROKER_RESTORE_SECONDS,
    "unacked_restore_throttle": 1,
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@verification.invalid")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Domain limits.
PORTAL_UPLOAD_MAX_BYTES = env.int("PORTAL_UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
PORTAL_UPLOAD_MAX_PIXELS = env.int("PORTAL_UPLOAD_MAX_PIXELS", default=60_000_000)
PORTAL_UPLOAD_MAX_PDF_PAGES = env.int("PORTAL_UPLOAD_MAX_PDF_PAGES", default=30)
PORTAL_MATERIAL_MAX_FILES = env.int("PORTAL_MATERIAL_MAX_FILES", default=10)
# Pixels the inspection of one upload request may decode (a PNG whole, a JPEG at 1/8 scale).
PORTAL_UPLOAD_DECODE_BUDGET = env.int("PORTAL_UPLOAD_DECODE_BUDGET", default=120_000_000)
# Scanned pages: an A4 page under ~150 dpi is refused at upload (in either orientation; a
# PDF page that is one placed image is judged by that image's dpi); a page whose sharpness
# (variance of the Laplacian at 1,200 px wide) is below the warning line is flagged to the
# candidate at once with the preview ("图片模糊，请重新拍摄"), never refused.
PORTAL_PAGE_MIN_SHORT_SIDE = env.int("PORTAL_PAGE_MIN_SHORT_SIDE", default=1240)
PORTAL_PAGE_MIN_LONG_SIDE = env.int("PORTAL_PAGE_MIN_LONG_SIDE", default=1754)
PORTAL_PAGE_MIN_DPI = env.int("PORTAL_PAGE_MIN_DPI", default=145)
PORTAL_BLUR_WARN_BELOW = env.float("PORTAL_BLUR_WARN_BELOW", default=40.0)
# OCR of every uploaded page (rapidocr with onnxruntime; the models come with the package):
# in Celery tasks on their own queue ("ocr"), one page per task; with eager tasks (the
# embedded default) the periodic jobs' process reads the pages, never a request. Off, the
# portal works without it.
PORTAL_OCR = env.bool("PORTAL_OCR", default=True)
# What the queue page keeps (counts, the table, a reviewer's figures) is kept under a version
# of the city's queue that every save, claim and assignment changes; this bounds how long a
# change the version cannot see (a claim expiring, a signal found, a name corrected) takes.
PORTAL_QUEUE_KEPT_SECONDS = env.int("PORTAL_QUEUE_KEPT_SECONDS", default=30)
# A candidate's dashboard is kept under a version of theirs (their applications, messages and
# profile) and one of everyone's (rosters, rounds, exams, integrity records), and never past
# the next opening, closing or deadline it shows; this bounds what neither version sees.
PORTAL_DASHBOARD_KEPT_SECONDS = env.int("PORTAL_DASHBOARD_KEPT_SECONDS", default=60)
# The public home page and notice list are kept under the versions of what they show (rounds,
# notices) and never past a moment that changes them (a round leaving the home page, a
# scheduled notice); this bounds anything else.
PORTAL_PUBLIC_KEPT_SECONDS = env.int("PORTAL_PUBLIC_KEPT_SECONDS", default=300)
# The signed-in user and their roles are kept under a version of the account that every save
# of it changes; this bounds a change made where no signal is sent (raw SQL, .update()).
PORTAL_ACCOUNT_KEPT_SECONDS = env.int("PORTAL_ACCOUNT_KEPT_SECONDS", default=300)
# The API (notices.api): a page's rows unless the client asks for fewer (at most the max), and
# how long a change is held back from the outcomes feed so that none still committing can
# land behind a cursor already given out.
PORTAL_API_PAGE_SIZE = env.int("PORTAL_API_PAGE_SIZE", default=500)
PORTAL_API_PAGE_MAX = 1000
PORTAL_API_FEED_SETTLE_SECONDS = env.int("PORTAL_API_FEED_SETTLE_SECONDS", default=5)
PORTAL_OCR_THREADS = env.int("PORTAL_OCR_THREADS", default=1)
# Pages read per sweep of the periodic job (eager mode), and how long a page may wait for a
# worker before the sweep sends it again (worker mode: a task lost with its broker).
PORTAL_OCR_SWEEP_PAGES = env.int("PORTAL_OCR_SWEEP_PAGES", default=20)
PORTAL_OCR_RESEND_MINUTES = env.int("PORTAL_OCR_RESEND_MINUTES", default=60)
# A page of a document with fewer characters read than this is "unreadable".
PORTAL_OCR_MIN_CHARS = env.int("PORTAL_OCR_MIN_CHARS", default=8)
PORTAL_PDF_FONT_FAMILY = env.str(
    "PORTAL_PDF_FONT_FAMILY", default="'WenQuanYi Micro Hei', 'Noto Sans CJK SC', sans-serif"
)
# The same font as a file, for the public list's PDF (notices.services.pass_list_pdf): a
# TrueType collection whose first face is proportional and second monospaced (Debian's
# fonts-wqy-microhei, which `make` installs).
PORTAL_PDF_FONT = env.str("PORTAL_PDF_FONT", default="/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")

CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_TASK_ROUTES = {"candidates.ocr_page": {"queue": "ocr"}}
CELERY_BEAT_SCHEDULE = {
    "catch-up": {"task": "candidates.catch_up", "schedule": 300.0},
    "ocr-sweep": {"task": "candidates.ocr_sweep", "schedule": 60.0},
    # The audit chain's head, written outside the database (also at every publication).
    "anchor-audit-chain": {"task": "candidates.anchor_audit_chain", "schedule": 3600.0},
}

# Review workflow.
PORTAL_CLAIM_MINUTES = env.int("PORTAL_CLAIM_MINUTES", default=30)
PORTAL_FIX_DAYS = env.int("PORTAL_FIX_DAYS", default=5)
PORTAL_INVITATION_DAYS = env.int("PORTAL_INVITATION_DAYS", default=7)
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")

# Publication, reports and reminders.
PORTAL_OBJECTION_DAYS = env.int("PORTAL_OBJECTION_DAYS", default=10)
# Those passed after a round's list was made go on a supplementary list (补充公示), at most
# one a day: the periodic job waits this long after the newest list of the round.
PORTAL_SUPPLEMENTARY_LIST_HOURS = env.int("PORTAL_SUPPLEMENTARY_LIST_HOURS", default=24)
PORTAL_REPORTS_PER_HOUR = env.int("PORTAL_REPORTS_PER_HOUR", default=5)
# Certificates (seeds 003, 004): numbered by the portal's pattern, or imported from the
# province ("import"); the pattern's fields are year, round, city, exam and seq.
# Fraud signals: an employer with more applications than this in one round is flagged.
PORTAL_SIGNAL_EMPLOYER_LIMIT = env.int("PORTAL_SIGNAL_EMPLOYER_LIMIT", default=30)
# The bar from the exams after fraud (seed 004: five years from the decision).
PORTAL_INTEGRITY_BAR_YEARS = env.int("PORTAL_INTEGRITY_BAR_YEARS", default=5)
PORTAL_CERTIFICATE_NUMBERS = env.str("PORTAL_CERTIFICATE_NUMBERS", default="pattern")
PORTAL_CERTIFICATE_NUMBER_PATTERN = env.str(
    "PORTAL_CERTIFICATE_NUMBER_PATTERN", default="{year}{round:04d}{seq:06d}"
)
PORTAL_CERTIFICATE_AUTHORITY = env.str("PORTAL_CERTIFICATE_AUTHORITY", default="湖南省人力资源和社会保障厅")
# Electronic certificates are signed (PAdES) with this key and certificate (PEM files);
# `manage.py make_signing_pair` writes a self-signed demo pair to these paths.
PORTAL_SIGNING_KEY_FILE = env.str(
    "PORTAL_SIGNING_KEY_FILE", default=str(VAR_DIR / "signing" / "signing-key.pem")
)
PORTAL_SIGNING_CERT_FILE = env.str(
    "PORTAL_SIGNING_CERT_FILE", default=str(VAR_DIR / "signing" / "signing-cert.pem")
)
PORTAL_SIGNING_PASSPHRASE = env.str("PORTAL_SIGNING_PASSPHRASE", default="")
# The public certificate check: lookups per client address per hour.
PORTAL_VERIFY_PER_HOUR = env.int("PORTAL_VERIFY_PER_HOUR", default=30)
# Reminder offsets before each deadline: days ("3d"), hours ("6h"), or "morning" (08:00 of the last day).
PORTAL_REMINDER_OFFSETS = env.list("PORTAL_REMINDER_OFFSETS", default=["3d", "1d", "morning"])
PORTAL_CLAIM_STALE_MINUTES = env.int("PORTAL_CLAIM_STALE_MINUTES", default=10)
PORTAL_SMS_BACKEND = env.str("PORTAL_SMS_BACKEND", default="notices.sms.LogSmsBackend")
CELERY_BEAT_SCHEDULE.update(
    {
        "publish-due": {"task": "notices.publish_due", "schedule": 60.0},
        "reminders": {"task": "notices.send_reminders", "schedule": 900.0},
        "close-windows": {"task": "notices.close_windows", "schedule": 300.0},
        "certificate-custody": {"task": "notices.certificate_custody", "schedule": 3600.0},
    }
)

# Logins: throttled and locked after repeated failures (django-axes); administrators unlock
# in /admin/ (Axes → access attempts) or with `manage.py axes_reset_username <name>`.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
# Trusted proxies in front of the portal (verification_portal/client.py): the lockout, the
# report throttle and the SMS limits all read the client's address behind them.
PORTAL_PROXY_COUNT = env.int("PORTAL_PROXY_COUNT", default=env.int("AXES_PROXY_COUNT", default=0))
AXES_CLIENT_IP_CALLABLE = "verification_portal.client.client_address"
# The lockout follows the account, whichever alias was typed (ID number, phone, lowercase x).
AXES_USERNAME_CALLABLE = "candidates.auth.lockout_key"

# Identity (candidates/identity.py): a class deciding who may act on a roster entry. The
# default matches the account's name with the roster's, on a phone verified by SMS code.
PORTAL_IDENTITY_VERIFIER = env.str(
    "PORTAL_IDENTITY_VERIFIER", default="candidates.identity.RosterNameAndPhoneVerifier"
)
PORTAL_SMS_CODE_MINUTES = env.int("PORTAL_SMS_CODE_MINUTES", default=5)
PORTAL_SMS_CODE_ATTEMPTS = env.int("PORTAL_SMS_CODE_ATTEMPTS", default=5)
# Codes sent to one number: per minute, hour and day; and per client address and hour.
PORTAL_SMS_CODE_LIMITS = (1, 5, 10)
PORTAL_SMS_CODES_PER_ADDRESS_HOUR = env.int("PORTAL_SMS_CODES_PER_ADDRESS_HOUR", default=20)

# Staff (reviewers, employer HR, administrators) confirm each login with a TOTP code.
PORTAL_STAFF_OTP_REQUIRED = env.bool("PORTAL_STAFF_OTP_REQUIRED", default=True)
OTP_TOTP_ISSUER = "考后人工核查系统"

# Content-Security-Policy: no inline script or style anywhere in the portal.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
AXES_VERBOSE = False

# Optional virus scanning of uploads through clamd ("host:port" or a socket path); fails closed.
PORTAL_CLAMD_ADDRESS = env.str("PORTAL_CLAMD_ADDRESS", default="")
# Seconds to wait for clamd (connecting, and for each answer) before refusing the upload.
PORTAL_CLAMD_TIMEOUT = env.float("PORTAL_CLAMD_TIMEOUT", default=5.0)
# The largest request body accepted (all files of one upload together).
PORTAL_REQUEST_MAX_BYTES = env.int("PORTAL_REQUEST_MAX_BYTES", default=110 * 1024 * 1024)
# Rows per PDF part of a pass list: each part is one task, rendered by the workers side by side
# (about 1 s and 30 MB a part).
PORTAL_PDF_CHUNK_ROWS = env.int("PORTAL_PDF_CHUNK_ROWS", default=20000)
