"""Settings for every environment. `DJANGO_ENV` (development, test, production) decides.

All values come through `nhsportal.config`; see README.md "Settings" for each name.
"""

from __future__ import annotations

import dj_database_url

from nhsportal import config

BASE_DIR = config.BASE_DIR
ENV = config.environment()
IS_PRODUCTION = ENV == "production"

SECRET_KEY = config.secret_key(ENV)
DEBUG = config.env_bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = config.env_list("DJANGO_ALLOWED_HOSTS", default=[] if IS_PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = config.env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

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
    "nhsportal",
    "sites",
    "teams",
    "applications",
    "metrics",
    "dashboards",
    "dictionary",
    "reviews",
    "accounts",
    "bulletins",
]

MIDDLEWARE = [
    # First: every log line of the request, redirects and errors included, carries its id.
    "nhsportal.request_id.RequestIdMiddleware",
    # Before the rest, so redirects and static files get the CSP and permissions policy too.
    "nhsportal.security.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # A body larger than the portal ever takes is answered 413 unread (nhsportal/uploads.py).
    "nhsportal.uploads.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "nhsportal.security.SessionLifetimeMiddleware",
]

ROOT_URLCONF = "nhsportal.urls"
WSGI_APPLICATION = "nhsportal.wsgi.application"

TEMPLATES = [
    {
        # Portal pages: Jinja2 with the NHS.UK frontend macros.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "nhsportal.jinja2.environment"},
    },
    {
        # Django admin, DRF's browsable API and the API docs keep their own templates.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Before the apps' own: nhsportal/templates/admin/ overrides Django admin's base_site.html.
        "DIRS": [BASE_DIR / "nhsportal" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Embedded default: SQLite under var/. DATABASE_URL (PostgreSQL) switches on the full stack.
DATABASE_URL = config.env_str("DATABASE_URL")
# On SQLite, every connection: a write-ahead log, so pages read while `rollup` writes (the default
# rollback journal makes a writer wait for every reader, and fail with "database is locked");
# transactions that take the write lock when they begin (a deferred one that reads, then writes,
# fails at once when another holds the lock, whatever the timeout); and a wait of up to 30 s for
# that lock rather than SQLite's 5.
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
}
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    if DATABASE_URL
    else {"ENGINE": "django.db.backends.sqlite3", "NAME": str(config.VAR_DIR / "db.sqlite3")}
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # the default, or a sqlite:// DATABASE_URL
    DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Django's password check, but while a username or address is locked no password is checked.
# PASSWORD_SIGN_IN (accounts/backends.py, ADR 17): off, only break-glass accounts may use one.
AUTHENTICATION_BACKENDS = ["accounts.backends.PasswordPolicyBackend"]
# Signing in (ADR 17): OpenID Connect providers (NHS CIS2 Authentication, Entra ID) from
# OIDC_PROVIDERS; passwords on by default in development and test (the demo), off in production.
OIDC_PROVIDERS = config.oidc_providers(ENV)
PASSWORD_SIGN_IN = config.env_bool("PASSWORD_SIGN_IN", default=not IS_PRODUCTION)
OIDC_CLOCK_SKEW_SECONDS = config.oidc_clock_skew()
OIDC_MAX_TOKEN_AGE_SECONDS = config.env_int("OIDC_MAX_TOKEN_AGE_SECONDS", 600)
# Accounts with no sign-in for this many days lose their roles (a daily beat job), with notice.
ACCESS_INACTIVE_DAYS = config.env_int("ACCESS_INACTIVE_DAYS", 90)
# Sign-in lockout (nhsportal/lockout.py, ADR 12). An address is shared by everyone behind an
# NHS organisation's network, so its limit is higher than a username's.
SIGN_IN_USERNAME_LIMIT = config.env_int("SIGN_IN_USERNAME_LIMIT", 5)
SIGN_IN_ADDRESS_LIMIT = config.env_int("SIGN_IN_ADDRESS_LIMIT", 20)
SIGN_IN_WINDOW_MINUTES = config.env_int("SIGN_IN_WINDOW_MINUTES", 15)
SIGN_IN_LOCKOUT_MINUTES = config.env_int("SIGN_IN_LOCKOUT_MINUTES", 15)
# Reverse proxies in front of the portal whose X-Forwarded-For is trusted for the client's address.
SIGN_IN_TRUSTED_PROXIES = config.env_int("DJANGO_TRUSTED_PROXIES", 1 if IS_PRODUCTION else 0)
# Who people are told to contact when they are locked out or need an account.
SUPPORT_EMAIL = config.env_str("SUPPORT_EMAIL", "nnhip-support@nnhip.invalid")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = config.VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if IS_PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploaded files live outside the web root and are served only through views that check access.
MEDIA_ROOT = config.env_str("MEDIA_ROOT") or str(config.VAR_DIR / "uploads")
# Largest evidence file a Place may attach to its application.
APPLICATION_UPLOAD_MAX_BYTES = config.env_int("APPLICATION_UPLOAD_MAX_MB", 10) * 1024 * 1024
# Largest monthly return workbook (the template is about 40 KB).
RETURN_UPLOAD_MAX_BYTES = config.env_int("RETURN_UPLOAD_MAX_MB", 5) * 1024 * 1024
# No request body larger than this is read at all, on any path (nhsportal.uploads.RequestSizeLimitMiddleware, and
# LimitedUploadHandler for multipart bodies should the middleware ever be left out):
# the largest file the portal takes, plus room for the form's other fields.
UPLOAD_MAX_REQUEST_BYTES = max(APPLICATION_UPLOAD_MAX_BYTES, RETURN_UPLOAD_MAX_BYTES) + 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "nhsportal.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Django's defaults stand: files up to FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) stay in memory, larger
# ones are spooled to a temporary file; form fields beyond DATA_UPLOAD_MAX_MEMORY_SIZE are a 400.
# Rollup exports with more rows than this are built by a Celery job; the file is kept this many days.
ROLLUP_EXPORT_DIRECT_MAX_ROWS = config.env_int("ROLLUP_EXPORT_DIRECT_MAX_ROWS", 20000)
ROLLUP_EXPORT_KEEP_DAYS = config.env_int("ROLLUP_EXPORT_KEEP_DAYS", 7)

# Background jobs: Redis when REDIS_URL is set, otherwise run in-process.
REDIS_URL = config.env_str("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
# With no broker, a Celery task runs inside the request that queues it: a large export is then
# built on a thread of the web process instead, so the request answers at once (tests build it
# in-process, inside their transaction).
ROLLUP_EXPORT_IN_THREAD = not REDIS_URL and ENV != "test"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis hands a task not yet acknowledged (acks_late) to another worker after this long: a task
# allowed to run longer would run twice at once, so every time limit stays below it.
BROKER_VISIBILITY_TIMEOUT = 3600
# Every task stops in time, so a hung SMTP server or query cannot hold a worker for ever: at the
# soft limit SoftTimeLimitExceeded is raised inside the task (it can still fail cleanly, as an
# export marks its job failed); a minute later the worker kills it. Ten minutes is about four
# times the slowest full national rebuild measured (ADR 16) and room for a daily e-mail to every
# site; a task that may need more (rollups as data grows, a large export) names its own limits
# in its decorator (tests/nhsportal/test_celery_limits.py). Only the prefork pool (the worker's
# default) enforces them; tasks run in-process have none.
CELERY_TASK_SOFT_TIME_LIMIT, CELERY_TASK_TIME_LIMIT = config.celery_time_limits(visibility_timeout=BROKER_VISIBILITY_TIMEOUT)
# Rollups (docs/adr/0015): the one-at-a-time lock's lease, renewed while its holder lives, and
# how often beat drains the rollup requests' outbox.
ROLLUP_LOCK_LEASE_SECONDS = config.env_int("ROLLUP_LOCK_LEASE_SECONDS", 60)
# A full rebuild on PostgreSQL builds this many periods at once, each on its own connection.
ROLLUP_BUILD_CONNECTIONS = config.env_int("ROLLUP_BUILD_CONNECTIONS", 2)
# Sending a task while Redis is down fails within a second instead of retrying for many: the web
# process has someone waiting (the worker's own reconnecting is separate and patient).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": BROKER_VISIBILITY_TIMEOUT,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
    "socket_connect_timeout": 2,
}
ROLLUP_OUTBOX_SECONDS = config.env_int("ROLLUP_OUTBOX_SECONDS", 60)

CACHES = {
    # Timeouts: a Redis that hangs makes a cache call fail in seconds, not hang the request.
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": config.cache_redis_url(REDIS_URL, environment=ENV),
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

EMAIL_BACKEND = config.env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if IS_PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = config.env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = config.env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = config.env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = config.env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = config.env_bool("EMAIL_USE_TLS", default=True)
# Seconds an SMTP connect, greeting or reply may take before the send fails (and its task retries):
# without it a stalled mail server holds the worker that is sending for as long as the socket lives.
EMAIL_TIMEOUT = config.env_int("EMAIL_TIMEOUT", 10)
# Links in e-mails point here.
PORTAL_BASE_URL = config.env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = config.env_str("DEFAULT_FROM_EMAIL", "Neighbourhood Health Programme <noreply@nnhip.invalid>")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an anonymous API caller gets 401 with `WWW-Authenticate: Token`.
        # A token works only while its holder holds a role (ADR 17).
        "accounts.authentication.RoleHolderTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Per address for signed-out callers, per person otherwise; fail open if the cache is down (ADR 12).
    "DEFAULT_THROTTLE_CLASSES": ["nhsportal.throttling.AnonRateThrottle", "nhsportal.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": config.api_throttle_rates(ENV),
    "NUM_PROXIES": SIGN_IN_TRUSTED_PROXIES,
    "EXCEPTION_HANDLER": "nhsportal.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer", "rest_framework.renderers.BrowsableAPIRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "NHS Neighbourhood Health Programme Portal API",
    "DESCRIPTION": "Organisations, sites, neighbourhood teams and workforce of the National Neighbourhood "
    "Health Implementation Programme. Session or token auth (`Authorization: Token …`).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Swagger UI would otherwise send the schema's address to validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The schema and docs describe the API's shape, not its data: open to all, like a published spec.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # Several models have a `kind` or `status`: give each choice set its own schema name.
    "ENUM_NAME_OVERRIDES": {
        "SiteStatusEnum": "sites.models.SiteStatus",
        "OrganisationKindEnum": "teams.models.OrganisationKind",
        "MetricKindEnum": "metrics.models.MetricKind",
        "DirectionEnum": "metrics.models.Direction",  # a metric's direction and its definition's (dictionary)
        "ReturnStatusEnum": "metrics.models.ReturnStatus",
        "ApplicationStatusEnum": "applications.models.Status",
        "SiteReviewStatusEnum": "reviews.models.ReviewStatus",
        "ReviewActionStatusEnum": "reviews.models.ActionStatus",
        "RagRatingEnum": "reviews.models.Rating",
    },
}

# JSON lines with the request id (nhsportal/logging.py); plain lines for a person at `make run`.
LOG_FORMAT = config.env_choice("LOG_FORMAT", ("json", "plain"), default="plain" if ENV == "development" else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "nhsportal.logging.RequestContextFilter"}},
    "formatters": {
        "json": {"()": "nhsportal.logging.JsonFormatter"},
        "plain": {"()": "nhsportal.logging.PlainFormatter", "format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_context"]}},
    "root": {"handlers": ["console"], "level": config.env_str("LOG_LEVEL", "INFO")},
}

# Sessions (ADR 12): at most 8 hours after signing in, whatever happens (nhsportal/security.py
# enforces it, since Django's own expiry moves on each save), and ended after an hour idle.
SESSION_COOKIE_AGE = config.env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_IDLE_SECONDS = config.env_int("SESSION_IDLE_MINUTES", 60) * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content security policy and permissions policy on every response (nhsportal/security.py, ADR 12).
# No 'unsafe-inline': scripts and styles come from the portal's own files. The one inline script,
# the NHS.UK page template's `js-enabled` line, is allowed by its hash.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
)

if IS_PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = config.env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # Load balancers and docker-compose probe health over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = config.env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # `preload` only takes effect if the registrable domain is submitted to the list (ADR 12).
    SECURE_HSTS_PRELOAD = True
    SESSION_EXPIRE_AT_BROWSER_CLOSE = True

if ENV == "test":
    # Hashing strength is not under test; a fast hasher keeps the suite quick.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
