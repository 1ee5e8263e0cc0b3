"""Settings for Flux Marketing, read from the environment only.

Every variable is listed, with its default, in README.md's configuration table.
FLUX_ENV=production refuses to start on a missing or weak secret (flux.envcheck).
"""

import warnings
from pathlib import Path

import django_stubs_ext
import environ
from celery.schedules import crontab

from flux.envcheck import origin_of, production_problems

django_stubs_ext.monkeypatch()  # lets admin.ModelAdmin[Model] and friends take type arguments

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

FLUX_ENV = env.str("FLUX_ENV", default="development")
PRODUCTION = FLUX_ENV == "production"

# Development-only defaults: production refuses to start with any of them.
DEV_SECRET_KEY = "django-insecure-dev-only-flux-secret-key-do-not-use-in-production"  # noqa: S105
DEV_FLUX_KEYS = "dev1:ZGV2LW9ubHkta2V5LWRvLW5vdC11c2UtaW4tcHJvZCE="
DEV_HASH_KEY = "dev-only-hash-key-do-not-use-in-production"

SECRET_KEY = env.str("SECRET_KEY", default="" if PRODUCTION else DEV_SECRET_KEY)
FLUX_KEYS = env.str("FLUX_KEYS", default="" if PRODUCTION else DEV_FLUX_KEYS)
FLUX_HASH_KEY = env.str("FLUX_HASH_KEY", default="" if PRODUCTION else DEV_HASH_KEY)
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
FLUX_PUBLIC_URL = env.str(
    "FLUX_PUBLIC_URL", default="" if PRODUCTION else "http://127.0.0.1:8000"
).rstrip("/")

if PRODUCTION:
    _problems = production_problems(
        secret_key=SECRET_KEY,
        flux_keys=FLUX_KEYS,
        hash_key=FLUX_HASH_KEY,
        allowed_hosts=ALLOWED_HOSTS,
        public_url=FLUX_PUBLIC_URL,
    )
    if _problems:
        raise SystemExit(f"flux: refusing to start in production: {_problems[0]}")

DEBUG = env.bool("DEBUG", default=False) and not PRODUCTION

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "django_htmx",
    "template_partials",
    "django_tables2",
    "csp",
    "flux",
    "flux.accounts",
    "flux.audit",
    "flux.privacy",
    "integrations",
    "integrations.squarespace",
    "integrations.shippo",
    "integrations.meta",
    "integrations.search_console",
    "integrations.google_ads",
    "integrations.anthropic",
    "catalog",
    "dashboards",
    "proposals",
    "reconciliation",
    "social",
    "sandbox",
]

MIDDLEWARE = [
    "flux.request_id.RequestIdMiddleware",
    "flux.nul_guard.NulRefusedMiddleware",  # PostgreSQL text cannot hold NUL: 400, not 500
    "flux.funnel.FunnelGateMiddleware",  # from the internet, only the public pages
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "flux.accounts.middleware.StaffGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "flux.accounts.middleware.TotpEnrolmentMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so its process_exception sees view errors first: unreadable credential -> 409 page.
    "flux.reconnect.ReconnectNeededMiddleware",
]

ROOT_URLCONF = "flux.urls"
WSGI_APPLICATION = "flux.wsgi.application"

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
                "flux.context_processors.shell",
            ],
        },
    },
]

if "DATABASE_URL" not in env:
    (BASE_DIR / "var").mkdir(exist_ok=True)  # the demo's SQLite file lives here
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'flux.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
FLUX_BRAND_TIME_ZONE = env.str("FLUX_BRAND_TIME_ZONE", default="America/New_York")
# Search queries containing one of these (as whole words) are the brand's own, not opportunities.
FLUX_BRAND_TERMS = [
    t.strip().lower()
    for t in env.list("FLUX_BRAND_TERMS", default=["flux engineering", "flux"])
    if t.strip()
]
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Outside production, WhiteNoise serves straight from the app and static/ folders.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # The image is built with FLUX_ENV=build, so collectstatic writes the manifest.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if FLUX_ENV in ("production", "build")
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Staff sign-in (django-allauth) -------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "flux.accounts.backends.RolePermissionBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "flux.accounts.adapters.StaffAccountAdapter"
SOCIALACCOUNT_ADAPTER = "flux.accounts.adapters.StaffSocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
SOCIALACCOUNT_AUTO_SIGNUP = True
# An admin-made user is linked on first SSO sign-in, only if the IdP verified the address.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
OIDC_SERVER_URL = env.str("OIDC_SERVER_URL", default="http://127.0.0.1:8765/oidc")
OIDC_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="flux-marketing")
OIDC_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="sandbox-oidc-secret")
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": "staff-sso",
                "name": "Flux staff sign-in",
                "client_id": OIDC_CLIENT_ID,
                "secret": OIDC_CLIENT_SECRET,
                "settings": {"server_url": OIDC_SERVER_URL},
            }
        ],
    }
}
FLUX_STAFF_DOMAINS = [d.lower() for d in env.list("FLUX_STAFF_DOMAINS", default=[])]
FLUX_ALLOW_PASSWORD_LOGIN = env.bool("FLUX_ALLOW_PASSWORD_LOGIN", default=not PRODUCTION)
# TOTP secrets and recovery-code seeds are sealed with FLUX_KEYS (flux/accounts/mfa.py).
MFA_ADAPTER = "flux.accounts.mfa.StaffMFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Flux Marketing"

# --- Sessions, cookies and security headers ------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Tailscale Funnel terminates TLS and forwards plain HTTP with X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = [FLUX_PUBLIC_URL] if FLUX_PUBLIC_URL else []
if PRODUCTION:
    SECURE_SSL_REDIRECT = True
    # The container health check talks plain HTTP on the private network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-flux-session"
    CSRF_COOKIE_SECURE = True
    CSRF_COOKIE_NAME = "__Host-flux-csrf"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "https:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        # Signing in posts a form that redirects to the identity provider (and connecting a
        # platform one that redirects to its consent screen: added below with those URLs).
        "form-action": ["'self'", origin_of(OIDC_SERVER_URL)],
    }
}

# --- Encryption and hashing -----------------------------------------------------------
# FLUX_KEYS: comma-separated "id:base64" key-encryption keys; the first encrypts, all decrypt.

# --- Celery -----------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A broker restart does not stop a task already running (Celery 6 would cancel it): a sync or
# publish keeps going, and a copy the broker redelivers finds its work done (idempotent tasks).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
# No task may wait longer than this before a retry (tasks cap their backoff with it) ...
FLUX_MAX_RETRY_DELAY = 3600
# ... and the visibility timeout is longer, so a waiting, unacked task is not redelivered twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * FLUX_MAX_RETRY_DELAY}
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "sync-orders-and-shipments": {
        "task": "integrations.tasks.sync_scheduled",
        "schedule": crontab(minute="*/15"),
        "kwargs": {"streams": ["orders", "shipments", "labels", "shippo_orders"]},
    },
    "sync-inventory": {
        "task": "integrations.tasks.sync_scheduled",
        "schedule": crontab(minute=5),
        "kwargs": {"streams": ["inventory"]},
    },
    "sync-search-analytics": {
        "task": "integrations.tasks.sync_scheduled",
        "schedule": crontab(minute=20, hour="*/6"),
        "kwargs": {"streams": ["search_analytics"]},
    },
    "sync-google-ads-metrics": {
        "task": "integrations.tasks.sync_scheduled",
        "schedule": crontab(minute=20),
        "kwargs": {"streams": ["campaigns", "metrics", "search_terms"], "provider": "google_ads"},
    },
    "sync-meta-ads": {
        "task": "integrations.tasks.sync_scheduled",
        "schedule": crontab(minute=40),
        "kwargs": {"streams": ["campaigns", "insights"], "provider": "meta"},
    },
    "sync-meta-social": {
        "task": "integrations.tasks.sync_scheduled",
        "schedule": crontab(minute=50, hour="*/2"),
        "kwargs": {"streams": ["page_posts", "instagram_media"]},
    },
    "check-meta-tokens": {
        "task": "integrations.meta.tasks.meta_tokens_check",
        "schedule": crontab(hour=5, minute=10),
    },
    "purge-revoked-tokens": {
        "task": "integrations.tasks.purge_revoked_tokens",
        "schedule": crontab(hour=3, minute=30),
    },
    "flag-overdue-deletion-requests": {
        "task": "flux.privacy.tasks.flag_overdue_deletion_requests",
        "schedule": crontab(hour=6, minute=0),
    },
    "reconcile-full-nightly": {
        "task": "reconciliation.tasks.reconcile_run",
        "schedule": crontab(hour=2, minute=45),
        "kwargs": {"full": True},
    },
    "reconciliation-digest": {
        "task": "reconciliation.tasks.digest_send",
        "schedule": crontab(hour=12, minute=0),
    },
    "social-publish-due": {
        "task": "social.tasks.posts_publish_due_task",
        "schedule": crontab(minute="*"),
    },
    "proposals-measure-outcomes": {
        "task": "proposals.tasks.outcomes_measure_task",
        "schedule": crontab(hour=7, minute=15),
    },
    "proposals-agent-daily": {
        "task": "proposals.agent.tasks.agent_run_task",
        "schedule": crontab(hour=8, minute=0),
        "kwargs": {"trigger": "schedule"},
    },
    "proposals-recover-executions": {
        "task": "proposals.tasks.executions_recover_task",
        "schedule": crontab(minute="*/10"),
    },
    "proposals-rules-run-due": {
        "task": "proposals.rules.tasks.rules_run_due_task",
        "schedule": crontab(minute="*/15"),
    },
}
# Task modules outside an app's own tasks.py, so a worker registers them too.
CELERY_IMPORTS = ["proposals.rules.tasks", "proposals.agent.tasks"]

# --- Logging ----------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "flux.request_id.RequestIdFilter"}},
    "formatters": {
        "fields": {
            "format": "%(asctime)s %(levelname)s %(name)s request_id=%(request_id)s %(message)s"
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "fields",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# --- Outside APIs: one base URL each, defaulting to the real service --------------------
META_GRAPH_URL = env.str("META_GRAPH_URL", default="https://graph.facebook.com")
META_DIALOG_URL = env.str("META_DIALOG_URL", default="https://www.facebook.com")
GOOGLE_ADS_ENDPOINT = env.str("GOOGLE_ADS_ENDPOINT", default="googleads.googleapis.com:443")
SEARCH_CONSOLE_URL = env.str("SEARCH_CONSOLE_URL", default="https://searchconsole.googleapis.com/")
GOOGLE_OAUTH_URL = env.str("GOOGLE_OAUTH_URL", default="https://oauth2.googleapis.com")
GOOGLE_ACCOUNTS_URL = env.str("GOOGLE_ACCOUNTS_URL", default="https://accounts.google.com")
SQUARESPACE_API_URL = env.str("SQUARESPACE_API_URL", default="https://api.squarespace.com")
SQUARESPACE_OAUTH_URL = env.str("SQUARESPACE_OAUTH_URL", default="https://login.squarespace.com")
SHIPPO_API_URL = env.str("SHIPPO_API_URL", default="https://api.goshippo.com")
ANTHROPIC_BASE_URL = env.str("ANTHROPIC_BASE_URL", default="https://api.anthropic.com")
# "Connect with ..." posts a form that redirects to the platform's consent screen.
_FORM_ACTION = CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"]
for _consent in map(origin_of, (META_DIALOG_URL, GOOGLE_ACCOUNTS_URL, SQUARESPACE_OAUTH_URL)):
    if _consent not in _FORM_ACTION:
        _FORM_ACTION.append(_consent)

META_APP_ID = env.str("META_APP_ID", default="")
META_APP_SECRET = env.str("META_APP_SECRET", default="" if PRODUCTION else "sandbox-meta-secret")
GOOGLE_CLIENT_ID = env.str("GOOGLE_CLIENT_ID", default="")
GOOGLE_CLIENT_SECRET = env.str("GOOGLE_CLIENT_SECRET", default="")
GOOGLE_ADS_DEVELOPER_TOKEN = env.str("GOOGLE_ADS_DEVELOPER_TOKEN", default="")
# A private CA for GOOGLE_ADS_ENDPOINT (the sandbox's); empty: the system roots.
GOOGLE_ADS_CA_FILE = env.str("GOOGLE_ADS_CA_FILE", default="")
GOOGLE_ADS_CONVERSION_WINDOW_DAYS = env.int("GOOGLE_ADS_CONVERSION_WINDOW_DAYS", default=30)
SQUARESPACE_CLIENT_ID = env.str("SQUARESPACE_CLIENT_ID", default="")
SQUARESPACE_CLIENT_SECRET = env.str("SQUARESPACE_CLIENT_SECRET", default="")

# --- The proposals agent (Claude) ----------------------------------------------------------
FLUX_AI_MODEL = env.str("FLUX_AI_MODEL", default="claude-sonnet-4-6")
FLUX_AI_MAX_TOKENS = env.int("FLUX_AI_MAX_TOKENS", default=4096)
FLUX_AI_TIMEOUT_SECONDS = env.float("FLUX_AI_TIMEOUT_SECONDS", default=120.0)
# The SDK retries 429/529/5xx this many times; a stream broken off overloaded is retried whole.
FLUX_AI_SDK_MAX_RETRIES = env.int("FLUX_AI_SDK_MAX_RETRIES", default=3)
FLUX_AI_STREAM_ATTEMPTS = env.int("FLUX_AI_STREAM_ATTEMPTS", default=3)
# USD per million tokens (verify against Anthropic's pricing page before a change of model).
# Cache writes are the 5-minute TTL price (1.25x input); cache reads are 0.1x input.
_AI_PRICE_ROWS = {  # model: (input, output, cache write, cache read)
    "claude-sonnet-4-6": ("3", "15", "3.75", "0.30"),
    "claude-sonnet-4-5": ("3", "15", "3.75", "0.30"),
    "claude-sonnet-5": ("2", "10", "2.50", "0.20"),
    "claude-sonnet-5-5": ("2", "10", "2.50", "0.20"),
    "claude-opus-4-6": ("5", "25", "6.25", "0.50"),
    "claude-opus-5": ("5", "25", "6.25", "0.50"),
    "claude-opus-5-5": ("4", "20", "5", "0.40"),
    "claude-haiku-4-5": ("1", "5", "1.25", "0.10"),
}
FLUX_AI_PRICES: dict[str, dict[str, str]] = {
    model: dict(zip(("input", "output", "cache_write", "cache_read"), row, strict=True))
    for model, row in _AI_PRICE_ROWS.items()
}

# --- Reconciliation and its digest email -------------------------------------------------
FLUX_RECON_SLA_BUSINESS_DAYS = env.int("FLUX_RECON_SLA_BUSINESS_DAYS", default=2)
FLUX_RECON_LABEL_NOT_FULFILLED_DAYS = env.int("FLUX_RECON_LABEL_NOT_FULFILLED_DAYS", default=2)
FLUX_RECON_STALE_TRACKING_DAYS = env.int("FLUX_RECON_STALE_TRACKING_DAYS", default=7)
FLUX_RECON_PROBABLE_WINDOW_DAYS = env.int("FLUX_RECON_PROBABLE_WINDOW_DAYS", default=10)
# An exception older than this many business days is overdue in the daily digest.
FLUX_RECON_OVERDUE_BUSINESS_DAYS = env.int("FLUX_RECON_OVERDUE_BUSINESS_DAYS", default=3)
# Outside production mail goes to the console; production sends through EMAIL_URL (smtp+tls://).
_EMAIL = env.email_url("EMAIL_URL", default="smtp://localhost:25")
EMAIL_BACKEND = (
    _EMAIL["EMAIL_BACKEND"] if PRODUCTION else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST, EMAIL_PORT = _EMAIL.get("EMAIL_HOST", "localhost"), _EMAIL.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _EMAIL.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _EMAIL.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _EMAIL.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _EMAIL.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="flux-marketing@localhost")

# --- Proposals ---------------------------------------------------------------------------
# Fault hooks (e.g. FLUX_FAULT_PAUSE_AFTER_WRITE) work only when this is on, never in production.
FLUX_FAULT_HOOKS = env.bool("FLUX_FAULT_HOOKS", default=False) and not PRODUCTION
# An execution queued or running longer than this is handed to a worker again.
FLUX_EXECUTION_RECOVER_MINUTES = env.int("FLUX_EXECUTION_RECOVER_MINUTES", default=15)

# --- Social publishing -------------------------------------------------------------------
# Instagram container polling: pause between polls and polls per attempt before retrying later.
FLUX_SOCIAL_POLL_SECONDS = env.float("FLUX_SOCIAL_POLL_SECONDS", default=5.0)
FLUX_SOCIAL_POLL_LIMIT = env.int("FLUX_SOCIAL_POLL_LIMIT", default=12)
# A post left "publishing" this long without a live worker (SQLite has no lock) is retried.
FLUX_SOCIAL_STUCK_MINUTES = env.int("FLUX_SOCIAL_STUCK_MINUTES", default=10)
# Image checks may read loopback or private hosts only outside production (demo, tests).
FLUX_SOCIAL_PRIVATE_IMAGES = env.bool("FLUX_SOCIAL_PRIVATE_IMAGES", default=not PRODUCTION)

# --- Privacy ----------------------------------------------------------------------------
FLUX_CONTACT_EMAIL = "brandonhalterman@gmail.com"
FLUX_DELETION_DUE_DAYS = 30
FLUX_DELETION_RATE_LIMIT = env.str("FLUX_DELETION_RATE_LIMIT", default="5/h")
