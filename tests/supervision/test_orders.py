"""Follow-up orders (督办单): issued → acknowledged → answered with evidence → verified and
closed, or returned with a reason and answered again; their colours and reminders; who sees
and does what; onward links to a campaign task or a rectification measure; the pages."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from tests.selfcheck import conftest as selfcheck_fixtures
from tests.supervision.conftest import TODAY
from zhengdun.campaigns.models import Task
from zhengdun.core.warnings import Colour
from zhengdun.notify.models import Notification
from zhengdun.selfcheck import actions as selfcheck_actions
from zhengdun.selfcheck.models import Measure, Report, ReportKind
from zhengdun.supervision import actions
from zhengdun.supervision.models import Order, OrderFile, OrderState

# The self-inspection fixtures, for orders that become rectification measures.
catalogue = selfcheck_fixtures.catalogue
round_ = selfcheck_fixtures.round_
person_report = selfcheck_fixtures.person_report
item = selfcheck_fixtures.item

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def person(user):
    return user.person


@pytest.fixture
def issue(org, sup):
    """Group 一 (through sup_a) issues an order to county A, the liaison as contact."""

    def make(deadline=date(2026, 11, 30), unit=None, actor=None, group=None, on=TODAY, **extra):
        return actions.issue_order(
            actor or sup.sup_a,
            campaign=sup.one.campaign,
            group=sup.one if group is None else group,
            unit=unit or org.county_a,
            contact=extra.pop("contact", person(org.liaison_a)),
            problem=extra.pop("problem", "值班备勤记录不全"),
            requirement=extra.pop("requirement", "补齐记录并建立检查制度"),
            deadline=deadline,
            source=extra.pop("source", "visit"),
            on=on,
            **extra,
        )

    return make


def detail(order):
    return reverse("supervision:order_detail", args=[order.pk])


def url(name, order):
    return reverse(f"supervision:{name}", args=[order.pk])


# --- the workflow through the pages ---------------------------------------------------------


def test_issued_acknowledged_answered_with_evidence_verified_and_closed(org, sup, login):
    client = login(sup.sup_a)
    page = client.get(reverse("supervision:order_create"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-draft="order-new"' in html and "第一督导组" in html
    response = client.post(
        reverse("supervision:order_create"),
        {
            "issuer": f"g{sup.one.pk}",
            "unit": org.county_a.pk,
            "contact": person(org.liaison_a).pk,
            "problem": "值班备勤记录不全",
            "requirement": "补齐记录",
            "deadline": "2026-11-30",
            "source": "visit",
        },
    )
    order = Order.objects.get()
    assert response.status_code == 302 and response.url == detail(order)
    # Issued: the order's page tells the phone to drop the form's draft.
    assert 'data-draft-clear="order-new"' in client.get(detail(order)).content.decode()
    assert (order.group, order.unit, order.state) == (sup.one, org.county_a, OrderState.ISSUED)
    assert order.number == "DB2026-0001" and order.created_by == sup.sup_a

    liaison = login(org.liaison_a)
    html = liaison.get(detail(order)).content.decode()
    assert 'data-testid="order-answer"' in html and 'data-testid="order-verify"' not in html
    assert liaison.post(url("order_acknowledge", order)).status_code == 302
    order.refresh_from_db()
    assert order.state == OrderState.ACKNOWLEDGED and order.acknowledged_on == TODAY
    answered = liaison.post(
        url("order_respond", order),
        {
            "response": "已补齐记录，建立每周检查制度",
            "files": [SimpleUploadedFile("记录.png", PNG, content_type="image/png")],
        },
    )
    assert answered.status_code == 302
    order.refresh_from_db()
    assert order.state == OrderState.RESPONDED and order.responded_by == org.liaison_a
    evidence = OrderFile.objects.get(order=order)
    assert evidence.name == "记录.png"

    client = login(sup.sup_a)
    html = client.get(detail(order)).content.decode()
    assert 'data-testid="order-verify"' in html and "记录.png" in html
    download = client.get(reverse("supervision:file", args=["order", evidence.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    assert client.post(url("order_verify", order)).status_code == 302
    order.refresh_from_db()
    assert order.state == OrderState.CLOSED and order.closed_by == sup.sup_a
    assert order.colour == Colour.NONE
    # The state history comes from the audit, on the order's page.
    page = client.get(detail(order))
    codes = [event.code for event in page.context["history"]]
    assert codes == [
        "supervision.order.closed",
        "supervision.order.responded",
        "supervision.order.acknowledged",
        "supervision.order.issued",
    ]
    assert 'data-testid="order-verify"' not in page.content.decode()


def test_returned_with_a_reason_then_answered_again(org, sup, issue, login):
    order = issue()
    actions.respond_order(org.liaison_a, order=order, response="已整改")
    client = login(sup.sup_a)
    assert client.post(url("order_return", order), {"reason": "缺少整改证据"}).status_code == 302
    order.refresh_from_db()
    assert order.state == OrderState.RETURNED and order.return_reason == "缺少整改证据"
    assert Notification.objects.filter(
        kind="supervision.order.returned", recipient=org.liaison_a
    ).exists()

    liaison = login(org.liaison_a)
    html = liaison.get(detail(order)).content.decode()
    assert "缺少整改证据" in html and 'data-testid="order-respond"' in html
    again = liaison.post(url("order_respond", order), {"response": "补充了照片和台账"})
    assert again.status_code == 302
    order.refresh_from_db()
    assert order.state == OrderState.RESPONDED and order.response == "补充了照片和台账"
    actions.verify_order(sup.sup_a, order=order)
    order.refresh_from_db()
    assert order.state == OrderState.CLOSED


def test_a_return_without_a_reason_shows_the_error_on_the_form(org, sup, issue, login):
    order = issue()
    actions.respond_order(org.liaison_a, order=order, response="已整改")
    response = login(sup.sup_a).post(url("order_return", order), {"reason": "  "})
    assert response.status_code == 200
    assert response.context["return_form"].errors
    order.refresh_from_db()
    assert order.state == OrderState.RESPONDED


def test_an_answer_with_a_bad_file_keeps_what_was_typed(org, sup, issue, login):
    order = issue()
    response = login(org.liaison_a).post(
        url("order_respond", order),
        {
            "response": "我写的整改情况",
            "files": [SimpleUploadedFile("fake.png", b"not a picture", content_type="image/png")],
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "我写的整改情况" in html and "fake.png" in html
    order.refresh_from_db()
    assert order.state == OrderState.ISSUED and not order.files.exists()


def test_acknowledging_twice_is_an_error_not_a_crash(org, sup, issue, login):
    order = issue()
    client = login(org.liaison_a)
    client.post(url("order_acknowledge", order))
    again = client.post(url("order_acknowledge", order))
    assert again.status_code == 200
    assert again.context["errors"].messages()


def test_the_form_keeps_what_was_typed_when_the_deadline_is_past(org, sup, login):
    response = login(sup.sup_a).post(
        reverse("supervision:order_create"),
        {
            "issuer": f"g{sup.one.pk}",
            "unit": org.county_a.pk,
            "problem": "我写的问题",
            "requirement": "我写的要求",
            "deadline": "2026-11-01",
            "source": "visit",
        },
    )
    assert response.status_code == 200
    assert "deadline" in response.context["form"].errors
    html = response.content.decode()
    assert "我写的问题" in html and "我写的要求" in html
    assert not Order.objects.exists()


def test_listing_the_units_people_issues_nothing(org, sup, login):
    response = login(sup.sup_a).post(
        reverse("supervision:order_create"),
        {"issuer": f"g{sup.one.pk}", "unit": org.station_a1.pk, "pick_unit": "1"},
    )
    assert response.status_code == 200 and not Order.objects.exists()
    contacts = list(response.context["form"].fields["contact"].queryset)
    assert org.p_a1 in contacts and org.p_team in contacts and org.p_b1 not in contacts


def test_an_order_from_a_visit_goes_to_the_visited_unit(org, sup, login):
    visit = actions.log_visit(
        sup.sup_a,
        group=sup.one,
        unit=org.station_a1,
        start_date=date(2026, 11, 10),
        end_date=date(2026, 11, 12),
        mode="work",
        kind="resident",
        present=[sup.person_a],
    )
    client = login(sup.sup_a)
    create = reverse("supervision:order_create") + f"?visit={visit.pk}"
    page = client.get(create)
    assert page.status_code == 200
    assert list(page.context["form"].fields["unit"].queryset) == [org.station_a1]
    assert org.p_a1 in page.context["form"].fields["contact"].queryset
    response = client.post(
        create,
        {
            "issuer": f"g{sup.one.pk}",
            "unit": org.station_a1.pk,
            "contact": org.p_a1.pk,
            "problem": "接处警登记不规范",
            "requirement": "规范登记",
            "deadline": "2026-11-25",
            "source": "visit",
        },
    )
    assert response.status_code == 302
    order = Order.objects.get()
    assert order.visit == visit and order.unit == org.station_a1
    # Group 二's supervisor may not issue from group 一's visit.
    assert login(sup.sup_b).get(create).status_code == 404


def test_the_office_issues_in_its_own_name(org, sup, campaign, login):
    client = login(org.office)
    page = client.get(reverse("supervision:order_create"))
    assert f"c{campaign.pk}" in dict(page.context["form"].fields["issuer"].choices)
    response = client.post(
        reverse("supervision:order_create"),
        {
            "issuer": f"c{campaign.pk}",
            "unit": org.county_b.pk,
            "problem": "群众反映窗口服务态度差",
            "requirement": "调查处理并反馈",
            "deadline": "2026-12-10",
            "source": "public",
        },
    )
    assert response.status_code == 302
    order = Order.objects.get()
    assert order.group is None and order.campaign == campaign


# --- colours and the daily tick ----------------------------------------------------------


def test_an_order_turns_yellow_near_its_deadline_red_past_it_and_none_when_closed(org, sup, issue):
    order = issue(deadline=date(2026, 11, 30))
    assert order.colour == Colour.GREEN
    assert actions.refresh_orders(date(2026, 11, 22)) == 0  # eight days left
    assert actions.refresh_orders(date(2026, 11, 23)) == 1  # seven days left
    order.refresh_from_db()
    assert order.colour == Colour.YELLOW and order.colour_since == date(2026, 11, 23)
    assert actions.refresh_orders(date(2026, 11, 23)) == 0  # idempotent
    actions.refresh_orders(date(2026, 12, 1))
    order.refresh_from_db()
    assert order.colour == Colour.RED
    # Answered: the unit has done its part while it waits for verification.
    actions.respond_order(org.liaison_a, order=order, response="已整改", on=date(2026, 12, 2))
    order.refresh_from_db()
    assert order.colour == Colour.GREEN
    actions.verify_order(sup.sup_a, order=order, on=date(2026, 12, 3))
    order.refresh_from_db()
    assert order.colour == Colour.NONE
    assert actions.refresh_orders(date(2026, 12, 20)) == 0


def test_the_list_says_why_in_words(org, sup, issue, login):
    issue(deadline=date(2026, 11, 20))
    issue(deadline=date(2026, 12, 31))
    overdue = issue(deadline=date(2026, 11, 16))

    def listing():
        # Two days on: the page reads the colours on the day, before the tick moves them.
        with time_machine.travel(date(2026, 11, 18), tick=False):
            client = login(org.liaison_a)
            client.cookies["django_language"] = "en"
            return client.get(reverse("supervision:order_list")).content.decode()

    html = listing()
    assert html.count('data-colour="yellow"') == 1 and "due in 2 days" in html
    assert html.count('data-colour="red"') == 1 and "overdue by 2 days" in html
    assert "43 days left" in html
    actions.respond_order(org.liaison_a, order=overdue, response="已整改")
    actions.verify_order(sup.sup_a, order=overdue)
    html = listing()
    assert 'data-colour="red"' not in html and 'data-colour="none"' in html


def tick(on):
    call_command("tick", "--date", on.isoformat())


def kinds(kind, user=None):
    found = Notification.objects.filter(kind=kind)
    return found.filter(recipient=user) if user else found


def test_the_tick_reminds_the_contact_then_the_leader_then_the_office_once_each(org, sup, issue):
    order = issue(deadline=date(2026, 11, 20))  # due in four days: yellow at once
    tick(TODAY)
    tick(TODAY)
    assert kinds("supervision.order.yellow", org.liaison_a).count() == 1
    assert kinds("supervision.order.yellow").count() == 1
    tick(date(2026, 11, 21))
    tick(date(2026, 11, 21))
    order.refresh_from_db()
    assert order.colour == Colour.RED
    assert kinds("supervision.order.red", org.leader_a).count() == 1
    assert kinds("supervision.order.red").count() == 1
    tick(date(2026, 11, 28))  # red for the campaign's seven days
    tick(date(2026, 11, 29))
    assert kinds("supervision.order.red_escalated", org.office).count() == 1
    assert kinds("supervision.order.red_escalated").count() == 1


def test_an_answered_order_waits_for_the_issuer_not_the_unit(org, sup, issue):
    order = issue(deadline=date(2026, 11, 20))
    actions.respond_order(org.liaison_a, order=order, response="已整改", on=TODAY)
    tick(date(2026, 11, 25))
    order.refresh_from_db()
    assert order.colour == Colour.GREEN
    assert not kinds("supervision.order.red").exists()


# --- who may do what ------------------------------------------------------------------------


def test_the_responder_cannot_verify(org, sup, issue, login):
    # The administrator may both answer and verify, but not the same order twice over.
    order = issue(actor=org.admin, group=sup.one)
    actions.respond_order(org.admin, order=order, response="已整改")
    with pytest.raises(ValidationError):
        actions.verify_order(org.admin, order=order)
    client = login(org.admin)
    assert 'data-testid="order-verify"' not in client.get(detail(order)).content.decode()
    refused = client.post(url("order_verify", order))
    assert refused.status_code == 200 and refused.context["errors"].messages()
    order.refresh_from_db()
    assert order.state == OrderState.RESPONDED
    # The unit's liaison answers; verifying is not theirs at all.
    assert login(org.liaison_a).post(url("order_verify", order)).status_code == 404


def test_a_unit_sees_only_its_own_orders(org, sup, issue, login):
    mine = issue()
    theirs = issue(unit=org.county_b, actor=sup.sup_b, group=sup.two, contact=None)
    listed = login(org.liaison_a).get(reverse("supervision:order_list"))
    assert [order.pk for order in listed.context["page"]] == [mine.pk]
    assert login(org.liaison_a).get(detail(theirs)).status_code == 404
    listed = login(org.viewer_b).get(reverse("supervision:order_list"))
    assert [order.pk for order in listed.context["page"]] == [theirs.pk]
    # A unit filter outside the user's view is a 404, not an empty list.
    assert (
        login(org.liaison_a)
        .get(reverse("supervision:order_list"), {"unit": org.county_b.pk})
        .status_code
        == 404
    )


def test_another_groups_supervisor_gets_404(org, sup, issue, login):
    order = issue()
    client = login(sup.sup_b)
    assert client.get(detail(order)).status_code == 404
    for name in ("order_verify", "order_return", "order_link"):
        assert client.post(url(name, order), {"reason": "x"}).status_code == 404
    listed = client.get(reverse("supervision:order_list"))
    assert list(listed.context["page"]) == []
    assert login(org.outsider).get(detail(order)).status_code == 404


def test_the_liaison_of_county_a_answers_county_a_orders(org, sup, issue, login):
    order = issue(unit=org.station_a1, contact=org.p_a1)
    client = login(org.liaison_a)
    assert client.post(url("order_respond", order), {"response": "已整改"}).status_code == 302
    order.refresh_from_db()
    assert order.state == OrderState.RESPONDED
    # Group 一's supervisor issues and verifies; answering is the unit's.
    assert login(sup.sup_a).post(url("order_acknowledge", order)).status_code == 404


def test_filters(org, sup, issue, login):
    issue(unit=org.station_a1, contact=None, problem="接处警不规范")
    red = issue(deadline=date(2026, 11, 16), problem="警械管理混乱")
    issue(unit=org.county_b, actor=sup.sup_b, group=sup.two, contact=None, problem="窗口服务")
    actions.refresh_orders(date(2026, 11, 17))
    client = login(org.office)

    def numbers(**params):
        page = client.get(reverse("supervision:order_list"), params).context["page"]
        return sorted(order.problem for order in page)

    assert numbers() == ["接处警不规范", "窗口服务", "警械管理混乱"]
    assert numbers(unit=org.county_a.pk) == ["接处警不规范", "警械管理混乱"]
    assert numbers(unit=org.station_a1.pk) == ["接处警不规范"]
    assert numbers(colour="red") == ["警械管理混乱"]
    assert numbers(group=sup.two.pk) == ["窗口服务"]
    assert numbers(q="警械") == ["警械管理混乱"]
    assert numbers(q=red.number) == ["警械管理混乱"]
    assert numbers(state="closed") == []
    assert client.get(reverse("supervision:order_list"), {"unit": "x"}).status_code == 404


# --- onward links ---------------------------------------------------------------------------


def test_the_office_turns_an_order_into_a_campaign_task_linked_both_ways(
    org, sup, issue, campaign, login
):
    order = issue()
    client = login(org.office)
    page = client.get(detail(order))
    assert page.context["task_form"] is not None
    workstream = campaign.workstreams.get()
    response = client.post(url("order_link", order), {"kind": "task", "workstream": workstream.pk})
    assert response.status_code == 302
    order.refresh_from_db()
    task = Task.objects.get(supervision_orders=order)
    assert order.task == task and task.unit == org.county_a and task.due_date == order.deadline
    assert order.number in task.title
    html = client.get(detail(order)).content.decode()
    assert reverse("campaigns:task_detail", args=[task.pk]) in html
    # The task's page lists the order (for those who may see it).
    task_page = login(org.liaison_a).get(reverse("campaigns:task_detail", args=[task.pk]))
    assert order.number in task_page.content.decode()
    # Linked once only.
    client = login(org.office)
    assert client.get(detail(order)).context.get("task_form") is None
    again = client.post(url("order_link", order), {"kind": "task", "workstream": workstream.pk})
    assert again.status_code == 403


def test_a_group_member_may_not_plan_campaign_tasks(org, sup, issue, login):
    order = issue()
    page = login(sup.sup_a).get(detail(order))
    assert page.context.get("task_form") is None


@pytest.fixture
def submitted_unit_report(org, round_, person_report):
    selfcheck_actions.submit_report(org.leader_a, report=person_report(org.leader_a))
    report = Report.objects.get(round=round_, kind=ReportKind.UNIT, unit=org.county_a)
    selfcheck_actions.submit_report(org.liaison_a, report=report)
    return report


@pytest.mark.parametrize("who", ["office", "sup_a"])
def test_an_order_becomes_a_rectification_measure_linked_both_ways(
    org,
    sup,
    issue,
    submitted_unit_report,
    item,
    login,
    who,
):
    order = issue()
    actor = org.office if who == "office" else sup.sup_a
    client = login(actor)
    form = client.get(detail(order)).context["measure_form"]
    assert list(form.fields["report"].queryset) == [submitted_unit_report]
    response = client.post(
        url("order_link", order),
        {"kind": "measure", "report": submitted_unit_report.pk, "item": item("1.1").pk},
    )
    assert response.status_code == 302, response.context and response.context["measure_form"].errors
    order.refresh_from_db()
    measure = Measure.objects.get(supervision_orders=order)
    assert order.measure == measure
    assert (measure.unit, measure.deadline, measure.text) == (
        org.county_a,
        order.deadline,
        order.requirement,
    )
    assert measure.live and measure.answer.report == submitted_unit_report
    assert reverse("selfcheck:measure_detail", args=[measure.pk]) in (
        client.get(detail(order)).content.decode()
    )
    measure_page = login(org.leader_a).get(reverse("selfcheck:measure_detail", args=[measure.pk]))
    assert order.number in measure_page.content.decode()


def test_a_catalogue_item_for_persons_only_is_refused_on_the_form(
    org,
    sup,
    issue,
    submitted_unit_report,
    item,
    login,
):
    order = issue()
    response = login(org.office).post(
        url("order_link", order),
        {"kind": "measure", "report": submitted_unit_report.pk, "item": item("2.3").pk},
    )
    assert response.status_code == 200
    assert response.context["measure_form"].errors
    order.refresh_from_db()
    assert order.measure is None


# --- bounded pages ----------------------------------------------------------------------------


def test_order_pages_issue_a_bounded_number_of_queries(
    org, sup, issue, login, django_assert_max_num_queries
):
    first = issue()
    actions.respond_order(
        org.liaison_a,
        order=first,
        response="已整改",
        files=[SimpleUploadedFile("a.png", PNG, content_type="image/png")],
    )
    for client_user in (org.office, sup.sup_a, org.liaison_a):
        client = login(client_user)
        pages = [reverse("supervision:order_list"), detail(first)]
        counts = {}
        for page in pages:
            client.get(page)
            with django_assert_max_num_queries(25) as captured:
                assert client.get(page).status_code == 200
            counts[page] = len(captured.captured_queries)
        for n in range(25):
            issue(problem=f"问题{n}", deadline=date(2026, 11, 20 + n % 10))
        for page in pages:
            with django_assert_max_num_queries(25) as captured:
                assert client.get(page).status_code == 200
            assert len(captured.captured_queries) == counts[page], (client_user, page)
        Order.objects.exclude(pk=first.pk).delete()


# --- ids that are not ids ---------------------------------------------------------------------

NOT_IDS = ["abc", "²", "٣", "-1", " 1", "9" * 25]


@pytest.mark.parametrize("value", NOT_IDS)
def test_the_list_refuses_a_unit_that_is_not_an_id(org, sup, issue, login, value):
    issue()
    client = login(org.liaison_a)
    assert client.get(reverse("supervision:order_list"), {"unit": value}).status_code == 404
    # An unknown group is a filter left out.
    assert client.get(reverse("supervision:order_list"), {"group": value}).status_code == 200


@pytest.mark.parametrize("value", NOT_IDS)
def test_the_order_form_ignores_a_unit_that_is_not_an_id(org, sup, login, value):
    client = login(sup.sup_a)
    page = client.get(reverse("supervision:order_create"), {"unit": value})
    assert page.status_code == 200
    assert page.context["form"].initial.get("unit") is None
    picked = client.post(reverse("supervision:order_create"), {"unit": value, "pick_unit": "1"})
    assert picked.status_code == 200 and not Order.objects.exists()
