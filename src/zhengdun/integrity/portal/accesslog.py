"""Gunicorn's access log without the client on portal paths.

``gunicorn --logger-class zhengdun.integrity.portal.accesslog.PortalPrivacyLogger``: for
``/report/`` and the public API, and for any request whose Referer is a portal page, every atom
that could identify the client (address, browser, referrer, any request header or environ
value) reads "-"; the request line, status, size and time stay. Other paths are logged as usual.
"""

from urllib.parse import urlsplit

from gunicorn.glogging import Logger

from zhengdun.integrity.portal.middleware import is_portal

IDENTIFYING = ("h", "a", "f", "u", "l")


class PortalPrivacyLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        # A request made from a portal page (an asset under /static/, say) is the portal's too.
        referer = urlsplit(environ.get("HTTP_REFERER", "") or "").path
        if not (is_portal(environ.get("PATH_INFO", "") or "") or is_portal(referer)):
            return atoms
        for key in IDENTIFYING:
            atoms[key] = "-"
        for key in list(atoms):
            if key.startswith("{") and key.endswith(("}i", "}e")):
                atoms[key] = "-"
        return atoms
