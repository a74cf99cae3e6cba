"""The public API of the reporting portal, for the portal's own pages and kiosks: no account,
no cookie (``middleware``), and the receipt code only ever in a JSON body, never in a URL.

- ``POST /api/v1/public/reports``: a report; answers with the receipt code, once.
- ``POST /api/v1/public/reports/status``: the code in the body; answers with the status and
  the messages. Failed look-ups are throttled like the page's (429 when paused).
- ``POST /api/v1/public/reports/messages``: the code and a message from the reporter.
"""

from datetime import date

from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.responses import Status

from zhengdun.integrity.portal import actions, queries, receipts, tokens
from zhengdun.integrity.portal.models import PublicReport, ReportStatus

router = Router(tags=["public reporting"])


class ReportIn(Schema):
    category: str
    what: str
    where_when: str = ""
    who: str = ""
    contact: str = ""


class ReceiptOut(Schema):
    receipt: str
    receipt_groups: list[str]
    status: str
    received_on: date
    advice: str


class CodeIn(Schema):
    receipt: str


class AttachmentOut(Schema):
    name: str
    content_type: str
    size: int


class MessageOut(Schema):
    sender: str
    body: str
    sent_on: date
    attachments: list[AttachmentOut]


class StatusOut(Schema):
    status: str
    status_label: str
    received_on: date
    messages: list[MessageOut]


class MessageIn(Schema):
    receipt: str
    body: str


class Detail(Schema):
    detail: str


def _refused(request):
    if not tokens.same_origin(request):
        return Status(403, {"detail": _("This request did not come from this site.")})
    return None


def _status(report: PublicReport) -> dict:
    return {
        "status": report.status,
        "status_label": str(ReportStatus(report.status).label),
        "received_on": report.received_on,
        "messages": [
            {
                "sender": message.sender,
                "body": message.body,
                "sent_on": message.sent_on,
                "attachments": [
                    {"name": a.name, "content_type": a.content_type, "size": a.size}
                    for a in message.attachments.all()
                ],
            }
            for message in queries.thread(report)
        ],
    }


@router.post(
    "/reports",
    auth=None,
    response={201: ReceiptOut, 403: Detail, 429: Detail},
    summary="Send a report (no account); the receipt code is returned once",
)
def submit(request, payload: ReportIn):
    refused = _refused(request)
    if refused:
        return refused
    try:
        receipt = actions.submit_report(**payload.dict())
    except actions.Throttled as throttled:
        return Status(429, {"detail": throttled.message})
    return Status(
        201,
        {
            "receipt": receipts.formatted(receipt.code),
            "receipt_groups": receipt.groups,
            "status": receipt.report.status,
            "received_on": receipt.report.received_on,
            "advice": _(
                "Write this code down now: it is shown only once and cannot be recovered. "
                "With it you can follow your report and answer questions."
            ),
        },
    )


def _open(request, code: str):
    refused = _refused(request)
    if refused:
        return None, refused
    try:
        return actions.open_report(code=code), None
    except actions.Throttled as throttled:
        return None, Status(429, {"detail": throttled.message})


@router.post(
    "/reports/status",
    auth=None,
    response={200: StatusOut, 403: Detail, 429: Detail},
    summary="A report's status and messages, for the receipt code in the body",
)
def status(request, payload: CodeIn):
    report, refused = _open(request, payload.receipt)
    return refused or _status(report)


@router.post(
    "/reports/messages",
    auth=None,
    response={201: StatusOut, 403: Detail, 429: Detail},
    summary="A message from the reporter, with the receipt code in the body",
)
def write(request, payload: MessageIn):
    report, refused = _open(request, payload.receipt)
    if refused:
        return refused
    try:
        actions.reporter_writes(report=report, body=payload.body)
    except actions.Throttled as throttled:
        return Status(429, {"detail": throttled.message})
    return Status(201, _status(report))
