from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.text import Truncator

from tests.selfcheck.conftest import OPENED
from zhengdun.selfcheck import actions
from zhengdun.selfcheck.models import Measure, MeasureState, Meeting, Opinion, Report, ReportState

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(date(2026, 11, 10), tick=False):
        yield


def report_post(report, item, **extra):
    data = {
        "version": report.version,
        f"i{item.pk}_found": "on",
        f"i{item.pk}_description": "学习走过场",
        f"i{item.pk}_cause": "重视不够",
        f"i{item.pk}_m0_text": "建立学习台账",
        f"i{item.pk}_m0_deadline": "2026-12-15",
    }
    data.update(extra)
    return data


def test_the_office_opens_a_round_through_the_page(org, catalogue, login):
    response = login(org.office).post(
        reverse("selfcheck:round_create"),
        {
            "name": "第二轮",
            "catalogue": catalogue.pk,
            "unit": org.county_a.pk,
            "due_date": "2026-12-01",
            "for_units": "on",
            "for_persons": "on",
            "leaders_first": "on",
        },
    )
    assert response.status_code == 302
    assert Report.objects.filter(round__name="第二轮").count() == 4 + 6  # units and officers of A


def test_an_officer_writes_saves_and_submits_their_report(org, round_, person_report, item, login):
    report = person_report(org.officer_a1)
    client = login(org.officer_a1)
    url = reverse("selfcheck:report_edit", args=[report.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "思想政治不纯" in page.content.decode() and "管理缺位" not in page.content.decode()
    # The page belongs to self-inspection in the side navigation.
    active = [item["url"] for item in page.context["nav_items"] if item["active"]]
    assert active == [reverse("selfcheck:round_list")]
    saved = client.post(url, report_post(report, item("1.1"), save="1"))
    assert saved.status_code == 302
    report.refresh_from_db()
    submitted = client.post(url, report_post(report, item("1.1"), submit="1"))
    assert submitted.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    assert Measure.objects.get(answer__report=report).live
    assert client.get(url, follow=True).redirect_chain  # locked: back to the report


def test_form_errors_keep_what_was_typed(org, round_, person_report, item, login):
    report = person_report(org.officer_a1)
    data = report_post(report, item("1.1"))
    data[f"i{item('1.1').pk}_description"] = ""
    data[f"i{item('1.1').pk}_cause"] = "我写的原因"
    response = login(org.officer_a1).post(reverse("selfcheck:report_edit", args=[report.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "我写的原因" in html and "建立学习台账" in html


def test_a_colleague_never_sees_a_personal_report(org, round_, person_report, login):
    report = person_report(org.officer_a1)
    assert (
        login(org.liaison_a).get(reverse("selfcheck:report_detail", args=[report.pk])).status_code
        == 404
    )
    assert (
        login(org.office).get(reverse("selfcheck:report_detail", args=[report.pk])).status_code
        == 404
    )
    assert (
        login(org.leader_a).get(reverse("selfcheck:report_detail", args=[report.pk])).status_code
        == 200
    )


def test_the_leader_returns_and_the_unit_sees_why(
    org, round_, unit_report, person_report, item, login
):
    actions.submit_report(org.leader_a, report=person_report(org.leader_a))
    report = unit_report(org.station_a1)
    actions.save_report(
        org.liaison_a,
        report=report,
        version=report.version,
        answers=[
            {
                "item": item("1.2"),
                "found": True,
                "description": "问题",
                "measures": [{"text": "措施"}],
            }
        ],
    )
    actions.submit_report(org.liaison_a, report=report, on=OPENED)
    response = login(org.leader_a).post(
        reverse("selfcheck:report_return", args=[report.pk]), {"comment": "请补充原因分析"}
    )
    assert response.status_code == 302
    html = (
        login(org.liaison_a)
        .get(reverse("selfcheck:report_detail", args=[report.pk]))
        .content.decode()
    )
    assert "请补充原因分析" in html


@pytest.fixture
def measure(org, round_, person_report, item):
    report = person_report(org.officer_a1)
    actions.save_report(
        org.officer_a1,
        report=report,
        version=report.version,
        answers=[
            {
                "item": item("2.2"),
                "found": True,
                "description": "纪律松弛",
                "measures": [{"text": "严格考勤", "deadline": date(2026, 11, 20)}],
            }
        ],
    )
    actions.submit_report(org.officer_a1, report=report, on=OPENED)
    return Measure.objects.get(answer__report=report)


def test_complete_with_evidence_then_the_supervisor_verifies(org, measure, login):
    owner = login(org.officer_a1)
    response = owner.post(
        reverse("selfcheck:measure_complete", args=[measure.pk]),
        {"note": "已建立考勤制度", "files": [SimpleUploadedFile("考勤表.png", PNG)]},
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.state == MeasureState.COMPLETED and measure.evidence.count() == 1
    # The owner has no verify right; the station's leader has.
    assert owner.post(reverse("selfcheck:measure_verify", args=[measure.pk])).status_code == 404
    login(org.leader_a).post(reverse("selfcheck:measure_verify", args=[measure.pk]))
    measure.refresh_from_db()
    assert measure.state == MeasureState.VERIFIED


def test_ledger_filters_and_scope(org, measure, login):
    client = login(org.office)
    url = reverse("selfcheck:ledger")
    listed = client.get(url, {"round": measure.round_id}).context["page"].object_list
    assert [m.pk for m in listed] == [measure.pk]
    other = client.get(url, {"round": measure.round_id, "unit": org.county_b.pk})
    assert list(other.context["page"].object_list) == []
    outside = login(org.viewer_b).get(url, {"round": measure.round_id})
    assert list(outside.context["page"].object_list) == []


def test_ledger_rows_escape_what_users_typed_and_link_each_measure(org, measure, login):
    text = "<img src=x onerror=alert(1)>" + "整改" * 40
    Measure.objects.filter(pk=measure.pk).update(text=text)
    html = login(org.office).get(reverse("selfcheck:ledger"), {"round": measure.round_id})
    html = html.content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    # Long measures are cut to 60 characters, inside a link to the measure.
    assert f'<a href="{reverse("selfcheck:measure_detail", args=[measure.pk])}">' in html
    with translation.override("zh-hans"):
        shown = escape(Truncator(text).chars(60))
    assert f"{shown}</a>" in html and "整改" * 20 not in html


def test_heat_map_counts_and_drills_down(org, measure, item, login):
    client = login(org.office)
    response = client.get(reverse("selfcheck:heat_map", args=[measure.round_id]))
    data = response.context["map"]
    assert data.totals["finding"] == 1 and data.totals["rectifying"] == 1
    assert data.cells[(item("2.2").pk, org.county_a.pk)]["finding"] == 1
    # Rolled up per unit (the columns) and per dimension, each with its closure rate.
    assert data.column_totals[org.county_a.pk]["rectifying"] == 1
    assert org.county_b.pk not in data.column_totals
    assert [
        (dimension.code, counts.get("finding", 0)) for dimension, counts in data.dimensions
    ] == [
        ("1", 0),
        ("2", 1),
    ]
    assert data.closure_rate == 0.0
    page = response.content.decode()
    assert f"unit={data.unit.pk}&amp;dimension={item('2.2').dimension_id}" in page
    drilled = client.get(
        reverse("selfcheck:heat_map", args=[measure.round_id]), {"unit": org.county_a.pk}
    )
    assert [unit.code for unit in drilled.context["map"].columns] == ["A1", "A2"]


def test_list_pages_have_bounded_queries(
    org, round_, person_report, item, login, django_assert_max_num_queries
):
    client = login(org.office)
    urls = [
        reverse("selfcheck:round_list"),
        reverse("selfcheck:round_detail", args=[round_.pk]),
        reverse("selfcheck:ledger") + f"?round={round_.pk}",
        reverse("selfcheck:heat_map", args=[round_.pk]),
    ]

    def add_measures(user, count):
        report = person_report(user)
        actions.save_report(
            user,
            report=report,
            version=report.version,
            answers=[
                {
                    "item": item("1.1"),
                    "found": True,
                    "description": "x",
                    "measures": [
                        {"text": f"m{n}", "deadline": date(2026, 12, 1)} for n in range(count)
                    ],
                }
            ],
        )
        actions.submit_report(user, report=report, on=OPENED)

    add_measures(org.officer_a1, 2)
    small = {}
    for url in urls:
        client.get(url)
        with django_assert_max_num_queries(20) as captured:
            assert client.get(url).status_code == 200
        small[url] = len(captured.captured_queries)
    add_measures(org.liaison_a, 30)
    for url in urls:
        with django_assert_max_num_queries(20) as captured:
            assert client.get(url).status_code == 200
        assert len(captured.captured_queries) == small[url], url


def test_a_meeting_problem_becomes_a_finding(org, round_, unit_report, item, login):
    client = login(org.liaison_a)
    response = client.post(
        reverse("selfcheck:meeting_create") + f"?unit={org.county_a.pk}",
        {
            "unit": org.county_a.pk,
            "kind": "democratic_life",
            "held_on": "2026-11-08",
            "minutes": "查摆问题",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and meeting.round_id == round_.pk
    response = client.post(
        reverse("selfcheck:meeting_detail", args=[meeting.pk]),
        {
            "item": item("2.1").pk,
            "description": "管理制度执行不到位",
            "measure": "修订制度",
            "deadline": "2026-12-10",
        },
    )
    assert response.status_code == 302
    answer = unit_report(org.county_a).answers.get(item=item("2.1"))
    assert answer.found and answer.meeting == meeting


def test_members_comment_on_their_units_report(org, round_, unit_report, login):
    report = unit_report(org.county_a)
    response = login(org.officer_a1).post(
        reverse("selfcheck:opinion_add", args=[report.pk]),
        {"text": "建议加强学习", "anonymous": "on"},
    )
    assert response.status_code == 302
    opinion = Opinion.objects.get()
    assert opinion.anonymous
    html = (
        login(org.liaison_a)
        .get(reverse("selfcheck:report_detail", args=[report.pk]))
        .content.decode()
    )
    assert "建议加强学习" in html and "officer_a1" not in html
    other = unit_report(org.county_b)
    assert (
        login(org.officer_a1)
        .post(reverse("selfcheck:opinion_add", args=[other.pk]), {"text": "x"})
        .status_code
        == 404
    )


def test_an_anonymous_comment_leaves_no_trace_the_unit_can_read(org, round_, unit_report, login):
    from zhengdun.audit.models import AuditEvent

    report = unit_report(org.county_a)
    login(org.officer_a1).post(
        reverse("selfcheck:opinion_add", args=[report.pk]), {"text": "匿名意见", "anonymous": "on"}
    )
    event = AuditEvent.objects.get(code="selfcheck.opinion.added")
    assert event.unit_id is None and event.actor_id == org.officer_a1.pk
    log = login(org.leader_a).get(reverse("audit:event_list"))
    assert event.pk not in {shown.pk for shown in log.context["page"].object_list}
    assert "匿名意见" not in log.content.decode()


NOT_IDS = ["abc", "²", "٣", "-1", " 1", "9" * 25]


@pytest.mark.parametrize("value", NOT_IDS)
def test_a_unit_that_is_not_an_id_is_not_found(org, measure, login, value):
    client = login(org.office)
    for url in (
        reverse("selfcheck:round_detail", args=[measure.round_id]),
        reverse("selfcheck:heat_map", args=[measure.round_id]),
    ):
        assert client.get(url, {"unit": value}).status_code == 404, url
    leader = login(org.liaison_a)
    assert leader.get(reverse("selfcheck:meeting_create"), {"unit": value}).status_code == 404
    assert leader.post(reverse("selfcheck:meeting_create"), {"unit": value}).status_code == 404
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    ("value", "status"),
    # Not a whole number: the filter is left out; a number of no unit: not found.
    [("abc", 200), ("²", 200), ("-1", 404), ("9" * 25, 404)],
)
def test_the_ledger_survives_a_unit_that_is_not_an_id(org, measure, login, value, status):
    page = login(org.office).get(
        reverse("selfcheck:ledger"), {"round": measure.round_id, "unit": value}
    )
    assert page.status_code == status


def test_evidence_beyond_the_database_is_not_found(org, login):
    url = reverse("selfcheck:evidence", args=["9" * 25])
    assert login(org.office).get(url).status_code == 404
