"""The office's page for what the public portal publishes: the reporting telephone numbers,
mailbox, postal address, office hours, introduction, and the short campaign notices. Back
office (session, CSRF cookie as usual); every save goes through an audited action."""

from django.contrib import messages
from django.forms.models import model_to_dict
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhengdun.core.access import requires
from zhengdun.core.forms import run_action
from zhengdun.integrity.portal import actions, queries
from zhengdun.integrity.portal.forms import NoticeForm, PortalPageForm
from zhengdun.integrity.portal.models import Notice
from zhengdun.integrity.portal.permissions import PortalPerm


def _notice(pk) -> Notice:
    notice = Notice.objects.filter(pk=pk).first()
    if notice is None:
        raise Http404
    return notice


def _page(request, page_form, notice_form, *, status=200):
    return render(
        request,
        "portal/office_page.html",
        {
            "page_form": page_form,
            "notice_form": notice_form,
            "notices": queries.all_notices(),
            "page": queries.portal_page(),
        },
        status=status,
    )


@requires(PortalPerm.MANAGE)
def office_page(request):
    page = queries.portal_page()
    initial = model_to_dict(page, fields=actions.PAGE_FIELDS)
    notice_form = NoticeForm(initial={"published_on": actions.today(), "published": True})
    if request.method != "POST":
        return _page(request, PortalPageForm(initial=initial), notice_form)
    form = PortalPageForm(request.POST, initial=initial)
    if form.is_valid() and run_action(
        form, lambda: actions.save_portal_page(actor=request.user, **form.cleaned_data)
    ):
        messages.success(request, _("The portal page is saved and published."))
        return redirect("portal_office:page")
    return _page(request, form, notice_form, status=400)


@requires(PortalPerm.MANAGE)
def notice_new(request):
    return _notice_form(request, None)


@requires(PortalPerm.MANAGE)
def notice_edit(request, pk):
    return _notice_form(request, _notice(pk))


def _notice_form(request, notice):
    initial = model_to_dict(notice) if notice else {"published_on": actions.today()}
    if request.method != "POST":
        form = NoticeForm(initial=initial)
    else:
        form = NoticeForm(request.POST, initial=initial)
        if form.is_valid() and run_action(
            form,
            lambda: actions.save_notice(actor=request.user, notice=notice, **form.cleaned_data),
        ):
            messages.success(request, _("The notice is saved."))
            return redirect("portal_office:page")
    return render(
        request,
        "portal/office_notice.html",
        {"form": form, "notice": notice},
        status=400 if form.errors else 200,
    )


@requires(PortalPerm.MANAGE)
@require_POST
def notice_delete(request, pk):
    actions.delete_notice(actor=request.user, notice=_notice(pk))
    messages.success(request, _("The notice is deleted."))
    return redirect("portal_office:page")
