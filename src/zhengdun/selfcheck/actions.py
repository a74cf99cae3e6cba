"""Every change to self-inspection: catalogue versions, rounds, reports, the ledger's measures,
meetings and opinions. Each action checks permission, validates, writes, keeps the tallies,
audits and notifies in one transaction."""

from collections.abc import Iterable
from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengdun.audit.codes import Code
from zhengdun.audit.log import record
from zhengdun.core import uploads
from zhengdun.core.versioning import apply_versioned
from zhengdun.notify.actions import send
from zhengdun.org import scope
from zhengdun.org.models import PATH_STEP, Grant, Person, PersonStatus, Unit
from zhengdun.org.roles import Role
from zhengdun.selfcheck import tally
from zhengdun.selfcheck.models import (
    Answer,
    AppliesTo,
    Catalogue,
    Dimension,
    Item,
    Measure,
    MeasureEvidence,
    MeasureState,
    Meeting,
    MeetingKind,
    Opinion,
    Report,
    ReportKind,
    ReportState,
    Round,
)
from zhengdun.selfcheck.permissions import SelfcheckPerm, may_edit, may_return, own_person
from zhengdun.selfcheck.warnings import assess_measure


def today() -> date:
    return timezone.localdate()


def _require(actor, perm: str, unit: Unit) -> None:
    if not scope.can(actor, perm, unit):
        raise PermissionDenied


# Catalogue ---------------------------------------------------------------------------------


def create_catalogue(actor, *, name: str, dimensions: list[dict], note: str = "") -> Catalogue:
    """A new version of a catalogue: dimensions, each with its items. Rounds already open keep
    the version they were opened with."""
    if actor is not None and not scope.holds(actor, SelfcheckPerm.PLAN):
        raise PermissionDenied
    name = (name or "").strip()
    errors = []
    if not name:
        errors.append(_("Give the catalogue a name."))
    codes = set()
    for dimension in dimensions:
        if not (dimension.get("name") or "").strip() or not dimension.get("items"):
            errors.append(_("Every dimension needs a name and at least one item."))
        for item in dimension.get("items", []):
            code = (item.get("code") or "").strip()
            if not code or not (item.get("title") or "").strip():
                errors.append(_("Every item needs a code and a title."))
            elif code in codes:
                errors.append(_("The item code %(code)s is used twice.") % {"code": code})
            codes.add(code)
            if item.get("applies_to", AppliesTo.BOTH) not in AppliesTo.values:
                errors.append(_("Item %(code)s: choose whom it applies to.") % {"code": code})
    if not dimensions:
        errors.append(_("A catalogue needs at least one dimension."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        last = Catalogue.objects.filter(name=name).order_by("-version").first()
        catalogue = Catalogue.objects.create(
            name=name, version=(last.version + 1) if last else 1, note=note
        )
        for order, dimension in enumerate(dimensions):
            row = Dimension.objects.create(
                catalogue=catalogue,
                code=(dimension.get("code") or str(order + 1)).strip(),
                name=dimension["name"].strip(),
                order=order,
            )
            Item.objects.bulk_create(
                Item(
                    dimension=row,
                    code=item["code"].strip(),
                    title=item["title"].strip(),
                    guidance=(item.get("guidance") or "").strip(),
                    applies_to=item.get("applies_to", AppliesTo.BOTH),
                    order=index,
                )
                for index, item in enumerate(dimension["items"])
            )
        record(
            actor=actor,
            code=Code.CATALOGUE_VERSIONED,
            obj=catalogue,
            changes={"name": name, "version": catalogue.version, "items": len(codes)},
        )
    return catalogue


# Rounds ------------------------------------------------------------------------------------


def _leader_user_ids(unit_ids: Iterable[int]) -> set[int]:
    return set(
        Grant.objects.filter(role=Role.UNIT_LEADER, unit_id__in=list(unit_ids)).values_list(
            "user_id", flat=True
        )
    )


def open_round(
    actor,
    *,
    name: str,
    catalogue: Catalogue,
    unit: Unit,
    due_date: date,
    for_units: bool = True,
    for_persons: bool = True,
    leaders_first: bool = True,
    opened_on: date | None = None,
) -> Round:
    """Open a round over a subtree: a draft report for every unit in use and every serving
    officer in it (leaders' personal reports marked)."""
    _require(actor, SelfcheckPerm.PLAN, unit)
    opened_on = opened_on or today()
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("Enter a name.")
    if due_date < opened_on:
        errors["due_date"] = _("Reports cannot be due before the round opens.")
    if not (for_units or for_persons):
        errors["for_units"] = _("Choose who reports: units, officers, or both.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        opened = Round.objects.create(
            name=name,
            catalogue=catalogue,
            unit=unit,
            for_units=for_units,
            for_persons=for_persons,
            leaders_first=leaders_first,
            opened_on=opened_on,
            due_date=due_date,
        )
        subtree = scope.prefix_q("path", unit.path)
        reports = []
        if for_units:
            reports += [
                Report(
                    round=opened,
                    kind=ReportKind.UNIT,
                    unit_id=pk,
                    unit_path=path,
                    branch=path[: 2 * PATH_STEP],
                )
                for pk, path in Unit.objects.filter(subtree, is_active=True).values_list(
                    "pk", "path"
                )
            ]
        if for_persons:
            people = Person.objects.filter(
                scope.prefix_q("unit__path", unit.path), status=PersonStatus.ACTIVE
            ).values_list("pk", "unit_id", "unit__path", "user_id")
            leaders = _leader_user_ids(Unit.objects.filter(subtree).values_list("pk", flat=True))
            reports += [
                Report(
                    round=opened,
                    kind=ReportKind.PERSON,
                    person_id=pk,
                    unit_id=unit_id,
                    unit_path=path,
                    branch=path[: 2 * PATH_STEP],
                    is_leader=user_id is not None and user_id in leaders,
                )
                for pk, unit_id, path, user_id in people
            ]
        Report.objects.bulk_create(reports, batch_size=2000)
        record(
            actor=actor,
            code=Code.ROUND_OPENED,
            obj=opened,
            unit=unit,
            changes={
                "name": name,
                "catalogue": str(catalogue),
                "due_date": due_date,
                "reports": len(reports),
            },
        )
    return opened


# Reports -----------------------------------------------------------------------------------


def applicable_items(report: Report):
    wanted = AppliesTo.UNIT if report.kind == ReportKind.UNIT else AppliesTo.PERSON
    return (
        Item.objects.filter(dimension__catalogue_id=report.round.catalogue_id)
        .filter(Q(applies_to=AppliesTo.BOTH) | Q(applies_to=wanted))
        .select_related("dimension")
        .order_by("dimension__order", "order")
    )


def _owners_ok(report: Report, owner: Person | None) -> bool:
    return owner is None or owner.unit.path.startswith(report.unit_path[: 2 * PATH_STEP])


def save_report(
    actor, *, report: Report, version: int, answers: list[dict], on: date | None = None
):
    """Save a draft: for each item whether a problem was found, what and why, and the measures
    for it ({"item", "found", "description", "cause", "measures": [{"text", "owner",
    "deadline"}]}). Items not given keep no answer (nothing found). Locked once submitted."""
    if not may_edit(actor, report):
        raise PermissionDenied
    if report.is_locked:
        raise ValidationError(_("This report has been submitted and is locked."))
    items = {item.pk: item for item in applicable_items(report)}
    errors: dict[str, list[str]] = {}
    cleaned = []
    for answer in answers:
        item = answer["item"]
        key = f"item_{getattr(item, 'pk', item)}"
        if getattr(item, "pk", None) not in items:
            errors.setdefault(key, []).append(_("This item is not in the round's catalogue."))
            continue
        found = bool(answer.get("found"))
        description = (answer.get("description") or "").strip()
        cause = (answer.get("cause") or "").strip()
        measures = [m for m in answer.get("measures", []) if (m.get("text") or "").strip()]
        if found and not description:
            errors.setdefault(key, []).append(_("Describe what was found."))
        if not found and measures:
            errors.setdefault(key, []).append(_("Measures belong to a problem that was found."))
        for measure in measures:
            if not _owners_ok(report, measure.get("owner")):
                errors.setdefault(key, []).append(
                    _("The responsible person must serve in the reporting unit's bureau.")
                )
            deadline = measure.get("deadline")
            if deadline is not None and deadline < report.round.opened_on:
                errors.setdefault(key, []).append(
                    _("A deadline cannot be before the round opened.")
                )
        if found or description or cause:
            cleaned.append((items[item.pk], found, description, cause, measures))
    if errors:
        raise ValidationError(errors)
    on = on or today()
    with transaction.atomic():
        delta = apply_versioned(
            report, version=version, changes={"findings": sum(1 for c in cleaned if c[1])}
        )
        report.answers.all().delete()  # a draft's measures are not in the ledger yet
        for item, found, description, cause, measures in cleaned:
            answer = Answer.objects.create(
                report=report, item=item, found=found, description=description, cause=cause
            )
            Measure.objects.bulk_create(
                Measure(
                    answer=answer,
                    round_id=report.round_id,
                    item=item,
                    unit_id=report.unit_id,
                    unit_path=report.unit_path,
                    branch=report.branch,
                    text=measure["text"].strip(),
                    owner=measure.get("owner")
                    or (report.person if report.kind == ReportKind.PERSON else None),
                    deadline=measure.get("deadline"),
                    start_date=on,
                )
                for measure in measures
            )
        if report.state == ReportState.RETURNED:
            Report.objects.filter(pk=report.pk).update(state=ReportState.DRAFT)
            report.state = ReportState.DRAFT
        record(actor=actor, code=Code.REPORT_SAVED, obj=report, unit=report.unit, changes=delta)
    return report


def _leaders_pending(report: Report) -> list[Report]:
    """Personal reports of the unit's leaders in the round that are not submitted yet."""
    leaders = Grant.objects.filter(role=Role.UNIT_LEADER, unit_id=report.unit_id).values("user_id")
    return list(
        Report.objects.filter(
            round_id=report.round_id, kind=ReportKind.PERSON, person__user_id__in=leaders
        )
        .exclude(state=ReportState.SUBMITTED)
        .select_related("person")
    )


def submit_report(actor, *, report: Report, on: date | None = None) -> Report:
    """Submit: the report locks and its measures enter the ledger. A unit reports after its
    leaders (when the round asks for it); every problem found needs a measure."""
    if not may_edit(actor, report):
        raise PermissionDenied
    if report.is_locked:
        raise ValidationError(_("This report has already been submitted."))
    if report.kind == ReportKind.UNIT and report.round.leaders_first:
        pending = _leaders_pending(report)
        if pending:
            raise ValidationError(
                _("The leaders report first: %(names)s have not submitted their personal reports.")
                % {"names": "、".join(item.person.name for item in pending)}
            )
    findings = list(report.answers.filter(found=True).select_related("item"))
    bare = [answer.item.code for answer in findings if not answer.measures.exists()]
    if bare:
        raise ValidationError(
            _("Every problem found needs at least one measure; missing for %(items)s.")
            % {"items": "、".join(bare)}
        )
    on = on or today()
    with transaction.atomic():
        Report.objects.filter(pk=report.pk).update(
            state=ReportState.SUBMITTED,
            submitted_at=timezone.now(),
            submitted_by=actor,
            findings=len(findings),
            return_comment="",
        )
        report.state = ReportState.SUBMITTED
        for answer in findings:
            tally.apply(report.round_id, answer.item_id, report.unit_path, [tally.FINDING], +1)
        for measure in Measure.objects.filter(answer__report=report).select_related("round"):
            measure.live = True
            _refresh(measure, on)
            Measure.objects.filter(pk=measure.pk).update(
                live=True,
                colour=measure.colour,
                colour_since=measure.colour_since,
                bucket=measure.bucket,
            )
            tally.move_measure(measure, [])
        record(
            actor=actor,
            code=Code.REPORT_SUBMITTED,
            obj=report,
            unit=report.unit,
            changes={"findings": len(findings)},
        )
    return report


def return_report(actor, *, report: Report, comment: str) -> Report:
    """The superior sends a submitted report back with comments; its measures leave the ledger
    until it is submitted again."""
    if not may_return(actor, report):
        raise PermissionDenied
    if report.state != ReportState.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be returned."))
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Say what needs revising.")})
    measures = list(Measure.objects.filter(answer__report=report))
    if any(
        measure.state in (MeasureState.COMPLETED, MeasureState.VERIFIED) for measure in measures
    ):
        raise ValidationError(
            _("Some of its measures are already completed: it can no longer be returned.")
        )
    with transaction.atomic():
        Report.objects.filter(pk=report.pk).update(
            state=ReportState.RETURNED, return_comment=comment
        )
        report.state, report.return_comment = ReportState.RETURNED, comment
        for answer in report.answers.filter(found=True):
            tally.apply(report.round_id, answer.item_id, report.unit_path, [tally.FINDING], -1)
        for measure in measures:
            before = tally.measure_kinds(measure)
            measure.live = False
            Measure.objects.filter(pk=measure.pk).update(live=False)
            tally.move_measure(measure, before)
        record(
            actor=actor,
            code=Code.REPORT_RETURNED,
            obj=report,
            unit=report.unit,
            changes={"comment": comment},
        )
        for user in _authors(report):
            send(
                recipient=user,
                kind="selfcheck.report.returned",
                title=_("Your self-inspection report was returned"),
                body=comment,
                url=reverse("selfcheck:report_detail", args=[report.pk]),
            )
    return report


def _authors(report: Report):
    if report.kind == ReportKind.PERSON:
        user = report.person.user if report.person_id else None
        return [user] if user is not None else []
    users = Grant.objects.filter(
        unit_id=report.unit_id, role__in=(Role.UNIT_LEADER, Role.LIAISON)
    ).values_list("user_id", flat=True)
    return list(get_user_model().objects.filter(pk__in=users, is_active=True))


# Measures ----------------------------------------------------------------------------------


def _refresh(measure: Measure, on: date) -> None:
    """Set the measure's stored colour and heat-map bucket for ``on``."""
    colour, _reason = assess_measure(measure, on)
    if colour != measure.colour or measure.colour_since is None:
        measure.colour, measure.colour_since, measure.alert_level = colour, on, 0
    measure.bucket = tally.bucket_of(measure, on)


def _may_work_on(actor, measure: Measure) -> bool:
    person = own_person(actor)
    return (person is not None and measure.owner_id == person.pk) or scope.can(
        actor, SelfcheckPerm.REPORT, measure.unit
    )


def _save_measure(measure: Measure, before: list[str], fields: list[str], on: date) -> None:
    _refresh(measure, on)
    Measure.objects.filter(pk=measure.pk).update(
        **{
            name: getattr(measure, name)
            for name in [*fields, "colour", "colour_since", "alert_level", "bucket"]
        },
    )
    tally.move_measure(measure, before)


def report_measure_progress(
    actor, *, measure: Measure, progress: int, note: str = "", on: date | None = None
):
    if not _may_work_on(actor, measure):
        raise PermissionDenied
    if not measure.is_open:
        raise ValidationError(_("This measure is closed."))
    if not 0 <= progress <= 100:
        raise ValidationError({"progress": _("Enter a percentage from 0 to 100.")})
    on = on or today()
    with transaction.atomic():
        before = tally.measure_kinds(measure)
        old = measure.progress
        measure.progress = progress
        measure.state = MeasureState.IN_PROGRESS
        _save_measure(measure, before, ["progress", "state"], on)
        record(
            actor=actor,
            code=Code.MEASURE_PROGRESS,
            obj=measure,
            unit=measure.unit,
            changes={"progress": [old, progress], "note": note},
        )
    return measure


def complete_measure(
    actor, *, measure: Measure, note: str, files: Iterable = (), on: date | None = None
):
    """The owner (or the unit) reports the measure done, with what was done and its evidence."""
    if not _may_work_on(actor, measure):
        raise PermissionDenied
    if not measure.is_open:
        raise ValidationError(_("This measure is already closed."))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say what was done.")})
    checked = uploads.check_all(files)
    on = on or today()
    with transaction.atomic():
        for upload, facts in checked:
            MeasureEvidence.objects.create(measure=measure, file=upload, **facts)
        before = tally.measure_kinds(measure)
        measure.state = MeasureState.COMPLETED
        measure.progress = 100
        measure.completed_on = on
        measure.completed_by = actor
        measure.completion_note = note
        measure.rejection_reason = ""
        _save_measure(
            measure,
            before,
            [
                "state",
                "progress",
                "completed_on",
                "completed_by",
                "completion_note",
                "rejection_reason",
            ],
            on,
        )
        record(
            actor=actor,
            code=Code.MEASURE_COMPLETED,
            obj=measure,
            unit=measure.unit,
            changes={"note": note, "files": "、".join(facts["name"] for _upload, facts in checked)},
        )
    return measure


def verify_measure(actor, *, measure: Measure, on: date | None = None) -> Measure:
    """The superior or a supervision group confirms a completed measure: never the person who
    completed it."""
    _require(actor, SelfcheckPerm.VERIFY, measure.unit)
    if measure.state != MeasureState.COMPLETED:
        raise ValidationError(_("Only a completed measure can be verified."))
    if measure.completed_by_id == actor.pk:
        raise ValidationError(_("Someone other than the person who completed it must verify it."))
    on = on or today()
    with transaction.atomic():
        before = tally.measure_kinds(measure)
        measure.state = MeasureState.VERIFIED
        measure.verified_on = on
        measure.verified_by = actor
        _save_measure(measure, before, ["state", "verified_on", "verified_by"], on)
        record(
            actor=actor,
            code=Code.MEASURE_VERIFIED,
            obj=measure,
            unit=measure.unit,
            changes={"state": "verified"},
        )
    return measure


def reject_measure(actor, *, measure: Measure, reason: str, on: date | None = None) -> Measure:
    """Not done: the measure reopens, with the reason for its owner."""
    _require(actor, SelfcheckPerm.VERIFY, measure.unit)
    if measure.state != MeasureState.COMPLETED:
        raise ValidationError(_("Only a completed measure can be rejected."))
    if measure.completed_by_id == actor.pk:
        raise ValidationError(_("Someone other than the person who completed it must check it."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for rejecting.")})
    on = on or today()
    with transaction.atomic():
        before = tally.measure_kinds(measure)
        measure.state = MeasureState.IN_PROGRESS
        measure.rejection_reason = reason
        measure.completed_on = None
        measure.progress = min(measure.progress, 90)
        _save_measure(
            measure, before, ["state", "rejection_reason", "completed_on", "progress"], on
        )
        record(
            actor=actor,
            code=Code.MEASURE_REJECTED,
            obj=measure,
            unit=measure.unit,
            changes={"reason": reason},
        )
        recipients = {measure.completed_by} if measure.completed_by_id else set()
        if measure.owner_id and measure.owner.user_id:
            recipients.add(measure.owner.user)
        for user in recipients:
            send(
                recipient=user,
                kind="selfcheck.measure.rejected",
                title=_("A rectification measure was not accepted"),
                body=f"{measure.text[:80]} · {reason}",
                url=reverse("selfcheck:measure_detail", args=[measure.pk]),
            )
    return measure


# Meetings and opinions ---------------------------------------------------------------------


def record_meeting(
    actor,
    *,
    unit: Unit,
    kind: str,
    held_on: date,
    minutes: str = "",
    criticism: str = "",
    attendees: Iterable[Person] = (),
    round: Round | None = None,
) -> Meeting:
    _require(actor, SelfcheckPerm.REPORT, unit)
    if kind not in MeetingKind.values:
        raise ValidationError({"kind": _("Choose the kind of meeting.")})
    if held_on > today():
        raise ValidationError({"held_on": _("A meeting is recorded once it has been held.")})
    attendees = list(attendees)
    if any(not person.unit.path.startswith(unit.path[: 2 * PATH_STEP]) for person in attendees):
        raise ValidationError({"attendees": _("Attendees must serve in the unit's bureau.")})
    with transaction.atomic():
        meeting = Meeting.objects.create(
            unit=unit, kind=kind, held_on=held_on, minutes=minutes, criticism=criticism, round=round
        )
        meeting.attendees.set(attendees)
        record(
            actor=actor,
            code=Code.MEETING_RECORDED,
            obj=meeting,
            unit=unit,
            changes={"kind": kind, "held_on": held_on, "attendees": len(attendees)},
        )
    return meeting


def raise_finding(
    actor,
    *,
    meeting: Meeting,
    report: Report,
    item: Item,
    description: str,
    cause: str = "",
    measures: list[dict] = (),
    on: date | None = None,
) -> Answer:
    """A problem raised at a meeting becomes a finding of the unit's report, with its measures;
    on a submitted report the measures enter the ledger at once."""
    if report.kind != ReportKind.UNIT or report.unit_id != meeting.unit_id:
        raise ValidationError(_("A meeting's findings go to its own unit's report."))
    answer, _rows = add_finding(
        actor,
        report=report,
        item=item,
        description=description,
        cause=cause,
        measures=measures,
        on=on,
        meeting=meeting,
        code=Code.MEETING_FINDING,
        source=str(meeting),
    )
    return answer


def add_finding(
    actor,
    *,
    report: Report,
    item: Item,
    description: str,
    cause: str = "",
    measures: list[dict] = (),
    on: date | None = None,
    meeting: Meeting | None = None,
    code: Code = Code.MEETING_FINDING,
    source: str = "",
    authorised: bool = False,
) -> tuple[Answer, list[Measure]]:
    """A problem found outside the report (a meeting, a supervision order) added to a unit's
    report as a finding with its measures; on a submitted report they enter the ledger at
    once. Returns the answer and the new measures.

    ``authorised``: the calling action has checked the actor's right itself (the issuer of a
    supervision order, who does not report for the unit)."""
    if report.kind != ReportKind.UNIT:
        raise ValidationError(_("Only a unit's report takes findings from elsewhere."))
    if not authorised:
        _require(actor, SelfcheckPerm.REPORT, report.unit)
    if item.pk not in set(applicable_items(report).values_list("pk", flat=True)):
        raise ValidationError({"item": _("This item is not in the round's catalogue.")})
    description = (description or "").strip()
    measures = [m for m in measures if (m.get("text") or "").strip()]
    if not description:
        raise ValidationError({"description": _("Describe what was found.")})
    if not measures:
        raise ValidationError({"measures": _("Add at least one measure.")})
    on = on or today()
    live = report.state == ReportState.SUBMITTED
    rows = []
    with transaction.atomic():
        answer, _created = Answer.objects.get_or_create(report=report, item=item)
        newly_found = not answer.found
        answer.found = True
        if meeting is not None:
            answer.meeting = meeting
        answer.description = "\n".join(filter(None, [answer.description, description]))
        answer.cause = "\n".join(filter(None, [answer.cause, cause]))
        answer.save()
        for measure in measures:
            row = Measure.objects.create(
                answer=answer,
                round_id=report.round_id,
                item=item,
                unit_id=report.unit_id,
                unit_path=report.unit_path,
                branch=report.branch,
                text=measure["text"].strip(),
                owner=measure.get("owner"),
                deadline=measure.get("deadline"),
                start_date=on,
                live=live,
            )
            if live:
                row.round = report.round
                _save_measure(row, [], [], on)
            rows.append(row)
        if live and newly_found:
            tally.apply(report.round_id, item.pk, report.unit_path, [tally.FINDING], +1)
            Report.objects.filter(pk=report.pk).update(
                findings=report.answers.filter(found=True).count()
            )
        record(
            actor=actor,
            code=code,
            obj=report,
            unit=report.unit,
            changes={"meeting": source, "item": str(item), "measures": len(measures)},
        )
    return answer, rows


def add_opinion(actor, *, report: Report, text: str, anonymous: bool = False) -> Opinion:
    """A member comments on their unit's report (主动征求意见)."""
    person = own_person(actor)
    if (
        person is None
        or report.kind != ReportKind.UNIT
        or not person.unit.path.startswith(report.unit_path)
    ):
        raise PermissionDenied
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write your comment.")})
    with transaction.atomic():
        opinion = Opinion.objects.create(
            report=report, author=person, anonymous=anonymous, text=text
        )
        # An anonymous comment's event is kept out of the unit's sight (the report's history
        # and the unit's audit log); only system administrators can trace it.
        record(
            actor=actor,
            code=Code.OPINION_ADDED,
            obj=opinion,
            unit=None if anonymous else report.unit,
            changes={"report": report.pk, "anonymous": anonymous},
        )
    return opinion


# Daily -------------------------------------------------------------------------------------


def refresh_measures(round: Round, on: date) -> int:
    """Move the stored colour and bucket of every live open measure to ``on``; recount."""
    changed = []
    rows = Measure.objects.filter(round=round, live=True, state__in=("open", "in_progress")).only(
        "id",
        "state",
        "progress",
        "start_date",
        "deadline",
        "completed_on",
        "colour",
        "colour_since",
        "alert_level",
        "bucket",
    )
    for measure in rows.iterator(chunk_size=5000):
        measure.round = round
        colour, bucket = measure.colour, measure.bucket
        _refresh(measure, on)
        if (measure.colour, measure.bucket) != (colour, bucket):
            changed.append(measure)
    with transaction.atomic():
        Measure.objects.bulk_update(
            changed, ["colour", "colour_since", "alert_level", "bucket"], batch_size=2000
        )
        if changed:
            tally.recount(round.pk)
    return len(changed)
