from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengdun.core.access import requires
from zhengdun.core.excel import read_rows, workbook_response, write_template, write_workbook
from zhengdun.core.forms import apply_errors
from zhengdun.org import actions
from zhengdun.org.excel import PERSON_COLUMNS, UNIT_COLUMNS, person_rows, unit_rows
from zhengdun.org.forms import ImportForm
from zhengdun.org.roles import Perm

KINDS = {
    "units": (UNIT_COLUMNS, unit_rows, actions.import_units),
    "people": (PERSON_COLUMNS, person_rows, actions.import_people),
}


def _kind(kind: str):
    if kind not in KINDS:
        raise Http404
    return KINDS[kind]


def _title(kind: str) -> str:
    return _("Units") if kind == "units" else _("People")


@requires(Perm.IMPORT_ORG)
def import_page(request):
    kind = request.POST.get("kind") or request.GET.get("kind") or "units"
    columns, _rows, importer = _kind(kind)
    form = ImportForm(request.POST or None, request.FILES or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        try:
            rows = list(read_rows(form.cleaned_data["file"], columns))
        except ValidationError as error:
            apply_errors(form, ValidationError({"file": error.messages}))
        else:
            outcome = importer(request.user, rows=rows, dry_run=form.cleaned_data["dry_run"])
    return render(
        request,
        "org/import.html",
        {"form": form, "kind": kind, "outcome": outcome, "columns": columns, "kinds": list(KINDS)},
    )


@requires(Perm.IMPORT_ORG)
def template(request, kind):
    columns, _rows, _importer = _kind(kind)
    suffix = _("template")
    return workbook_response(f"{_title(kind)}-{suffix}.xlsx", write_template(_title(kind), columns))


@requires(Perm.VIEW_ORG)
def export(request, kind):
    columns, rows, _importer = _kind(kind)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    data = write_workbook(_title(kind), columns, rows(request.user))
    return workbook_response(f"{_title(kind)}-{stamp}.xlsx", data)
