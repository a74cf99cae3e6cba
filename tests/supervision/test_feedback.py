"""Feedback: a visit's report to the unit (page and DOCX) and a group's monthly report."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
import time_machine
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn

from tests.supervision.conftest import TODAY
from zhengdun.supervision import actions

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def score(visit, template, sup, points=None, **extra):
    aspects = list(template.aspects.all())
    return actions.score_visit(
        sup.sup_a,
        visit=visit,
        template=template,
        points=points or {aspect.pk: aspect.max_points for aspect in aspects},
        **extra,
    )


@pytest.fixture
def visit(org, sup, template):
    """Group 一's three days in county A, scored, with an order issued from it."""
    visit = actions.log_visit(
        sup.sup_a,
        group=sup.one,
        unit=org.county_a,
        start_date=date(2026, 11, 10),
        end_date=date(2026, 11, 12),
        mode="political",
        kind="resident",
        present=[sup.person_a, sup.retired],
        notes="学习教育开展扎实；值班备勤记录不全。",
    )
    aspects = list(template.aspects.all())
    points = {aspect.pk: aspect.max_points for aspect in aspects}
    points[aspects[0].pk] = 5  # 教育引导: half marks (weight 10 of 100) -> 95.0
    score(visit, template, sup, points=points, remarks={aspects[0].pk: "学习笔记不全"})
    actions.issue_order(
        sup.sup_a,
        campaign=sup.one.campaign,
        group=sup.one,
        unit=org.county_a,
        problem="值班备勤记录不全",
        requirement="补齐记录",
        deadline=date(2026, 11, 30),
        source="visit",
        visit=visit,
    )
    return visit


def feedback(visit):
    return reverse("supervision:visit_feedback", args=[visit.pk])


def docx_url(visit):
    return reverse("supervision:visit_feedback_docx", args=[visit.pk])


def test_the_feedback_page_shows_the_visit_scores_and_orders(org, sup, visit, login):
    response = login(sup.sup_a).get(feedback(visit))
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("东坡分局", "第一督导组", "2026-11-10", "2026-11-12", "值班备勤记录不全"):
        assert text in html
    assert "sup_a督导员" in html and "部门民警" in html
    assert "学习笔记不全" in html and "DB2026-0001" in html
    assert response.context["feedback"].scorecard.total == Decimal("95.0")
    assert 'data-testid="feedback-total">95.0<' in html
    assert "data-print" in html and docx_url(visit) in html


def test_the_feedback_docx_opens_with_the_unit_and_the_total(org, sup, visit, login):
    response = login(org.liaison_a).get(docx_url(visit))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert "attachment" in response["Content-Disposition"]
    document = Document(BytesIO(response.content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    text = "\n".join([paragraph.text for paragraph in document.paragraphs] + cells)
    assert "东坡分局" in text and "第一督导组" in text
    assert "95.0" in text
    assert "DB2026-0001" in text and "值班备勤记录不全" in text
    assert "学习笔记不全" in text
    # Chinese text carries an East Asian font for Word to pick.
    runs = [run for paragraph in document.paragraphs for run in paragraph.runs]
    fonts = {run.element.rPr.rFonts.get(qn("w:eastAsia")) for run in runs if run.text}
    assert fonts <= {"宋体", "黑体"} and fonts


def test_an_unscored_visit_still_gives_feedback(org, sup, login):
    visit = actions.log_visit(
        sup.sup_a,
        group=sup.one,
        unit=org.station_a2,
        start_date=date(2026, 11, 13),
        end_date=date(2026, 11, 13),
        mode="duty",
        kind="random",
    )
    client = login(sup.sup_a)
    assert client.get(feedback(visit)).status_code == 200
    response = client.get(docx_url(visit))
    assert response.status_code == 200
    assert "通惠派出所" in "\n".join(p.text for p in Document(BytesIO(response.content)).paragraphs)


def test_feedback_is_a_404_for_who_may_not_see_the_visit(org, sup, visit, login):
    for user in (sup.sup_b, org.viewer_b, org.outsider):
        client = login(user)
        assert client.get(feedback(visit)).status_code == 404
        assert client.get(docx_url(visit)).status_code == 404
    assert login(org.leader_a).get(feedback(visit)).status_code == 200
    assert login(org.office).get(docx_url(visit)).status_code == 200


def test_the_feedback_page_has_a_bounded_number_of_queries(
    org, sup, visit, login, django_assert_max_num_queries
):
    client = login(sup.sup_a)
    client.get(feedback(visit))
    with django_assert_max_num_queries(20) as small:
        assert client.get(feedback(visit)).status_code == 200
    for n in range(10):
        actions.issue_order(
            sup.sup_a,
            campaign=sup.one.campaign,
            group=sup.one,
            unit=org.county_a,
            problem=f"问题{n}",
            requirement="整改",
            deadline=date(2026, 11, 30),
            source="visit",
            visit=visit,
        )
    with django_assert_max_num_queries(20) as large:
        assert client.get(feedback(visit)).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


# --- the group's monthly report ---------------------------------------------------------


@pytest.fixture
def november(org, sup, template, visit):
    """Group 一's November to the 16th: the scored visit (10–12), a stay of 2–6 and one of
    5–9 overlapping it (8 days), so 11 days on site; three more orders, one closed, one
    overdue; two of the six duties recorded."""
    first = actions.log_visit(
        sup.sup_a,
        group=sup.one,
        unit=org.station_a1,
        start_date=date(2026, 11, 2),
        end_date=date(2026, 11, 6),
        mode="work",
        kind="resident",
    )
    second = actions.log_visit(
        sup.sup_a,
        group=sup.one,
        unit=org.station_a2,
        start_date=date(2026, 11, 5),
        end_date=date(2026, 11, 9),
        mode="duty",
        kind="resident",
    )
    aspects = list(template.aspects.all())
    score(first, template, sup, points={aspect.pk: aspect.max_points / 2 for aspect in aspects})
    # A planned visit counts nothing.
    actions.log_visit(
        sup.sup_a,
        group=sup.one,
        unit=org.county_a,
        start_date=date(2026, 11, 20),
        end_date=date(2026, 11, 24),
        mode="work",
        kind="resident",
        planned=True,
    )

    def order(on, deadline, unit):
        return actions.issue_order(
            sup.sup_a,
            campaign=sup.one.campaign,
            group=sup.one,
            unit=unit,
            problem="问题",
            requirement="整改",
            deadline=deadline,
            source="visit",
            on=on,
        )

    closed = order(date(2026, 11, 3), date(2026, 11, 20), org.station_a1)
    actions.respond_order(org.liaison_a, order=closed, response="已整改", on=date(2026, 11, 5))
    actions.verify_order(sup.sup_a, order=closed, on=date(2026, 11, 6))
    order(date(2026, 11, 4), date(2026, 11, 10), org.station_a2)  # overdue since the 11th
    # October: an order of the month before, closed in November.
    late = order(date(2026, 10, 28), date(2026, 11, 5), org.county_a)
    actions.respond_order(org.liaison_a, order=late, response="已整改", on=date(2026, 11, 7))
    actions.verify_order(sup.sup_a, order=late, on=date(2026, 11, 8))
    for duty in ("education", "follow_up"):
        actions.record_duty(
            sup.sup_a, group=sup.one, month=date(2026, 11, 1), duty=duty, note="已完成"
        )
    # Group 二's work does not count for group 一.
    actions.log_visit(
        sup.sup_b,
        group=sup.two,
        unit=org.county_b,
        start_date=date(2026, 11, 1),
        end_date=date(2026, 11, 14),
        mode="work",
        kind="resident",
    )
    return first, second


def report_url(group, month=None):
    url = reverse("supervision:group_report", args=[group.pk])
    return f"{url}?month={month}" if month else url


def test_the_group_report_adds_up_the_month(org, sup, november, login):
    response = login(org.office).get(report_url(sup.one, "2026-11"))
    assert response.status_code == 200
    report = response.context["report"]
    assert report.cutoff == TODAY
    assert (report.data.status.days, report.data.status.minimum) == (11, 15)
    # 11 days by the 16th of 30 against 15: 8 expected by now, on pace.
    assert report.data.status.colour == "green"
    assert len(report.rows) == 3  # held visits only
    assert [row.score for row in report.rows] == [Decimal("50.0"), None, Decimal("95.0")]
    assert report.average == Decimal("72.5")
    assert (report.issued, report.closed, report.overdue) == (3, 2, 1)
    assert report.open_at_cutoff == 2  # the overdue one and the visit's order
    assert report.duties_done == 2
    html = response.content.decode()
    assert 'data-testid="report-issued">3<' in html and 'data-testid="report-overdue">1<' in html
    assert "11 / 15" in html and "72.5" in html


def test_an_earlier_month_stands_at_its_end(org, sup, november, login):
    report = login(sup.sup_a).get(report_url(sup.one, "2026-10")).context["report"]
    assert report.cutoff == date(2026, 10, 31)
    assert report.data.status.days == 0 and report.data.status.colour == "red"
    assert (report.issued, report.closed, report.overdue, report.open_at_cutoff) == (1, 0, 0, 1)
    assert report.average is None and report.duties_done == 0


def test_the_month_defaults_to_this_one_and_bad_months_are_ignored(org, sup, november, login):
    client = login(org.office)
    assert client.get(report_url(sup.one)).context["month"] == date(2026, 11, 1)
    assert client.get(report_url(sup.one, "2026-13")).context["month"] == date(2026, 11, 1)
    assert client.get(report_url(sup.one, "abc")).status_code == 200


def test_the_group_report_is_a_404_for_who_may_not_see_the_group(org, sup, november, login):
    for user in (sup.sup_b, org.liaison_a, org.outsider):
        assert login(user).get(report_url(sup.one)).status_code == 404
    assert login(sup.sup_a).get(report_url(sup.one)).status_code == 200
    assert login(sup.sup_b).get(report_url(sup.two)).status_code == 200


def test_the_group_report_has_a_bounded_number_of_queries(
    org, sup, november, login, django_assert_max_num_queries
):
    client = login(org.office)
    url = report_url(sup.one, "2026-11")
    client.get(url)
    with django_assert_max_num_queries(25) as small:
        assert client.get(url).status_code == 200
    for day in range(13, 17):
        visit = actions.log_visit(
            sup.sup_a,
            group=sup.one,
            unit=org.team_a1,
            start_date=date(2026, 11, day),
            end_date=date(2026, 11, day),
            mode="duty",
            kind="random",
        )
        actions.issue_order(
            sup.sup_a,
            campaign=sup.one.campaign,
            group=sup.one,
            unit=org.team_a1,
            problem="问题",
            requirement="整改",
            deadline=date(2026, 11, 30),
            source="visit",
            visit=visit,
        )
    with django_assert_max_num_queries(25) as large:
        assert client.get(url).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
