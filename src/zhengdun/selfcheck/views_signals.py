"""The formalism signals of a round, for the campaign office."""

from django.http import Http404
from django.shortcuts import render

from zhengdun.core.access import requires
from zhengdun.core.ids import id_or_404
from zhengdun.core.pagination import paginate
from zhengdun.org import scope
from zhengdun.selfcheck import formalism
from zhengdun.selfcheck.models import SignalKind
from zhengdun.selfcheck.permissions import (
    SelfcheckPerm,
    get_round_for_user,
    reports_visible_to,
)


@requires(SelfcheckPerm.PLAN)
def signals(request, pk):
    user = request.user
    round_ = get_round_for_user(user, pk)
    unit = None
    value = request.GET.get("unit", "")
    if value:
        unit = (
            scope.units(user, SelfcheckPerm.PLAN)
            .filter(scope.prefix_q("path", round_.unit.path), pk=id_or_404(value))
            .first()
        )
        if unit is None:
            raise Http404
    kind = request.GET.get("kind", "")
    kind = kind if kind in SignalKind.values else ""
    page = paginate(request, formalism.signals_visible_to(user, round_, kind=kind, unit=unit))
    rows = list(page.object_list)
    # Personal reports are for the person and their leaders: link only those the viewer may open.
    report_ids = {pk for row in rows for pk in (row.report_id, row.other_report_id) if pk}
    openable = (
        set(reports_visible_to(user).filter(pk__in=report_ids).values_list("pk", flat=True))
        if report_ids
        else set()
    )
    for row in rows:
        row.reports = [report for report in (row.report, row.other_report) if report is not None]
        for report in row.reports:
            report.openable = report.pk in openable
    counts = formalism.signal_counts(user, round_, unit=unit)
    return render(
        request,
        "selfcheck/signals.html",
        {
            "round": round_,
            "unit": unit,
            "kind": kind,
            "kinds": [(value, label, counts.get(value, 0)) for value, label in SignalKind.choices],
            "total": sum(counts.values()),
            "page": page,
            "rows": rows,
            "late_days": formalism.LATE_DAYS,
            "limit": formalism.late_limit(round_),
            "threshold": round(100 * formalism.THRESHOLD),
            "min_compare": formalism.MIN_COMPARE,
        },
    )
