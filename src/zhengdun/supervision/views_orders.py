"""Pages of follow-up orders (督办单): the list, issuing one (from a phone on site), its page
with the unit's answer and the issuer's verification, and linking it onward to a campaign task
or a rectification measure.

Every read goes through ``permissions``/``queries`` (an order the user may not see is a 404);
every write is an action called through ``run_action``: its errors show on the form, with what
was typed kept.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhengdun.audit.queries import history_for
from zhengdun.campaigns.models import Campaign, CampaignStatus, Workstream
from zhengdun.campaigns.permissions import CampaignPerm
from zhengdun.core.access import requires, signed_in
from zhengdun.core.forms import ActionErrors, clear_draft_next, drafts_to_clear, run_action
from zhengdun.core.ids import id_or_404, parse_id
from zhengdun.core.pagination import paginate
from zhengdun.org import scope
from zhengdun.org.models import Person, PersonStatus, Unit
from zhengdun.selfcheck.models import AppliesTo, Item, Report, ReportKind, RoundStatus
from zhengdun.selfcheck.permissions import SelfcheckPerm
from zhengdun.supervision import actions, queries, rules
from zhengdun.supervision.forms_orders import (
    MeasureLinkForm,
    OrderFilterForm,
    OrderForm,
    RespondForm,
    ReturnForm,
    TaskLinkForm,
)
from zhengdun.supervision.models import Group, Order, OrderSource, OrderState
from zhengdun.supervision.permissions import (
    SupervisionPerm,
    get_order_for_user,
    get_visit_for_user,
    groups_visible_to,
    is_member,
    may_manage,
)

ORDER_DRAFT = "order-new"

# --- who may do what to an order (the actions check again) --------------------------------


def may_answer(user, order: Order) -> bool:
    """The unit's liaison or leader (and above) acknowledges and responds."""
    return scope.can(user, SupervisionPerm.ANSWER, order.unit)


def on_issuer_side(user, order: Order) -> bool:
    """The issuing group's members in the unit, or the office: they verify, return and link."""
    if order.group_id is not None:
        return scope.can(user, SupervisionPerm.VISIT, order.unit) and (
            is_member(user, order.group) or may_manage(user, order.group)
        )
    return scope.can(user, SupervisionPerm.MANAGE, order.unit)


def may_verify(user, order: Order) -> bool:
    """The issuer side, never the person who answered."""
    return (
        order.state == OrderState.RESPONDED
        and order.responded_by_id != user.pk
        and on_issuer_side(user, order)
    )


def _attempt(form, call):
    """``run_action``, and a refusal by the action (the unit is outside the user's part) as an
    error on the form rather than an error page."""
    try:
        return run_action(form, call)
    except PermissionDenied:
        form.add_error(None, _("You may not do this for this unit."))
        return None


def _respond_draft(order: Order) -> str:
    return f"order-respond-{order.pk}"


def _live(order: Order, today) -> None:
    """The order's colour today and its reason in words (the stored colour moves daily)."""
    colour, reason = rules.order_colour(
        state=order.state,
        deadline=order.deadline,
        today=today,
        yellow_days=order.campaign.yellow_days,
    )
    order.live_colour, order.reason = colour, rules.describe_order(reason)


# --- the list -------------------------------------------------------------------------------


def _filter_units(user, current: Unit | None) -> list[Unit]:
    """The top units of the user's view and their children (and the chosen one): a short list
    to filter by, whatever the size of the tree."""
    roots = list(scope.roots(user, SupervisionPerm.VIEW).filter(is_active=True))
    units = list(
        Unit.objects.filter(
            Q(pk__in=[unit.pk for unit in roots]) | Q(parent__in=roots), is_active=True
        ).order_by("path")[:200]
    )
    if current is not None and current not in units:
        units.append(current)
    return units


@requires(SupervisionPerm.VIEW)
def order_list(request):
    user = request.user
    unit = None
    value = request.GET.get("unit")
    if value:
        unit = scope.units(user, SupervisionPerm.VIEW).filter(pk=id_or_404(value)).first()
        if unit is None:
            raise Http404
    groups = list(groups_visible_to(user).order_by("id")[:100])
    form = OrderFilterForm(request.GET or None, units=_filter_units(user, unit), groups=groups)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    group = data.get("group") or ""
    filters = queries.OrderFilters(
        unit=unit,
        state=data.get("state", ""),
        colour=data.get("colour", ""),
        group=parse_id(group),
        q=(data.get("q") or "").strip(),
    )
    page = paginate(request, queries.orders(user, filters).select_related("campaign"))
    today = actions.today()
    for order in page.object_list:
        _live(order, today)
    return render(
        request,
        "supervision/order_list.html",
        {
            "form": form,
            "page": page,
            "unit": unit,
            "can_issue": scope.holds(user, SupervisionPerm.VISIT),
        },
    )


# --- issuing --------------------------------------------------------------------------------


def _issuers(user, visit) -> dict:
    """Who the user may issue for: each of their groups, and the office of each campaign they
    manage. From a visit: only the visit's group."""
    if visit is not None:
        group = visit.group
        if not (is_member(user, group) or may_manage(user, group)):
            raise Http404
        return {f"g{group.pk}": (group.name, group, group.campaign)}
    issuers = {}
    person = getattr(user, "person", None)
    if person is not None:
        mine = (
            Group.objects.filter(members__person=person)
            .exclude(campaign__status=CampaignStatus.CLOSED)
            .select_related("campaign", "campaign__unit")
            .order_by("id")
        )
        for group in mine:
            issuers[f"g{group.pk}"] = (group.name, group, group.campaign)
    if scope.holds(user, SupervisionPerm.MANAGE):
        campaigns = (
            Campaign.objects.filter(scope.within(user, SupervisionPerm.MANAGE, "unit__path"))
            .exclude(status=CampaignStatus.CLOSED)
            .select_related("unit")
            .order_by("-start_date")[:20]
        )
        for campaign in campaigns:
            label = _("Campaign office (%(campaign)s)") % {"campaign": campaign.name}
            issuers[f"c{campaign.pk}"] = (label, None, campaign)
    return issuers


def _contacts(unit: Unit | None):
    """People who may answer for the unit: those of the unit and the level below (a short
    list; the action checks the person serves in the unit)."""
    if unit is None:
        return Person.objects.none()
    return (
        Person.objects.filter(
            scope.prefix_q("unit__path", unit.path),
            unit__depth__lte=unit.depth + 1,
            status=PersonStatus.ACTIVE,
        )
        .select_related("unit")
        .order_by("unit__path", "name")
    )


@requires(SupervisionPerm.VISIT)
def order_create(request):
    user = request.user
    visit = get_visit_for_user(user, request.GET["visit"]) if request.GET.get("visit") else None
    if visit is not None and visit.planned:
        messages.error(request, _("Orders are issued from a visit once it has been held."))
        return redirect("supervision:visit_detail", pk=visit.pk)
    issuers = _issuers(user, visit)
    if not issuers:
        raise Http404
    units = (
        scope.units(user, SupervisionPerm.VISIT).filter(pk=visit.unit_id).order_by("path")
        if visit is not None
        else scope.units(user, SupervisionPerm.VISIT).filter(is_active=True).order_by("path")
    )
    chosen = visit.unit if visit is not None else None
    value = request.POST.get("unit") or request.GET.get("unit")
    if chosen is None and parse_id(value) is not None:
        chosen = units.filter(pk=parse_id(value)).first()
    initial = {"source": OrderSource.VISIT if visit is not None else ""}
    if chosen is not None:
        initial["unit"] = chosen.pk
    form = OrderForm(
        request.POST or None,
        issuers=issuers,
        units=units,
        contacts=_contacts(chosen),
        initial=initial,
    )
    # "List its people" re-shows the form for the chosen unit without issuing anything.
    if request.method == "POST" and "pick_unit" not in request.POST and form.is_valid():
        data = form.cleaned_data
        group, campaign = data["issuer"]
        order = _attempt(
            form,
            lambda: actions.issue_order(
                user,
                campaign=campaign,
                group=group,
                unit=data["unit"],
                contact=data["contact"],
                problem=data["problem"],
                requirement=data["requirement"],
                deadline=data["deadline"],
                source=data["source"],
                visit=visit,
            ),
        )
        if order is not None:
            clear_draft_next(request, ORDER_DRAFT)
            messages.success(
                request,
                _("Order %(number)s issued to %(unit)s.")
                % {"number": order.number, "unit": order.unit.name},
            )
            return redirect("supervision:order_detail", pk=order.pk)
    return render(
        request,
        "supervision/order_form.html",
        {"form": form, "visit": visit, "unit": chosen, "draft": ORDER_DRAFT},
    )


# --- the order's page and its actions -------------------------------------------------------


def _link_forms(user, order: Order, data=None, kind: str = "") -> dict:
    """The onward-link forms the user may use (bound to ``data`` for the one posted)."""
    if not order.is_open or order.task_id or order.measure_id or not on_issuer_side(user, order):
        return {}
    forms = {}
    if scope.can(user, CampaignPerm.PLAN, order.unit):
        workstreams = Workstream.objects.filter(campaign_id=order.campaign_id).order_by(
            "order", "id"
        )
        forms["task_form"] = TaskLinkForm(data if kind == "task" else None, workstreams=workstreams)
    reports = list(
        Report.objects.filter(
            kind=ReportKind.UNIT, unit_id=order.unit_id, round__status=RoundStatus.OPEN
        )
        .select_related("round", "unit")
        .order_by("-round__opened_on", "-id")[:10]
    )
    if reports:
        items = (
            Item.objects.filter(
                dimension__catalogue_id__in={report.round.catalogue_id for report in reports},
                applies_to__in=[AppliesTo.BOTH, AppliesTo.UNIT],
            )
            .select_related("dimension")
            .order_by("dimension__catalogue_id", "dimension__order", "order")
        )
        forms["measure_form"] = MeasureLinkForm(
            data if kind == "measure" else None,
            reports=Report.objects.filter(pk__in=[report.pk for report in reports])
            .select_related("round", "unit")
            .order_by("-round__opened_on", "-id"),
            items=items,
            initial={"report": reports[0].pk} if len(reports) == 1 else None,
        )
    return forms


def _render_detail(request, order: Order, **bound):
    """The order's page; ``bound`` carries a posted form with its errors and the typed text."""
    user = request.user
    _live(order, actions.today())
    answers = may_answer(user, order)
    context = {
        "order": order,
        "files": list(order.files.all()),
        "history": history_for(order),
        "issuer_side": on_issuer_side(user, order),
        "may_acknowledge": answers and order.state == OrderState.ISSUED,
        "respond_form": RespondForm()
        if answers
        and order.state in (OrderState.ISSUED, OrderState.ACKNOWLEDGED, OrderState.RETURNED)
        else None,
        "may_verify": may_verify(user, order),
        "return_form": ReturnForm(),
        "task_visible": order.task_id is not None
        and scope.scope_of(user).covers(CampaignPerm.VIEW, order.task.unit_path),
        "measure_visible": order.measure_id is not None
        and order.measure.live
        and scope.scope_of(user).covers(SelfcheckPerm.VIEW, order.measure.unit_path),
        "errors": None,
        "respond_draft": _respond_draft(order),
        "draft_clear": drafts_to_clear(request),
        **_link_forms(user, order),
    }
    context.update(bound)
    return render(request, "supervision/order_detail.html", context)


@signed_in
def order_detail(request, pk):
    return _render_detail(request, get_order_for_user(request.user, pk))


def _done(request, order: Order, text: str):
    messages.success(request, text)
    return redirect("supervision:order_detail", pk=order.pk)


@requires(SupervisionPerm.ANSWER)
@require_POST
def order_acknowledge(request, pk):
    order = get_order_for_user(request.user, pk)
    errors = ActionErrors()
    if run_action(errors, lambda: actions.acknowledge_order(request.user, order=order)):
        return _done(request, order, _("Acknowledged: the issuer now knows the unit has it."))
    return _render_detail(request, order, errors=errors)


@requires(SupervisionPerm.ANSWER)
@require_POST
def order_respond(request, pk):
    order = get_order_for_user(request.user, pk)
    form = RespondForm(request.POST, request.FILES)
    if form.is_valid() and run_action(
        form,
        lambda: actions.respond_order(
            request.user,
            order=order,
            response=form.cleaned_data["response"],
            files=form.cleaned_data["files"],
        ),
    ):
        clear_draft_next(request, _respond_draft(order))
        return _done(request, order, _("Answer sent; it now waits for verification."))
    return _render_detail(request, order, respond_form=form)


@requires(SupervisionPerm.VISIT)
@require_POST
def order_verify(request, pk):
    order = get_order_for_user(request.user, pk)
    errors = ActionErrors()
    if run_action(errors, lambda: actions.verify_order(request.user, order=order)):
        return _done(request, order, _("Verified: the order is closed."))
    return _render_detail(request, order, errors=errors)


@requires(SupervisionPerm.VISIT)
@require_POST
def order_return(request, pk):
    order = get_order_for_user(request.user, pk)
    form = ReturnForm(request.POST)
    if form.is_valid() and run_action(
        form,
        lambda: actions.return_order(request.user, order=order, reason=form.cleaned_data["reason"]),
    ):
        return _done(request, order, _("Returned to the unit with your reason."))
    return _render_detail(request, order, return_form=form)


@requires(SupervisionPerm.VISIT)
@require_POST
def order_link(request, pk):
    user = request.user
    order = get_order_for_user(user, pk)
    kind = request.POST.get("kind", "")
    forms = _link_forms(user, order, request.POST, kind)
    form = forms.get(f"{kind}_form")
    if form is None:
        # Already linked, not the issuer's side, or no such link open to the user.
        raise PermissionDenied
    if form.is_valid():
        data = form.cleaned_data
        if kind == "task":
            linked = _attempt(
                form,
                lambda: actions.order_to_task(user, order=order, workstream=data["workstream"]),
            )
            text = _("The order is now a campaign task of the unit.")
        else:
            linked = _attempt(
                form,
                lambda: actions.order_to_measure(
                    user, order=order, report=data["report"], item=data["item"]
                ),
            )
            text = _("The order is now a rectification measure in the unit's ledger.")
        if linked is not None:
            return _done(request, order, text)
    return _render_detail(request, order, **forms)
