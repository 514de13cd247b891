"""One settings module, every value from the environment (12-factor).

The defaults run on a laptop with nothing installed: SQLite, e-mail written to files, Celery
tasks run in-process when no broker is configured. DATABASE_URL selects PostgreSQL and REDIS_URL
the broker.
With DJANGO_DEBUG=false the process refuses to start without DJANGO_SECRET_KEY.
"""

import datetime as dt
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY es obligatoria en producción (DJANGO_DEBUG=false)."
        )
    SECRET_KEY = "solo-para-desarrollo-local-no-usar-en-produccion"  # noqa: S105

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "channels",
    "simple_history",
    "axes",
    "core",
    "desborde",
    "asesor_linea",
    "balanceo",
    "copropiedad",
    "pqr_digital",
    "cliente_interno",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.middleware.RejectNulCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that it sees the lockout flag the authentication backend set (django-axes).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
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
                "core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
_sqlite = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
# The web runs on ASGI (uvicorn workers): Django runs each request's sync code in a thread of its
# own, so persistent connections would pile up one per thread ("too many clients") — Django's
# advice is CONN_MAX_AGE=0 under ASGI. Celery workers (one thread each) keep theirs for a minute
# (compose sets DATABASE_CONN_MAX_AGE=60 for them): a new backend costs more than a whole intake.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# On PostgreSQL the web process borrows connections from a pool (psycopg 3's, through Django)
# instead of opening a backend per request: the handshake and the backend's start cost ~5 ms of
# PostgreSQL CPU each, which a busy day pays on every request. A process with persistent
# connections (a Celery worker, DATABASE_CONN_MAX_AGE > 0) keeps its own instead: Django allows
# one or the other. DATABASE_POOL_MAX_SIZE bounds each process's share of max_connections.
if not _sqlite and env.bool("DATABASE_POOL", default=DATABASES["default"]["CONN_MAX_AGE"] == 0):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=2),
        "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=20),
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
    }
if _sqlite:
    # Several writers (web + beat) on the demo database wait instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it counts failed logins (site, admin and API token) and refuses a locked-out
# user or address before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
# One address (an office behind NAT) is locked after more failures than one user name.
AXES_IP_FAILURE_LIMIT = env.int("AXES_IP_FAILURE_LIMIT", default=20)
AXES_HANDLER = "core.authentication.LockoutHandler"
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# Each is counted on its own (core.authentication.LockoutHandler): a user name after
# AXES_FAILURE_LIMIT failures from anywhere, an address after AXES_IP_FAILURE_LIMIT failures
# whatever the user names it tries.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "core.authentication.lockout_response"
AXES_CLIENT_IP_CALLABLE = "core.authentication.client_ip"
AXES_VERBOSE = False
# API tokens: refused and deleted after this long without use; revoked by logout.
API_TOKEN_IDLE_TIMEOUT = dt.timedelta(hours=env.float("API_TOKEN_IDLE_HOURS", default=12))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:start"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "es-co"
LANGUAGES = [("es-co", "Español (Colombia)")]
TIME_ZONE = "America/Bogota"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Benchmark-only views under /bench/ (bench/urls.py); never on in production.
BENCH_VIEWS = env.bool("BENCH_VIEWS", default=False)

# Workbench ("Mis casos") refresh interval, seconds (CORE-10).
WORKBENCH_REFRESH_SECONDS = env.int("WORKBENCH_REFRESH_SECONDS", default=15)

# Evidence (CORE-08): accepted types and size limit.
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=25 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Retention of call and voicemail recordings (PQR-06, docs/backups.md): kept this many months,
# then "flag" (no longer served) or "purge" (file deleted; the row and its SHA-256 stay).
RETENTION_RECORDINGS_MONTHS = env.int("RETENTION_RECORDINGS_MONTHS", default=6)
RETENTION_ACTION = env.str("RETENTION_ACTION", default="flag")

# E-mail (CORE-12). Default: each message written as a file under var/mail.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env.path("EMAIL_FILE_PATH", default=BASE_DIR / "var" / "mail")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="atencion.distancia@localhost")
# A mail server that accepts the connection but never answers must not hang a worker (seconds).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# CORE-12: a notification that fails is tried again by the per-minute sweep and given up
# ("fallido") after NOTIFICATION_MAX_ATTEMPTS failures; temporary ones (SMTP 4xx, no connection,
# a timeout) do not count while the notification is younger than NOTIFICATION_RETRY_HOURS.
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=5)
NOTIFICATION_RETRY_HOURS = env.float("NOTIFICATION_RETRY_HOURS", default=24)
SMS_BACKEND = env.str("SMS_BACKEND", default="core.sms.FileSmsBackend")
SMS_FILE_PATH = env.path("SMS_FILE_PATH", default=BASE_DIR / "var" / "sms")

# Cache (throttle counters): Redis when REDIS_URL is set, shared by every process; in memory
# otherwise. CACHE_URL overrides it (e.g. another Redis database).
CACHE_URL = env.str("CACHE_URL", default="")
_cache_location = CACHE_URL or env.str("REDIS_URL", default="")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache"
        if _cache_location
        else "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": _cache_location or "atencion",
        "KEY_PREFIX": "atencion",
    }
}

# Celery: Redis when REDIS_URL is set; otherwise tasks run in-process (eager).
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# With a broker, the round robin runs this long after the first case of a burst, for all of it.
ASSIGNMENT_DELAY_SECONDS = env.float("ASSIGNMENT_DELAY_SECONDS", default=1.0)
CELERY_TASK_ACKS_LATE = True
# A pool process killed mid-task (OOM killer, SIGKILL) puts its message back in the queue instead
# of acknowledging it: tasks are idempotent, so running it again is safe (NFR-03).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# The broker lost while messages are unacknowledged must not end the worker (Celery 5.7.0 does).
CELERY_WORKER_CONSUMER = "config.celery_consumer:Consumer"
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}

# Live pages (core.live): Django Channels. With REDIS_URL the Redis pub/sub layer, shared by every
# ASGI process (the older RedisChannelLayer's group_send has lost messages); without it the
# in-memory layer, enough for `make run`'s single process. Every live page also polls as a
# fallback and re-fetches on reconnect, so a dropped socket or a layer down loses nothing.
CHANNEL_LAYERS = {
    "default": (
        {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [REDIS_URL],
                "prefix": env.str("LIVE_CHANNEL_PREFIX", default="atencion-live"),
            },
        }
        if REDIS_URL
        else {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    )
}
# How often a live page polls while its socket is down (seconds), and the kiosks' heartbeat:
# a kiosk whose last signal is older than KIOSK_OFFLINE_SECONDS counts as "desconectado".
LIVE_FALLBACK_POLL_SECONDS = env.int("LIVE_FALLBACK_POLL_SECONDS", default=5)
KIOSK_HEARTBEAT_SECONDS = env.int("KIOSK_HEARTBEAT_SECONDS", default=15)
KIOSK_OFFLINE_SECONDS = env.int("KIOSK_OFFLINE_SECONDS", default=45)
KIOSK_PAIRING_MINUTES = env.int("KIOSK_PAIRING_MINUTES", default=10)

# Video (core.video): 1:1 WebRTC between the technologist's browser and the kiosk (or the
# employee's browser), signalled over the live websocket. "p2p" is the only provider today.
# ICE: STUN URLs, and a TURN server with coturn's use-auth-secret scheme (short-lived
# credentials: username "<expiry>:<user>", password base64(HMAC-SHA1(secret, username))).
VIDEO_PROVIDER = env.str("VIDEO_PROVIDER", default="p2p")
VIDEO_STUN_URLS = env.list("VIDEO_STUN_URLS", default=[])
VIDEO_TURN_URLS = env.list("VIDEO_TURN_URLS", default=[])
VIDEO_TURN_SECRET = env.str("VIDEO_TURN_SECRET", default="")
VIDEO_TURN_TTL_SECONDS = env.int("VIDEO_TURN_TTL_SECONDS", default=3600)
# A call that rings this long without connecting ends "fallida" (the per-minute sweep).
VIDEO_RING_TIMEOUT_SECONDS = env.int("VIDEO_RING_TIMEOUT_SECONDS", default=180)
# "all": direct connections first, the TURN relay when they fail; "relay": always through TURN
# (offices whose firewall lets only the TURN server through, or to check the relay).
VIDEO_ICE_TRANSPORT_POLICY = env.str("VIDEO_ICE_TRANSPORT_POLICY", default="all")
if VIDEO_ICE_TRANSPORT_POLICY not in ("all", "relay"):
    raise ImproperlyConfigured('VIDEO_ICE_TRANSPORT_POLICY: use "all" o "relay".')
# Pairing codes a kiosk page may ask per minute from one address (DRF throttle rate).
KIOSK_PAIRING_RATE = env.str("KIOSK_PAIRING_RATE", default="10/min")

# The agenda (core.services.agenda, issue 13): a held slot is kept this many minutes for the
# person booking it; the technologist's day view reminds them this many minutes before each
# appointment.
AGENDA_HOLD_MINUTES = env.int("AGENDA_HOLD_MINUTES", default=10)
AGENDA_REMINDER_MINUTES = env.int("AGENDA_REMINDER_MINUTES", default=5)

# The product's public address, for links in e-mails (e.g. "Asistir a cita"): scheme and host,
# no trailing slash.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Internal clients (2.8, CI-02..04): the "Asistir a cita" link opens this many minutes before the
# appointment; the employee who has not checked in this many minutes after its start is marked
# "no asistió" (and e-mailed a link to book again); wrong document numbers allowed at check-in.
CLIENTE_INTERNO_CHECKIN_EARLY_MINUTES = env.int("CLIENTE_INTERNO_CHECKIN_EARLY_MINUTES", default=10)
CLIENTE_INTERNO_GRACE_MINUTES = env.int("CLIENTE_INTERNO_GRACE_MINUTES", default=10)
CLIENTE_INTERNO_CHECKIN_ATTEMPTS = env.int("CLIENTE_INTERNO_CHECKIN_ATTEMPTS", default=5)

# Messages to customers through the networks' inboxes (core.outbound). "manual": the creador
# copies the text into the network's console and marks it sent; "meta": Messenger, Instagram and
# WhatsApp Cloud API through Meta's Graph API, from the worker, with retries.
SOCIAL_PROVIDER = env.str("SOCIAL_PROVIDER", default="manual")
META_GRAPH_URL = env.str("META_GRAPH_URL", default="https://graph.facebook.com/v21.0")
META_PAGE_ACCESS_TOKEN = env.str("META_PAGE_ACCESS_TOKEN", default="")
META_WHATSAPP_TOKEN = env.str("META_WHATSAPP_TOKEN", default="")
META_WHATSAPP_PHONE_NUMBER_ID = env.str("META_WHATSAPP_PHONE_NUMBER_ID", default="")
# The webhook: the app secret signs every POST (X-Hub-Signature-256); the verify token answers
# Meta's GET handshake. Without them the webhook refuses everything.
META_APP_SECRET = env.str("META_APP_SECRET", default="")
META_VERIFY_TOKEN = env.str("META_VERIFY_TOKEN", default="")
META_HTTP_TIMEOUT = env.float("META_HTTP_TIMEOUT", default=10.0)
OUTBOUND_MAX_ATTEMPTS = env.int("OUTBOUND_MAX_ATTEMPTS", default=5)
# The daily export of digital PQR (PQR-07): the CSV's field separator. Excel with Colombian
# regional settings (decimal comma) splits columns on ";".
PQR_EXPORT_CSV_DELIMITER = env.str("PQR_EXPORT_CSV_DELIMITER", default=";")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.permissions.DenyAll"],
    "EXCEPTION_HANDLER": "core.api_errors.api_exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONBodyParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # Counted in the cache (Redis when REDIS_URL is set, so every web process shares them).
    "DEFAULT_THROTTLE_RATES": {
        "auth_token": env.str("THROTTLE_AUTH_TOKEN", default="10/min"),
        "contact_lookup": env.str("THROTTLE_CONTACT_LOOKUP", default="30/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Atención a distancia — API",
    "DESCRIPTION": "API de gestión de casos de atención de clientes con modalidad a distancia.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI served from the package, not a CDN (offices' intranet, offline tests).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The 400/401/403/404 every operation can give (drf-spectacular's enum hook stays first).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api_schema.document_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "CaseKindEnum": "core.models.choices.CaseKind",
        "EvidenceKindEnum": "core.models.choices.EvidenceKind",
        "MessageTemplateKindEnum": "core.models.messaging.MessageTemplate.Kind",
        "AttemptOutcomeEnum": "core.models.assignment.ContactAttempt.Outcome",
        "CloseOutcomeEnum": "core.services.closing.CLOSE_OUTCOME_CHOICES",
        "NotificationMediumEnum": "core.models.choices.NotificationMedium",
        "AppointmentStatusEnum": "core.models.agenda.AppointmentStatus",
        "CaseStatusEnum": "core.models.choices.CaseStatus",
        "ModalityEnum": "core.models.choices.Modality",
        "RemoteModalityEnum": "core.models.roster.RemoteModality",
    },
}

# Security: env-driven, strict by default outside DEBUG (manage.py check --deploy is clean).
# X-Forwarded-Proto / X-Forwarded-For are believed only when a proxy that sets them is in front
# (the compose file's deployments put one there); otherwise any client could claim HTTPS or an
# address of its choosing.
BEHIND_PROXY = env.bool("DJANGO_BEHIND_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG
)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint (the constancia PDF) logs each step of every document at INFO.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# Content-Security-Policy (django-csp)
# Every response carries this policy (NFR-02): scripts and styles only from our own static files
# (Bootstrap and htmx are vendored under static/vendor/), never inline, never eval. htmx's inline
# indicator <style> is turned off in templates/base.html (static/css/app.css has those rules).
# The one exemption is the Swagger UI at /api/docs/ (inline script), in config/urls.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "media-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}
