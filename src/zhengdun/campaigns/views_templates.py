"""Campaign templates: save a campaign as one, list, export, import, and start from one."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhengdun.campaigns import actions, blueprints
from zhengdun.campaigns.forms import (
    StartFromTemplateForm,
    TemplateFromCampaignForm,
    TemplateImportForm,
)
from zhengdun.campaigns.permissions import CampaignPerm, get_campaign_for_user
from zhengdun.core.access import requires
from zhengdun.core.forms import run_action
from zhengdun.core.pagination import paginate
from zhengdun.org import scope


def _list_page(request, import_form):
    page = paginate(request, blueprints.templates_visible_to(request.user).defer("data"))
    return render(
        request, "campaigns/template_list.html", {"page": page, "import_form": import_form}
    )


@requires(CampaignPerm.PLAN)
def template_list(request):
    return _list_page(request, TemplateImportForm())


@requires(CampaignPerm.PLAN)
@require_POST
def template_import(request):
    form = TemplateImportForm(request.POST, request.FILES)
    if form.is_valid():
        template = run_action(
            form,
            lambda: blueprints.import_blueprint(request.user, file=form.cleaned_data["file"]),
        )
        if template is not None:
            messages.success(request, _("Template “%(name)s” imported.") % {"name": template.name})
            return redirect("campaigns:template_list")
    return _list_page(request, form)


@requires(CampaignPerm.PLAN)
def template_save(request, pk):
    campaign = get_campaign_for_user(request.user, pk, write=True)
    form = TemplateFromCampaignForm(request.POST or None, initial={"name": campaign.name})
    if request.method == "POST" and form.is_valid():
        template = run_action(
            form,
            lambda: blueprints.save_blueprint(
                request.user, campaign=campaign, name=form.cleaned_data["name"]
            ),
        )
        if template is not None:
            messages.success(
                request, _("Saved as the template “%(name)s”.") % {"name": template.name}
            )
            return redirect("campaigns:template_list")
    return render(request, "campaigns/template_save.html", {"campaign": campaign, "form": form})


@requires(CampaignPerm.PLAN)
def template_start(request, pk):
    template = blueprints.get_template_for_user(request.user, pk)
    units = scope.units(request.user, CampaignPerm.PLAN).filter(is_active=True).order_by("path")
    form = StartFromTemplateForm(
        request.POST or None,
        units=units,
        initial={"name": template.data["campaign"]["name"], "start_date": actions.today()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        campaign = run_action(
            form,
            lambda: blueprints.start_from_blueprint(
                request.user,
                template=template,
                unit=data["unit"],
                start_date=data["start_date"],
                name=data["name"],
            ),
        )
        if campaign is not None:
            messages.success(request, _("Campaign created from the template."))
            return redirect("campaigns:overview", pk=campaign.pk)
    return render(
        request,
        "campaigns/template_start.html",
        {"template": template, "form": form, "summary": blueprints.summary_of(template)},
    )


@requires(CampaignPerm.PLAN)
def template_export(request, pk):
    template = blueprints.get_template_for_user(request.user, pk)
    response = HttpResponse(
        blueprints.export_blueprint(template), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(True, f"{template.name}.json")
    return response
