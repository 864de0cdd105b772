"""ESS settings: one file, read from the environment.

With nothing set ESS runs on SQLite with eager Celery and a console mailer. Production sets
DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY and the SMTP_* variables (see README).
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from ess.accounts.directory import parse_role_map
from ess.env import env_bool, env_int, env_json, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

# --- Core ---------------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", False)
# The fallback key exists so that a fresh checkout runs; `check --deploy` flags it and
# production must set SECRET_KEY.
SECRET_KEY = env_str("SECRET_KEY", "django-insecure-ess-development-key-do-not-use")
# Keys for the encrypted columns (national ID, IBAN, salary); see ess/crypto.py. The
# fallback lets a fresh checkout run; `check --deploy` refuses it in production.
DEVELOPMENT_FIELD_KEY = "ZXNzLWRldmVsb3BtZW50LWZpZWxkLWtleS0wMDAwMDA="
ESS_FIELD_KEYS = env_list("ESS_FIELD_KEYS", [DEVELOPMENT_FIELD_KEY])
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
ROOT_URLCONF = "ess.urls"
WSGI_APPLICATION = "ess.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
SITE_ID = 1

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "allauth.usersessions",
    "axes",
    "guardian",
    "django_tables2",
    "django_filters",
    "django_htmx",
    # ESS cross-cutting apps
    "ess.accounts",
    "ess.audit",
    "ess.notifications",
    "ess.portal",
    "ess.content",
    "ess.search",
    # ESS domain apps
    "hr",
    "hr.benefits",
    "hr.letters",
    "payroll",
    "policies",
    "handbook",
    "helpdesk",
    "helpdesk.knowledge",
    # Reads every app above; nothing depends on it.
    "ess.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ess.audit.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ess.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "ess.accounts.middleware.SessionRulesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "ess.accounts.middleware.SsoFormActionMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    # Last, as django-axes asks, so it sees the outcome of every sign-in attempt.
    "axes.middleware.AxesMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ess.portal.context_processors.portal",
            ],
        },
    },
]

FORM_RENDERER = "ess.portal.forms.BootstrapFormRenderer"

# --- Database -----------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'ess.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while a Celery-eager write is open; the timeout rides
    # out short write bursts from seed_demo.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# --- Cache --------------------------------------------------------------------------------
# Several web nodes must share one cache (rate limits, SSO metadata): set CACHE_URL=redis://…
CACHE_URL = env_str("CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Authentication -----------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # django-axes first: a locked-out login never reaches the directory.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_ADAPTER = "ess.accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {"login": "ess.accounts.forms.SignInForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[ESS] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
ACCOUNT_REAUTHENTICATION_TIMEOUT = env_int("ESS_REAUTHENTICATION_TIMEOUT", 300)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "ESS"
# Local (password) sign-in of these roles must pass a second factor.
ESS_MFA_REQUIRED_ROLES = ["hr_officer", "payroll_officer", "admin"]
# Local accounts (not LDAP, not SSO). Production turns this off; superusers and service
# accounts keep a break-glass path at /accounts/login/?break-glass=1.
ESS_LOCAL_LOGIN = env_bool("ESS_LOCAL_LOGIN", True)
ESS_SSO_LINK_BY_VERIFIED_EMAIL = env_bool("ESS_SSO_LINK_BY_VERIFIED_EMAIL", False)
ESS_ROLE_MAP = parse_role_map(env_json("ESS_ROLE_MAP", {}))

# Object permissions: no anonymous user, every page needs sign-in anyway.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# Lockout after repeated failures, per user name and address, for every sign-in path.
AXES_FAILURE_LIMIT = env_int("ESS_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ESS_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "ess.accounts.lockout.attempted_login"
AXES_LOCKOUT_CALLABLE = "ess.accounts.lockout.locked_out_response"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False
# How many proxies (load balancers) stand in front of ESS and append to X-Forwarded-For.
# 0 trusts no header: the client is REMOTE_ADDR.
ESS_TRUSTED_PROXIES = env_int("ESS_TRUSTED_PROXIES", 0)
AXES_CLIENT_IP_CALLABLE = "ess.audit.client.client_ip"

# --- Directory: LDAP / Active Directory -----------------------------------------------------
LDAP_SERVER_URI = env_str("LDAP_SERVER_URI", "")
LDAP_USER_SEARCH_BASE = env_str("LDAP_USER_SEARCH_BASE", "")
LDAP_USER_FILTER = env_str("LDAP_USER_FILTER", "(uid=%(user)s)")
LDAP_GROUP_SEARCH_BASE = env_str("LDAP_GROUP_SEARCH_BASE", "")
LDAP_GROUP_TYPE = env_str("LDAP_GROUP_TYPE", "groupOfNames")
LDAP_ATTR_MAP = {
    "email": "mail",
    "first_name": "givenName",
    "last_name": "sn",
    "employee_number": "employeeNumber",
    "job_title": "title",
    "department": "departmentNumber",
    "location": "l",
    "manager": "manager",
    **env_json("LDAP_ATTR_MAP", {}),
}
AUTH_LDAP_SERVER_URI = LDAP_SERVER_URI
AUTH_LDAP_BIND_DN = env_str("LDAP_BIND_DN", "")
AUTH_LDAP_BIND_PASSWORD = env_str("LDAP_BIND_PASSWORD", "")
AUTH_LDAP_START_TLS = env_bool("LDAP_START_TLS", False)
AUTH_LDAP_USER_ATTR_MAP: dict[str, str] = {}  # ess.accounts.ldap maps attributes itself
AUTH_LDAP_ALWAYS_UPDATE_USER = False
AUTH_LDAP_CACHE_TIMEOUT = 0
if LDAP_SERVER_URI:
    import ldap
    from django_auth_ldap.config import ActiveDirectoryGroupType, GroupOfNamesType, LDAPSearch

    AUTH_LDAP_CONNECTION_OPTIONS = {ldap.OPT_REFERRALS: 0, ldap.OPT_NETWORK_TIMEOUT: 5}
    AUTH_LDAP_USER_SEARCH = LDAPSearch(LDAP_USER_SEARCH_BASE, ldap.SCOPE_SUBTREE, LDAP_USER_FILTER)
    if LDAP_GROUP_TYPE == "activeDirectory":
        AUTH_LDAP_GROUP_TYPE = ActiveDirectoryGroupType()
        _group_filter = "(objectClass=group)"
    elif LDAP_GROUP_TYPE == "groupOfNames":
        AUTH_LDAP_GROUP_TYPE = GroupOfNamesType()
        _group_filter = "(objectClass=groupOfNames)"
    else:
        raise ImproperlyConfigured("LDAP_GROUP_TYPE must be groupOfNames or activeDirectory")
    AUTH_LDAP_GROUP_SEARCH = LDAPSearch(LDAP_GROUP_SEARCH_BASE, ldap.SCOPE_SUBTREE, _group_filter)
    AUTHENTICATION_BACKENDS.insert(1, "ess.accounts.ldap.DirectoryLDAPBackend")
else:
    AUTH_LDAP_CONNECTION_OPTIONS = {}

# --- Single sign-on: OpenID Connect and SAML -----------------------------------------------
SOCIALACCOUNT_ADAPTER = "ess.accounts.sso.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # never sign in to an account just by its e-mail
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_PROVIDERS: dict = {}
OIDC_GROUPS_CLAIM = env_str("OIDC_GROUPS_CLAIM", "groups")
if env_str("OIDC_SERVER_URL"):
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": env_str("OIDC_PROVIDER_ID", "corp"),
                "name": env_str("OIDC_PROVIDER_NAME", "Company account"),
                "client_id": env_str("OIDC_CLIENT_ID"),
                "secret": env_str("OIDC_CLIENT_SECRET"),
                "settings": {
                    "server_url": env_str("OIDC_SERVER_URL"),
                    "token_auth_method": "client_secret_basic",
                    "scope": ["openid", "profile", "email", *env_list("OIDC_EXTRA_SCOPES")],
                },
            }
        ],
    }
SAML_GROUPS_ATTRIBUTE = env_str("SAML_GROUPS_ATTRIBUTE", "groups")
if env_str("SAML_IDP_METADATA_URL") or env_str("SAML_IDP_METADATA_FILE"):
    _idp = {"entity_id": env_str("SAML_IDP_ENTITY_ID")}
    if env_str("SAML_IDP_METADATA_URL"):
        _idp["metadata_url"] = env_str("SAML_IDP_METADATA_URL")
    else:
        # allauth takes a metadata URL or the IdP's certificate and URLs spelled out.
        from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

        _parsed = OneLogin_Saml2_IdPMetadataParser.parse(
            Path(env_str("SAML_IDP_METADATA_FILE")).read_text(),
            entity_id=env_str("SAML_IDP_ENTITY_ID") or None,
        )["idp"]
        _idp["x509cert"] = _parsed["x509cert"]
        _idp["sso_url"] = _parsed["singleSignOnService"]["url"]
        if _parsed.get("singleLogoutService", {}).get("url"):
            _idp["slo_url"] = _parsed["singleLogoutService"]["url"]
    SOCIALACCOUNT_PROVIDERS["saml"] = {
        "APPS": [
            {
                "name": env_str("SAML_PROVIDER_NAME", "Company account (SAML)"),
                "provider_id": env_str("SAML_IDP_ENTITY_ID"),
                "client_id": env_str("SAML_ORG", "corp"),
                "settings": {
                    "attribute_mapping": env_json(
                        "SAML_ATTRIBUTE_MAP",
                        {
                            "uid": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier",
                            "email": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
                            "first_name": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
                            "last_name": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
                        },
                    ),
                    "idp": _idp,
                    "sp": {
                        "entity_id": f"{SITE_URL}/accounts/saml/{env_str('SAML_ORG', 'corp')}"
                        "/metadata/"
                    },
                    "advanced": {
                        "want_assertion_signed": True,
                        "want_message_signed": False,
                        "reject_deprecated_algorithm": True,
                        "allow_repeat_attribute_name": True,
                        "allow_single_label_domains": True,
                    },
                },
            }
        ],
    }

# --- Sessions and security headers ---------------------------------------------------------
# A session ends after ESS_SESSION_IDLE_MINUTES without a request, and in any case
# ESS_SESSION_MAX_HOURS after sign-in (enforced by SessionRulesMiddleware).
ESS_SESSION_IDLE_MINUTES = env_int("ESS_SESSION_IDLE_MINUTES", 30)
ESS_SESSION_MAX_HOURS = env_int("ESS_SESSION_MAX_HOURS", 12)
SESSION_COOKIE_AGE = ESS_SESSION_MAX_HOURS * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# The portal's own address decides: an https:// SITE_URL (production) turns on the HTTPS
# redirect, secure cookies and HSTS; the embedded default at http://127.0.0.1 leaves them off.
SECURE_HTTPS = env_bool("SECURE_HTTPS", SITE_URL.startswith("https://"))
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
LANGUAGE_COOKIE_SECURE = SECURE_HTTPS
SECURE_SSL_REDIRECT = SECURE_HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if SECURE_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SECURE_HSTS_SECONDS > 0)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The load balancer terminates TLS and says so in this header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    # Bootstrap draws a few controls (select arrow, menu icon) with data: SVG images.
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
# Internal video hosts that Markdown content may embed (https only).
ESS_VIDEO_HOSTS = env_list("ESS_VIDEO_HOSTS", [])
if ESS_VIDEO_HOSTS:
    SECURE_CSP["frame-src"] = [CSP.SELF, *(f"https://{host}" for host in ESS_VIDEO_HOSTS)]
# Identity providers' origins are added to form-action automatically; list any other host a
# sign-in form must reach (e.g. a separate SAML SSO host) here.
ESS_CSP_FORM_ACTION_EXTRA = env_list("CSP_FORM_ACTION_EXTRA", [])

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("nl", _("Dutch"))]
LOCALE_PATHS = [BASE_DIR / "ess" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Amsterdam")
USE_I18N = True
USE_TZ = True
DEFAULT_CURRENCY = env_str("DEFAULT_CURRENCY", "EUR")

# --- Static and media files ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "ess" / "static"]
ESS_POLICY_ACK_DAYS = env_int("ESS_POLICY_ACK_DAYS", 30)
ESS_POLICY_REMINDER_DAYS = env_int("ESS_POLICY_REMINDER_DAYS", 7)
ESS_ATTACHMENT_MAX_BYTES = env_int("ESS_ATTACHMENT_MAX_MB", 20) * 1_000_000
# Uploads are private: never served from a public URL, only through authorising views.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- E-mail -------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ESS <ess@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SMTP_HOST = env_str("SMTP_HOST", "")
if SMTP_HOST:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": SMTP_HOST,
                "port": env_int("SMTP_PORT", 25),
                "username": env_str("SMTP_USER", ""),
                "password": env_str("SMTP_PASSWORD", ""),
                "use_tls": env_bool("SMTP_STARTTLS", False),
                "timeout": env_int("SMTP_TIMEOUT", 20),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# --- Service desk -------------------------------------------------------------------------
# Ticket e-mails carry a reply-to address of their own, plus-addressed on this mailbox:
# desk+<ticket id>.<secret>@example.org. Replies there are read back by helpdesk_fetch_mail.
HELPDESK_REPLY_ADDRESS = env_str("HELPDESK_REPLY_ADDRESS", "desk@localhost")
# The IMAP mailbox that receives replies and mail to the queue addresses. Empty host: the
# mailbox is not read (the beat job does nothing).
HELPDESK_IMAP = {
    "host": env_str("HELPDESK_IMAP_HOST", ""),
    "port": env_int("HELPDESK_IMAP_PORT", 993),
    "ssl": env_bool("HELPDESK_IMAP_SSL", True),
    "starttls": env_bool("HELPDESK_IMAP_STARTTLS", False),
    "user": env_str("HELPDESK_IMAP_USER", ""),
    "password": env_str("HELPDESK_IMAP_PASSWORD", ""),
    "folder": env_str("HELPDESK_IMAP_FOLDER", "INBOX"),
    # A message whose handling fails this often is set aside (read, keyword DeskFailed, and
    # moved to `failed_folder` when one is named) and desk administrators are told.
    "max_attempts": env_int("HELPDESK_IMAP_MAX_ATTEMPTS", 5),
    "failed_folder": env_str("HELPDESK_IMAP_FAILED_FOLDER", ""),
}

# --- Celery -------------------------------------------------------------------------------
# Without a broker every task runs inline, so the embedded default needs no worker. The
# in-memory transport keeps Celery from reaching for a broker on localhost even then.
CELERY_TASK_ALWAYS_EAGER = not env_str("CELERY_BROKER_URL")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
# A publish during a broker outage must fail fast: the outbox row is already committed
# and the beat relay picks it up once the broker is back.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 2}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "relay-outbox": {"task": "ess.notifications.tasks.relay_outbox", "schedule": 60.0},
    "policy-daily": {
        "task": "policies.tasks.daily_policy_jobs",
        "schedule": crontab(hour=7, minute=0),
    },
    "policy-stale-weekly": {
        "task": "policies.tasks.weekly_stale_policy_reminders",
        "schedule": crontab(hour=7, minute=30, day_of_week="mon"),
    },
    "ldap-sync": {
        "task": "ess.accounts.tasks.nightly_ldap_sync",
        "schedule": crontab(hour=2, minute=15),
    },
    "hr-rebuild-org-paths": {
        "task": "hr.tasks.rebuild_org_paths",
        "schedule": crontab(hour=2, minute=45),
    },
    "hr-apply-due-changes": {
        "task": "hr.tasks.apply_due_change_requests",
        "schedule": crontab(minute=5),
    },
    "payroll-release-due": {
        "task": "payroll.tasks.release_due_runs",
        "schedule": crontab(minute="*/5"),
    },
    "payroll-sweep": {
        "task": "payroll.tasks.sweep_unfinished",
        "schedule": crontab(minute="2-59/5"),
    },
    "handbook-review-reminders": {
        "task": "handbook.tasks.send_review_reminders",
        "schedule": crontab(hour=7, minute=30),
    },
    "knowledge-review-reminders": {
        "task": "helpdesk.knowledge.tasks.send_review_reminders",
        "schedule": crontab(hour=7, minute=45),
    },
    "search-rebuild-index": {
        "task": "search.rebuild_index",
        "schedule": crontab(hour=3, minute=10),
    },
    "helpdesk-sla-sweep": {"task": "helpdesk.sla_sweep", "schedule": 120.0},
    "helpdesk-close-resolved": {
        "task": "helpdesk.close_resolved",
        "schedule": crontab(minute=20),
    },
    "helpdesk-fetch-mail": {"task": "helpdesk.fetch_mail", "schedule": 60.0},
    "reports-send-digests": {
        "task": "reports.send_digests",
        "schedule": crontab(hour=6, minute=30),
    },
    "reports-rollup-tickets": {"task": "reports.rollup_tickets", "schedule": 600.0},
    "reports-rollup-teams": {"task": "reports.rollup_teams", "schedule": 600.0},
    "reports-rollup-searches": {"task": "reports.rollup_searches", "schedule": 600.0},
}

# --- Logging ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # django-axes logs every sign-in at INFO; ESS's audit log already records them.
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Django tables ------------------------------------------------------------------------
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-sm table-hover align-middle"}
