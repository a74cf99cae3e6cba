"""Excel export, the printable ledger (台账) and the Excel import of a campaign's tasks."""

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengdun.campaigns import actions, queries
from zhengdun.campaigns.excel import TASK_COLUMNS, import_columns, import_tasks, task_rows
from zhengdun.campaigns.models import Colour, TaskState
from zhengdun.campaigns.permissions import CampaignPerm, get_campaign_for_user
from zhengdun.campaigns.views import _filters
from zhengdun.core.access import requires
from zhengdun.core.excel import read_rows, workbook_response, write_template, write_workbook
from zhengdun.core.forms import apply_errors
from zhengdun.org import scope
from zhengdun.org.forms import ImportForm
from zhengdun.org.models import Person
from zhengdun.org.roles import Perm

# A printed ledger longer than this is better taken as an Excel export.
LEDGER_LIMIT = 2000


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M")


@requires(CampaignPerm.VIEW)
def task_export(request, pk):
    campaign = get_campaign_for_user(request.user, pk)
    _form, filters = _filters(request, campaign)
    rows = task_rows(request.user, campaign, filters, today=actions.today())
    data = write_workbook(_("Tasks"), TASK_COLUMNS, rows)
    return workbook_response(f"{campaign.name}-{_('Tasks')}-{_stamp()}.xlsx", data)


def _filter_summary(request, form, filters) -> list[tuple[str, str]]:
    """The filters of a list in words, for the ledger's header."""
    if not form.is_bound or not form.is_valid():
        return []
    shown = []
    if filters.workstream:
        names = dict(form.fields["workstream"].choices)
        shown.append((_("Workstream"), str(names.get(filters.workstream, ""))))
    if filters.state:
        state = (
            _("Open (planned or started)")
            if filters.state == "open"
            else TaskState(filters.state).label
        )
        shown.append((_("State"), str(state)))
    if filters.colour:
        shown.append((_("Warning"), str(Colour(filters.colour).label)))
    if filters.due_from:
        shown.append((_("Due from"), filters.due_from.isoformat()))
    if filters.due_to:
        shown.append((_("Due until"), filters.due_to.isoformat()))
    if filters.lead:
        lead = (
            Person.objects.filter(scope.within(request.user, Perm.VIEW_ORG), pk=filters.lead)
            .values_list("name", flat=True)
            .first()
        )
        shown.append((_("Lead"), lead or "—"))
    if filters.q:
        shown.append((_("Search"), filters.q))
    return shown


@requires(CampaignPerm.VIEW)
def task_ledger(request, pk):
    campaign = get_campaign_for_user(request.user, pk)
    form, filters = _filters(request, campaign)
    rows = list(
        task_rows(request.user, campaign, filters, today=actions.today(), limit=LEDGER_LIMIT + 1)
    )
    capped = len(rows) > LEDGER_LIMIT
    total = None
    if capped:
        rows = rows[:LEDGER_LIMIT]
        total = queries.count_from_tallies(request.user, campaign, filters)
        if total is None:
            total = queries.tasks_visible_to(request.user, campaign, filters).count()
    return render(
        request,
        "campaigns/task_ledger.html",
        {
            "campaign": campaign,
            "units": [filters.unit]
            if filters.unit is not None
            else list(queries.scope_roots(request.user, campaign)),
            "filters": _filter_summary(request, form, filters),
            "rows": rows,
            "capped": capped,
            "total": total,
            "limit": LEDGER_LIMIT,
            "printed_at": timezone.localtime(),
            "querystring": request.GET.urlencode(),
        },
    )


@requires(CampaignPerm.PLAN)
def task_template(request, pk):
    campaign = get_campaign_for_user(request.user, pk, write=True)
    title = _("Task plan")
    data = write_template(title, import_columns(campaign))
    return workbook_response(f"{campaign.name}-{title}-{_('template')}.xlsx", data)


@requires(CampaignPerm.PLAN)
def task_import(request, pk):
    campaign = get_campaign_for_user(request.user, pk, write=True)
    form = ImportForm(request.POST or None, request.FILES or None)
    columns = import_columns(campaign)
    outcome = None
    if request.method == "POST" and form.is_valid():
        try:
            rows = list(read_rows(form.cleaned_data["file"], columns))
        except ValidationError as error:
            apply_errors(form, ValidationError({"file": error.messages}))
        else:
            outcome = import_tasks(
                request.user, campaign=campaign, rows=rows, dry_run=form.cleaned_data["dry_run"]
            )
    return render(
        request,
        "campaigns/task_import.html",
        {"campaign": campaign, "form": form, "outcome": outcome, "columns": columns},
    )
