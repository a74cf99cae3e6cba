"""Production settings: the defaults plus HTTPS hardening (``zhengdun check --deploy`` passes).

Use with ``DJANGO_SETTINGS_MODULE=zhengdun.settings_production`` behind a TLS-terminating
proxy that sets ``X-Forwarded-Proto``.
"""

from .settings import *  # noqa: F403
from .settings import env, env_bool

DEBUG = False
SECURE_SSL_REDIRECT = env_bool("SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(env("HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
