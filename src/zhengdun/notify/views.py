from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhengdun.core.access import signed_in
from zhengdun.core.ids import parse_id
from zhengdun.core.pagination import paginate
from zhengdun.notify import actions
from zhengdun.notify.queries import inbox_of


@signed_in
def inbox(request):
    unread_only = request.GET.get("unread") == "1"
    page = paginate(request, inbox_of(request.user, unread_only=unread_only))
    return render(request, "notify/inbox.html", {"page": page, "unread_only": unread_only})


@signed_in
@require_POST
def mark_read(request):
    posted = request.POST.getlist("id")
    # No ids: "mark all read". Ids of which none is valid mark nothing, not everything.
    ids = [pk for pk in map(parse_id, posted) if pk is not None] if posted else None
    actions.mark_read(actor=request.user, notification_ids=ids)
    return redirect("notify:inbox")
