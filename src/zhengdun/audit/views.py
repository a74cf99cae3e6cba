from django.shortcuts import render

from zhengdun.audit.codes import Code
from zhengdun.audit.queries import events_visible_to
from zhengdun.core.access import requires
from zhengdun.core.pagination import paginate
from zhengdun.org.roles import Perm


@requires(Perm.VIEW_AUDIT)
def event_list(request):
    code = request.GET.get("code", "")
    actor = request.GET.get("actor", "").strip()
    q = request.GET.get("q", "").strip()
    events = events_visible_to(request.user, code=code, actor=actor, q=q)
    return render(
        request,
        "audit/event_list.html",
        {
            "page": paginate(request, events, 50),
            "codes": Code.choices,
            "code": code,
            "actor": actor,
            "q": q,
        },
    )
