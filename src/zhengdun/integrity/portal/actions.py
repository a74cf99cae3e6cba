"""Every change the portal makes: a report and the reporter's replies (no account), the
handler's replies and status changes, and the office's landing page and notices.

Public writes keep nothing about the sender and only dates; they reach the audit chain with the
next daily tick (``jobs``), so that no event's exact time sits beside a report. Handler and
office writes are audited at once. Audit entries never carry report content.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengdun.audit.codes import Code
from zhengdun.audit.log import record
from zhengdun.integrity.categories import Category
from zhengdun.integrity.portal import files, receipts, throttle
from zhengdun.integrity.portal.models import (
    Notice,
    PortalPage,
    PublicAttachment,
    PublicMessage,
    PublicReport,
    ReportStatus,
    Sender,
)
from zhengdun.integrity.portal.permissions import require_handler, require_manage

MAX_TEXT = 10000
MAX_SHORT = 2000
MAX_CONTACT = 500


class Throttled(Exception):
    """Refused for now by a rate limit; the message says for how long."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Receipt:
    report: PublicReport
    code: str  # shown once, never stored

    @property
    def groups(self) -> list[str]:
        return receipts.groups(self.code)

    @property
    def formatted(self) -> str:
        return receipts.formatted(self.code)


def _already_sent() -> str:
    return _(
        "This report has already been sent, and its receipt code was shown then. If you did "
        "not note the code, you can send the report again below as a new one."
    )


def today() -> date:
    return timezone.localdate()


def _text(value, *, field: str, limit: int, required: bool, errors: dict) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[field] = _("This field is required.")
    elif len(value) > limit:
        errors[field] = _("At most %(limit)d characters.") % {"limit": limit}
    return value


def _refuse_flooding() -> None:
    rule = throttle.limit("submit")
    if throttle.exceeded(rule):
        raise Throttled(
            _(
                "Too many reports are arriving just now. Please try again in %(minutes)d "
                "minutes, or call the reporting telephone."
            )
            % {"minutes": throttle.minutes_to_wait(rule)}
        )


def _attach(report, clean_files, stored: list[str], *, message=None) -> None:
    """Store the files, naming each in ``stored`` as soon as it is on disk (the caller removes
    them if the transaction fails)."""
    for clean in clean_files:
        name = files.store(clean.data)
        stored.append(name)
        PublicAttachment.objects.create(
            report=report,
            message=message,
            name=clean.name,
            content_type=clean.content_type,
            size=len(clean.data),
            stored_name=name,
            uploaded_on=today(),
        )


def _hand_to_intake(report: PublicReport) -> None:
    """The report becomes a clue for the discipline head, in the submission's transaction."""
    from zhengdun.integrity.intake import from_portal

    summary = "\n\n".join(part for part in (report.what, report.where_when) if part)
    from_portal(report, summary=summary, subjects_text=report.who)


def submit_report(
    *,
    category: str,
    what: str,
    where_when: str = "",
    who: str = "",
    contact: str = "",
    attachments: Iterable = (),
    once: str | None = None,
) -> Receipt:
    """Take a report from the public: validate, strip and encrypt its files, store it under a
    new receipt code and hand it to intake, in one transaction. Returns the receipt (the only
    time the code exists in the clear). ``once``: a key that makes a second sending of the same
    form an error instead of a second report. Raises ValidationError or Throttled."""
    errors: dict = {}
    if category not in Category.values:
        errors["category"] = _("Choose what the report is about.")
    what = _text(what, field="what", limit=MAX_TEXT, required=True, errors=errors)
    where_when = _text(
        where_when, field="where_when", limit=MAX_SHORT, required=False, errors=errors
    )
    who = _text(who, field="who", limit=MAX_SHORT, required=False, errors=errors)
    contact = _text(contact, field="contact", limit=MAX_CONTACT, required=False, errors=errors)
    try:
        clean_files = files.prepare(attachments)
    except ValidationError as error:
        errors.update(error.message_dict)
        clean_files = []
    if errors:
        raise ValidationError(errors)
    submission_key = receipts.lookup_key(f"submission:{once}") if once else None
    if submission_key and PublicReport.objects.filter(submission_key=submission_key).exists():
        raise ValidationError(_already_sent())
    _refuse_flooding()
    code = receipts.new_code()
    # Hashed before the transaction: Argon2 takes a fifth of a second, too long to hold a lock.
    key, slow = receipts.lookup_key(code), receipts.slow_hash(code)
    stored: list[str] = []
    try:
        with transaction.atomic():
            report = PublicReport.objects.create(
                category=category,
                anonymous=not contact,
                received_on=today(),
                what=what,
                where_when=where_when,
                who=who,
                contact=contact,
                receipt_key=key,
                receipt_hash=slow,
                submission_key=submission_key,
            )
            _attach(report, clean_files, stored)
            throttle.hit(throttle.limit("submit"))
            _hand_to_intake(report)
    except IntegrityError:
        files.remove(stored)
        if submission_key and PublicReport.objects.filter(submission_key=submission_key).exists():
            raise ValidationError(_already_sent()) from None
        raise
    except BaseException:
        files.remove(stored)
        raise
    return Receipt(report=report, code=code)


def open_report(*, code: str) -> PublicReport:
    """The report a receipt code opens. Every call that gets as far as a look-up runs exactly
    one Argon2 verification, found or not. Failures count against the code's first group and
    against all look-ups together; past either limit, even the right code is refused for a
    while. Raises ValidationError (malformed or unknown code) or Throttled."""
    normal = receipts.normalize(code)
    if normal is None:
        raise ValidationError(
            {
                "code": _(
                    "A receipt code has 28 letters and digits, in four groups of seven. "
                    "Check what you typed."
                )
            }
        )
    per_code = throttle.limit("lookup_prefix", receipts.prefix_key(normal))
    overall = throttle.limit("lookup")
    for rule in (per_code, overall):
        if throttle.exceeded(rule):
            raise Throttled(
                _(
                    "Too many wrong codes have been entered. For your protection, look-ups "
                    "are paused: try again in %(minutes)d minutes, with the code exactly as "
                    "it was given to you."
                )
                % {"minutes": throttle.minutes_to_wait(rule)}
            )
    report = PublicReport.objects.filter(receipt_key__in=receipts.lookup_keys(normal)).first()
    if receipts.verify(report.receipt_hash if report else None, normal):
        return report
    throttle.hit(per_code)
    throttle.hit(overall)
    raise ValidationError(
        {
            "code": _(
                "No report has this code. Check it and try again; after several wrong codes "
                "look-ups are paused for a while."
            )
        }
    )


def _checked_message(body: str, attachments: Iterable) -> tuple[str, list]:
    """A message's text and files, checked, with every problem reported at once."""
    errors: dict = {}
    body = _text(body, field="body", limit=MAX_TEXT, required=True, errors=errors)
    try:
        clean_files = files.prepare(attachments)
    except ValidationError as error:
        errors.update(error.message_dict)
        clean_files = []
    if errors:
        raise ValidationError(errors)
    return body, clean_files


def reporter_writes(*, report: PublicReport, body: str, attachments: Iterable = ()):
    """The reporter answers on the portal (after opening the report with the code)."""
    body, clean_files = _checked_message(body, attachments)
    _refuse_flooding()
    stored: list[str] = []
    try:
        with transaction.atomic():
            message = PublicMessage.objects.create(
                report=report, sender=Sender.REPORTER, body=body, sent_on=today()
            )
            _attach(report, clean_files, stored, message=message)
            throttle.hit(throttle.limit("submit"))
    except BaseException:
        files.remove(stored)
        raise
    return message


# The handler's side: called from the clue pages, which check the user handles the clue. -----


def reply(*, actor, report: PublicReport, body: str, attachments: Iterable = ()) -> PublicMessage:
    """A handler's message to the reporter (shown on the portal to whoever holds the code)."""
    require_handler(actor)
    body, clean_files = _checked_message(body, attachments)
    stored: list[str] = []
    try:
        with transaction.atomic():
            message = PublicMessage.objects.create(
                report=report,
                sender=Sender.HANDLER,
                author=actor,
                body=body,
                sent_on=today(),
                logged=True,
            )
            _attach(report, clean_files, stored, message=message)
            record(
                actor=actor,
                code=Code.PORTAL_REPLIED,
                obj=report,
                changes={"message": message.pk, "attachments": len(stored)},
            )
    except BaseException:
        files.remove(stored)
        raise
    return message


def set_status(*, actor, report: PublicReport, status: str) -> PublicReport:
    """The status the reporter sees."""
    require_handler(actor)
    if status not in ReportStatus.values:
        raise ValidationError({"status": _("Choose a status.")})
    if status == report.status:
        return report
    with transaction.atomic():
        old = report.status
        report.status = status
        report.save(update_fields=["status"])
        record(
            actor=actor, code=Code.PORTAL_STATUS_SET, obj=report, changes={"status": [old, status]}
        )
    return report


def log_public_writes(on: date) -> int:
    """Audit the reports and reporters' messages that arrived before ``on`` (the daily tick):
    events come a day later, in a batch, so their times say nothing about a reporter."""
    count = 0
    with transaction.atomic():
        for report in PublicReport.objects.filter(logged=False, received_on__lt=on).only(
            "pk", "received_on", "category", "anonymous"
        ):
            record(
                actor=None,
                code=Code.PORTAL_REPORT_RECEIVED,
                obj=report,
                changes={
                    "received_on": report.received_on,
                    "category": report.category,
                    "anonymous": report.anonymous,
                },
            )
            count += 1
        PublicReport.objects.filter(logged=False, received_on__lt=on).update(logged=True)
        for message in PublicMessage.objects.filter(
            logged=False, sent_on__lt=on, sender=Sender.REPORTER
        ).select_related("report"):
            record(
                actor=None,
                code=Code.PORTAL_REPORTER_WROTE,
                obj=message.report,
                changes={"message": message.pk, "sent_on": message.sent_on},
            )
            count += 1
        PublicMessage.objects.filter(logged=False, sent_on__lt=on).update(logged=True)
    return count


# The office: the landing page and its notices. ---------------------------------------------

PAGE_FIELDS = ("intro", "phones", "mailbox", "postal_address", "office_hours")


def save_portal_page(*, actor, **values) -> PortalPage:
    require_manage(actor)
    unknown = set(values) - set(PAGE_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        page = PortalPage.objects.select_for_update().filter(pk=1).first() or PortalPage(pk=1)
        before = {name: getattr(page, name) for name in PAGE_FIELDS}
        after = {name: (values.get(name, before[name]) or "").strip() for name in PAGE_FIELDS}
        if len(after["mailbox"]) > 200:
            raise ValidationError({"mailbox": _("At most %(limit)d characters.") % {"limit": 200}})
        for name, value in after.items():
            setattr(page, name, value)
        page.updated_at = timezone.now()
        page.save()
        record(
            actor=actor,
            code=Code.PORTAL_PAGE_SAVED,
            obj=page,
            changes={
                name: [before[name], after[name]]
                for name in PAGE_FIELDS
                if before[name] != after[name]
            },
        )
    return page


def save_notice(
    *,
    actor,
    notice: Notice | None = None,
    title: str,
    body: str = "",
    published: bool = True,
    published_on: date | None = None,
) -> Notice:
    require_manage(actor)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Enter a title.")})
    if len(title) > 120:
        raise ValidationError({"title": _("At most %(limit)d characters.") % {"limit": 120}})
    with transaction.atomic():
        created = notice is None
        notice = notice or Notice()
        before = {
            "title": notice.title,
            "body": notice.body,
            "published": notice.published if not created else None,
            "published_on": notice.published_on,
        }
        notice.title = title
        notice.body = (body or "").strip()
        notice.published = published
        notice.published_on = published_on or notice.published_on or today()
        notice.save()
        after = {
            "title": notice.title,
            "body": notice.body,
            "published": notice.published,
            "published_on": notice.published_on,
        }
        record(
            actor=actor,
            code=Code.PORTAL_NOTICE_SAVED,
            obj=notice,
            changes={k: [before[k], v] for k, v in after.items() if before[k] != v},
        )
    return notice


def delete_notice(*, actor, notice: Notice) -> None:
    require_manage(actor)
    with transaction.atomic():
        record(
            actor=actor,
            code=Code.PORTAL_NOTICE_DELETED,
            obj=notice,
            changes={"title": notice.title},
        )
        notice.delete()
