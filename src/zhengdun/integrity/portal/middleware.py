"""Privacy for the public portal (``/report/`` and the public API).

Outermost in ``MIDDLEWARE``, for portal paths only:
- the client's address, forwarding headers and browser string are removed from the request
  before anything else sees them (so no log, audit entry or lockout record can hold them;
  under gunicorn ``request.META`` is the WSGI environ its access log reads, too);
- cookies the browser sends are ignored (a back-office session is not linked to a report),
  and no cookie is ever set: no session, no CSRF cookie, no language cookie, no messages.
  The portal's forms carry signed tokens instead (``tokens``);
- responses are not stored by the browser or a proxy (the receipt page shows a secret), except
  the stylesheet and icon, which say otherwise.
"""

PREFIXES = ("/report/", "/api/v1/public/")

# Request headers and environ keys that identify the client or its device.
CLIENT_KEYS = (
    "REMOTE_HOST",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
    "HTTP_CLIENT_IP",
    "HTTP_TRUE_CLIENT_IP",
    "HTTP_CF_CONNECTING_IP",
    "HTTP_X_CLIENT_IP",
    "HTTP_X_CLUSTER_CLIENT_IP",
    "HTTP_VIA",
    "HTTP_USER_AGENT",
    "HTTP_SEC_CH_UA",
    "HTTP_SEC_CH_UA_MOBILE",
    "HTTP_SEC_CH_UA_PLATFORM",
    "HTTP_FROM",
    "HTTP_COOKIE",
)
# What REMOTE_ADDR reads on the portal (code that insists on an address gets a documentation one
# that points at nobody).
NO_ADDRESS = "0.0.0.0"


def is_portal(path: str) -> bool:
    return path.startswith(PREFIXES) or f"{path}/" in PREFIXES


def scrub(meta: dict) -> None:
    for key in CLIENT_KEYS:
        meta.pop(key, None)
    for key in [k for k in meta if k.startswith("HTTP_SEC_CH_")]:
        meta.pop(key, None)
    meta["REMOTE_ADDR"] = NO_ADDRESS
    meta["REMOTE_PORT"] = "0"


class PortalPrivacyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_portal(request.path_info):
            return self.get_response(request)
        scrub(request.META)
        request.COOKIES = {}
        response = self.get_response(request)
        response.cookies.clear()
        if "Cache-Control" not in response:  # the stylesheet and icon may be cached
            response["Cache-Control"] = "no-store"
        response.headers.pop("Set-Cookie", None)
        return response
