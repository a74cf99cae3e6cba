"""Back-office pages of supervision: groups and their month against the minimum of days on
site, coverage, ranking, visits and their scorecards, the 六抓 checklist and random draws.

Thin: every page finds its objects through the gates in ``permissions`` (not allowed looks like
not found), reads through ``queries`` and writes only through ``actions``. Follow-up orders are
in ``views_orders``, feedback and reports in ``views_reports``.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib import messages
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhengdun.audit.queries import history_for
from zhengdun.campaigns.models import Campaign
from zhengdun.core import uploads
from zhengdun.core.access import requires, signed_in
from zhengdun.core.forms import (
    ActionErrors,
    clear_draft_next,
    drafts_to_clear,
    flash_action,
    run_action,
)
from zhengdun.core.ids import id_or_404
from zhengdun.core.pagination import paginate
from zhengdun.org import scope
from zhengdun.org.models import Person, PersonStatus, Unit, ancestor_paths
from zhengdun.org.roles import Perm
from zhengdun.supervision import actions, queries, rules
from zhengdun.supervision.forms import (
    AssignForm,
    ConfirmForm,
    DrawForm,
    DutyForm,
    EndAssignmentForm,
    GroupForm,
    MembersForm,
    PeriodForm,
    PlanForm,
    ScoreForm,
    VisitForm,
)
from zhengdun.supervision.models import (
    ChecklistEntry,
    Duty,
    Group,
    Member,
    OrderFile,
    Scorecard,
    ScoreTemplate,
    VisitFile,
    VisitKind,
)
from zhengdun.supervision.permissions import (
    SupervisionPerm,
    draws_visible_to,
    get_draw_for_user,
    get_group_for_user,
    get_order_for_user,
    get_visit_for_user,
    groups_visible_to,
    is_member,
    may_manage,
    orders_visible_to,
    visits_visible_to,
)

RECENT_VISITS = 10
SCORES_SHOWN = 24
DRAW_CHOICE_DAYS = 62


def _today() -> date:
    return actions.today()


# Campaigns and months ------------------------------------------------------------------------


def _campaigns(user):
    """Campaigns the user takes part in for supervision: their home unit in the user's scope or
    above it (a unit's liaison, a group's member), or with a group the user belongs to."""
    held = scope.scope_of(user)
    campaigns = Campaign.objects.select_related("unit")
    if held.everywhere:
        return campaigns
    roots = held.roots.get(SupervisionPerm.VIEW, ())
    prefixes = {prefix for root in roots for prefix in ancestor_paths(root)}
    return campaigns.filter(
        scope.within(user, SupervisionPerm.VIEW, "unit__path")
        | Q(unit__path__in=prefixes)
        | Q(pk__in=groups_visible_to(user).values("campaign_id"))
    )


def _pick_campaign(request, campaigns) -> Campaign | None:
    """The campaign asked for (?campaign=), else the latest one; 404 for one not visible."""
    value = request.GET.get("campaign")
    if value:
        campaign = campaigns.filter(pk=id_or_404(value)).first()
        if campaign is None:
            raise Http404
        return campaign
    return campaigns.order_by("-start_date", "-id").first()


def _campaign(request) -> Campaign:
    campaign = _pick_campaign(request, _campaigns(request.user))
    if campaign is None:
        raise Http404
    return campaign


def _campaign_choices(user) -> list[Campaign]:
    return list(_campaigns(user).order_by("-start_date", "-id")[:20])


def _month(request) -> date:
    """?month=YYYY-MM, else this month."""
    return rules.parse_month(request.GET.get("month", "")) or rules.month_of(_today())


def _months_around(month: date) -> dict:
    return {
        "month": month,
        "previous_month": rules.month_of(month - timedelta(days=1)),
        "next_month": rules.next_month(month),
        "this_month": rules.month_of(_today()),
    }


def _as_of(month: date, today: date) -> date:
    """The day a month's coverage is shown for: today in this month, else its last day (past)
    or first day (future)."""
    if month == rules.month_of(today):
        return today
    return rules.month_end(month) if month < today else month


# Who may do what -----------------------------------------------------------------------------


def _may_work(user, group: Group, unit: Unit | None = None) -> bool:
    """Group work (visits, scores, the checklist): the group's members and the office."""
    if unit is not None and not scope.can(user, SupervisionPerm.VISIT, unit):
        return False
    return may_manage(user, group) or is_member(user, group)


def _people(user, campaign: Campaign):
    """People who may become members: active or retired cadres inside the campaign."""
    return Person.objects.filter(
        scope.within(user, Perm.VIEW_ORG, "unit__path"),
        scope.prefix_q("unit__path", campaign.unit.path),
        status__in=[PersonStatus.ACTIVE, PersonStatus.RETIRED_FROM_POST],
    ).select_related("unit")


def _members(group: Group):
    return group.members.select_related("person__unit").order_by("-is_leader", "person__name")


def _member_people(group: Group):
    return Person.objects.filter(pk__in=group.members.values("person_id")).order_by("name")


def _group_units(user, group: Group, today: date):
    """Units a visit of the group may go to: the subtrees assigned this month, in the user's
    scope for visits."""
    assigned = queries.assigned_units(group, rules.month_of(today))
    if not assigned:
        return Unit.objects.none()
    condition = Q()
    for unit in assigned:
        condition |= scope.prefix_q("path", unit.path)
    return Unit.objects.filter(
        condition, scope.within(user, SupervisionPerm.VISIT, "path"), is_active=True
    ).order_by("path")


# The month grid ------------------------------------------------------------------------------


@dataclass
class Day:
    day: date
    in_month: bool
    on_site: bool
    today: bool
    held: list = field(default_factory=list)
    planned: list = field(default_factory=list)


def _grid(month: date, visits, on_site: set[date], today: date) -> list[list[Day]]:
    """Weeks (Monday first) of the month, each day with the visits held and planned on it."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    grid = []
    for week in weeks:
        row = []
        for day in week:
            cell = Day(day, day.month == month.month, day in on_site, day == today)
            if cell.in_month:
                for visit in visits:
                    if visit.start_date <= day <= visit.end_date:
                        (cell.planned if visit.planned else cell.held).append(visit)
            row.append(cell)
        grid.append(row)
    return grid


WEEKDAYS = [WEEKDAYS_ABBR[day] for day in range(7)]


# Groups --------------------------------------------------------------------------------------


@requires(SupervisionPerm.VIEW)
def group_list(request):
    user = request.user
    campaign = _pick_campaign(request, _campaigns(user))
    today = _today()
    month = rules.month_of(today)
    page, rows = None, []
    if campaign is not None:
        groups = (
            groups_visible_to(user)
            .filter(campaign=campaign)
            .order_by("id")
            .prefetch_related(Prefetch("members", queryset=_members_query()))
        )
        page = paginate(request, groups)
        # A few queries per group, for a page of groups at most.
        rows = [queries.group_month(group, month, today) for group in page.object_list]
    return render(
        request,
        "supervision/group_list.html",
        {
            "campaign": campaign,
            "campaigns": _campaign_choices(user),
            "page": page,
            "rows": rows,
            "month": month,
            "my_units": list(scope.roots(user, SupervisionPerm.VIEW).order_by("path")[:10]),
            "can_manage": campaign is not None
            and scope.can(user, SupervisionPerm.MANAGE, campaign.unit),
            "can_visit": scope.holds(user, SupervisionPerm.VISIT),
        },
    )


def _members_query():
    return Member.objects.select_related("person").order_by("-is_leader", "person__name")


@requires(SupervisionPerm.VIEW)
def coverage(request):
    user = request.user
    campaign = _campaign(request)
    today = _today()
    month = _month(request)
    day = _as_of(month, today)
    cover = queries.coverage(user, campaign, day)
    months = queries.month_coverage(user, campaign, month, today)
    visible = {row.group.pk for row in months}
    return render(
        request,
        "supervision/coverage.html",
        {
            "campaign": campaign,
            "campaigns": _campaign_choices(user),
            "cover": cover,
            "rows": [
                {
                    "unit": unit,
                    "groups": [(group, group.pk in visible) for group in groups],
                    "state": "gap" if not groups else "overlap" if len(groups) > 1 else "ok",
                }
                for unit, groups in cover.rows
            ],
            "months": months,
            "day": day,
            **_months_around(month),
        },
    )


@requires(SupervisionPerm.VIEW)
def ranking(request):
    user = request.user
    campaign = _campaign(request)
    today = _today()
    default = (campaign.start_date, max(campaign.start_date, min(today, campaign.end_date)))
    form = PeriodForm(
        request.GET if "start" in request.GET or "end" in request.GET else None,
        initial={"start": default[0], "end": default[1]},
    )
    start, end = form.period(default)
    rows = queries.ranking(user, campaign, start, end)
    return render(
        request,
        "supervision/ranking.html",
        {
            "campaign": campaign,
            "campaigns": _campaign_choices(user),
            "form": form,
            "start": start,
            "end": end,
            "page": paginate(request, rows),
        },
    )


@requires(SupervisionPerm.MANAGE)
def group_create(request):
    user = request.user
    campaigns = (
        _campaigns(user)
        .filter(scope.within(user, SupervisionPerm.MANAGE, "unit__path"))
        .order_by("-start_date", "-id")
    )
    form = GroupForm(
        request.POST or None,
        campaigns=campaigns,
        people=lambda campaign: _people(user, campaign),
        initial={
            "campaign": request.GET.get("campaign")
            or campaigns.values_list("pk", flat=True).first()
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        group = run_action(
            form,
            lambda: actions.create_group(
                user,
                campaign=data["campaign"],
                name=data["name"],
                members=data["rows"],
                min_days=data["min_days"],
                note=data["note"],
            ),
        )
        if group is not None:
            messages.success(request, _("Group created. Now assign it its units."))
            return redirect("supervision:group_assign", pk=group.pk)
    return render(request, "supervision/group_form.html", {"form": form})


@signed_in
def group_detail(request, pk):
    user = request.user
    group = get_group_for_user(user, pk)
    today = _today()
    month = rules.month_of(today)
    data = queries.group_month(group, month, today)
    recent = list(
        visits_visible_to(user)
        .filter(group=group)
        .select_related("unit")
        .order_by("-start_date", "-id")[:RECENT_VISITS]
    )
    return render(
        request,
        "supervision/group_detail.html",
        {
            "group": group,
            "data": data,
            "month": month,
            "members": list(_members(group)),
            "assignments": list(
                group.assignments.select_related("unit").order_by("-starts_on", "unit__path")[:50]
            ),
            "incomplete": queries.incomplete_months(group, today),
            "duties_done": group.checklist.filter(month=month).count(),
            "duties_total": len(Duty),
            "recent": recent,
            "planned": [visit for visit in data.planned if visit.end_date >= today],
            "may_manage": may_manage(user, group),
            "may_work": _may_work(user, group),
            "history": history_for(group),
        },
    )


@requires(SupervisionPerm.MANAGE)
def group_members(request, pk):
    user = request.user
    group = get_group_for_user(user, pk, write=True)
    members = list(_members(group))
    leader = next((member.person for member in members if member.is_leader), None)
    form = MembersForm(
        request.POST or None,
        people=_people(user, group.campaign),
        initial={
            "leader": leader.police_number if leader else "",
            "members": "\n".join(m.person.police_number for m in members if not m.is_leader),
        },
    )
    if request.method == "POST" and form.is_valid():
        saved = run_action(
            form, lambda: actions.set_members(user, group=group, members=form.cleaned_data["rows"])
        )
        if saved is not None:
            messages.success(request, _("Members saved."))
            return redirect("supervision:group_detail", pk=group.pk)
    return render(
        request,
        "supervision/group_members.html",
        {"group": group, "members": members, "form": form},
    )


@requires(SupervisionPerm.MANAGE)
def group_assign(request, pk):
    user = request.user
    group = get_group_for_user(user, pk, write=True)
    home = group.campaign.unit
    units = (
        scope.units(user, SupervisionPerm.MANAGE)
        .filter(
            scope.prefix_q("path", home.path),
            is_active=True,
            depth__gt=home.depth,
            depth__lte=home.depth + 2,
        )
        .order_by("path")
    )
    today = _today()
    op = request.POST.get("op") if request.method == "POST" else None
    form = AssignForm(
        request.POST if op == "assign" else None, units=units, initial={"starts_on": today}
    )
    end_form = EndAssignmentForm(request.POST if op == "end" else None)
    if op == "assign" and form.is_valid():
        data = form.cleaned_data
        if (
            run_action(
                form,
                lambda: actions.assign(
                    user,
                    group=group,
                    unit=data["unit"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                ),
            )
            is not None
        ):
            messages.success(request, _("Unit assigned."))
            return redirect("supervision:group_assign", pk=group.pk)
    elif op == "end":
        if end_form.is_valid():
            assignment = group.assignments.filter(
                pk=end_form.cleaned_data["assignment"]
            ).select_related("unit", "group__campaign__unit")
            assignment = assignment.first()
            if assignment is None:
                raise Http404
            if (
                run_action(
                    end_form,
                    lambda: actions.end_assignment(
                        user, assignment=assignment, ends_on=end_form.cleaned_data["ends_on"]
                    ),
                )
                is not None
            ):
                messages.success(request, _("Assignment ended."))
                return redirect("supervision:group_assign", pk=group.pk)
        for errors in end_form.errors.values():
            for message in errors:
                messages.error(request, message)
    assignments = list(
        group.assignments.select_related("unit").order_by("-starts_on", "unit__path")[:50]
    )
    for assignment in assignments:
        assignment.current = assignment.covers(today)
    return render(
        request,
        "supervision/group_assign.html",
        {"group": group, "form": form, "assignments": assignments, "today": today},
    )


@signed_in
def group_calendar(request, pk):
    user = request.user
    group = get_group_for_user(user, pk)
    today = _today()
    month = _month(request)
    data = queries.group_month(group, month, today)
    visits = sorted(data.visits + data.planned, key=lambda v: (v.start_date, v.pk))
    for visit in visits:
        visit.visible = scope.can(user, SupervisionPerm.VIEW, visit.unit)
    return render(
        request,
        "supervision/group_calendar.html",
        {
            "group": group,
            "data": data,
            "visits": visits,
            "grid": _grid(month, visits, data.days, today),
            "weekdays": WEEKDAYS,
            "may_work": _may_work(user, group),
            **_months_around(month),
        },
    )


@signed_in
def group_plan(request, pk):
    user = request.user
    group = get_group_for_user(user, pk)
    today = _today()
    month = _month(request)
    may_work = _may_work(user, group)
    form = PlanForm(request.POST or None)
    if request.method == "POST":
        if not may_work:
            raise Http404
        stays = queries.plan(group, month, today)
        if not stays:
            messages.info(request, _("Nothing to plan: the month needs no more stays."))
            return redirect(
                reverse("supervision:group_plan", args=[group.pk]) + f"?month={month:%Y-%m}"
            )
        if form.is_valid():
            planned = run_action(
                form,
                lambda: actions.adopt_plan(
                    user, group=group, stays=stays, mode=form.cleaned_data["mode"]
                ),
            )
            if planned is not None:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d planned visit added to the calendar.",
                        "%(count)d planned visits added to the calendar.",
                        len(planned),
                    )
                    % {"count": len(planned)},
                )
                return redirect(
                    reverse("supervision:group_calendar", args=[group.pk]) + f"?month={month:%Y-%m}"
                )
    data = queries.group_month(group, month, today)
    stays = queries.plan(group, month, today)
    units = {unit.pk: unit for unit in data.units}
    proposal = [{"stay": stay, "unit": units.get(stay.unit_id)} for stay in stays]
    planned_days = len(
        rules.days_on_site(((v.start_date, v.end_date) for v in data.planned), month) - data.days
    )
    return render(
        request,
        "supervision/group_plan.html",
        {
            "group": group,
            "data": data,
            "proposal": proposal,
            "proposed_days": sum(stay.days for stay in stays),
            "planned_days": planned_days,
            "form": form,
            "may_work": may_work,
            **_months_around(month),
        },
    )


@signed_in
def group_checklist(request, pk):
    user = request.user
    group = get_group_for_user(user, pk)
    month = _month(request)
    editable = _may_work(user, group) and month <= rules.month_of(_today())
    posted = request.POST.get("duty") if request.method == "POST" else None
    if posted is not None and (not editable or posted not in Duty.values):
        raise Http404
    rows = []
    for duty, label, entry in queries.checklist(group, month):
        form = None
        if editable:
            bound = duty == posted
            form = DutyForm(
                request.POST if bound else None,
                request.FILES if bound else None,
                prefix=duty,
                initial={"note": entry.note if entry else ""},
            )
            if bound and form.is_valid():
                saved = run_action(
                    form,
                    lambda form=form, duty=duty: actions.record_duty(
                        user,
                        group=group,
                        month=month,
                        duty=duty,
                        note=form.cleaned_data["note"],
                        file=form.cleaned_data["file"] or None,
                    ),
                )
                if saved is not None:
                    messages.success(request, _("Recorded: %(duty)s") % {"duty": label})
                    return redirect(
                        reverse("supervision:group_checklist", args=[group.pk])
                        + f"?month={month:%Y-%m}"
                    )
        rows.append({"duty": duty, "label": label, "entry": entry, "form": form})
    return render(
        request,
        "supervision/group_checklist.html",
        {
            "group": group,
            "rows": rows,
            "done": sum(1 for row in rows if row["entry"]),
            "editable": editable,
            **_months_around(month),
        },
    )


# Units ---------------------------------------------------------------------------------------


@requires(SupervisionPerm.VIEW)
def unit_visits(request, pk):
    user = request.user
    unit = scope.units(user, SupervisionPerm.VIEW).filter(pk=id_or_404(pk)).first()
    if unit is None:
        raise Http404
    today = _today()
    month = _month(request)
    visits = queries.unit_visits(user, unit)
    in_month = list(
        visits.filter(start_date__lte=rules.month_end(month), end_date__gte=month)[:200]
    )
    days = rules.days_on_site(
        ((v.start_date, v.end_date) for v in in_month if not v.planned), month
    )
    scores = list(queries.unit_scores(user, unit).order_by("-visited_on", "-id")[:SCORES_SHOWN])[
        ::-1
    ]
    return render(
        request,
        "supervision/unit_visits.html",
        {
            "unit": unit,
            "page": paginate(request, visits),
            "grid": _grid(month, in_month, days, today),
            "weekdays": WEEKDAYS,
            "days": len(days),
            "scores": scores,
            "ancestors": scope.visible_ancestors(user, SupervisionPerm.VIEW, unit),
            **_months_around(month),
        },
    )


# Visits --------------------------------------------------------------------------------------


@requires(SupervisionPerm.VISIT)
def visit_create(request):
    user = request.user
    today = _today()
    draw = get_draw_for_user(user, request.GET["draw"]) if request.GET.get("draw") else None
    value = request.POST.get("group") or request.GET.get("group")
    if not value and draw is not None and draw.group_id:
        value = draw.group_id
    groups = list(
        groups_visible_to(user).select_related("campaign").order_by("campaign_id", "name")[:50]
    )
    if value:
        group = get_group_for_user(user, value)
    elif len(groups) == 1:
        group = groups[0]
    else:
        group = None
    if group is None:
        return render(
            request, "supervision/visit_form.html", {"form": None, "groups": groups, "group": None}
        )
    is_group_member = is_member(user, group)
    unit_value = request.GET.get("unit")
    form = VisitForm(
        request.POST or None,
        request.FILES or None,
        units=_group_units(user, group, today),
        members=_member_people(group),
        draws=draws_visible_to(user)
        .filter(
            campaign_id=group.campaign_id,
            drawn_at__isnull=False,
            period_end__gte=today - timedelta(days=DRAW_CHOICE_DAYS),
        )
        .order_by("-drawn_at", "-id"),
        initial={
            "group": group.pk,
            "start_date": today,
            "end_date": today,
            "kind": VisitKind.RANDOM if draw else VisitKind.RESIDENT,
            "draw": draw.pk if draw else None,
            "unit": id_or_404(unit_value) if unit_value else None,
            "present": [user.person.pk] if is_group_member else [],
        },
    )
    draft = f"visit-new-{group.pk}"
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        visit = run_action(
            form,
            lambda: actions.log_visit(
                user,
                group=group,
                unit=data["unit"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                mode=data["mode"],
                kind=data["kind"],
                present=data["present"],
                notes=data["notes"],
                files=data["files"],
                planned=data["planned"],
                draw=data["draw"],
            ),
        )
        if visit is not None:
            clear_draft_next(request, draft)
            messages.success(
                request,
                _("Visit planned.") if visit.planned else _("Visit logged. You can score it now."),
            )
            return redirect("supervision:visit_detail", pk=visit.pk)
    return render(
        request,
        "supervision/visit_form.html",
        {"form": form, "groups": groups, "group": group, "draft": draft},
    )


@signed_in
def visit_detail(request, pk):
    user = request.user
    visit = get_visit_for_user(user, pk)
    card = (
        Scorecard.objects.filter(visit=visit)
        .select_related("template", "scored_by__person")
        .first()
    )
    may_work = _may_work(user, visit.group, visit.unit)
    return render(
        request,
        "supervision/visit_detail.html",
        {
            "visit": visit,
            "card": card,
            "lines": list(card.lines.select_related("aspect")) if card else [],
            "files": list(visit.files.all()),
            "present": list(visit.present.order_by("name")),
            "orders": list(
                orders_visible_to(user)
                .filter(visit=visit)
                .select_related("unit")
                .order_by("deadline", "id")
            ),
            "may_work": may_work,
            "may_confirm": may_work and visit.planned and visit.start_date <= _today(),
            "history": history_for(visit),
            "draft_clear": drafts_to_clear(request),
        },
    )


@requires(SupervisionPerm.VISIT)
def visit_confirm(request, pk):
    user = request.user
    visit = get_visit_for_user(user, pk)
    if not visit.planned:
        messages.info(request, _("This visit is already recorded as held."))
        return redirect("supervision:visit_detail", pk=visit.pk)
    form = ConfirmForm(
        request.POST or None,
        members=_member_people(visit.group),
        initial={"notes": visit.notes, "present": list(visit.present.values_list("pk", flat=True))},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        confirmed = run_action(
            form,
            lambda: actions.confirm_visit(
                user, visit=visit, present=data["present"], notes=data["notes"]
            ),
        )
        if confirmed is not None:
            messages.success(request, _("The visit is recorded as held; its days now count."))
            return redirect("supervision:visit_detail", pk=visit.pk)
    return render(request, "supervision/visit_confirm.html", {"visit": visit, "form": form})


@requires(SupervisionPerm.VISIT)
def visit_score(request, pk):
    user = request.user
    visit = get_visit_for_user(user, pk)
    templates = ScoreTemplate.objects.order_by("-created_at", "-id")
    value = request.GET.get("template")
    template = templates.filter(pk=id_or_404(value)).first() if value else templates.first()
    if value and template is None:
        raise Http404
    if template is None:
        return render(request, "supervision/visit_score.html", {"visit": visit, "form": None})
    aspects = list(template.aspects.all())
    card = Scorecard.objects.filter(visit=visit).prefetch_related("lines").first()
    initial = {}
    if card is not None and card.template_id == template.pk:
        initial["summary"] = card.remarks
        for line in card.lines.all():
            initial[f"aspect_{line.aspect_id}"] = line.points
            initial[f"remark_{line.aspect_id}"] = line.remark
    form = ScoreForm(request.POST or None, aspects=aspects, initial=initial)
    draft = f"visit-score-{visit.pk}"
    if request.method == "POST" and form.is_valid():
        scored = run_action(
            form,
            lambda: actions.score_visit(
                user,
                visit=visit,
                template=template,
                points=form.points(),
                remarks=form.remarks(),
                summary=form.cleaned_data["summary"],
            ),
        )
        if scored is not None:
            clear_draft_next(request, draft)
            messages.success(request, _("Scored: %(total)s out of 100.") % {"total": scored.total})
            return redirect("supervision:visit_detail", pk=visit.pk)
    return render(
        request,
        "supervision/visit_score.html",
        {
            "visit": visit,
            "template": template,
            "templates": list(templates[:20]),
            "form": form,
            "card": card,
            "draft": draft,
            "total_weight": sum(aspect.weight for aspect in aspects),
        },
    )


@signed_in
def file_download(request, kind, pk):
    """A stored file, as an attachment, only when its visit, group or order is visible."""
    user = request.user
    pk = id_or_404(pk)
    if kind == "visit":
        stored = VisitFile.objects.filter(pk=pk).first()
        if stored is not None:
            get_visit_for_user(user, stored.visit_id)
    elif kind == "duty":
        stored = ChecklistEntry.objects.filter(pk=pk).exclude(file="").first()
        if stored is not None:
            get_group_for_user(user, stored.group_id)
    elif kind == "order":
        stored = OrderFile.objects.filter(pk=pk).first()
        if stored is not None:
            get_order_for_user(user, stored.order_id)
    else:
        stored = None
    return uploads.serve(stored)


# Random draws --------------------------------------------------------------------------------


@requires(SupervisionPerm.VISIT)
def draw_list(request):
    draws = (
        draws_visible_to(request.user)
        .select_related("unit", "group", "campaign")
        .order_by("-sealed_at", "-id")
    )
    return render(request, "supervision/draw_list.html", {"page": paginate(request, draws)})


@requires(SupervisionPerm.VISIT)
def draw_create(request):
    user = request.user
    campaign = _campaign(request)
    today = _today()
    groups = groups_visible_to(user).filter(campaign=campaign).order_by("name")
    units = (
        scope.units(user, SupervisionPerm.VISIT)
        .filter(
            scope.prefix_q("path", campaign.unit.path),
            is_active=True,
            depth__lte=campaign.unit.depth + 3,
        )
        .order_by("path")
    )
    group_value = request.GET.get("group")
    form = DrawForm(
        request.POST or None,
        groups=groups,
        units=units,
        initial={
            "period_start": today,
            "period_end": rules.month_end(today),
            "group": id_or_404(group_value) if group_value else None,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        draw = run_action(
            form,
            lambda: actions.seal_draw(
                user,
                campaign=campaign,
                kind=data["kind"],
                unit=data["unit"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                count=data["count"],
                group=data["group"],
            ),
        )
        if draw is not None:
            messages.success(
                request,
                _("The seed is sealed and recorded. Check it, then make the draw."),
            )
            return redirect("supervision:draw_detail", pk=draw.pk)
    return render(
        request,
        "supervision/draw_form.html",
        {"form": form, "campaign": campaign, "campaigns": _campaign_choices(user)},
    )


@requires(SupervisionPerm.VISIT)
def draw_detail(request, pk):
    user = request.user
    draw = get_draw_for_user(user, pk)
    if request.method == "POST":
        flash_action(
            request,
            ActionErrors(),
            lambda _data: actions.make_draw(user, draw=draw),
            _("Drawn. The candidates and the result are recorded."),
        )
        return redirect("supervision:draw_detail", pk=draw.pk)
    rerun = actions.rerun_draw(draw) if draw.is_drawn else None
    picked = {pk for pk, _name in draw.result}
    return render(
        request,
        "supervision/draw_detail.html",
        {
            "draw": draw,
            "candidates": [(pk, name, pk in picked) for pk, name in draw.candidates],
            "rerun": rerun,
            "reproduced": rerun == draw.result if rerun is not None else None,
            "history": history_for(draw),
        },
    )
