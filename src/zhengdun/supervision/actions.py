"""Every change to supervision: groups and assignments, visits, draws, scorecards, the 六抓
checklist and follow-up orders. Each action checks permission, validates, writes, audits and
notifies in one transaction."""

import secrets
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengdun.audit.codes import Code
from zhengdun.audit.log import record
from zhengdun.campaigns.models import Campaign
from zhengdun.core import uploads
from zhengdun.core.warnings import Thresholds
from zhengdun.notify.actions import send
from zhengdun.org import scope
from zhengdun.org.models import Person, PersonStatus, Unit
from zhengdun.org.queries import role_holders
from zhengdun.org.roles import Role
from zhengdun.supervision import rules
from zhengdun.supervision.models import (
    OPEN_ORDER_STATES,
    Aspect,
    Assignment,
    ChecklistEntry,
    Draw,
    DrawKind,
    Duty,
    Group,
    Member,
    Order,
    OrderFile,
    OrderSource,
    OrderState,
    Scorecard,
    ScoreLine,
    ScoreTemplate,
    Visit,
    VisitFile,
    VisitKind,
    VisitMode,
)
from zhengdun.supervision.permissions import SupervisionPerm, is_member, may_manage


def today() -> date:
    return timezone.localdate()


def _moment(on: date | None) -> datetime:
    """When something done ``on`` happened: now, or mid-afternoon of a past day."""
    if on is None or on >= today():
        return timezone.now()
    return timezone.make_aware(datetime.combine(on, time(15, 0)))


def _require(actor, perm: str, unit: Unit) -> None:
    if not scope.can(actor, perm, unit):
        raise PermissionDenied


def _require_group_work(actor, group: Group, unit: Unit) -> None:
    """Group work (visits, scores, orders) is done by the group's members in its units, or by
    the office."""
    _require(actor, SupervisionPerm.VISIT, unit)
    if not (is_member(actor, group) or may_manage(actor, group)):
        raise PermissionDenied


# Groups and assignments --------------------------------------------------------------------


def create_group(
    actor,
    *,
    campaign: Campaign,
    name: str,
    members: Iterable[tuple[Person, bool]] = (),
    min_days: int = 15,
    note: str = "",
) -> Group:
    """A group with its members ((person, is_leader) pairs)."""
    _require(actor, SupervisionPerm.MANAGE, campaign.unit)
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("Enter a name.")
    elif Group.objects.filter(campaign=campaign, name=name).exists():
        errors["name"] = _("This campaign already has a group of that name.")
    if not 1 <= min_days <= 31:
        errors["min_days"] = _("Between 1 and 31 days.")
    members = list(members)
    if len({person.pk for person, _leader in members}) != len(members):
        errors["members"] = _("A person is listed twice.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        group = Group.objects.create(campaign=campaign, name=name, min_days=min_days, note=note)
        Member.objects.bulk_create(
            Member(group=group, person=person, is_leader=leader) for person, leader in members
        )
        record(
            actor=actor,
            code=Code.SUPERVISION_GROUP_CREATED,
            obj=group,
            unit=campaign.unit,
            changes={
                "name": name,
                "members": "、".join(person.name for person, _leader in members),
            },
        )
    return group


def set_members(actor, *, group: Group, members: Iterable[tuple[Person, bool]]) -> Group:
    if not may_manage(actor, group):
        raise PermissionDenied
    members = list(members)
    if len({person.pk for person, _leader in members}) != len(members):
        raise ValidationError({"members": _("A person is listed twice.")})
    with transaction.atomic():
        before = "、".join(m.person.name for m in group.members.select_related("person"))
        group.members.all().delete()
        Member.objects.bulk_create(
            Member(group=group, person=person, is_leader=leader) for person, leader in members
        )
        after = "、".join(person.name for person, _leader in members)
        record(
            actor=actor,
            code=Code.SUPERVISION_MEMBERS_SET,
            obj=group,
            unit=group.campaign.unit,
            changes={"members": [before, after]},
        )
    _forget_members(members)
    return group


def _forget_members(members) -> None:
    for person, _leader in members:
        if person.user_id:
            scope.forget(person.user)


def assign(
    actor, *, group: Group, unit: Unit, starts_on: date, ends_on: date | None = None
) -> Assignment:
    """Put a unit (and its subtree) in the group's care. Gaps and overlaps between groups are
    allowed (a handover takes a day or two) and shown as warnings on the coverage page."""
    if not may_manage(actor, group):
        raise PermissionDenied
    campaign_path = group.campaign.unit.path
    if not unit.path.startswith(campaign_path):
        raise ValidationError({"unit": _("The unit is not in the campaign.")})
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end cannot be before the start.")})
    with transaction.atomic():
        assignment = Assignment.objects.create(
            group=group, unit=unit, starts_on=starts_on, ends_on=ends_on
        )
        record(
            actor=actor,
            code=Code.SUPERVISION_ASSIGNED,
            obj=group,
            unit=unit,
            changes={"unit": unit.name, "starts_on": starts_on, "ends_on": ends_on},
        )
    return assignment


def end_assignment(actor, *, assignment: Assignment, ends_on: date) -> Assignment:
    if not may_manage(actor, assignment.group):
        raise PermissionDenied
    if ends_on < assignment.starts_on:
        raise ValidationError({"ends_on": _("The end cannot be before the start.")})
    with transaction.atomic():
        old = assignment.ends_on
        assignment.ends_on = ends_on
        assignment.save(update_fields=["ends_on"])
        record(
            actor=actor,
            code=Code.SUPERVISION_ASSIGNED,
            obj=assignment.group,
            unit=assignment.unit,
            changes={"unit": assignment.unit.name, "ends_on": [old, ends_on]},
        )
    return assignment


# Visits --------------------------------------------------------------------------------------


def log_visit(
    actor,
    *,
    group: Group,
    unit: Unit,
    start_date: date,
    end_date: date,
    mode: str,
    kind: str,
    present: Iterable[Person] = (),
    notes: str = "",
    files: Iterable = (),
    planned: bool = False,
    draw: Draw | None = None,
) -> Visit:
    """A visit on site (or, from the planner, one planned). Members present must be members
    of the group."""
    _require_group_work(actor, group, unit)
    errors = {}
    if end_date < start_date:
        errors["end_date"] = _("The last day cannot be before the first.")
    elif (end_date - start_date).days > 31:
        errors["end_date"] = _("A stay longer than a month is several visits.")
    if mode not in VisitMode.values:
        errors["mode"] = _("Choose a mode.")
    if kind not in VisitKind.values:
        errors["kind"] = _("Choose a kind.")
    if not planned and start_date > today():
        errors["start_date"] = _("A visit held cannot start in the future; plan it instead.")
    present = list(present)
    member_ids = set(group.members.values_list("person_id", flat=True))
    strangers = [person.name for person in present if person.pk not in member_ids]
    if strangers:
        errors["present"] = _("Not members of the group: %(names)s") % {
            "names": "、".join(strangers)
        }
    if draw is not None and not draw.is_drawn:
        errors["draw"] = _("The draw has not been made yet.")
    if errors:
        raise ValidationError(errors)
    checked = uploads.check_all(files)
    with transaction.atomic():
        visit = Visit.objects.create(
            group=group,
            unit=unit,
            unit_path=unit.path,
            start_date=start_date,
            end_date=end_date,
            mode=mode,
            kind=kind,
            planned=planned,
            notes=notes.strip(),
            draw=draw,
            created_by=actor,
        )
        visit.present.set(present)
        for upload, facts in checked:
            VisitFile.objects.create(visit=visit, file=upload, **facts)
        record(
            actor=actor,
            code=Code.SUPERVISION_VISIT_PLANNED if planned else Code.SUPERVISION_VISIT_LOGGED,
            obj=visit,
            unit=unit,
            changes={
                "group": group.name,
                "start_date": start_date,
                "end_date": end_date,
                "mode": mode,
                "kind": kind,
                "present": "、".join(person.name for person in present),
                "files": "、".join(facts["name"] for _upload, facts in checked),
            },
        )
    return visit


def confirm_visit(actor, *, visit: Visit, present: Iterable[Person] = (), notes: str = "") -> Visit:
    """A planned visit took place: it now counts its days."""
    _require_group_work(actor, visit.group, visit.unit)
    if not visit.planned:
        raise ValidationError(_("This visit is already recorded as held."))
    if visit.start_date > today():
        raise ValidationError(_("A visit cannot be confirmed before its first day."))
    with transaction.atomic():
        visit.planned = False
        if notes.strip():
            visit.notes = notes.strip()
        visit.version += 1
        visit.save(update_fields=["planned", "notes", "version"])
        present = list(present)
        if present:
            visit.present.set(present)
        record(
            actor=actor,
            code=Code.SUPERVISION_VISIT_LOGGED,
            obj=visit,
            unit=visit.unit,
            changes={"planned": [True, False]},
        )
    return visit


def adopt_plan(
    actor, *, group: Group, stays: Iterable[rules.PlannedStay], mode: str
) -> list[Visit]:
    """Save the planner's proposal as planned resident visits."""
    units = {unit.pk: unit for unit in Unit.objects.filter(pk__in={s.unit_id for s in stays})}
    with transaction.atomic():
        return [
            log_visit(
                actor,
                group=group,
                unit=units[stay.unit_id],
                start_date=stay.start,
                end_date=stay.end,
                mode=mode,
                kind=VisitKind.RESIDENT,
                planned=True,
            )
            for stay in stays
        ]


# Draws ---------------------------------------------------------------------------------------


def seal_draw(
    actor,
    *,
    campaign: Campaign,
    kind: str,
    unit: Unit,
    period_start: date,
    period_end: date,
    count: int,
    group: Group | None = None,
    on: date | None = None,
) -> Draw:
    """Fix and record the seed of a draw before anyone sees the candidates."""
    _require(actor, SupervisionPerm.VISIT, unit)
    if group is not None and not (is_member(actor, group) or may_manage(actor, group)):
        raise PermissionDenied
    errors = {}
    if kind not in DrawKind.values:
        errors["kind"] = _("Choose what to draw.")
    if period_end < period_start:
        errors["period_end"] = _("The end cannot be before the start.")
    if not 1 <= count <= 100:
        errors["count"] = _("Draw between 1 and 100.")
    if not unit.path.startswith(campaign.unit.path):
        errors["unit"] = _("The unit is not in the campaign.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        draw = Draw.objects.create(
            campaign=campaign,
            group=group,
            kind=kind,
            unit=unit,
            unit_path=unit.path,
            period_start=period_start,
            period_end=period_end,
            count=count,
            seed=secrets.token_hex(16),
            sealed_at=_moment(on),
        )
        record(
            actor=actor,
            code=Code.SUPERVISION_DRAW_SEALED,
            obj=draw,
            unit=unit,
            changes={"kind": kind, "count": count, "seed": draw.seed},
        )
    return draw


def draw_candidates(draw: Draw) -> tuple[list[list], bool]:
    """The candidates in a fixed order, without those drawn already in the same month (same
    campaign and kind) unless that leaves too few: then everyone, and ``exhausted``."""
    if draw.kind == DrawKind.UNITS:
        rows = (
            Unit.objects.filter(
                scope.prefix_q("path", draw.unit.path), depth=draw.unit.depth + 1, is_active=True
            )
            .order_by("path")
            .values_list("pk", "name")
        )
    else:
        rows = (
            Person.objects.filter(unit=draw.unit, status=PersonStatus.ACTIVE)
            .order_by("police_number", "pk")
            .values_list("pk", "name")
        )
    everyone = [[pk, name] for pk, name in rows]
    month = rules.month_of(draw.period_start)
    earlier = Draw.objects.filter(
        campaign=draw.campaign,
        kind=draw.kind,
        drawn_at__isnull=False,
        period_start__gte=month,
        period_start__lte=rules.month_end(month),
    ).exclude(pk=draw.pk)
    taken = {pk for result in earlier.values_list("result", flat=True) for pk, _name in result}
    fresh = [row for row in everyone if row[0] not in taken]
    if len(fresh) < min(draw.count, len(everyone)):
        return everyone, True
    return fresh, False


def make_draw(actor, *, draw: Draw, on: date | None = None) -> Draw:
    """List the candidates and pick from them with the sealed seed."""
    _require(actor, SupervisionPerm.VISIT, draw.unit)
    if draw.group is not None and not (
        is_member(actor, draw.group) or may_manage(actor, draw.group)
    ):
        raise PermissionDenied
    if draw.is_drawn:
        raise ValidationError(_("This draw has been made already."))
    with transaction.atomic():
        draw = Draw.objects.select_for_update().get(pk=draw.pk)
        if draw.is_drawn:
            raise ValidationError(_("This draw has been made already."))
        candidates, exhausted = draw_candidates(draw)
        if not candidates:
            raise ValidationError(_("There is no one to draw from."))
        draw.candidates = candidates
        draw.exhausted = exhausted
        draw.result = rules.draw(draw.seed, candidates, draw.count)
        draw.drawn_at = _moment(on)
        draw.drawn_by = actor
        draw.save(update_fields=["candidates", "exhausted", "result", "drawn_at", "drawn_by"])
        record(
            actor=actor,
            code=Code.SUPERVISION_DRAW_MADE,
            obj=draw,
            unit=draw.unit,
            changes={
                "seed": draw.seed,
                "candidates": len(candidates),
                "result": "、".join(name for _pk, name in draw.result),
            },
        )
    return draw


def rerun_draw(draw: Draw) -> list:
    """What the stored seed and candidates give: anyone may check it equals the result."""
    return rules.draw(draw.seed, draw.candidates, draw.count)


# Scorecards ----------------------------------------------------------------------------------


def create_score_template(actor, *, name: str, aspects: list[dict], unit: Unit) -> ScoreTemplate:
    """A new version of a scorecard template: aspects with weight and maximum points."""
    _require(actor, SupervisionPerm.MANAGE, unit)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter a name.")})
    if not aspects:
        raise ValidationError({"aspects": _("Add at least one aspect.")})
    for aspect in aspects:
        if not (aspect.get("name") or "").strip() or aspect.get("weight", 0) <= 0:
            raise ValidationError({"aspects": _("Every aspect needs a name and a weight.")})
        if aspect.get("max_points", 0) <= 0:
            raise ValidationError({"aspects": _("Every aspect needs its maximum points.")})
    with transaction.atomic():
        latest = ScoreTemplate.objects.filter(name=name).order_by("-version").first()
        template = ScoreTemplate.objects.create(
            name=name, version=(latest.version + 1) if latest else 1
        )
        Aspect.objects.bulk_create(
            Aspect(
                template=template,
                order=index,
                name=aspect["name"].strip(),
                guidance=aspect.get("guidance", ""),
                weight=aspect["weight"],
                max_points=aspect["max_points"],
            )
            for index, aspect in enumerate(aspects)
        )
        record(
            actor=actor,
            code=Code.SUPERVISION_TEMPLATE_VERSIONED,
            obj=template,
            unit=unit,
            changes={"name": name, "version": template.version, "count": len(aspects)},
        )
    return template


def _points(value, aspect: Aspect) -> Decimal:
    try:
        points = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {f"aspect_{aspect.pk}": _("%(aspect)s: enter a number.") % {"aspect": aspect.name}}
        ) from None
    if not 0 <= points <= aspect.max_points:
        raise ValidationError(
            {
                f"aspect_{aspect.pk}": _("%(aspect)s: between 0 and %(max)d points.")
                % {"aspect": aspect.name, "max": aspect.max_points}
            }
        )
    return points


def score_visit(
    actor,
    *,
    visit: Visit,
    template: ScoreTemplate,
    points: dict[int, object],
    remarks: dict[int, str] | None = None,
    summary: str = "",
) -> Scorecard:
    """Score a held visit on every aspect of the template (scoring again replaces it)."""
    _require_group_work(actor, visit.group, visit.unit)
    if visit.planned:
        raise ValidationError(_("Score a visit once it has been held."))
    aspects = list(template.aspects.all())
    remarks = remarks or {}
    errors = {}
    values = {}
    for aspect in aspects:
        if points.get(aspect.pk) in (None, ""):
            errors[f"aspect_{aspect.pk}"] = _("%(aspect)s: enter the points.") % {
                "aspect": aspect.name
            }
            continue
        try:
            values[aspect.pk] = _points(points[aspect.pk], aspect)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    total = rules.score_total((a.weight, a.max_points, values[a.pk]) for a in aspects)
    with transaction.atomic():
        old = Scorecard.objects.filter(visit=visit).first()
        before = str(old.total) if old else None
        if old:
            old.delete()
        card = Scorecard.objects.create(
            visit=visit,
            template=template,
            total=total,
            remarks=summary.strip(),
            scored_by=actor,
            unit=visit.unit,
            unit_path=visit.unit_path,
            visited_on=visit.start_date,
            version=(old.version + 1) if old else 1,
        )
        ScoreLine.objects.bulk_create(
            ScoreLine(
                scorecard=card,
                aspect=aspect,
                points=values[aspect.pk],
                remark=(remarks.get(aspect.pk) or "").strip()[:500],
            )
            for aspect in aspects
        )
        record(
            actor=actor,
            code=Code.SUPERVISION_SCORED,
            obj=visit,
            unit=visit.unit,
            changes={"score": [before, str(total)] if before else str(total)},
        )
    return card


# The 六抓 checklist ---------------------------------------------------------------------------


def record_duty(
    actor, *, group: Group, month: date, duty: str, note: str = "", file=None
) -> ChecklistEntry:
    """Record one of the six duties as done for a month, with a note or evidence."""
    if not (is_member(actor, group) or may_manage(actor, group)):
        raise PermissionDenied
    if duty not in Duty.values:
        raise ValidationError({"duty": _("Choose one of the six.")})
    note = (note or "").strip()
    if not note and file is None:
        raise ValidationError({"note": _("Give a note or attach evidence.")})
    month = rules.month_of(month)
    if month > rules.month_of(today()):
        raise ValidationError({"month": _("A future month cannot be recorded yet.")})
    facts = uploads.check(file) if file is not None else {}
    with transaction.atomic():
        entry, _created = ChecklistEntry.objects.get_or_create(
            group=group, month=month, duty=duty, defaults={"note": note}
        )
        entry.note = note or entry.note
        entry.updated_by = actor
        if file is not None:
            entry.file = file
            for key, value in facts.items():
                setattr(entry, key, value)
        entry.save()
        record(
            actor=actor,
            code=Code.SUPERVISION_DUTY_RECORDED,
            obj=group,
            unit=group.campaign.unit,
            changes={
                "month": month.strftime("%Y-%m"),
                "duty": duty,
                "note": note,
                "files": facts.get("name", ""),
            },
        )
    return entry


# Follow-up orders ----------------------------------------------------------------------------


def _next_number(issued_on: date) -> str:
    prefix = f"DB{issued_on:%Y}-"
    last = (
        Order.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    sequence = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{sequence:04d}"


def _refresh(order: Order, on: date) -> None:
    colour, _reason = rules.order_colour(
        state=order.state,
        deadline=order.deadline,
        today=on,
        yellow_days=Thresholds.of(order.campaign).yellow_days,
    )
    if colour != order.colour or order.colour_since is None:
        order.colour, order.colour_since, order.alert_level = colour, on, 0


def _tell(order: Order, users, kind: str, title: str) -> None:
    url = reverse("supervision:order_detail", args=[order.pk])
    for user in users:
        send(
            recipient=user,
            kind=kind,
            title=title,
            body=f"{order.number} · {order.unit.name}",
            url=url,
            dedupe_key=f"{kind}:{order.pk}:{order.version}",
        )


def _answerers(order: Order):
    # role_holders gives sets of users.
    users = [
        *role_holders(Role.LIAISON, order.unit_path, nearest=True),
        *role_holders(Role.UNIT_LEADER, order.unit_path, nearest=True),
    ]
    if order.contact_id and order.contact.user_id:
        users.append(order.contact.user)
    return list({user.pk: user for user in users}.values())


def issue_order(
    actor,
    *,
    campaign: Campaign,
    unit: Unit,
    problem: str,
    requirement: str,
    deadline: date,
    source: str,
    group: Group | None = None,
    visit: Visit | None = None,
    contact: Person | None = None,
    on: date | None = None,
) -> Order:
    """A group (through its members) or the office issues an order to a unit."""
    if group is not None:
        _require_group_work(actor, group, unit)
    else:
        _require(actor, SupervisionPerm.MANAGE, unit)
    on = on or today()
    errors = {}
    problem, requirement = (problem or "").strip(), (requirement or "").strip()
    if not problem:
        errors["problem"] = _("Describe the problem.")
    if not requirement:
        errors["requirement"] = _("Say what the unit must do.")
    if deadline < on:
        errors["deadline"] = _("The deadline cannot be in the past.")
    if source not in OrderSource.values:
        errors["source"] = _("Choose where the problem came from.")
    if not unit.path.startswith(campaign.unit.path):
        errors["unit"] = _("The unit is not in the campaign.")
    if visit is not None and (
        visit.unit_id != unit.pk or visit.group_id != getattr(group, "pk", None)
    ):
        errors["visit"] = _("The visit was not to this unit by this group.")
    if contact is not None and not contact.unit.path.startswith(unit.path):
        errors["contact"] = _("The contact person must serve in the unit.")
    if errors:
        raise ValidationError(errors)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                order = Order(
                    campaign=campaign,
                    number=_next_number(on),
                    group=group,
                    unit=unit,
                    unit_path=unit.path,
                    contact=contact,
                    problem=problem,
                    requirement=requirement,
                    deadline=deadline,
                    source=source,
                    visit=visit,
                    issued_on=on,
                    created_by=actor,
                )
                _refresh(order, on)
                order.save()
                record(
                    actor=actor,
                    code=Code.SUPERVISION_ORDER_ISSUED,
                    obj=order,
                    unit=unit,
                    changes={
                        "number": order.number,
                        "deadline": deadline,
                        "source": source,
                        "group": group.name if group else "",
                    },
                )
                _tell(
                    order, _answerers(order), "supervision.order.issued", _("New follow-up order")
                )
            return order
        except IntegrityError:
            continue
    raise ValidationError(_("Could not number the order; please try again."))


def _transition(actor, order: Order, code: Code, on: date, **fields) -> Order:
    with transaction.atomic():
        changes = {"state": [order.state, fields.get("state", order.state)]}
        for name, value in fields.items():
            setattr(order, name, value)
        order.version += 1
        _refresh(order, on)
        order.save()
        for name in ("response", "return_reason"):
            if name in fields:
                changes[name] = fields[name]
        record(actor=actor, code=code, obj=order, unit=order.unit, changes=changes)
    return order


def acknowledge_order(actor, *, order: Order, on: date | None = None) -> Order:
    _require(actor, SupervisionPerm.ANSWER, order.unit)
    if order.state != OrderState.ISSUED:
        raise ValidationError(_("Only a newly issued order is acknowledged."))
    on = on or today()
    return _transition(
        actor,
        order,
        Code.SUPERVISION_ORDER_ACKNOWLEDGED,
        on,
        state=OrderState.ACKNOWLEDGED,
        acknowledged_on=on,
    )


def respond_order(
    actor, *, order: Order, response: str, files: Iterable = (), on: date | None = None
) -> Order:
    """The unit says what it did, with evidence; the issuer then verifies or returns it."""
    _require(actor, SupervisionPerm.ANSWER, order.unit)
    if order.state not in (OrderState.ISSUED, OrderState.ACKNOWLEDGED, OrderState.RETURNED):
        raise ValidationError(_("This order is not waiting for a response."))
    response = (response or "").strip()
    if not response:
        raise ValidationError({"response": _("Say what was done.")})
    checked = uploads.check_all(files)
    on = on or today()
    with transaction.atomic():
        for upload, facts in checked:
            OrderFile.objects.create(order=order, file=upload, **facts)
        order = _transition(
            actor,
            order,
            Code.SUPERVISION_ORDER_RESPONDED,
            on,
            state=OrderState.RESPONDED,
            response=response,
            responded_on=on,
            responded_by=actor,
            acknowledged_on=order.acknowledged_on or on,
        )
        issuers = [order.created_by] if order.created_by_id else []
        _tell(order, issuers, "supervision.order.responded", _("A follow-up order was answered"))
    return order


def _require_verifier(actor, order: Order) -> None:
    if order.group_id is not None:
        _require_group_work(actor, order.group, order.unit)
    else:
        _require(actor, SupervisionPerm.MANAGE, order.unit)
    if order.responded_by_id == actor.pk:
        raise ValidationError(_("Someone other than the person who answered must verify it."))


def verify_order(actor, *, order: Order, on: date | None = None) -> Order:
    _require_verifier(actor, order)
    if order.state != OrderState.RESPONDED:
        raise ValidationError(_("Only an answered order can be verified."))
    on = on or today()
    return _transition(
        actor,
        order,
        Code.SUPERVISION_ORDER_CLOSED,
        on,
        state=OrderState.CLOSED,
        closed_on=on,
        closed_by=actor,
    )


def return_order(actor, *, order: Order, reason: str, on: date | None = None) -> Order:
    _require_verifier(actor, order)
    if order.state != OrderState.RESPONDED:
        raise ValidationError(_("Only an answered order can be returned."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why it is returned.")})
    on = on or today()
    order = _transition(
        actor,
        order,
        Code.SUPERVISION_ORDER_RETURNED,
        on,
        state=OrderState.RETURNED,
        return_reason=reason,
    )
    _tell(
        order, _answerers(order), "supervision.order.returned", _("A follow-up order was returned")
    )
    return order


def refresh_orders(on: date) -> int:
    """Move the stored colour of every open order to ``on``."""
    changed = []
    rows = Order.objects.filter(state__in=OPEN_ORDER_STATES).select_related("campaign")
    for order in rows.iterator(chunk_size=2000):
        colour = order.colour
        _refresh(order, on)
        if order.colour != colour:
            changed.append(order)
    Order.objects.bulk_update(changed, ["colour", "colour_since", "alert_level"], batch_size=2000)
    return len(changed)


# Onward: a campaign task or a rectification measure ------------------------------------------


def _require_linker(actor, order: Order) -> None:
    if order.group_id is not None:
        _require_group_work(actor, order.group, order.unit)
    else:
        _require(actor, SupervisionPerm.MANAGE, order.unit)
    if not order.is_open:
        raise ValidationError(_("A closed order is not carried further."))
    if order.task_id or order.measure_id:
        raise ValidationError(_("This order already has a task or a measure."))


def order_to_task(actor, *, order: Order, workstream, lead: Person | None = None) -> Order:
    """Turn the order into a campaign task of its unit (the campaign's rules then apply: the
    actor needs the right to plan tasks for the unit)."""
    from zhengdun.campaigns import actions as campaign_actions

    _require_linker(actor, order)
    if workstream.campaign_id != order.campaign_id:
        raise ValidationError({"workstream": _("Choose a workstream of the order's campaign.")})
    with transaction.atomic():
        task = campaign_actions.create_task(
            actor,
            campaign=order.campaign,
            workstream=workstream,
            unit=order.unit,
            title=_("Follow-up order %(number)s") % {"number": order.number},
            description=f"{order.problem}\n\n{order.requirement}",
            start_date=min(order.issued_on, today()),
            due_date=order.deadline,
            lead=lead or order.contact,
        )
        order.task = task
        order.version += 1
        order.save(update_fields=["task", "version"])
        record(
            actor=actor,
            code=Code.SUPERVISION_ORDER_LINKED,
            obj=order,
            unit=order.unit,
            changes={"task": task.title},
        )
    return order


def order_to_measure(actor, *, order: Order, report, item, owner: Person | None = None) -> Order:
    """Add the order's problem to the unit's self-inspection report as a finding, its
    requirement as a measure with the order's deadline (the ledger then follows it)."""
    from zhengdun.selfcheck import actions as selfcheck_actions

    _require_linker(actor, order)
    if report.unit_id != order.unit_id:
        raise ValidationError({"report": _("Choose the report of the order's unit.")})
    with transaction.atomic():
        _answer, measures = selfcheck_actions.add_finding(
            actor,
            report=report,
            item=item,
            description=order.problem,
            measures=[
                {
                    "text": order.requirement,
                    "owner": owner or order.contact,
                    "deadline": order.deadline,
                }
            ],
            code=Code.SUPERVISION_ORDER_LINKED,
            source=order.number,
            # _require_linker checked the issuer's side; they do not report for the unit.
            authorised=True,
        )
        order.measure = measures[0]
        order.version += 1
        order.save(update_fields=["measure", "version"])
        record(
            actor=actor,
            code=Code.SUPERVISION_ORDER_LINKED,
            obj=order,
            unit=order.unit,
            changes={"measures": measures[0].text[:60]},
        )
    return order
