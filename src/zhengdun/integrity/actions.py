"""Every change to clues and cases, and every read of one: each action checks need-to-know,
validates, writes and audits in one transaction.

Audit events of this module carry an ``integrity.`` code, no unit and only the clue's (or the
case's) number as the object, and their changes name no person and quote no text: the general
audit pages leave them out, the clue's access log shows them.
"""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from zhengdun.audit.codes import Code
from zhengdun.audit.log import record
from zhengdun.core import uploads
from zhengdun.integrity import crypto, rules
from zhengdun.integrity.categories import Category
from zhengdun.integrity.models import (
    FORM_OF,
    OPEN_STATES,
    REPORTER_SOURCES,
    Case,
    CaseHandler,
    CaseState,
    Clue,
    ClueEntry,
    ClueHandler,
    ClueState,
    Disposition,
    EntryFile,
    EntryKind,
    HandlerRole,
    HandlingMode,
    IdentityReveal,
    ReporterIdentity,
    RevealState,
    Source,
)
from zhengdun.integrity.permissions import (
    conflict,
    forget,
    handler_role,
    heads,
    is_head,
    may_direct,
    may_handle,
    may_lead,
    may_register,
    may_see,
    person_key,
)
from zhengdun.notify.actions import send
from zhengdun.org.models import Person, Unit

MAX_SUMMARY = 20_000
MAX_SUBJECTS = 50


def today() -> date:
    return timezone.localdate()


def _audit(actor, code: Code, clue: Clue | Case, changes: dict | None = None) -> None:
    record(actor=actor, code=code, obj=clue, unit=None, changes=changes, object_repr=clue.number)


def _tell(clue: Clue, users, kind: str, title: str) -> None:
    """Notices carry the clue's number only; recipients are checked against need-to-know."""
    url = reverse("integrity:clue_detail", args=[clue.pk])
    for user in {user.pk: user for user in users}.values():
        if not may_see(user, clue):
            continue
        send(
            recipient=user,
            kind=kind,
            title=title,
            body=clue.number,
            url=url,
            dedupe_key=f"{kind}:{clue.pk}:{user.pk}:{clue.version}",
        )


def _portal_status(actor, clue: Clue, status: str) -> None:
    """What the reporter of a portal report sees when they follow it."""
    if clue.portal_report_id is None:
        return
    from zhengdun.integrity.portal import actions as portal_actions

    portal_actions.set_status(actor=actor, report=clue.portal_report, status=status)


def _refresh(clue: Clue, on: date) -> None:
    colour, reason = rules.colour_of(clue, on)
    if colour != clue.colour or clue.colour_since is None:
        clue.colour, clue.colour_since, clue.alert_level = colour, on, 0
    clue.warning = reason


def _save(clue: Clue, on: date | None = None) -> None:
    _refresh(clue, on or today())
    clue.version += 1
    clue.save()


def _next_number(model, prefix: str, year: int) -> tuple[int, str]:
    last = (
        model.objects.filter(year=year).order_by("-sequence").values_list("sequence", flat=True)
    ).first()
    sequence = (last or 0) + 1
    return sequence, f"{prefix}〔{year}〕{sequence:04d}"


def _main_unit(units: list[Unit], persons: list[Person]) -> Unit | None:
    if units:
        return units[0]
    if persons:
        return persons[0].unit
    return None


# Registering -------------------------------------------------------------------------------


def _validate_clue(
    *, source: str, received_on: date | None, category: str, summary: str, on: date
) -> dict:
    errors = {}
    if source not in Source.values:
        errors["source"] = _("Choose the channel the clue came through.")
    if received_on is None:
        errors["received_on"] = _("Enter the day it was received.")
    elif received_on > on:
        errors["received_on"] = _("The day received cannot be in the future.")
    if category not in Category.values:
        errors["category"] = _("Choose a category.")
    if not summary:
        errors["summary"] = _("Summarise what is reported.")
    elif len(summary) > MAX_SUMMARY:
        errors["summary"] = _("The summary is too long (at most %(count)d characters).") % {
            "count": MAX_SUMMARY
        }
    return errors


def _create(
    actor,
    *,
    source: str,
    received_on: date,
    category: str,
    summary: str,
    subjects_text: str = "",
    subject_persons: Iterable[Person] = (),
    subject_units: Iterable[Unit] = (),
    reporter_name: str = "",
    reporter_contact: str = "",
    reporter_person: Person | None = None,
    portal_report=None,
    on: date | None = None,
) -> Clue:
    on = on or today()
    summary = (summary or "").strip()
    persons, units = list(subject_persons), list(subject_units)
    errors = _validate_clue(
        source=source, received_on=received_on, category=category, summary=summary, on=on
    )
    if len(persons) > MAX_SUBJECTS or len(units) > MAX_SUBJECTS:
        errors["subject_persons"] = _("Too many subjects for one clue.")
    reporter_name, reporter_contact = (
        (reporter_name or "").strip(),
        (reporter_contact or "").strip(),
    )
    # Named: anyone who can be reached again (a name, contact details or an officer).
    named = bool(reporter_name or reporter_contact or reporter_person)
    if reporter_person is not None and not reporter_name:
        reporter_name = reporter_person.name
    if reporter_person is not None and reporter_person.pk in {p.pk for p in persons}:
        errors["reporter_name"] = _("The reporter cannot also be a subject of the clue.")
    if errors:
        raise ValidationError(errors)
    unit = _main_unit(units, persons)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                sequence, number = _next_number(Clue, "线索", received_on.year)
                clue = Clue(
                    number=number,
                    year=received_on.year,
                    sequence=sequence,
                    source=source,
                    received_on=received_on,
                    category=category,
                    summary=summary,
                    subjects_text=(subjects_text or "").strip(),
                    unit=unit,
                    unit_path=unit.path if unit else "",
                    portal_report=portal_report,
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                    **rules.initial_dues(
                        received_on=received_on,
                        has_reporter=source in REPORTER_SOURCES,
                        named=named,
                    ),
                )
                if source == Source.PORTAL:
                    # Rounded to the day, like everything the portal keeps about a report.
                    clue.logged = False
                    clue.created_at = timezone.make_aware(datetime.combine(received_on, time.min))
                _refresh(clue, on)
                clue.save()
                clue.subject_persons.set(persons)
                clue.subject_units.set(units)
                if named:
                    ReporterIdentity.objects.create(
                        clue=clue,
                        name=reporter_name,
                        contact=reporter_contact,
                        person_key=person_key(reporter_person.pk) if reporter_person else "",
                    )
                if clue.logged:
                    _announce(actor, clue)
            return clue
        except IntegrityError:
            continue
    raise ValidationError(_("Could not number the clue; please try again."))


def _announce(actor, clue: Clue) -> None:
    _audit(
        actor,
        Code.INTEGRITY_CLUE_REGISTERED,
        clue,
        {
            "source": clue.source,
            "received_on": clue.received_on,
            "category": clue.category,
            "named_reporter": ReporterIdentity.objects.filter(clue=clue).exists(),
            "subject_persons": clue.subject_persons.count(),
            "subject_units": clue.subject_units.count(),
        },
    )
    _tell(
        clue,
        heads(),
        "integrity.clue.registered",
        _("New clue registered: %(number)s") % {"number": clue.number},
    )


def log_intake(on: date) -> int:
    """Audit and announce the portal's clues received before ``on`` (the daily tick)."""
    count = 0
    for clue in Clue.objects.filter(logged=False, received_on__lt=on).order_by("pk"):
        with transaction.atomic():
            if Clue.objects.filter(pk=clue.pk, logged=False).update(logged=True):
                _announce(None, clue)
                count += 1
    return count


def register_clue(
    actor,
    *,
    source: str,
    received_on: date,
    category: str,
    summary: str,
    subjects_text: str = "",
    subject_persons: Iterable[Person] = (),
    subject_units: Iterable[Unit] = (),
    reporter_name: str = "",
    reporter_contact: str = "",
    reporter_person: Person | None = None,
    on: date | None = None,
) -> Clue:
    """A clue from any channel but the portal (which calls ``intake.from_portal``): a call to
    the reporting telephone logged by staff, a letter, a visit, or an internal source. Any
    discipline inspector may register one; afterwards only the need-to-know see it."""
    if not may_register(actor):
        raise PermissionDenied
    if source == Source.PORTAL:
        raise ValidationError({"source": _("Portal reports become clues on their own.")})
    return _create(
        actor,
        source=source,
        received_on=received_on,
        category=category,
        summary=summary,
        subjects_text=subjects_text,
        subject_persons=subject_persons,
        subject_units=subject_units,
        reporter_name=reporter_name,
        reporter_contact=reporter_contact,
        reporter_person=reporter_person,
        on=on,
    )


# Triage and handlers -----------------------------------------------------------------------


def _refuse(actor, clue: Clue, user, message: str, field: str):
    """Record the refusal (who tried whom; no reason in words) and raise it."""
    with transaction.atomic():
        _audit(actor, Code.INTEGRITY_HANDLER_REFUSED, clue, {"user": user.get_username()})
    raise ValidationError({field: message})


def _assign(actor, clue: Clue, user, role: str, field: str = "handlers") -> bool:
    """Make ``user`` an active handler in ``role``; True if anything changed."""
    message = conflict(clue, user)
    if message:
        _refuse(actor, clue, user, message, field)
    handler, created = ClueHandler.objects.get_or_create(
        clue=clue, user=user, defaults={"role": role, "assigned_by": actor}
    )
    if created:
        changed = True
    else:
        changed = not handler.active or handler.role != role
        if changed:
            handler.active, handler.role, handler.assigned_by = True, role, actor
            handler.assigned_at = timezone.now()
            handler.save()
    if changed:
        _audit(
            actor,
            Code.INTEGRITY_HANDLER_ADDED,
            clue,
            {"user": user.get_username(), "role": role},
        )
        forget(user)
    return changed


def triage(
    actor,
    *,
    clue: Clue,
    mode: str,
    lead,
    members: Iterable = (),
    due_on: date | None = None,
    on: date | None = None,
) -> Clue:
    """Choose the handling mode, the handlers and the due date (again, while not concluded).
    Handlers in the subject's chain of command, subjects and the reporter are refused."""
    if not may_direct(actor, clue):
        raise PermissionDenied
    on = on or today()
    if clue.state not in (ClueState.REGISTERED, ClueState.TRIAGED, ClueState.VERIFYING):
        raise ValidationError(
            _("A %(state)s clue cannot be triaged.") % {"state": clue.get_state_display()}
        )
    errors = {}
    if mode not in HandlingMode.values:
        errors["mode"] = _("Choose a handling mode.")
    if clue.state == ClueState.VERIFYING and mode in (HandlingMode.HOLD, HandlingMode.CLOSE):
        errors["mode"] = _("A clue being verified is concluded, not held or closed unverified.")
    if lead is None:
        errors["lead"] = _("Choose the lead handler.")
    members = [user for user in members if lead is None or user.pk != lead.pk]
    limit = clue.received_on + timedelta(days=rules.conclude_days())
    if due_on is None:
        due_on = clue.due_on
    if due_on < on and due_on != clue.due_on:
        errors["due_on"] = _("The due date cannot be in the past.")
    elif due_on > limit:
        errors["due_on"] = _("Conclude within %(days)d days of receipt (by %(date)s).") % {
            "days": rules.conclude_days(),
            "date": limit.isoformat(),
        }
    if errors:
        raise ValidationError(errors)
    # Conflicts first, outside the transaction: the refusal stays on the record.
    for user, field in [(lead, "lead"), *((user, "members") for user in members)]:
        message = conflict(clue, user)
        if message:
            _refuse(actor, clue, user, message, field)
    with transaction.atomic():
        _assign(actor, clue, lead, HandlerRole.LEAD, "lead")
        for user in members:
            _assign(actor, clue, user, HandlerRole.MEMBER, "members")
        # Anyone else who was lead before becomes a member.
        ClueHandler.objects.filter(clue=clue, role=HandlerRole.LEAD, active=True).exclude(
            user=lead
        ).update(role=HandlerRole.MEMBER)
        before = {"state": clue.state, "mode": clue.mode, "due_on": clue.due_on}
        if clue.state == ClueState.REGISTERED:
            clue.state = ClueState.TRIAGED
        clue.mode, clue.due_on = mode, due_on
        clue.triaged_on = clue.triaged_on or on
        _save(clue, on)
        _audit(
            actor,
            Code.INTEGRITY_CLUE_TRIAGED,
            clue,
            {
                "state": [before["state"], clue.state],
                "mode": [before["mode"], mode],
                "due_on": [before["due_on"], due_on],
                "lead": lead.get_username(),
                "members": [user.get_username() for user in members],
            },
        )
        _portal_status(actor, clue, "in_progress")
        _tell(
            clue,
            [lead, *members],
            "integrity.clue.assigned",
            _("You handle clue %(number)s") % {"number": clue.number},
        )
    return clue


def remove_handler(actor, *, clue: Clue, user) -> Clue:
    if not may_direct(actor, clue):
        raise PermissionDenied
    with transaction.atomic():
        updated = ClueHandler.objects.filter(clue=clue, user=user, active=True).update(active=False)
        if updated:
            _audit(actor, Code.INTEGRITY_HANDLER_REMOVED, clue, {"user": user.get_username()})
    forget(user)
    return clue


# Verification ------------------------------------------------------------------------------


def start_verification(actor, *, clue: Clue, on: date | None = None) -> Clue:
    if not may_handle(actor, clue):
        raise PermissionDenied
    if clue.state != ClueState.TRIAGED:
        raise ValidationError(_("Only a triaged clue can go to verification."))
    if clue.mode not in (HandlingMode.INQUIRY, HandlingMode.VERIFY):
        raise ValidationError(
            _("A clue triaged as %(mode)s is not verified; triage it again first.")
            % {"mode": clue.get_mode_display()}
        )
    on = on or today()
    with transaction.atomic():
        clue.state = ClueState.VERIFYING
        _save(clue, on)
        _audit(
            actor,
            Code.INTEGRITY_VERIFICATION_STARTED,
            clue,
            {"state": [ClueState.TRIAGED, ClueState.VERIFYING]},
        )
    return clue


def _store_file(entry: ClueEntry, upload, facts: dict) -> EntryFile:
    upload.seek(0)
    token = crypto.encrypt(upload.read())
    stored = EntryFile(
        entry=entry,
        name=facts["name"],
        size=facts["size"],
        content_type=facts["content_type"],
        sha256=facts["sha256"],
    )
    # A random name: the stored file says nothing, and its content is encrypted.
    stored.file.save(get_random_string(32) + ".bin", ContentFile(token), save=False)
    stored.save()
    return stored


def add_entry(
    actor,
    *,
    clue: Clue,
    kind: str,
    text: str,
    occurred_on: date | None = None,
    files: Iterable = (),
    on: date | None = None,
) -> ClueEntry:
    """A verification note, an interview or evidence (with files). On a triaged clue to be
    verified it starts the verification."""
    if not may_handle(actor, clue):
        raise PermissionDenied
    on = on or today()
    occurred_on = occurred_on or on
    text = (text or "").strip()
    if clue.state not in (ClueState.TRIAGED, ClueState.VERIFYING):
        raise ValidationError(
            _("Entries are added while a clue is triaged or being verified, not when %(state)s.")
            % {"state": clue.get_state_display()}
        )
    errors = {}
    if kind not in (EntryKind.NOTE, EntryKind.INTERVIEW, EntryKind.EVIDENCE):
        errors["kind"] = _("Choose a note, an interview or evidence.")
    if not text:
        errors["text"] = _("Write what was found or done.")
    if occurred_on > on:
        errors["occurred_on"] = _("The date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    checked = uploads.check_all(files)
    with transaction.atomic():
        entry = ClueEntry.objects.create(
            clue=clue, kind=kind, text=text, occurred_on=occurred_on, created_by=actor
        )
        for upload, facts in checked:
            _store_file(entry, upload, facts)
        _audit(
            actor,
            Code.INTEGRITY_ENTRY_ADDED,
            clue,
            {"kind": kind, "entry": entry.pk, "files": len(checked)},
        )
        if clue.state == ClueState.TRIAGED and clue.mode in (
            HandlingMode.INQUIRY,
            HandlingMode.VERIFY,
        ):
            clue.state = ClueState.VERIFYING
            _save(clue, on)
            _audit(
                actor,
                Code.INTEGRITY_VERIFICATION_STARTED,
                clue,
                {"state": [ClueState.TRIAGED, ClueState.VERIFYING]},
            )
    return entry


# The reporter ------------------------------------------------------------------------------


def _reporter_entry(actor, clue: Clue, kind: str, text: str, on: date) -> ClueEntry:
    return ClueEntry.objects.create(
        clue=clue, kind=kind, text=text, occurred_on=on, created_by=actor
    )


def acknowledge(actor, *, clue: Clue, note: str = "", on: date | None = None) -> Clue:
    """Record that the reporter was told the report arrived (on the portal: its status)."""
    if not may_handle(actor, clue):
        raise PermissionDenied
    if clue.ack_due is None:
        raise ValidationError(_("This clue has no reporter to acknowledge."))
    if clue.acknowledged_on is not None:
        raise ValidationError(_("The reporter was already acknowledged."))
    on = on or today()
    with transaction.atomic():
        _reporter_entry(actor, clue, EntryKind.ACKNOWLEDGEMENT, (note or "").strip(), on)
        clue.acknowledged_on = on
        _save(clue, on)
        _audit(actor, Code.INTEGRITY_ACKNOWLEDGED, clue, {"acknowledged_on": on})
        _portal_status(actor, clue, "acknowledged")
    return clue


def record_contact(actor, *, clue: Clue, note: str, on: date | None = None) -> Clue:
    """Contact with a named reporter (a call, a meeting), with what was said."""
    if not may_handle(actor, clue):
        raise PermissionDenied
    if clue.contact_due is None:
        raise ValidationError(_("This clue has no named reporter to contact."))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say how and what was discussed.")})
    on = on or today()
    with transaction.atomic():
        _reporter_entry(actor, clue, EntryKind.CONTACT, note, on)
        first = clue.contacted_on is None
        clue.contacted_on = clue.contacted_on or on
        if clue.ack_due and clue.acknowledged_on is None:
            clue.acknowledged_on = on
        _save(clue, on)
        _audit(actor, Code.INTEGRITY_CONTACTED, clue, {"first": first, "on": on})
    return clue


def message_reporter(
    actor, *, clue: Clue, body: str, attachments: Iterable = (), on: date | None = None
) -> Clue:
    """A message to the reporter of a portal report, read with their receipt code. It also
    acknowledges the report if that was still due."""
    if not may_handle(actor, clue):
        raise PermissionDenied
    if clue.portal_report_id is None:
        raise ValidationError(
            _("Only a portal report can be answered here; record a contact with the reporter.")
        )
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write the message.")})
    from zhengdun.integrity.portal import actions as portal_actions
    from zhengdun.integrity.portal.models import ReportStatus

    on = on or today()
    with transaction.atomic():
        portal_actions.reply(
            actor=actor, report=clue.portal_report, body=body, attachments=tuple(attachments)
        )
        _reporter_entry(actor, clue, EntryKind.MESSAGE, body, on)
        if clue.ack_due and clue.acknowledged_on is None:
            clue.acknowledged_on = on
        _save(clue, on)
        _audit(actor, Code.INTEGRITY_MESSAGED, clue, {"on": on})
        if clue.portal_report.status == ReportStatus.RECEIVED:
            # Answered, so acknowledged: the reporter's page says so too.
            _portal_status(actor, clue, ReportStatus.ACKNOWLEDGED)
    return clue


def request_reveal(actor, *, clue: Clue, reason: str) -> IdentityReveal:
    """A handler asks the discipline head to learn who the named reporter is."""
    if not may_handle(actor, clue):
        raise PermissionDenied
    if not ReporterIdentity.objects.filter(clue=clue).exists():
        raise ValidationError(_("The reporter of this clue is anonymous."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the identity is needed.")})
    if IdentityReveal.objects.filter(
        clue=clue, user=actor, state__in=[RevealState.REQUESTED, RevealState.APPROVED]
    ).exists():
        raise ValidationError(_("You have already asked (or been allowed)."))
    with transaction.atomic():
        reveal = IdentityReveal.objects.create(clue=clue, user=actor, reason=reason)
        _audit(actor, Code.INTEGRITY_REVEAL_REQUESTED, clue, {"request": reveal.pk})
        _tell(
            clue,
            heads(),
            "integrity.identity.requested",
            _("Request to reveal a reporter: %(number)s") % {"number": clue.number},
        )
    return reveal


def decide_reveal(actor, *, reveal: IdentityReveal, approve: bool) -> IdentityReveal:
    """The discipline head approves or refuses, on the record."""
    clue = reveal.clue
    if not may_direct(actor, clue):
        raise PermissionDenied
    if reveal.state != RevealState.REQUESTED:
        raise ValidationError(_("This request was already decided."))
    if approve and not may_see(reveal.user, clue):
        raise ValidationError(_("The requester no longer handles this clue."))
    with transaction.atomic():
        reveal.state = RevealState.APPROVED if approve else RevealState.REFUSED
        reveal.decided_by, reveal.decided_at = actor, timezone.now()
        reveal.save()
        _audit(
            actor,
            Code.INTEGRITY_REVEAL_DECIDED,
            clue,
            {"request": reveal.pk, "for": reveal.user.get_username(), "state": reveal.state},
        )
        _tell(
            clue,
            [reveal.user],
            "integrity.identity.decided",
            _("Your request about a reporter was decided: %(number)s") % {"number": clue.number},
        )
    return reveal


def approve_own_reveal(actor, *, clue: Clue, reason: str) -> IdentityReveal:
    """The head's own look at the identity is recorded as an approval for themselves."""
    if not may_direct(actor, clue):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the identity is needed.")})
    if not ReporterIdentity.objects.filter(clue=clue).exists():
        raise ValidationError(_("The reporter of this clue is anonymous."))
    with transaction.atomic():
        reveal = IdentityReveal.objects.create(
            clue=clue,
            user=actor,
            reason=reason,
            state=RevealState.APPROVED,
            decided_by=actor,
            decided_at=timezone.now(),
        )
        _audit(
            actor,
            Code.INTEGRITY_REVEAL_DECIDED,
            clue,
            {"request": reveal.pk, "for": actor.get_username(), "state": reveal.state},
        )
    return reveal


def may_read_identity(user, clue: Clue) -> bool:
    return (
        may_see(user, clue)
        and IdentityReveal.objects.filter(
            clue=clue, user_id=user.pk, state=RevealState.APPROVED
        ).exists()
    )


def read_identity(actor, *, clue: Clue) -> ReporterIdentity:
    """The reporter's identity, for a user with an approved reveal; the read is audited."""
    if not may_read_identity(actor, clue):
        raise PermissionDenied
    identity = ReporterIdentity.objects.filter(clue=clue).first()
    if identity is None:
        raise ValidationError(_("The reporter of this clue is anonymous."))
    with transaction.atomic():
        _audit(actor, Code.INTEGRITY_IDENTITY_READ, clue)
    return identity


# Reads -------------------------------------------------------------------------------------


def record_read(actor, *, clue: Clue, via: str) -> None:
    """Every read of a clue (page, API, export, its access log) is an audit event."""
    with transaction.atomic():
        _audit(actor, Code.INTEGRITY_CLUE_READ, clue, {"via": via})


def record_reads(actor, *, clues: Iterable[Clue], via: str) -> None:
    """A read of several clues at once (an export): one event on each clue's log."""
    with transaction.atomic():
        for clue in clues:
            _audit(actor, Code.INTEGRITY_CLUE_READ, clue, {"via": via})


def record_file_read(actor, *, stored: EntryFile) -> None:
    with transaction.atomic():
        _audit(actor, Code.INTEGRITY_FILE_READ, stored.entry.clue, {"file": stored.pk})


def record_case_read(actor, *, case: Case, via: str) -> None:
    with transaction.atomic():
        _audit(actor, Code.INTEGRITY_CASE_READ, case, {"via": via})


# Changes, conclusion, archive --------------------------------------------------------------


def update_clue(
    actor,
    *,
    clue: Clue,
    version: int | None = None,
    category: str | None = None,
    summary: str | None = None,
    subjects_text: str | None = None,
    subject_persons: Iterable[Person] | None = None,
    subject_units: Iterable[Unit] | None = None,
    on: date | None = None,
) -> Clue:
    """Correct what the clue says or whom it concerns (the head or the lead handler). A new
    subject who handles the clue is refused: remove them as a handler first."""
    from zhengdun.core.versioning import ConflictError

    if not may_lead(actor, clue):
        raise PermissionDenied
    if not clue.is_open:
        raise ValidationError(_("A concluded clue is no longer changed."))
    if version is not None and version != clue.version:
        raise ConflictError(Clue.objects.get(pk=clue.pk), version)
    on = on or today()
    errors = {}
    changes: dict = {}
    if category is not None and category != clue.category:
        if category not in Category.values:
            errors["category"] = _("Choose a category.")
        changes["category"] = [clue.category, category]
    if summary is not None:
        summary = summary.strip()
        if not summary:
            errors["summary"] = _("Summarise what is reported.")
        elif summary != clue.summary:
            changes["summary"] = "changed"
    if subjects_text is not None and subjects_text.strip() != clue.subjects_text:
        changes["subjects_text"] = "changed"
    persons = list(subject_persons) if subject_persons is not None else None
    units = list(subject_units) if subject_units is not None else None
    if persons is not None:
        handling = set(
            ClueHandler.objects.filter(clue=clue, active=True).values_list("user_id", flat=True)
        )
        for person in persons:
            if person.user_id and person.user_id in handling:
                errors["subject_persons"] = _(
                    "%(name)s handles this clue: remove them as a handler before naming them "
                    "as a subject."
                ) % {"name": person.name}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if category is not None:
            clue.category = category
        if summary is not None:
            clue.summary = summary
        if subjects_text is not None:
            clue.subjects_text = subjects_text.strip()
        if persons is not None:
            clue.subject_persons.set(persons)
            changes["subject_persons"] = len(persons)
        if units is not None:
            clue.subject_units.set(units)
            changes["subject_units"] = len(units)
        if persons is not None or units is not None:
            unit = _main_unit(
                units if units is not None else list(clue.subject_units.all()),
                persons if persons is not None else list(clue.subject_persons.all()),
            )
            clue.unit, clue.unit_path = unit, unit.path if unit else ""
            # Handlers now in the chain of command of a new subject are refused too.
            for handler in ClueHandler.objects.filter(clue=clue, active=True).select_related(
                "user"
            ):
                message = conflict(clue, handler.user)
                if message:
                    raise ValidationError({"subject_units": message})
        _save(clue, on)
        _audit(actor, Code.INTEGRITY_CLUE_UPDATED, clue, changes)
    return clue


def conclude(
    actor,
    *,
    clue: Clue,
    disposition: str,
    conclusion: str,
    on: date | None = None,
) -> Clue:
    """End the clue with a disposition. From verification any disposition; a clue triaged as
    closed (予以了结) ends as unfounded. Form 4 opens the case file if there is none."""
    if not may_lead(actor, clue):
        raise PermissionDenied
    on = on or today()
    if clue.state == ClueState.VERIFYING:
        pass
    elif clue.state == ClueState.TRIAGED and clue.mode == HandlingMode.CLOSE:
        if disposition != Disposition.UNFOUNDED:
            raise ValidationError(
                {
                    "disposition": _(
                        "A clue closed without verification can only end as unfounded; "
                        "verify it to apply one of the four forms."
                    )
                }
            )
    elif clue.state in (ClueState.CONCLUDED, ClueState.ARCHIVED):
        raise ValidationError(_("This clue is already concluded."))
    else:
        raise ValidationError(
            _("A %(state)s clue cannot be concluded: triage it as closed, or verify it first.")
            % {"state": clue.get_state_display()}
        )
    errors = {}
    if disposition not in Disposition.values:
        errors["disposition"] = _("Choose a disposition.")
    conclusion = (conclusion or "").strip()
    if not conclusion:
        errors["conclusion"] = _("Write the conclusion.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = clue.state
        clue.state = ClueState.CONCLUDED
        clue.disposition, clue.conclusion, clue.concluded_on = disposition, conclusion, on
        _save(clue, on)
        _audit(
            actor,
            Code.INTEGRITY_CLUE_CONCLUDED,
            clue,
            {
                "state": [before, ClueState.CONCLUDED],
                "disposition": disposition,
                "form": FORM_OF[disposition],
            },
        )
        _portal_status(actor, clue, "concluded")
        if disposition == Disposition.CASE_TRANSFER and not Case.objects.filter(clue=clue).exists():
            lead = ClueHandler.objects.filter(
                clue=clue, active=True, role=HandlerRole.LEAD
            ).select_related("user")
            _open_case(
                actor,
                clue=clue,
                summary=conclusion,
                handlers=[(handler.user, HandlerRole.LEAD) for handler in lead],
                on=on,
                state=CaseState.TRANSFERRED,
            )
    return clue


def archive(actor, *, clue: Clue, on: date | None = None) -> Clue:
    if not may_direct(actor, clue):
        raise PermissionDenied
    if clue.state != ClueState.CONCLUDED:
        raise ValidationError(_("Only a concluded clue is archived."))
    on = on or today()
    with transaction.atomic():
        clue.state, clue.archived_on = ClueState.ARCHIVED, on
        _save(clue, on)
        _audit(
            actor,
            Code.INTEGRITY_CLUE_ARCHIVED,
            clue,
            {"state": [ClueState.CONCLUDED, ClueState.ARCHIVED]},
        )
    return clue


# Cases -------------------------------------------------------------------------------------


def _open_case(actor, *, clue: Clue, summary: str, handlers, on: date, state: str) -> Case:
    for user, _role in handlers:
        message = conflict(clue, user)
        if message:
            raise ValidationError({"handlers": message})
    for _attempt in range(3):
        try:
            with transaction.atomic():
                sequence, number = _next_number(Case, "案件", on.year)
                case = Case.objects.create(
                    clue=clue,
                    number=number,
                    year=on.year,
                    sequence=sequence,
                    opened_on=on,
                    state=state,
                    summary=summary,
                    created_by=actor,
                )
                for user, role in handlers:
                    CaseHandler.objects.create(case=case, user=user, role=role)
                    forget(user)
                _audit(
                    actor,
                    Code.INTEGRITY_CASE_OPENED,
                    case,
                    {"clue": clue.number, "handlers": [u.get_username() for u, _r in handlers]},
                )
                _audit(actor, Code.INTEGRITY_CASE_OPENED, clue, {"case": number})
            return case
        except IntegrityError:
            if Case.objects.filter(clue=clue).exists():
                raise ValidationError(_("A case was already opened from this clue.")) from None
            continue
    raise ValidationError(_("Could not number the case; please try again."))


def open_case(
    actor, *, clue: Clue, summary: str, handlers: Iterable = (), on: date | None = None
) -> Case:
    """Open a case file from a clue being verified or concluded with form 3 or 4. The case has
    its own handlers (``(user, role)`` pairs), under the same conflict rules."""
    if not may_direct(actor, clue):
        raise PermissionDenied
    on = on or today()
    if Case.objects.filter(clue=clue).exists():
        raise ValidationError(_("A case was already opened from this clue."))
    if not (
        clue.state == ClueState.VERIFYING
        or (clue.state == ClueState.CONCLUDED and (clue.form or 0) >= 3)
    ):
        raise ValidationError(
            _("A case is opened from a clue being verified, or concluded in form 3 or 4.")
        )
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": _("Summarise the case.")})
    handlers = list(handlers)
    if not handlers:
        raise ValidationError({"handlers": _("Name at least one case handler.")})
    return _open_case(
        actor, clue=clue, summary=summary, handlers=handlers, on=on, state=CaseState.OPEN
    )


def set_case_handlers(actor, *, case: Case, handlers: Iterable) -> Case:
    """Replace the case's handlers (``(user, role)`` pairs): the head, under the conflict
    rules of the clue it came from."""
    if not may_direct(actor, case.clue):
        raise PermissionDenied
    handlers = list(handlers)
    if not handlers:
        raise ValidationError({"handlers": _("Name at least one case handler.")})
    for user, _role in handlers:
        message = conflict(case.clue, user)
        if message:
            raise ValidationError({"handlers": message})
    with transaction.atomic():
        before = list(case.case_handlers.values_list("user__username", flat=True))
        case.case_handlers.all().delete()
        for user, role in handlers:
            CaseHandler.objects.create(case=case, user=user, role=role)
        _audit(
            actor,
            Code.INTEGRITY_CASE_HANDLERS,
            case,
            {"handlers": [before, [user.get_username() for user, _role in handlers]]},
        )
    for user, _role in handlers:
        forget(user)
    return case


def set_case_state(actor, *, case: Case, state: str) -> Case:
    """Transfer a case to the judicial authorities or close it (the head)."""
    if not may_direct(actor, case.clue):
        raise PermissionDenied
    if state not in CaseState.values or state == CaseState.OPEN:
        raise ValidationError({"state": _("Choose transferred or closed.")})
    if case.state == CaseState.CLOSED:
        raise ValidationError(_("This case is closed."))
    with transaction.atomic():
        before, case.state = case.state, state
        case.save(update_fields=["state"])
        _audit(actor, Code.INTEGRITY_CASE_STATE, case, {"state": [before, state]})
    return case


# The daily clock ---------------------------------------------------------------------------


def refresh_clues(on: date) -> int:
    """Move the stored colour of every open clue to ``on`` (idempotent)."""
    changed = []
    rows = Clue.objects.filter(state__in=OPEN_STATES).only(
        "pk",
        "state",
        "due_on",
        "ack_due",
        "acknowledged_on",
        "contact_due",
        "contacted_on",
        "colour",
        "colour_since",
        "alert_level",
        "warning",
    )
    for clue in rows.iterator(chunk_size=2000):
        before = (clue.colour, clue.colour_since, clue.warning)
        _refresh(clue, on)
        if (clue.colour, clue.colour_since, clue.warning) != before:
            changed.append(clue)
    Clue.objects.bulk_update(
        changed, ["colour", "colour_since", "alert_level", "warning"], batch_size=2000
    )
    return len(changed)


__all__ = [
    "acknowledge",
    "add_entry",
    "approve_own_reveal",
    "archive",
    "conclude",
    "decide_reveal",
    "handler_role",
    "is_head",
    "message_reporter",
    "open_case",
    "read_identity",
    "record_contact",
    "record_read",
    "refresh_clues",
    "register_clue",
    "remove_handler",
    "request_reveal",
    "start_verification",
    "triage",
    "update_clue",
]
