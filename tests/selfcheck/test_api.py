"""The self-inspection API: scoped like the pages (a personal report only for the person and
their chain of leaders), the rules hold through it, the ledger's filters are the page's query."""

import json
from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.factories import GrantFactory, PersonFactory, UserFactory
from zhengdun.accounts.actions import create_token
from zhengdun.audit.models import AuditEvent
from zhengdun.org.models import Grant
from zhengdun.selfcheck import actions, queries
from zhengdun.selfcheck.models import (
    Answer,
    Measure,
    MeasureEvidence,
    MeasureState,
    Report,
    ReportKind,
    ReportState,
    Round,
)

TODAY = date(2026, 11, 16)
NOON = datetime(2026, 11, 16, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
assert NOON.date() == TODAY
API = "/api/v1/selfcheck"

# Roles whose grants show unit reports and the ledger, and those that make their holder a
# leader of the people below (read from the rule, not from the code under test).
VIEW_ROLES = {"admin", "office", "unit_leader", "liaison", "supervisor", "inspector", "viewer"}
LEADER_ROLES = {"admin", "unit_leader"}


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    """The API computes live colours for today: pin it."""
    time_machine.move_to(NOON, tick=False)


@pytest.fixture
def bearer(org):
    def client_for(user):
        token = create_token(None, user=user)
        return Client(headers={"Authorization": f"Bearer {token}"})

    return client_for


def send(client, method, url, body):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def ids(response):
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def finding(item, *measures, description="发现问题"):
    return {
        "item": item,
        "found": True,
        "description": description,
        "cause": "原因分析",
        "measures": list(measures),
    }


def measure(text, deadline=None, owner=None):
    return {"text": text, "deadline": deadline, "owner": owner}


def file_report(user, report, *answers):
    actions.save_report(user, report=report, version=report.version, answers=list(answers))
    actions.submit_report(user, report=report)
    return report


@pytest.fixture
def colleague(org):
    """Another officer of station A1, with an account and a personal report of their own."""
    account = UserFactory(username="colleague_a1")
    GrantFactory(user=account, role="officer", unit=org.station_a1)
    PersonFactory(name="同所民警", unit=org.station_a1, user=account)
    return account


@pytest.fixture
def filed(org, colleague, round_, item, unit_report, person_report):
    """Live measures in known states; their colours as of TODAY (16 Nov) in the comments."""
    officer = person_report(org.officer_a1)
    file_report(
        org.officer_a1, officer, finding(item("1.1"), measure("个人学习整改", date(2026, 11, 20)))
    )  # yellow: due in four days
    a1 = unit_report(org.station_a1)
    file_report(
        org.liaison_a,
        a1,
        finding(item("2.1"), measure("苏祠管理整改", date(2026, 11, 10), org.p_a1)),  # red
        finding(item("1.2"), measure("苏祠作风整改", date(2026, 12, 31), org.p_team)),  # green
    )
    a2 = unit_report(org.station_a2)
    file_report(org.liaison_a, a2, finding(item("2.2"), measure("通惠纪律整改", None, org.p_a2)))
    b = unit_report(org.county_b)
    file_report(org.admin, b, finding(item("1.1"), measure("彭山整改", date(2026, 11, 10))))
    b1 = unit_report(org.station_b1)
    file_report(
        org.admin, b1, finding(item("2.2"), measure("凤鸣纪律整改", date(2026, 12, 31), org.p_b1))
    )
    measures = {m.text: m for m in Measure.objects.select_related("round", "unit", "owner")}
    actions.report_measure_progress(org.liaison_a, measure=measures["苏祠作风整改"], progress=50)
    actions.complete_measure(org.liaison_a, measure=measures["通惠纪律整改"], note="已整改")
    return SimpleNamespace(
        round=round_,
        reports=SimpleNamespace(officer=officer, a1=a1, a2=a2, b=b, b1=b1),
        personal=measures["个人学习整改"],
        a1_red=measures["苏祠管理整改"],
        a1_green=measures["苏祠作风整改"],
        a2_done=measures["通惠纪律整改"],
        b_red=measures["彭山整改"],
        b1_green=measures["凤鸣纪律整改"],
    )


# Scope -------------------------------------------------------------------------------------


def test_a_county_liaison_sees_only_its_countys_reports_and_measures(org, filed, bearer):
    client = bearer(org.liaison_a)
    round_ = filed.round
    reports = client.get(f"{API}/reports", {"round": round_.pk, "page_size": 200}).json()
    # County A's subtree, and the city's report as a member of a unit below it (to comment).
    county_a = {org.city, org.county_a, org.station_a1, org.team_a1, org.station_a2}
    expected = set(
        Report.objects.filter(round=round_, kind=ReportKind.UNIT, unit__in=county_a).values_list(
            "pk", flat=True
        )
    ) | {Report.objects.get(round=round_, person__user=org.liaison_a).pk}
    assert {item["id"] for item in reports["items"]} == expected
    assert reports["count"] == 6
    ledger = client.get(f"{API}/ledger", {"round": round_.pk}).json()
    mine = {filed.personal.pk, filed.a1_red.pk, filed.a1_green.pk, filed.a2_done.pk}
    assert {item["id"] for item in ledger["items"]} == mine
    assert ledger["round_id"] == round_.pk and ledger["count"] == 4
    # County B's reports and measures look exactly like missing ones, for reads and writes.
    missing = client.get(f"{API}/measures/999999")
    assert missing.status_code == 404
    for url in (f"{API}/measures/{filed.b_red.pk}", f"{API}/reports/{filed.reports.b.pk}"):
        hidden = client.get(url)
        assert (hidden.status_code, hidden.json()) == (404, missing.json())
    for url, body in [
        (f"{API}/measures/{filed.b_red.pk}/progress", {"progress": 10}),
        (f"{API}/measures/{filed.b_red.pk}/complete", {"note": "x"}),
        (f"{API}/measures/{filed.b_red.pk}/verify", {}),
        (f"{API}/measures/{filed.b_red.pk}/reject", {"reason": "x"}),
        (f"{API}/reports/{filed.reports.b.pk}/submit", {}),
        (f"{API}/reports/{filed.reports.b.pk}/return", {"comment": "x"}),
    ]:
        response = send(client, "post", url, body)
        assert (response.status_code, response.json()) == (404, missing.json()), url
    put = send(client, "put", f"{API}/reports/{filed.reports.b.pk}", {"version": 2, "answers": []})
    assert put.status_code == 404
    filed.b_red.refresh_from_db()
    assert filed.b_red.state == MeasureState.OPEN and filed.b_red.progress == 0
    assert Report.objects.get(pk=filed.reports.b.pk).state == ReportState.SUBMITTED
    # The other county sees its own two, not county A's.
    others = bearer(org.viewer_b).get(f"{API}/ledger", {"round": round_.pk}).json()
    assert {item["id"] for item in others["items"]} == {filed.b_red.pk, filed.b1_green.pk}


def may_read(user, report) -> bool:
    """The rule: unit reports through the usual scope (and to their members); a personal report
    by the person and the leaders whose grant covers their unit."""
    grants = Grant.objects.filter(user=user).select_related("unit")

    def covered(roles):
        return any(report.unit_path.startswith(g.unit.path) for g in grants if g.role in roles)

    if report.kind == ReportKind.UNIT:
        # Also the reports of the units a member serves in and above, to comment on them.
        person = getattr(user, "person", None)
        member = person is not None and person.unit.path.startswith(report.unit_path)
        return member or covered(VIEW_ROLES)
    return report.person.user_id == user.pk or covered(LEADER_ROLES)


@pytest.mark.parametrize(
    "who", ["office", "leader_a", "liaison_a", "officer_a1", "colleague", "viewer_b", "outsider"]
)
def test_each_persona_reads_exactly_the_reports_the_rule_allows(
    org, colleague, round_, bearer, who
):
    user = colleague if who == "colleague" else getattr(org, who)
    client = bearer(user)
    missing = client.get(f"{API}/reports/999999").json()
    allowed = set()
    for report in Report.objects.filter(round=round_).select_related("person"):
        response = client.get(f"{API}/reports/{report.pk}")
        if may_read(user, report):
            assert response.status_code == 200, (who, report.kind, report.unit.name)
            assert response.json()["id"] == report.pk
            allowed.add(report.pk)
        else:
            # Forbidden looks exactly like missing.
            assert (response.status_code, response.json()) == (404, missing), (who, report)
    listed = client.get(f"{API}/reports", {"round": round_.pk, "page_size": 200}).json()
    assert {item["id"] for item in listed["items"]} == allowed
    assert listed["count"] == len(allowed)
    assert Report.objects.get(round=round_, person__user=user).pk in allowed


def test_a_personal_report_is_for_the_person_and_their_chain_of_leaders(
    org, colleague, filed, bearer
):
    url = f"{API}/reports/{filed.reports.officer.pk}"
    own = bearer(org.officer_a1).get(url)
    assert own.status_code == 200
    answers = own.json()["answers"]
    assert [(a["item_code"], a["description"]) for a in answers] == [("1.1", "发现问题")]
    assert answers[0]["measures"][0]["owner_name"] == org.officer_a1.person.name
    assert bearer(org.leader_a).get(url).status_code == 200
    # A colleague of the same station, the county's liaison, the office: not found.
    missing = bearer(colleague).get(f"{API}/reports/999999").json()
    for user in (colleague, org.liaison_a, org.office, org.viewer_b):
        response = bearer(user).get(url)
        assert (response.status_code, response.json()) == (404, missing)
    # The measure is in the ledger of the unit; its finding only for those who read the report.
    measure_url = f"{API}/measures/{filed.personal.pk}"
    liaison = bearer(org.liaison_a).get(measure_url).json()
    assert liaison["text"] == "个人学习整改"
    assert (liaison["report_id"], liaison["finding_description"]) == (None, None)
    owner = bearer(org.officer_a1).get(measure_url).json()
    assert (owner["report_id"], owner["finding_description"]) == (
        filed.reports.officer.pk,
        "发现问题",
    )
    assert bearer(colleague).get(measure_url).status_code == 404


def test_my_reports_are_my_personal_report_and_the_units_i_write(org, round_, bearer):
    officer = ids(bearer(org.officer_a1).get(f"{API}/reports/mine"))
    assert officer == [Report.objects.get(round=round_, person__user=org.officer_a1).pk]
    liaison = set(ids(bearer(org.liaison_a).get(f"{API}/reports/mine")))
    assert liaison == {
        Report.objects.get(round=round_, kind=ReportKind.UNIT, unit=org.county_a).pk,
        Report.objects.get(round=round_, person__user=org.liaison_a).pk,
    }


# Catalogue and rounds ----------------------------------------------------------------------


def test_the_catalogue_is_the_newest_version_or_the_one_asked_for(org, catalogue, bearer):
    client = bearer(org.officer_a1)
    first = client.get(f"{API}/catalogue").json()
    assert (first["id"], first["version"]) == (catalogue.pk, 1)
    assert [d["name"] for d in first["dimensions"]] == ["党建统领", "队伍建设"]
    assert [i["code"] for i in first["dimensions"][1]["items"]] == ["2.1", "2.2", "2.3"]
    assert first["dimensions"][1]["items"][0]["applies_to"] == "unit"
    newer = actions.create_catalogue(
        org.office,
        name=catalogue.name,
        dimensions=[{"code": "1", "name": "外部反馈", "items": [{"code": "4.1", "title": "x"}]}],
    )
    latest = client.get(f"{API}/catalogue").json()
    assert (latest["id"], latest["version"]) == (newer.pk, 2)
    assert client.get(f"{API}/catalogue", {"id": catalogue.pk}).json() == first


def test_open_a_round_and_read_its_progress(org, catalogue, filed, bearer):
    client = bearer(org.office)
    body = {"unit_id": org.county_b.pk, "name": "彭山分局专项自查", "due_date": "2026-12-31"}
    response = send(client, "post", f"{API}/rounds", body)
    assert response.status_code == 201, response.content
    data = response.json()
    opened = Round.objects.get(pk=data["id"])
    assert (data["unit_id"], data["catalogue_id"], data["opened_on"]) == (
        org.county_b.pk,
        catalogue.pk,
        "2026-11-16",
    )
    assert data["progress"]["unit_id"] == org.county_b.pk
    assert data["progress"]["unit"] == {"draft": 2, "submitted": 0, "returned": 0, "total": 2}
    assert Report.objects.filter(round=opened, kind=ReportKind.PERSON).count() == 3
    assert AuditEvent.objects.filter(code="selfcheck.round.opened", object_id=str(opened.pk))
    # The liaison of county A may see the county but not open a round over it.
    denied = send(
        bearer(org.liaison_a), "post", f"{API}/rounds", {**body, "unit_id": org.county_a.pk}
    )
    assert denied.status_code == 403
    # Its view of the first round starts at the county and counts what it may see.
    liaison = bearer(org.liaison_a)
    listed = liaison.get(f"{API}/rounds").json()
    assert [item["id"] for item in listed["items"]] == [filed.round.pk]
    detail = liaison.get(f"{API}/rounds/{filed.round.pk}").json()
    assert detail["progress"]["unit_id"] == org.county_a.pk
    assert detail["progress"]["unit"] == {"draft": 2, "submitted": 2, "returned": 0, "total": 4}
    assert detail["progress"]["person"]["total"] == 1  # only their own: not a leader
    assert {r["kind"] for r in detail["mine"]} == {"unit", "person"}
    leader = bearer(org.leader_a).get(f"{API}/rounds/{filed.round.pk}").json()
    # Everyone of county A: the leader, the liaison, four officers and the colleague.
    assert leader["progress"]["person"] == {"draft": 6, "submitted": 1, "returned": 0, "total": 7}
    station = liaison.get(f"{API}/rounds/{filed.round.pk}", {"unit": org.station_a1.pk}).json()
    assert station["progress"]["unit"]["total"] == 2
    assert liaison.get(f"{API}/rounds/{opened.pk}").status_code == 404
    assert (
        liaison.get(f"{API}/rounds/{filed.round.pk}", {"unit": org.county_b.pk}).status_code == 404
    )
    # An officer sees the round they report in, with their own report and no unit figures.
    officer = bearer(org.officer_a1).get(f"{API}/rounds/{filed.round.pk}").json()
    assert officer["progress"] is None
    assert [r["id"] for r in officer["mine"]] == [filed.reports.officer.pk]


# Reports: the rules ------------------------------------------------------------------------


def answer_body(item, text="整改措施", deadline="2026-12-20", **fields):
    return {
        "item_id": item.pk,
        "found": True,
        "description": "发现的问题",
        "cause": "原因",
        "measures": [{"text": text, "deadline": deadline}],
        **fields,
    }


def test_the_unit_reports_after_its_leader_and_locks_on_submit(
    org, round_, item, unit_report, person_report, bearer
):
    client = bearer(org.liaison_a)
    report = unit_report(org.county_a)
    url = f"{API}/reports/{report.pk}"
    body = {"version": 1, "answers": [answer_body(item("2.1"), owner_id=None)]}
    saved = send(client, "put", url, body)
    assert saved.status_code == 200, saved.content
    assert saved.json()["version"] == 2 and saved.json()["may_edit"]
    refused = send(client, "post", f"{url}/submit", {})
    assert refused.status_code == 400
    assert org.leader_a.person.name in refused.json()["detail"]
    assert Report.objects.get(pk=report.pk).state == ReportState.DRAFT
    leader = person_report(org.leader_a)
    first = send(bearer(org.leader_a), "post", f"{API}/reports/{leader.pk}/submit", {})
    assert first.status_code == 200 and first.json()["state"] == "submitted"
    submitted = send(client, "post", f"{url}/submit", {})
    assert submitted.status_code == 200, submitted.content
    data = submitted.json()
    assert (data["state"], data["findings"], data["may_edit"]) == ("submitted", 1, False)
    assert data["answers"][0]["measures"][0]["live"] is True
    # Locked: no more saving, no second submission.
    again = send(client, "put", url, {"version": data["version"], "answers": []})
    assert again.status_code == 400 and again.json()["detail"]
    assert send(client, "post", f"{url}/submit", {}).status_code == 400
    assert Answer.objects.filter(report=report).count() == 1


def test_a_viewer_who_sees_a_report_gets_403_on_writes(org, round_, unit_report, bearer):
    report = unit_report(org.county_b)
    client = bearer(org.viewer_b)
    assert client.get(f"{API}/reports/{report.pk}").status_code == 200
    put = send(client, "put", f"{API}/reports/{report.pk}", {"version": 1, "answers": []})
    assert put.status_code == 403 and put.json()["detail"]
    assert send(client, "post", f"{API}/reports/{report.pk}/submit", {}).status_code == 403
    assert Report.objects.get(pk=report.pk).version == 1


def test_the_superior_returns_a_report_with_comments(org, filed, bearer):
    report = filed.reports.a1
    url = f"{API}/reports/{report.pk}/return"
    assert send(bearer(org.viewer_b), "post", url, {"comment": "x"}).status_code == 404
    # Those who see it but are not above it: a member of the station, the county's liaison.
    assert send(bearer(org.officer_a1), "post", url, {"comment": "x"}).status_code == 403
    assert send(bearer(org.liaison_a), "post", url, {"comment": "x"}).status_code == 403
    blank = send(bearer(org.leader_a), "post", url, {"comment": "  "})
    assert blank.status_code == 400 and "comment" in blank.json()["errors"]
    returned = send(bearer(org.leader_a), "post", url, {"comment": "原因分析不深"})
    assert returned.status_code == 200, returned.content
    data = returned.json()
    assert (data["state"], data["return_comment"]) == ("returned", "原因分析不深")
    # Its measures leave the ledger until it is submitted again.
    assert bearer(org.liaison_a).get(f"{API}/measures/{filed.a1_red.pk}").status_code == 404
    ledger = bearer(org.office).get(f"{API}/ledger", {"round": filed.round.pk}).json()
    assert filed.a1_red.pk not in {item["id"] for item in ledger["items"]}
    assert send(bearer(org.leader_a), "post", url, {"comment": "再退"}).status_code == 400
    # The unit revises and the report is a draft again.
    body = {
        "version": data["version"],
        "answers": [
            {
                "item_id": filed.a1_red.item_id,
                "found": True,
                "description": "更深的分析",
                "measures": [{"text": "新措施", "owner_id": org.p_a1.pk}],
            }
        ],
    }
    revised = send(bearer(org.liaison_a), "put", f"{API}/reports/{report.pk}", body)
    assert revised.status_code == 200, revised.content
    assert revised.json()["state"] == "draft"
    assert revised.json()["answers"][0]["measures"][0]["owner_id"] == org.p_a1.pk


def test_a_stale_save_is_refused_with_409(org, round_, item, person_report, bearer):
    client = bearer(org.officer_a1)
    report = person_report(org.officer_a1)
    url = f"{API}/reports/{report.pk}"
    version = client.get(url).json()["version"]
    first = send(client, "put", url, {"version": version, "answers": [answer_body(item("1.1"))]})
    assert first.status_code == 200, first.content
    assert first.json()["answers"][0]["measures"][0]["owner_id"] == org.officer_a1.person.pk
    stale = send(
        client,
        "put",
        url,
        {"version": version, "answers": [answer_body(item("1.2"), description="另一版本")]},
    )
    assert stale.status_code == 409
    assert stale.json()["current_version"] == version + 1 and stale.json()["detail"]
    kept = client.get(url).json()
    assert [a["item_code"] for a in kept["answers"]] == ["1.1"]
    assert kept["version"] == version + 1


# Measures: the rules -----------------------------------------------------------------------


def test_verify_by_someone_other_than_the_completer(org, filed, bearer):
    url = f"{API}/measures/{filed.a1_red.pk}"
    leader = bearer(org.leader_a)
    done = send(leader, "post", f"{url}/complete", {"note": "已建立台账"})
    assert done.status_code == 200, done.content
    data = done.json()
    assert (data["state"], data["progress"], data["completion_note"]) == (
        "completed",
        100,
        "已建立台账",
    )
    assert data["completed_by_id"] == org.leader_a.pk and data["may_check"] is False
    own = send(leader, "post", f"{url}/verify", {})
    assert own.status_code == 400 and own.json()["detail"]
    verified = send(bearer(org.office), "post", f"{url}/verify", {})
    assert verified.status_code == 200, verified.content
    assert (verified.json()["state"], verified.json()["verified_by_id"]) == (
        "verified",
        org.office.pk,
    )
    assert AuditEvent.objects.filter(code="selfcheck.measure.verified").count() == 1


def test_an_owner_completes_but_may_not_verify(org, filed, bearer):
    url = f"{API}/measures/{filed.personal.pk}"
    officer = bearer(org.officer_a1)
    assert officer.get(url).json()["may_work"] is True
    progress = send(officer, "post", f"{url}/progress", {"progress": 60, "note": "学习中"})
    assert progress.status_code == 200 and progress.json()["state"] == "in_progress"
    assert send(officer, "post", f"{url}/complete", {"note": "已学习"}).status_code == 200
    assert send(officer, "post", f"{url}/verify", {}).status_code == 403
    assert send(bearer(org.leader_a), "post", f"{url}/verify", {}).status_code == 200


def test_a_rejection_needs_a_reason_and_reopens(org, filed, bearer):
    url = f"{API}/measures/{filed.a2_done.pk}"
    leader = bearer(org.leader_a)
    blank = send(leader, "post", f"{url}/reject", {"reason": " "})
    assert blank.status_code == 400 and "reason" in blank.json()["errors"]
    assert send(leader, "post", f"{url}/reject", {}).status_code == 400
    rejected = send(leader, "post", f"{url}/reject", {"reason": "佐证不足"})
    assert rejected.status_code == 200, rejected.content
    data = rejected.json()
    assert (data["state"], data["rejection_reason"]) == ("in_progress", "佐证不足")
    assert data["may_work"] is True
    filed.a2_done.refresh_from_db()
    assert filed.a2_done.state == MeasureState.IN_PROGRESS
    # Open again: it can be completed anew, and no longer verified as it stands.
    assert send(leader, "post", f"{url}/verify", {}).status_code == 400


def test_complete_with_evidence_files(org, filed, bearer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = bearer(org.liaison_a)
    url = f"{API}/measures/{filed.a1_green.pk}/complete/upload"
    fake = SimpleUploadedFile("病毒.exe", b"MZ", content_type="application/octet-stream")
    refused = client.post(url, {"note": "已整改", "files": [fake]})
    assert refused.status_code == 400 and "病毒.exe" in refused.json()["detail"]
    assert client.post(url, {"note": ""}).status_code == 400
    note = SimpleUploadedFile("整改记录.txt", "已整改".encode(), content_type="text/plain")
    photo = SimpleUploadedFile("现场.png", b"\x89PNG\r\n\x1a\n" + b"0" * 32)
    response = client.post(url, {"note": "已整改", "files": [note, photo]})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["state"] == "completed"
    assert sorted(e["name"] for e in data["evidence"]) == ["整改记录.txt", "现场.png"]
    assert all(e["url"].startswith("/selfcheck/evidence/") for e in data["evidence"])
    assert MeasureEvidence.objects.filter(measure=filed.a1_green).count() == 2


# Ledger ------------------------------------------------------------------------------------

LEDGER_CASES = [
    ("office", {}, {"personal", "a1_red", "a1_green", "a2_done", "b_red", "b1_green"}),
    ("office", {"colour": "red"}, {"a1_red", "b_red"}),
    ("office", {"colour": "yellow"}, {"personal"}),
    ("office", {"colour": "green"}, {"a1_green", "b1_green"}),
    ("office", {"state": "completed"}, {"a2_done"}),
    ("office", {"state": "in_progress"}, {"a1_green"}),
    ("office", {"bucket": "overdue"}, {"a1_red", "b_red"}),
    ("office", {"unit": "station_a1"}, {"personal", "a1_red", "a1_green"}),
    ("office", {"unit": "county_b", "colour": "red"}, {"b_red"}),
    ("office", {"dimension": "2"}, {"a1_red", "a2_done", "b1_green"}),
    ("office", {"item": "2.2"}, {"a2_done", "b1_green"}),
    ("office", {"owner": "p_a1"}, {"a1_red"}),
    ("office", {"q": "纪律"}, {"a2_done", "b1_green"}),
    ("liaison_a", {}, {"personal", "a1_red", "a1_green", "a2_done"}),
    ("liaison_a", {"colour": "red"}, {"a1_red"}),
    ("liaison_a", {"item": "2.2"}, {"a2_done"}),
    ("viewer_b", {}, {"b_red", "b1_green"}),
]


@pytest.mark.parametrize(("who", "params", "expected"), LEDGER_CASES)
def test_ledger_filters_match_the_page_query(org, filed, item, bearer, who, params, expected):
    user = getattr(org, who)
    api_params = dict(params)
    unit = getattr(org, params["unit"]) if "unit" in params else None
    if unit is not None:
        api_params["unit"] = unit.pk
    if "owner" in params:
        api_params["owner"] = getattr(org, params["owner"]).pk
    if "item" in params:
        api_params["item"] = item(params["item"]).pk
    if "dimension" in params:
        api_params["dimension"] = filed.round.catalogue.dimensions.get(code=params["dimension"]).pk
    response = bearer(user).get(f"{API}/ledger", {"round": filed.round.pk, **api_params})
    filters = queries.LedgerFilters(
        unit=unit,
        dimension=api_params.get("dimension"),
        item=api_params.get("item"),
        state=params.get("state", ""),
        bucket=params.get("bucket", ""),
        colour=params.get("colour", ""),
        owner=api_params.get("owner"),
        q=params.get("q", ""),
    )
    page_query = list(queries.ledger(user, filed.round, filters).values_list("pk", flat=True))
    assert ids(response) == page_query
    assert set(page_query) == {getattr(filed, name).pk for name in expected}
    assert response.json()["count"] == len(expected)


def test_the_ledger_defaults_to_the_newest_round_and_needs_the_right(org, filed, bearer):
    data = bearer(org.office).get(f"{API}/ledger").json()
    assert data["round_id"] == filed.round.pk and data["count"] == 6
    assert bearer(org.officer_a1).get(f"{API}/ledger").status_code == 404
    assert bearer(org.outsider).get(f"{API}/ledger").status_code == 404


def test_ledger_items_carry_the_live_colour_and_its_reason(org, filed, bearer, time_machine):
    client = bearer(org.office)
    items = {
        item["id"]: item
        for item in client.get(f"{API}/ledger", {"round": filed.round.pk}).json()["items"]
    }
    red = items[filed.a1_red.pk]
    assert (red["colour"], red["live_colour"], red["reason_code"], red["bucket"]) == (
        "red",
        "red",
        "overdue",
        "overdue",
    )
    assert red["reason"] and red["owner_name"] == org.p_a1.name
    assert (red["item_code"], red["dimension_name"], red["unit_name"]) == (
        "2.1",
        "队伍建设",
        org.station_a1.name,
    )
    assert items[filed.personal.pk]["reason_code"] == "due_soon"
    assert items[filed.a2_done.pk]["live_colour"] == "none"
    assert items[filed.a2_done.pk]["reason_code"] == "no_deadline"
    assert items[filed.a2_done.pk]["reason"]
    # A week later, before the daily tick: stored yellow, live red.
    time_machine.move_to(datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    later = client.get(f"{API}/measures/{filed.personal.pk}").json()
    assert (later["colour"], later["live_colour"], later["reason_code"]) == (
        "yellow",
        "red",
        "overdue",
    )


@pytest.mark.parametrize(
    ("who", "params"),
    [
        ("office", {}),
        ("office", {"colour": "red", "item": True}),
        ("liaison_a", {"unit": "station_a2"}),
        ("liaison_a", {"q": "措施", "dimension": True}),
    ],
)
def test_the_ledger_takes_as_many_queries_for_50_measures_as_for_5(
    org, round_, item, unit_report, bearer, django_assert_max_num_queries, who, params
):
    owners = [org.p_a2, None, org.p_a1, org.p_team]

    def submit(unit, items, count):
        answers = [
            finding(
                item(code),
                *[
                    measure(
                        f"措施{code}-{n}",
                        date(2026, 11, 10) if n % 3 else date(2026, 12, 31),
                        owners[n % 4],
                    )
                    for n in range(count)
                ],
            )
            for code in items
        ]
        file_report(org.liaison_a, unit_report(unit), *answers)

    client = bearer(getattr(org, who))
    url_params = {"round": round_.pk, "page_size": 100}
    for name, value in params.items():
        if name == "unit":
            value = getattr(org, value).pk
        elif name == "item":
            value = item("2.2").pk
        elif name == "dimension":
            value = item("2.2").dimension_id
        url_params[name] = value
    client.get(f"{API}/ledger", url_params)  # the token's first use is stamped once
    submit(org.station_a2, ["2.2"], 5)
    # 11: the scope also asks which units the user's supervision groups are assigned to; the
    # count comes from the tallies (the user's top units, then their rows) and the page is read
    # ids first (core.pagination.IdsFirst).
    with django_assert_max_num_queries(11) as few:
        small = client.get(f"{API}/ledger", url_params).json()
    submit(org.station_a1, ["1.1", "2.2", "2.1"], 15)
    submit(org.team_a1, ["2.2"], 15)  # team A1 is under station A1, not A2
    with django_assert_max_num_queries(11) as many:
        large = client.get(f"{API}/ledger", url_params).json()
    assert len(small["items"]) > 0
    if "unit" not in params:
        assert len(large["items"]) > len(small["items"])
    assert large["count"] == len(large["items"])
    assert len(few.captured_queries) == len(many.captured_queries)


# Bad input ---------------------------------------------------------------------------------

# A body that is not JSON at all: 422 as api.py maps it (400 from Ninja's own parser).
MALFORMED = {400, 422}


def test_bad_input_gets_a_4xx_with_a_message_never_a_500(
    org, catalogue, filed, item, unit_report, bearer
):
    draft = unit_report(org.county_a)
    team = unit_report(org.team_a1)
    url = f"{API}/reports/{draft.pk}"
    good = answer_body(item("2.1"))
    open_measure = f"{API}/measures/{filed.a1_red.pk}"
    good_round = {"unit_id": org.county_b.pk, "name": "新一轮", "due_date": "2026-12-31"}
    cases = [
        # (who, method, url, body, expected status)
        ("liaison_a", "put", url, "not json", MALFORMED),
        ("liaison_a", "put", url, {"answers": [good]}, 422),
        ("liaison_a", "put", url, {"version": 1}, 422),
        ("liaison_a", "put", url, {"version": "one", "answers": []}, 422),
        ("liaison_a", "put", url, {"version": 10**12, "answers": []}, 422),
        ("liaison_a", "put", url, {"version": 1, "answers": [good, good]}, 422),
        ("liaison_a", "put", url, {"version": 1, "answers": [{**good, "item_id": 999999}]}, 400),
        ("liaison_a", "put", url, {"version": 1, "answers": [{**good, "item_id": "x"}]}, 422),
        ("liaison_a", "put", url, {"version": 1, "answers": [answer_body(item("2.3"))]}, 400),
        ("liaison_a", "put", url, {"version": 1, "answers": [{**good, "description": ""}]}, 400),
        ("liaison_a", "put", url, {"version": 1, "answers": [{**good, "found": False}]}, 400),
        (
            "liaison_a",
            "put",
            url,
            {"version": 1, "answers": [answer_body(item("2.1"), deadline="2026-10-01")]},
            400,
        ),
        (
            "liaison_a",
            "put",
            url,
            {"version": 1, "answers": [answer_body(item("2.1"), deadline="someday")]},
            422,
        ),
        (
            "liaison_a",
            "put",
            url,
            {
                "version": 1,
                "answers": [{**good, "measures": [{"text": "x", "owner_id": 999999}]}],
            },
            404,
        ),
        (
            "liaison_a",
            "put",
            url,
            {
                "version": 1,
                "answers": [{**good, "measures": [{"text": "x", "owner_id": org.p_b1.pk}]}],
            },
            404,  # not visible to the liaison
        ),
        (
            "admin",
            "put",
            url,
            {
                "version": 1,
                "answers": [{**good, "measures": [{"text": "x", "owner_id": org.p_b1.pk}]}],
            },
            400,  # visible, but not of the reporting unit's bureau
        ),
        (
            "officer_a1",
            "put",
            f"{API}/reports/{filed.reports.officer.pk}",
            {"version": 2, "answers": []},
            400,  # submitted: locked
        ),
        ("liaison_a", "put", f"{API}/reports/999999", {"version": 1, "answers": []}, 404),
        ("leader_a", "post", f"{API}/reports/{team.pk}/return", {"comment": "x"}, 400),  # draft
        ("liaison_a", "post", f"{url}/submit", {}, 400),  # the leader has not reported
        ("office", "post", f"{API}/rounds", "{", MALFORMED),
        ("office", "post", f"{API}/rounds", {**good_round, "name": "   "}, 400),
        ("office", "post", f"{API}/rounds", {**good_round, "name": "长" * 121}, 422),
        ("office", "post", f"{API}/rounds", {**good_round, "due_date": "2026-11-01"}, 400),
        ("office", "post", f"{API}/rounds", {**good_round, "due_date": "tomorrow"}, 422),
        (
            "office",
            "post",
            f"{API}/rounds",
            {**good_round, "for_units": False, "for_persons": False},
            400,
        ),
        ("office", "post", f"{API}/rounds", {**good_round, "unit_id": 999999}, 404),
        ("office", "post", f"{API}/rounds", {**good_round, "catalogue_id": 999999}, 404),
        ("office", "post", f"{API}/rounds", {"name": "x"}, 422),
        ("leader_a", "post", f"{open_measure}/progress", {"progress": 150}, 400),
        ("leader_a", "post", f"{open_measure}/progress", {"progress": "lots"}, 422),
        ("leader_a", "post", f"{open_measure}/progress", {}, 422),
        ("leader_a", "post", f"{open_measure}/complete", {"note": " "}, 400),
        ("leader_a", "post", f"{open_measure}/verify", {}, 400),  # not completed
        ("leader_a", "post", f"{open_measure}/reject", {"reason": "x"}, 400),
        ("liaison_a", "post", f"{API}/measures/{filed.a2_done.pk}/progress", {"progress": 5}, 400),
        ("leader_a", "post", f"{API}/measures/999999/progress", {"progress": 5}, 404),
        ("office", "get", f"{API}/catalogue?id=999999", None, 404),
        ("office", "get", f"{API}/catalogue?id=abc", None, 422),
        ("office", "get", f"{API}/rounds?page=abc", None, 422),
        ("office", "get", f"{API}/rounds/999999", None, 404),
        ("office", "get", f"{API}/rounds/{filed.round.pk}?unit=999999", None, 404),
        ("office", "get", f"{API}/reports", None, 422),
        ("office", "get", f"{API}/reports?round=abc", None, 422),
        ("office", "get", f"{API}/reports?round=999999", None, 404),
        ("office", "get", f"{API}/reports?round={filed.round.pk}&kind=bogus", None, 422),
        ("office", "get", f"{API}/reports?round={filed.round.pk}&state=bogus", None, 422),
        ("office", "get", f"{API}/reports?round={filed.round.pk}&unit=999999", None, 404),
        ("office", "get", f"{API}/ledger?round=999999", None, 404),
        ("office", "get", f"{API}/ledger?colour=blue", None, 422),
        ("office", "get", f"{API}/ledger?state=bogus", None, 422),
        ("office", "get", f"{API}/ledger?bucket=bogus", None, 422),
        ("office", "get", f"{API}/ledger?unit=abc", None, 422),
        ("office", "get", f"{API}/ledger?unit=999999", None, 404),
        ("office", "get", f"{API}/ledger?item=999999", None, 404),
        ("office", "get", f"{API}/ledger?dimension=999999", None, 404),
        ("office", "get", f"{API}/ledger?page=abc", None, 422),
        ("office", "get", f"{API}/ledger?q={'长' * 201}", None, 422),
        ("office", "get", f"{API}/measures/99999999999999999999", None, 404),
    ]
    for who, method, target, body, status in cases:
        client = bearer(getattr(org, who))
        if body is None:
            response = getattr(client, method)(target)
        elif isinstance(body, str):
            response = getattr(client, method)(target, body, content_type="application/json")
        else:
            response = send(client, method, target, body)
        expected = status if isinstance(status, set) else {status}
        assert response.status_code in expected, (
            who,
            method,
            target,
            body,
            response.status_code,
            response.content,
        )
        assert response.json()["detail"], (target, body)
    draft.refresh_from_db()
    assert (draft.version, draft.state) == (1, ReportState.DRAFT)
    assert not draft.answers.exists()
    filed.a1_red.refresh_from_db()
    assert (filed.a1_red.state, filed.a1_red.progress) == (MeasureState.OPEN, 0)
    assert Round.objects.count() == 1


def test_field_errors_name_the_item(org, round_, item, unit_report, bearer):
    report = unit_report(org.county_a)
    client = bearer(org.liaison_a)
    bad = send(
        client,
        "put",
        f"{API}/reports/{report.pk}",
        {"version": 1, "answers": [answer_body(item("2.1"), description="")]},
    )
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {f"item_{item('2.1').pk}"}


# Schema ------------------------------------------------------------------------------------


def test_the_openapi_schema_lists_the_selfcheck_paths(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    expected = {
        "/catalogue": {"get"},
        "/rounds": {"get", "post"},
        "/rounds/{round_id}": {"get"},
        "/reports": {"get"},
        "/reports/mine": {"get"},
        "/reports/{report_id}": {"get", "put"},
        "/reports/{report_id}/submit": {"post"},
        "/reports/{report_id}/return": {"post"},
        "/ledger": {"get"},
        "/measures/{measure_id}": {"get"},
        "/measures/{measure_id}/progress": {"post"},
        "/measures/{measure_id}/complete": {"post"},
        "/measures/{measure_id}/complete/upload": {"post"},
        "/measures/{measure_id}/verify": {"post"},
        "/measures/{measure_id}/reject": {"post"},
    }
    for path, methods in expected.items():
        assert f"{API}{path}" in paths, path
        assert methods <= set(paths[f"{API}{path}"]), path
    upload = paths[f"{API}/measures/{{measure_id}}/complete/upload"]["post"]["requestBody"]
    assert "multipart/form-data" in upload["content"]
    filters = {p["name"] for p in paths[f"{API}/ledger"]["get"]["parameters"]}
    assert {
        "round",
        "unit",
        "dimension",
        "item",
        "state",
        "bucket",
        "colour",
        "owner",
        "q",
        "page",
        "page_size",
    } <= filters
