"""Settings for Symbiosis Registry.

One module, configured by environment variables. Every helper fails loudly on a value
it cannot read, and the module refuses an unsafe production configuration.
"""

import datetime
import ipaddress
import os
import re
from email.utils import getaddresses
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name, default=None):
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"Set the {name} environment variable.")
        return default
    return value


def env_bool(name, *, default):
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a boolean: use one of true/false, yes/no, on/off, 1/0."
    )


def env_int(name, *, default, minimum=None):
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={value!r} is less than {minimum}.")
    return number


def env_list(name, *, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def _is_email(address):
    try:
        validate_email(address)
    except ValidationError:
        return False
    return True


def env_addresses(name, *, default):
    """(name, address) pairs, as ADMINS takes them, from "Name <a@example.org>, b@example.org";
    an address without a name is its own name."""
    value = os.environ.get(name)
    if value is None:
        return default
    if not value.strip():
        return []
    pairs = getaddresses([value])
    if not pairs or not all(_is_email(address) for _name, address in pairs):
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a list of email addresses: write "
            '"Name <name@example.org>, Other Name <other@example.org>" or '
            '"name@example.org,other@example.org".'
        )
    return [(real_name or address, address) for real_name, address in pairs]


def env_choice(name, choices):
    """One of ``choices``, the first by default."""
    value = os.environ.get(name)
    if value is None:
        return choices[0]
    if value.strip().lower() not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of: {', '.join(choices)}.")
    return value.strip().lower()


def env_networks(name):
    """IP addresses and networks, comma-separated ("10.0.0.0/8,127.0.0.1"); none when unset."""
    networks = []
    for item in env_list(name, default=[]):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not an IP address or network (e.g. 10.0.0.0/8)."
            ) from None
    return networks


DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set and DJANGO_DEBUG is off: refusing to start "
            "(set a long random DJANGO_SECRET_KEY, or DJANGO_DEBUG=true for local development)."
        )
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Application definition

DJANGO_APPS = [
    # Django's admin, on a site that asks admins for their second factor
    # (agreements/accounts/admin_site.py).
    "agreements.accounts.apps.TwoFactorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Django's own widget templates, for FORM_RENDERER below.
    "django.forms",
]
THIRD_PARTY_APPS = [
    # ISO 3166 countries for organisations and parks, with their names in Vietnamese (its
    # catalogue is why it is an app, not only a field).
    "django_countries",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "axes",
    # Content-Security-Policy (its system checks; the middleware is symbiosis.security_headers).
    "csp",
    # Two-factor sign-in: authenticator apps (TOTP) and one-time recovery codes (static tokens).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # The public read-only API (agreements/api/), its OpenAPI 3 schema, and the schema's
    # documentation page served from static/ (the sidecar vendors Swagger UI and Redoc).
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]
LOCAL_APPS = [
    # The project's own helpers: caching, search folding, pagination, catalogue compilation.
    "symbiosis",
    # Reference data: organisations, parks, memberships. Imports nothing from agreements.
    "parks",
    # The register: resources, agreements, parties, flows, documents, their rules and pages.
    "agreements",
    # The officials' reporting (dashboard, exports, park networks): reads the register.
    "agreements.reporting",
    # The verified register as an open Data Package (/data/): reads the register.
    "agreements.open_data",
    # Signing in with a second factor (enrolment, the second step, recovery codes), for the
    # users the register's permissions name; its user admin after symbiosis' (it extends it).
    "agreements.accounts",
    # Demo and synthetic data with their commands.
    "agreements.sample_data",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Every page's Content-Security-Policy and Permissions-Policy (static files are WhiteNoise's).
    "symbiosis.security_headers.ContentSecurityPolicyMiddleware",
    "symbiosis.security_headers.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After the language is chosen, so that a refusal reads in it; before anything reads the
    # request (symbiosis/request_limits.py).
    "symbiosis.request_limits.refuse_nul_bytes",
    "symbiosis.request_limits.limit_request_body",
    "django.middleware.common.CommonMiddleware",
    # Before the CSRF check, which reads the form first: a form too large to read whole is read
    # in part for the page that shows it again (symbiosis/form_limits.py).
    "symbiosis.form_limits.CutFormMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Holds a user who must use two-factor sign-in to its pages until they have passed it.
    "agreements.accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "symbiosis.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "symbiosis.wsgi.application"

# Database: DATABASE_URL picks it; unset means SQLite in the project folder.

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", default=60),
        conn_health_checks=True,
    )
}
# A form and its formsets save all or nothing.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The registry's queries are short: JIT compilation costs more than it saves on them
    # (measured: the dashboard's aggregates at 100,000 agreements, 20% slower with it).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis shared by every app process when REDIS_URL is set, else per process.

if REDIS_URL := os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Authentication

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out sign-in before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Django's database sessions, refusing a cookie that is no key Django made
# (symbiosis/sessions.py).
SESSION_ENGINE = "symbiosis.sessions"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "agreements:mine"
LOGOUT_REDIRECT_URL = "home"

# Failed sign-ins are throttled per user name and address (django-axes): after
# AXES_FAILURE_LIMIT failures the pair waits AXES_COOLOFF_TIME, whether or not the account
# exists, and the lockout page says nothing about the account.
AXES_FAILURE_LIMIT = env_int("DJANGO_AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("DJANGO_AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
# The user name recorded, cut to what axes' table holds (symbiosis/throttling.py).
AXES_USERNAME_CALLABLE = "symbiosis.throttling.attempted_username"
# Password-reset emails (symbiosis/throttling.py): at most PASSWORD_RESET_PER_ADDRESS an hour to
# one address, and at most PASSWORD_RESET_PER_CLIENT reset requests an hour from one client
# address; past either, the same "check your email" page, and no email.
PASSWORD_RESET_PER_ADDRESS = env_int("DJANGO_PASSWORD_RESET_PER_ADDRESS", default=3)
PASSWORD_RESET_PER_CLIENT = env_int("DJANGO_PASSWORD_RESET_PER_CLIENT", default=10)
# Lockouts end by themselves after the cool-off; `manage.py axes_reset_username NAME` ends one
# sooner. Axes' read-only admin pages stay off, as they offer no add page.
AXES_ENABLE_ADMIN = False

# Two-factor sign-in (agreements/accounts/, django-otp): an authenticator app's six-digit code,
# or one of ten one-time recovery codes, after the password. Admins (superusers and staff of the
# Django admin) must use it; officials (members of an authority) too when MFA_FOR_OFFICIALS is
# on, by default whenever debug is off; park staff may choose it. MFA_FOR_ADMINS has no
# variable: only the tests turn it off (tests/conftest.py).
MFA_FOR_ADMINS = True
MFA_FOR_OFFICIALS = env_bool("DJANGO_MFA_FOR_OFFICIALS", default=not DEBUG)
# The name authenticator apps show beside the user name.
OTP_TOTP_ISSUER = "Symbiosis Registry"
# A password accepted, the second step waits this long for its code before asking again.
MFA_PENDING_SECONDS = 10 * 60

# Internationalisation

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("vi", _("Vietnamese")),
]
# The catalogue: locale/vi/LC_MESSAGES/django.po, its compiled .mo committed beside it (README,
# "Translations"). It comes before Django's and the apps' own, so it can also correct them.
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates and numbers per language (symbiosis/formats/<language>/formats.py): 12/09/2023 and
# 1.234,5 in Vietnamese. Files and exports keep ISO dates and plain numbers.
FORMAT_MODULE_PATH = "symbiosis.formats"
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# Static files (served by WhiteNoise) and uploaded documents

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
# The most rows a spreadsheet imported may have (agreements.imports): its preview is analysed in
# well under 30 seconds; a larger file is refused with a message naming the limit.
IMPORT_MAX_ROWS = env_int("DJANGO_IMPORT_MAX_ROWS", default=5000, minimum=1)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Documents are never served from MEDIA_URL: downloads go through a permission-checked view,
# which reads the file through the storage (a folder, or a bucket of S3-compatible storage).
MEDIA_URL = "/documents-are-not-served-here/"
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Where `manage.py backup` writes its archives (README, "Backups").
BACKUP_DIR = Path(env_str("DJANGO_BACKUP_DIR", default=str(BASE_DIR / "backups")))
# The open data package (README, "Open data", agreements/open_data/): the folder its builds are
# kept in (shared by the app processes, like the documents'), how long a build is served after
# the register changed before it is made again, and its licence, one of these identifiers (SPDX).
OPEN_DATA_ROOT = Path(env_str("DJANGO_OPEN_DATA_ROOT", default=str(BASE_DIR / "open-data")))
OPEN_DATA_REBUILD_MINUTES = env_int("DJANGO_OPEN_DATA_REBUILD_MINUTES", default=5, minimum=1)
OPEN_DATA_LICENCES = {
    "CC-BY-4.0": (
        "https://creativecommons.org/licenses/by/4.0/",
        "Creative Commons Attribution 4.0 International",
    ),
    "CC-BY-SA-4.0": (
        "https://creativecommons.org/licenses/by-sa/4.0/",
        "Creative Commons Attribution-ShareAlike 4.0 International",
    ),
    "CC0-1.0": (
        "https://creativecommons.org/publicdomain/zero/1.0/",
        "Creative Commons Zero v1.0 Universal",
    ),
    "ODC-By-1.0": (
        "https://opendatacommons.org/licenses/by/1-0/",
        "Open Data Commons Attribution License v1.0",
    ),
    "ODbL-1.0": (
        "https://opendatacommons.org/licenses/odbl/1-0/",
        "Open Data Commons Open Database License v1.0",
    ),
    "PDDL-1.0": (
        "https://opendatacommons.org/licenses/pddl/1-0/",
        "Open Data Commons Public Domain Dedication and License v1.0",
    ),
}
OPEN_DATA_LICENCE = env_str("DJANGO_OPEN_DATA_LICENCE", default="CC-BY-4.0").strip()
if OPEN_DATA_LICENCE not in OPEN_DATA_LICENCES:
    raise ImproperlyConfigured(
        f"DJANGO_OPEN_DATA_LICENCE={OPEN_DATA_LICENCE!r} is not one of: "
        f"{', '.join(OPEN_DATA_LICENCES)}."
    )
DOCUMENTS_STORAGE = env_choice("DJANGO_DOCUMENTS_STORAGE", ["filesystem", "s3"])
if DOCUMENTS_STORAGE == "s3":
    # Every object private, whatever the bucket's default: "private" (the bucket's owner
    # alone may read it), or "none" to send no ACL, for buckets that refuse ACLs (S3 Object
    # Ownership "bucket owner enforced"), where the bucket's policy keeps objects private.
    _acl = env_choice("AWS_DEFAULT_ACL", ["private", "bucket-owner-full-control", "none"])
    if not (_bucket := os.environ.get("AWS_STORAGE_BUCKET_NAME", "").strip()):
        raise ImproperlyConfigured(
            "DJANGO_DOCUMENTS_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME: the bucket to keep "
            "documents in."
        )
    _documents_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _bucket,
            # Unset: Amazon S3; set for MinIO, Ceph or another provider's S3-compatible storage.
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env_str("AWS_S3_REGION_NAME", default="") or None,
            "default_acl": None if _acl == "none" else _acl,
            # The app hands out no storage URL; should one ever be made, it is signed and
            # short-lived (a custom domain would make it unsigned).
            "querystring_auth": True,
            "querystring_expire": 300,
            "signature_version": "s3v4",
            "custom_domain": None,
            # A document is never replaced by another of the same name, as on the file system.
            "file_overwrite": False,
            # A download is spooled to a temporary file past this size, not held in memory.
            "max_memory_size": FILE_UPLOAD_MAX_MEMORY_SIZE,
        },
    }
    # The access keys are read by boto3 from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or
    # its other sources, such as an instance role), never kept in the settings.
else:
    _documents_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _documents_storage,
    "open_data": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": OPEN_DATA_ROOT},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# What a request may carry (symbiosis/request_limits.py): a body larger than one document with
# its form's fields is refused (413) before it is read, as the load balancer must refuse it too
# (README, "Deployment and scaling"); past DOCUMENT_MAX_BYTES an uploaded file is no longer kept,
# and the document form says it is too large.
REQUEST_BODY_MAX_BYTES = DOCUMENT_MAX_BYTES + DATA_UPLOAD_MAX_MEMORY_SIZE
FILE_UPLOAD_HANDLERS = [
    "symbiosis.request_limits.DocumentSizeUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Forms

# The largest form is an agreement's page (agreements/forms.py): its own dozen fields and up to
# AGREEMENT_MAX_ROWS party rows and as many flow rows, a party row sending at most 9 fields (its
# id, agreement, 5 fields, the name looked up and the removal box) and a flow row 17 (its id,
# agreement, 14 fields and the removal box). A request must carry all of them, so the field
# limit is reckoned from the rows, with room to spare. A form beyond it is refused; the
# agreement page then says so and shows again what it could read (symbiosis/form_limits.py).
AGREEMENT_MAX_ROWS = 100
_FIELDS_PER_PARTY_ROW = 10
_FIELDS_PER_FLOW_ROW = 18
DATA_UPLOAD_MAX_NUMBER_FIELDS = (
    AGREEMENT_MAX_ROWS * (_FIELDS_PER_PARTY_ROW + _FIELDS_PER_FLOW_ROW) + 100
)  # 2,900
# Inputs, lists and text areas written in Python, the other widgets by the project's template
# engine, so that templates/django/forms/widgets/ can replace Django's (symbiosis/form_renderer.py).
FORM_RENDERER = "symbiosis.form_renderer.FormRenderer"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: printed to the console unless a backend is configured.

EMAIL_BACKEND = env_str(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", default=25)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", default="registry@localhost")
# Who is emailed the details of a server error (a 500) while debug is off, and from whom.
ADMINS = env_addresses("DJANGO_ADMINS", default=[])
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security: behind a TLS-terminating load balancer in production.

SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=False)
# The load balancer's health check asks over plain HTTP: answered, never redirected.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", default=0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
# How long a sign-in lasts, in seconds (Django's two weeks unless set).
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_COOKIE_AGE", default=1_209_600, minimum=1)
BEHIND_TLS_PROXY = env_bool("DJANGO_BEHIND_TLS_PROXY", default=False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The load balancers' addresses or networks. X-Forwarded-For is believed only from them: sign-in
# and password-reset throttling count per client address, the one the load balancer saw
# (symbiosis/client_ip.py), and a client reaching the app directly would otherwise name its own.
TRUSTED_PROXIES = env_networks("DJANGO_TRUSTED_PROXIES")
if BEHIND_TLS_PROXY and not TRUSTED_PROXIES:
    # Every client would be counted at the load balancer's address: five failures by anyone
    # would pause a user's sign-in for everyone.
    raise ImproperlyConfigured(
        "DJANGO_BEHIND_TLS_PROXY=true needs DJANGO_TRUSTED_PROXIES: the load balancer's "
        "addresses or networks (e.g. 10.0.0.0/8), the only ones whose X-Forwarded-For is believed."
    )
AXES_CLIENT_IP_CALLABLE = "symbiosis.client_ip.client_ip"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# What our pages may load and do (symbiosis/security_headers.py): scripts, styles, images,
# fonts and requests from this site only, and no inline script or style, so that text slipped
# into a page cannot run or restyle it. No plugins, no <base>, forms post here only, and no
# other site may frame a page. The admin's pages also allow inline styles, for the templates
# of the admin and of django-simple-history that have some.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Bootstrap's stylesheet draws its small icons (a list's arrow, the close button, the
        # menu toggler) as data: images.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}


def env_tiles_url(name):
    """A tile server's address template (``https://tile.example.org/{z}/{x}/{y}.png``, ``{s}``
    for its subdomains), or "" when unset."""
    value = os.environ.get(name, "").strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if (
        parts.scheme not in {"https", "http"}
        or not parts.hostname
        or not all(f"{{{part}}}" in value for part in "zxy")
    ):
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a tile address: write an http(s) address with {{z}}, {{x}} "
            "and {y}, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png."
        )
    return value


# The map of parks (parks/park_map.py) is drawn by the server from Natural Earth's outlines; with
# a tile server set, its page lays the parks over that server's tiles too (Leaflet, vendored),
# and the CSP of that page allows images from that server (symbiosis/security_headers.py).
MAP_TILES_URL = env_tiles_url("DJANGO_MAP_TILES_URL")
# Shown under the tile map, as the tiles' terms ask (e.g. "© OpenStreetMap contributors").
MAP_TILES_ATTRIBUTION = env_str("DJANGO_MAP_TILES_ATTRIBUTION", default="")

# Browser features no page of the registry uses, turned off for every page and anything it
# could embed (an empty list: allowed nowhere).
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    ]
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A refused request (403) or a malformed one (400) is one line, without a traceback.
    "filters": {
        "client_errors_on_one_line": {"()": "symbiosis.request_logging.ClientErrorsOnOneLine"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"filters": ["client_errors_on_one_line"]}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", default="INFO")},
}

# The public read-only API (agreements/api/, README "Public API"): JSON only, the same to
# everyone (no sign-in: every client is anonymous, so none sees more than the public pages),
# 25 rows a page (``page_size`` up to 100), each client address (symbiosis/client_ip.py, behind
# the load balancers too) throttled to API_ANON_RATE requests ("120/min": a number, then
# s/sec, min, hour or day), counted in the shared cache.
API_ANON_RATE = env_str("DJANGO_API_ANON_RATE", default="120/min")
if not re.fullmatch(r"[1-9]\d*/(s|sec|second|m|min|minute|h|hour|d|day)", API_ANON_RATE):
    raise ImproperlyConfigured(
        f"DJANGO_API_ANON_RATE={API_ANON_RATE!r} is not a rate: write requests/period, the "
        "period one of s, min, hour or day (e.g. 120/min)."
    )
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_THROTTLE_CLASSES": ["agreements.api.throttling.AnonymousClientThrottle"],
    "DEFAULT_PAGINATION_CLASS": "agreements.api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "EXCEPTION_HANDLER": "agreements.api.errors.exception_handler",
}
# Its OpenAPI 3 schema (/api/schema/) and the documentation page drawn from it (/api/docs/, our
# own template: Swagger UI from the sidecar's static files, started by a static script, as the
# Content-Security-Policy above wants).
SPECTACULAR_SETTINGS = {
    "TITLE": "Symbiosis Registry API",
    "DESCRIPTION": (
        "The verified industrial symbiosis agreements of the registry, with their parties and "
        "resource flows, and the parks, organisations and resources they involve. Read-only, "
        "JSON, paginated; names in English, in Vietnamese and in the language asked for by "
        "Accept-Language (`name`); ETag and Last-Modified for conditional requests."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per set of choices, where two models' fields share a field name.
    "ENUM_NAME_OVERRIDES": {
        "AgreementKindEnum": "agreements.models.Agreement.Kind",
        "SymbiosisKindEnum": "agreements.models.SymbiosisKind",
        "ParkKindEnum": "parks.models.Park.Kind",
        "OrganisationKindEnum": "parks.models.Organisation.Kind",
        "ResourceCategoryEnum": "agreements.models.Resource.Category",
        "UnitEnum": "agreements.units.Unit",
        "PrecisionEnum": "symbiosis.partial_dates.Precision",
    },
}
