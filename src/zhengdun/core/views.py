from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from zhengdun.core.access import public, signed_in
from zhengdun.notify.queries import inbox_of
from zhengdun.org import queries as org_queries
from zhengdun.org import scope
from zhengdun.org.models import Grant
from zhengdun.org.roles import Perm


@signed_in
def home(request):
    user = request.user
    grants = Grant.objects.filter(user=user).select_related("unit").order_by("unit__path", "role")
    can_see_org = scope.holds(user, Perm.VIEW_ORG)
    context = {
        "grants": grants,
        "person": getattr(user, "person", None),
        "everywhere": scope.scope_of(user).everywhere,
        "unit_count": org_queries.units_visible_to(user).count() if can_see_org else 0,
        "people_count": org_queries.people_visible_to(user).count() if can_see_org else 0,
        "top_units": list(org_queries.children_of(user, None)[:12]) if can_see_org else [],
        "notifications": list(inbox_of(user, unread_only=True)[:5]),
    }
    return render(request, "core/home.html", context)


@public
@require_POST
def set_language(request):
    return django_set_language(request)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_400(request, exception=None):
    return render(request, "400.html", status=400)


def error_500(request):
    # No context processors: the error may come from them.
    context = {"LANGUAGE_CODE": translation.get_language()}
    return HttpResponseServerError(loader.get_template("500.html").render(context))
