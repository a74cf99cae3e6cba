"""Demo data for clues (公布举报电话信箱, 抓好线索核查, 违规违纪违法案件查办).

The discipline head is the demo login ``inspector`` (派驻纪检监察组组长, inspector on the city
bureau, from ``org.demo``). Two handlers get logins here: ``handler`` and ``handler2`` (members
of the 派驻纪检监察组, inspector on that department: they register clues and handle those they are
assigned; they see nothing else). Password ``DEMO_PASSWORD``, demo mode only.

Clues from every channel (telephone, letter, visit, supervision, self-inspection, audit,
transfer, and the portal when its module is there), in every state (registered, triaged in each
of the four handling modes, being verified, concluded, archived) and every disposition (unfounded
and the four forms, each form-1 and form-2 variant), with the three colours of the clocks (one
clue waiting too long for conclusion is red). A named reporter's identity was shown to a handler
after the head's recorded approval; another request waits for the head. One clue concerns an
officer of 东坡区分局's 苏祠派出所: the head first tried that county bureau's leader as its handler
and was refused (conflict of interest, on the clue's access log). Two case files: one opened
from a clue concluded in form 4 (transferred), one from a clue under verification, with its own
handler.

Everything is written through ``integrity.actions`` "in the past" with ``on=`` dates, relative
to ``timezone.localdate()``. Loading is idempotent: nothing is loaded once any clue from a
channel other than the portal exists.
"""

import contextlib
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zhengdun.core import demo as module_demos
from zhengdun.integrity import actions
from zhengdun.integrity.models import Clue, Disposition, Source
from zhengdun.org.models import Grant, Person, PersonStatus, Unit
from zhengdun.org.roles import Role

HANDLERS = ["handler", "handler2"]

# (channel, days ago received, category, summary, subject unit code, reporter name)
OPEN_CLUES = [
    ("hotline", 6, "masses", "来电反映：{unit}民警在接警时态度生硬，推诿群众求助。", "DP-02", ""),
    ("letter", 6, "integrity", "来信反映：{unit}有民警收受辖区商户购物卡。", "PS-01", "周某"),
    ("visit", 20, "law", "来访群众反映：{unit}办理治安案件时罚款未开具票据。", "RS-01", ""),
    ("supervision", 40, "work", "督导组检查发现：{unit}值班民警脱岗，值班记录补记。", "HY-01", ""),
    ("selfcheck", 95, "organisational", "自查中反映：{unit}负责人违规插手干部选拔。", "DL-01", ""),
    ("audit", 12, "integrity", "审计发现：{unit}装备采购价格明显偏高，疑有利益输送。", "QS-01", ""),
    ("transfer", 30, "protection", "检察机关移交：{unit}民警涉嫌为赌博场所通风报信。", "TF-01", ""),
]

CONCLUDED = [
    (Disposition.UNFOUNDED, "hotline", "经核实，反映问题不属实，予以了结。"),
    (Disposition.TALK_REMINDER, "letter", "反映问题部分属实，情节轻微，予以谈话提醒。"),
    (Disposition.CRITICISM, "visit", "存在执法不规范问题，予以批评教育。"),
    (Disposition.SELF_EXAMINATION, "hotline", "责令作出书面检查。"),
    (Disposition.ADMONISHMENT, "letter", "对其进行诫勉谈话。"),
    (Disposition.LIGHT_SANCTION, "supervision", "给予警告处分。"),
    (Disposition.ORG_ADJUSTMENT, "selfcheck", "予以调离执法岗位。"),
    (Disposition.HEAVY_SANCTION, "audit", "给予记大过处分。"),
    (Disposition.POSITION_CHANGE, "transfer", "免去所任职务。"),
    (Disposition.CASE_TRANSFER, "transfer", "涉嫌违法犯罪，立案审查并移送司法机关。"),
]


def _user(username: str):
    return get_user_model().objects.filter(username=username).first()


def _handlers(admin) -> list:
    """The demo's two handlers: logins for two officers of the 派驻纪检监察组 (created once,
    through the same actions as the application)."""
    from zhengdun.accounts.actions import create_account
    from zhengdun.org import actions as org_actions
    from zhengdun.org.demo import DEMO_PASSWORD

    unit = Unit.objects.get(code="MS-JW")
    users = []
    for username in HANDLERS:
        user = _user(username)
        if user is None:
            person = (
                Person.objects.filter(unit=unit, user__isnull=True, status=PersonStatus.ACTIVE)
                .order_by("police_number")
                .first()
            )
            user = create_account(
                admin, person=person, username=username, password=DEMO_PASSWORD, is_demo=True
            )
        if not Grant.objects.filter(user=user, role=Role.INSPECTOR, unit=unit).exists():
            org_actions.grant_role(admin, user=user, role=Role.INSPECTOR, unit=unit)
        users.append(user)
    return users


def _officer(code: str) -> Person | None:
    return (
        Person.objects.filter(unit__code=code, status=PersonStatus.ACTIVE, user__isnull=True)
        .order_by("police_number")
        .first()
    )


def _county_leader(code: str):
    """The leader of the subject's county bureau (or, failing that, the bureau's leader)."""
    grant = (
        Grant.objects.filter(role=Role.UNIT_LEADER, unit__code=code).select_related("user").first()
    )
    if grant is None:
        grant = Grant.objects.filter(role=Role.UNIT_LEADER, unit__parent__isnull=True).first()
    return grant.user if grant else None


def _register(head, today, *, source, days_ago, category, summary, code, reporter=""):
    unit = Unit.objects.filter(code=code).first()
    person = _officer(code)
    received = today - timedelta(days=days_ago)
    return actions.register_clue(
        head,
        source=source,
        received_on=received,
        category=category,
        summary=summary.format(unit=unit.name if unit else ""),
        subjects_text=f"{unit.name if unit else ''}民警",
        subject_persons=[person] if person else [],
        subject_units=[unit] if unit and not person else [],
        reporter_name=reporter,
        reporter_contact="138****0000" if reporter else "",
        on=received,
    )


def _portal_clue(today) -> None:
    """A report through the portal's own submission."""
    from zhengdun.integrity.portal import actions as portal

    if Clue.objects.filter(source=Source.PORTAL).exists():
        return
    try:
        portal.submit_report(
            category="masses",
            what="在东坡区分局通惠派出所办理身份证时，窗口民警要求“加急费”二百元。",
            where_when="通惠派出所户籍窗口，上周三上午",
            who="户籍窗口一名男性民警",
        )
    except (ValidationError, portal.Throttled):
        return  # the portal refusing (throttled) leaves the demo whole


@transaction.atomic
def load(admin) -> dict[str, object]:
    if Clue.objects.exclude(source=Source.PORTAL).exists():
        return {"clues": Clue.objects.count()}
    head = _user("inspector")
    if head is None:
        return {"clues": 0}
    today = timezone.localdate()
    handler, handler2 = _handlers(admin)

    # Open clues, one from each channel, in every open state and handling mode.
    open_clues = [
        _register(
            head,
            today,
            source=source,
            days_ago=days,
            category=category,
            summary=summary,
            code=code,
            reporter=reporter,
        )
        for source, days, category, summary, code, reporter in OPEN_CLUES
    ]
    _hotline, letter, visit, supervision, selfcheck, audit, transfer = open_clues
    # Registered: the hotline call (acknowledgement due tomorrow: yellow).
    on = visit.received_on + timedelta(days=2)
    actions.triage(head, clue=visit, mode="inquiry", lead=handler, on=on)
    actions.acknowledge(handler, clue=visit, note="已当面告知来访群众线索已受理。", on=on)
    on = supervision.received_on + timedelta(days=1)
    actions.triage(head, clue=supervision, mode="verify", lead=handler, members=[handler2], on=on)
    actions.add_entry(
        handler2, clue=supervision, kind="note", text="调取了当月值班记录和监控。", on=on
    )
    actions.add_entry(
        handler,
        clue=supervision,
        kind="interview",
        text="与值班民警谈话，承认曾离岗两小时。",
        on=on + timedelta(days=5),
    )
    on = selfcheck.received_on + timedelta(days=3)
    actions.triage(head, clue=selfcheck, mode="verify", lead=handler2, on=on)
    actions.start_verification(handler2, clue=selfcheck, on=on)
    actions.add_entry(
        handler2, clue=selfcheck, kind="note", text="调阅干部选拔档案。", on=on + timedelta(days=7)
    )
    on = audit.received_on + timedelta(days=1)
    actions.triage(head, clue=audit, mode="hold", lead=handler, on=on)
    on = transfer.received_on + timedelta(days=1)
    actions.triage(head, clue=transfer, mode="verify", lead=handler, on=on)
    actions.start_verification(handler, clue=transfer, on=on)
    actions.open_case(
        head,
        clue=transfer,
        summary="对涉嫌通风报信问题立案审查。",
        handlers=[(handler2, "lead")],
        on=on + timedelta(days=3),
    )
    # The letter's named reporter: the handler asked, the head approved on the record.
    on = letter.received_on + timedelta(days=1)
    actions.triage(head, clue=letter, mode="verify", lead=handler2, on=on)
    reveal = actions.request_reveal(handler2, clue=letter, reason="需与举报人核实购物卡细节。")
    actions.decide_reveal(head, reveal=reveal, approve=True)
    actions.record_contact(handler2, clue=letter, note="电话联系举报人，了解具体情况。", on=today)

    # The conflict of interest: the county bureau's own leader is refused as handler.
    refused = _register(
        head,
        today,
        source="hotline",
        days_ago=4,
        category="integrity",
        summary="来电反映：{unit}一名民警利用职务便利为亲属办理违规业务。",
        code="DP-01",
    )
    leader = _county_leader("DP")
    if leader is not None:
        # Refused (a conflict of interest), and recorded on the clue's access log.
        with contextlib.suppress(ValidationError):
            actions.triage(head, clue=refused, mode="verify", lead=leader, on=today)
    actions.triage(head, clue=refused, mode="verify", lead=handler, on=today)

    # Concluded clues, one for each disposition; the older ones archived.
    codes = ["PS-02", "RS-02", "HY-02", "DL-02", "QS-02", "KF-01", "DP-03", "PS-03", "RS-03"]
    for index, (disposition, source, conclusion) in enumerate(CONCLUDED):
        clue = _register(
            head,
            today,
            source=source,
            days_ago=160 - index * 8,
            category=["integrity", "work", "masses", "law", "private"][index % 5],
            summary="反映{unit}民警违反工作纪律问题（已办结）。",
            code=codes[index % len(codes)],
        )
        start = clue.received_on + timedelta(days=2)
        if disposition == Disposition.UNFOUNDED:
            actions.triage(head, clue=clue, mode="close", lead=handler, on=start)
        else:
            actions.triage(head, clue=clue, mode="verify", lead=handler, on=start)
            actions.add_entry(
                handler, clue=clue, kind="interview", text="谈话核实有关情况。", on=start
            )
        if clue.ack_due:
            actions.acknowledge(handler, clue=clue, on=start)
        finished = start + timedelta(days=30)
        actions.conclude(
            handler, clue=clue, disposition=disposition, conclusion=conclusion, on=finished
        )
        if index < 5:
            actions.archive(head, clue=clue, on=finished + timedelta(days=10))
    _portal_clue(today)
    actions.refresh_clues(today)
    return {"clues": Clue.objects.count()}


module_demos.register("integrity", load)
