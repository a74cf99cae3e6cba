"""Signed tokens in hidden fields, in place of cookies (the portal sets none).

- A form token: proof that a form came from this site recently; with the Origin/Referer check
  it stands in for Django's cookie-based CSRF protection.
- An access token: after a reporter has entered their receipt code, the page they see carries
  it so that they can reply without typing the code again; it names the report and expires.
"""

import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing

FORM_SALT = "zhengdun.integrity.portal.form"
ACCESS_SALT = "zhengdun.integrity.portal.access"
FORM_MAX_AGE = 6 * 3600
ACCESS_MAX_AGE = 30 * 60


def form_token() -> str:
    return signing.dumps(secrets.token_hex(8), salt=FORM_SALT)


def form_token_valid(token: str) -> bool:
    return form_nonce(token) is not None


def form_nonce(token: str) -> str | None:
    """The random part of a valid form token (None when it is forged or expired): sending the
    same form twice (a reload of the receipt page) carries the same nonce."""
    try:
        nonce = signing.loads(token or "", salt=FORM_SALT, max_age=FORM_MAX_AGE)
    except signing.BadSignature:
        return None
    return nonce if isinstance(nonce, str) else None


def access_token(report) -> str:
    # The key's first characters tie the token to this receipt: a report given a new code
    # (none today) would invalidate it.
    return signing.dumps([report.pk, report.receipt_key[:16]], salt=ACCESS_SALT)


def report_for(token: str):
    """The report an access token names, or None when it is forged or expired."""
    from zhengdun.integrity.portal.models import PublicReport

    try:
        pk, key = signing.loads(token or "", salt=ACCESS_SALT, max_age=ACCESS_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    report = PublicReport.objects.filter(pk=pk).first()
    if report is None or report.receipt_key[:16] != key:
        return None
    return report


def same_origin(request) -> bool:
    """A POST comes from this site, when the browser says where it comes from. (Browsers send
    Origin with every POST; scripts and kiosks that send neither are let through: the form
    token or the JSON body still has to be right.)"""
    host = request.get_host()
    trusted = {urlsplit(origin).netloc for origin in settings.CSRF_TRUSTED_ORIGINS}
    origin = request.META.get("HTTP_ORIGIN")
    if origin:
        return origin != "null" and urlsplit(origin).netloc in {host, *trusted}
    referer = request.META.get("HTTP_REFERER")
    if referer:
        return urlsplit(referer).netloc in {host, *trusted}
    return True
