from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhengdun.core.access import signed_in
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
    ids = [int(pk) for pk in request.POST.getlist("id") if pk.isdigit()] or None
    actions.mark_read(actor=request.user, notification_ids=ids)
    return redirect("notify:inbox")
