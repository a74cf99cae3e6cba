"""The public portal's pages under /report/: no account, no cookie (see ``middleware``).

Every page is ``@public`` and exempt from Django's cookie CSRF check: its forms carry a signed
form token instead, and a POST must come from this site when the browser says where it comes
from (Origin, else Referer). The receipt code is only ever sent in a POST body, never in a URL.
"""

from functools import cache, wraps
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from zhengdun.core.access import public
from zhengdun.core.forms import apply_errors
from zhengdun.integrity.portal import actions, files, queries, tokens
from zhengdun.integrity.portal.forms import CodeForm, ReplyForm, ReportForm
from zhengdun.integrity.portal.models import PublicReport

LANGUAGES = {code for code, _name in settings.LANGUAGES}


def portal_view(view):
    """A public portal page: cookie-free CSRF protection, uploads kept in memory only, and the
    language chosen by ``?lang=`` (there is no cookie to remember it)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        lang = request.GET.get("lang", "")
        request.portal_lang_query = ""
        if lang in LANGUAGES:
            translation.activate(lang)
            request.LANGUAGE_CODE = lang
            request.portal_lang_query = f"?lang={lang}"
        if request.method == "POST":
            if not tokens.same_origin(request):
                return render(request, "portal/refused.html", status=403)
            request.upload_handlers = [files.BoundedMemoryUploadHandler(request)]
        return view(request, *args, **kwargs)

    return public(csrf_exempt(require_http_methods(["GET", "HEAD", "POST"])(wrapper)))


def _files(request) -> list:
    return request.FILES.getlist("attachments")


@portal_view
def home(request):
    return render(
        request,
        "portal/home.html",
        {"page": queries.portal_page(), "notices": queries.published_notices()},
    )


@portal_view
def new_report(request):
    if request.method != "POST":
        return render(request, "portal/report_form.html", {"form": ReportForm()})
    form = ReportForm(request.POST, request.FILES)
    receipt = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            receipt = actions.submit_report(
                category=data["category"],
                what=data["what"],
                where_when=data["where_when"],
                who=data["who"],
                contact=data["contact"],
                attachments=_files(request),
                once=tokens.form_nonce(request.POST.get("token", "")),
            )
        except ValidationError as error:
            apply_errors(form, error)
        except actions.Throttled as refused:
            form.add_error(None, refused.message)
    if receipt is None:
        return render(
            request,
            "portal/report_form.html",
            {"form": form, "files_dropped": bool(_files(request))},
            status=400 if form.errors else 200,
        )
    return render(request, "portal/receipt.html", {"receipt": receipt})


def _status_page(request, report: PublicReport, reply_form=None, *, sent=False, status=200):
    access = tokens.access_token(report)
    if reply_form is None:
        reply_form = ReplyForm(initial={"access": access})
    else:
        reply_form.data = reply_form.data.copy()
        reply_form.data["access"] = access
    return render(
        request,
        "portal/status.html",
        {
            "report": report,
            "messages_": queries.thread(report),
            "report_files": queries.report_attachments(report),
            "reply_form": reply_form,
            "access": access,
            "sent": sent,
            "files_dropped": bool(reply_form.errors and _files(request)),
        },
        status=status,
    )


@portal_view
def status(request):
    if request.method != "POST":
        return render(request, "portal/status_form.html", {"form": CodeForm()})
    if "access" in request.POST:
        return _reply(request)
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            report = actions.open_report(code=form.cleaned_data["code"])
        except ValidationError as error:
            apply_errors(form, error)
        except actions.Throttled as refused:
            form.add_error(None, refused.message)
        else:
            return _status_page(request, report)
    return render(request, "portal/status_form.html", {"form": form}, status=400)


def _reply(request):
    form = ReplyForm(request.POST, request.FILES)
    report = tokens.report_for(request.POST.get("access", ""))
    if report is None:
        # The page was open too long: ask for the code again, and give back what was typed.
        return render(
            request,
            "portal/status_form.html",
            {"form": CodeForm(), "expired": True, "kept": request.POST.get("body", "")},
            status=400,
        )
    if form.is_valid():
        try:
            actions.reporter_writes(
                report=report, body=form.cleaned_data["body"], attachments=_files(request)
            )
        except ValidationError as error:
            apply_errors(form, error)
        except actions.Throttled as refused:
            form.add_error(None, refused.message)
        else:
            return _status_page(request, report, sent=True)
    return _status_page(request, report, form, status=400)


@portal_view
def attachment(request):
    """A file of the reporter's own report, sent back decrypted (POST: the access token is the
    key, never a URL)."""
    if request.method != "POST":
        raise Http404
    report = tokens.report_for(request.POST.get("access", ""))
    stored = queries.attachment_of(report, request.POST.get("file")) if report else None
    if stored is None:
        raise Http404
    return files.response(stored)


# The portal's stylesheet and icon are served under /report/ too, so that every request a
# reporter's browser makes stays on the portal's paths (no address in the access log, no
# cookie), instead of /static/ where a fetch of the stylesheet from a portal page would be
# logged with the client's address.
ASSETS = {
    "app.css": ("zhengdun/app.css", "text/css; charset=utf-8"),
    "favicon.svg": ("zhengdun/favicon.svg", "image/svg+xml"),
}


@cache
def _asset(name: str) -> bytes:
    found = finders.find(ASSETS[name][0])
    if not found:
        raise Http404
    return Path(found).read_bytes()


@public
@require_http_methods(["GET", "HEAD"])
def asset(request, name: str):
    if name not in ASSETS:
        raise Http404
    response = HttpResponse(_asset(name), content_type=ASSETS[name][1])
    response["Cache-Control"] = "public, max-age=3600"
    return response
