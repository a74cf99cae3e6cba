"""Excel export of the rectification ledger and Excel import of a self-inspection report."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhengdun.core.access import requires, signed_in
from zhengdun.core.excel import read_rows, workbook_response
from zhengdun.core.forms import apply_errors
from zhengdun.org.forms import ImportForm
from zhengdun.selfcheck import actions, excel, queries
from zhengdun.selfcheck.models import ReportKind
from zhengdun.selfcheck.permissions import SelfcheckPerm, get_report_for_user
from zhengdun.selfcheck.views import _ledger_round, ledger_filters


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M")


@requires(SelfcheckPerm.VIEW)
def ledger_export(request):
    """The ledger page's measures, with the page's filters, as the paper ledger (整改台账)."""
    round_ = _ledger_round(request)
    if round_ is None:
        raise Http404
    _form, filters = ledger_filters(request, round_)
    today = actions.today()
    units = (
        [filters.unit]
        if filters.unit is not None
        else list(queries.ledger_roots(request.user, round_))
    )
    data = excel.ledger_workbook(
        excel.ledger_title(round_, units, today),
        excel.ledger_rows(request.user, round_, filters, today=today),
    )
    return workbook_response(f"{round_.name}-{_('Rectification ledger')}-{_stamp()}.xlsx", data)


class ReportImportForm(ImportForm):
    submit = forms.BooleanField(
        label=gettext_lazy("Submit the report after importing"), required=False
    )
    # The report's version when the page was opened: an import never overwrites a save made
    # by someone else meanwhile.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def _who(report) -> str:
    return report.person.name if report.kind == ReportKind.PERSON else report.unit.name


@signed_in
def report_template(request, pk):
    report = get_report_for_user(request.user, pk, write=True)
    data = excel.report_template(report)
    filename = f"{report.round.name}-{_who(report)}-{_('template')}.xlsx"
    return workbook_response(filename, data)


def _announce(request, result: excel.ReportImport) -> None:
    messages.success(
        request,
        _("Imported: %(findings)d problems found, with %(measures)d measures.")
        % {"findings": result.findings, "measures": result.measures},
    )
    if result.submitted:
        messages.success(request, _("Report submitted. It is now locked."))
    for message in result.submit_errors:
        messages.error(
            request,
            _("Saved as a draft but not submitted: %(reason)s") % {"reason": message},
        )


@signed_in
def report_import(request, pk):
    report = get_report_for_user(request.user, pk, write=True)
    if report.is_locked:
        messages.error(request, _("This report has been submitted and is locked."))
        return redirect("selfcheck:report_detail", pk=report.pk)
    form = ReportImportForm(
        request.POST or None, request.FILES or None, initial={"version": report.version}
    )
    result = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rows = list(read_rows(data["file"], excel.IMPORT_COLUMNS))
        except ValidationError as error:
            apply_errors(form, ValidationError({"file": error.messages}))
        else:
            try:
                result = excel.import_report(
                    request.user,
                    report=report,
                    version=data["version"],
                    rows=rows,
                    dry_run=data["dry_run"],
                    submit=data["submit"],
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                if result.committed:
                    _announce(request, result)
                    return redirect("selfcheck:report_detail", pk=report.pk)
    return render(
        request,
        "selfcheck/report_import.html",
        {
            "report": report,
            "form": form,
            "result": result,
            "columns": excel.TEMPLATE_COLUMNS,
        },
    )
