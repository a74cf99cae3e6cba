"""The JSON API at /api/v1/: a thin adapter over the same queries, gates and actions as the pages.

Browsers use their session (with CSRF on writes); scripts send ``Authorization: Bearer <token>``
(``zhengdun token create USERNAME``).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import Swagger
from ninja.security import HttpBearer, SessionAuth

from zhengdun.accounts.actions import user_for_token
from zhengdun.core.errors import messages_of
from zhengdun.core.versioning import ConflictError


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Zhengdun API",
    version="1",
    urls_namespace="api",
    auth=[SessionAuth(), TokenAuth()],
    docs=Swagger(settings={"validatorUrl": None}),
)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"detail": _("You may not do this.")}, status=403)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(
        request, {"detail": _("Sign in or send a valid API token.")}, status=401
    )


@api.exception_handler(ValidationError)
def invalid(request, exc):
    errors = messages_of(exc)
    first = next(iter(errors.values()))[0]
    return api.create_response(request, {"detail": first, "errors": errors}, status=400)


@api.exception_handler(NinjaValidationError)
def malformed(request, exc):
    errors = {}
    for error in exc.errors:
        location = ".".join(
            str(part)
            for part in error.get("loc", ())
            if part not in ("body", "query", "path", "payload")
        )
        errors.setdefault(location or "__all__", []).append(error.get("msg", ""))
    return api.create_response(
        request, {"detail": _("The request is not valid."), "errors": errors}, status=422
    )


@api.exception_handler(HttpError)
def http_error(request, exc):
    # Ninja raises HttpError(400) for a body it cannot parse: answer like other bad input.
    if exc.status_code == 400:
        return api.create_response(
            request, {"detail": _("The request body is not valid JSON.")}, status=422
        )
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(ConflictError)
def conflict(request, exc):
    return api.create_response(
        request,
        {
            "detail": _(
                "Someone else saved this record meanwhile; reload it and apply your change again."
            ),
            "current_version": exc.current.version,
        },
        status=409,
    )


api.add_router("/", "zhengdun.org.api.router")
api.add_router("/", "zhengdun.campaigns.api.router")
api.add_router("/selfcheck", "zhengdun.selfcheck.api.router")
api.add_router("/supervision", "zhengdun.supervision.api.router")
api.add_router("/", "zhengdun.integrity.api.router")
api.add_router("/public", "zhengdun.integrity.portal.api.router")
api.add_router("/learning", "zhengdun.learning.exams.api.router")
api.add_router("/learning", "zhengdun.learning.api.router")
api.add_router("/learning", "zhengdun.learning.contests.api.router")
