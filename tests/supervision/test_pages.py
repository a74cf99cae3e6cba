"""The supervision back-office pages: each renders for those who may see it and is "not found"
for everyone else (a supervisor of group 二 never sees group 一's visits, a unit sees the visits
to it), forms keep what was typed when an action refuses, the planner's plan is adopted as
planned visits, draws are sealed before they are drawn and show that they reproduce, and lists
take a bounded number of queries."""

from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import PersonFactory, UnitFactory
from tests.supervision.conftest import TODAY
from zhengdun.org.models import UnitKind
from zhengdun.supervision import actions
from zhengdun.supervision.models import (
    Assignment,
    ChecklistEntry,
    Draw,
    Member,
    Scorecard,
    Visit,
    VisitFile,
)

NOON = datetime(2026, 11, 16, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
assert NOON.date() == TODAY
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    """Scope (today's assignments), months and colours depend on today: pin it."""
    time_machine.move_to(NOON, tick=False)


def url(name, *args, **query):
    path = reverse(f"supervision:{name}", args=args)
    if query:
        path += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return path


def log(user, group, unit, start, end=None, **extra):
    extra.setdefault("mode", "work")
    extra.setdefault("kind", "resident")
    return actions.log_visit(
        user, group=group, unit=unit, start_date=start, end_date=end or start, **extra
    )


@pytest.fixture
def held(org, sup):
    """A three-day stay of group 一 in county A (with a photo) and a check of group 二 in B."""
    return SimpleNamespace(
        a=log(
            sup.sup_a,
            sup.one,
            org.county_a,
            date(2026, 11, 2),
            date(2026, 11, 4),
            present=[sup.person_a, sup.retired],
            notes="查看值班记录",
            files=[SimpleUploadedFile("现场.png", PNG)],
        ),
        b=log(sup.sup_b, sup.two, org.county_b, date(2026, 11, 5), mode="duty", kind="random"),
    )


def score_data(template, points=8, **extra):
    data = {f"aspect_{aspect.pk}": str(points) for aspect in template.aspects.all()}
    data.update(extra)
    return data


# Groups ----------------------------------------------------------------------------------


def test_group_list_shows_each_groups_days_against_the_minimum(org, sup, held, login):
    response = login(org.office).get(url("group_list"))
    assert response.status_code == 200
    rows = {row.group.name: row for row in response.context["rows"]}
    assert set(rows) == {"第一督导组", "第二督导组"}
    assert rows["第一督导组"].status.days == 3
    # Half the month gone with 3 of 15 days: behind pace, in words beside the colour.
    assert rows["第一督导组"].status.colour == "yellow"
    html = response.content.decode()
    assert 'data-colour="yellow"' in html and rows["第一督导组"].status.reason in html
    assert url("group_create", campaign=sup.one.campaign_id) in html
    assert url("coverage", campaign=sup.one.campaign_id) in html
    assert url("ranking", campaign=sup.one.campaign_id) in html
    assert url("draw_list") in html


def test_a_supervisor_sees_only_their_own_group_and_no_new_group_link(org, sup, login):
    response = login(org.office).get(url("group_list"))
    assert response.context["can_manage"]
    response = login(sup.sup_a).get(url("group_list"))
    assert response.status_code == 200
    assert [row.group for row in response.context["rows"]] == [sup.one]
    assert not response.context["can_manage"]
    assert 'data-testid="new-group"' not in response.content.decode()


def test_those_outside_supervision_get_not_found(org, sup, login):
    client = login(org.outsider)
    for page in (url("group_list"), url("coverage"), url("draw_list"), url("visit_create")):
        assert client.get(page).status_code == 404
    # A unit's liaison sees supervision (the visits to the unit), not the groups' own pages.
    client = login(org.liaison_a)
    assert client.get(url("group_list")).status_code == 200
    assert client.get(url("group_detail", sup.one.pk)).status_code == 404
    assert client.get(url("visit_create")).status_code == 404
    assert client.get(url("draw_list")).status_code == 404


def test_group_page_marks_retired_cadres_and_shows_the_month(org, sup, held, login):
    # An earlier assignment makes October a month whose 六抓 is incomplete.
    actions.assign(org.office, group=sup.one, unit=org.station_a1, starts_on=date(2026, 10, 1))
    response = login(sup.sup_a).get(url("group_detail", sup.one.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="retired"' in html and "退居二线" in html
    assert response.context["data"].status.days == 3
    assert response.context["incomplete"] == [(date(2026, 10, 1), 6)]
    assert url("group_checklist", sup.one.pk, month="2026-10") in html
    assert [visit.pk for visit in response.context["recent"]] == [held.a.pk]
    assert url("visit_detail", held.a.pk) in html
    # Members may work but not manage: no member or assignment links.
    assert url("group_members", sup.one.pk) not in html
    assert login(sup.sup_b).get(url("group_detail", sup.one.pk)).status_code == 404
    assert login(org.office).get(url("group_detail", 999999)).status_code == 404


def test_the_office_creates_a_group_and_typed_input_survives_errors(org, sup, login):
    client = login(org.office)
    extra = PersonFactory(name="王退休", unit=org.dept, police_number="700001")
    data = {
        "campaign": sup.one.campaign_id,
        "name": "第三督导组",
        "min_days": "15",
        "leader": extra.police_number,
        "members": "部门民警\n999999",
        "note": "负责机关",
    }
    response = client.post(url("group_create"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "999999" in html and "负责机关" in html  # kept, with the unknown number named
    assert any("999999" in error for error in response.context["form"].errors["members"])
    data["members"] = "部门民警"
    response = client.post(url("group_create"), data)
    assert response.status_code == 302
    members = Member.objects.filter(group__name="第三督导组")
    assert {(m.person.name, m.is_leader) for m in members} == {
        ("王退休", True),
        ("部门民警", False),
    }
    # The action's own refusal (a name taken) also lands on the form.
    response = client.post(url("group_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert login(sup.sup_a).get(url("group_create")).status_code == 404


def test_members_and_assignments_are_the_offices_to_change(org, sup, login):
    assert login(sup.sup_a).get(url("group_members", sup.one.pk)).status_code == 404
    assert login(sup.sup_a).get(url("group_assign", sup.one.pk)).status_code == 404
    client = login(org.office)
    response = client.get(url("group_members", sup.one.pk))
    assert response.status_code == 200
    assert response.context["form"].initial["leader"] == sup.person_a.police_number
    response = client.post(
        url("group_members", sup.one.pk),
        {"leader": sup.person_a.police_number, "members": org.p_a1.police_number},
    )
    assert response.status_code == 302
    assert {m.person for m in sup.one.members.all()} == {sup.person_a, org.p_a1}
    response = client.post(
        url("group_assign", sup.one.pk),
        {"op": "assign", "unit": org.station_b1.pk, "starts_on": "2026-11-20"},
    )
    assert response.status_code == 302
    assignment = Assignment.objects.get(group=sup.one, unit=org.station_b1)
    # Ending before it started is refused; the form says why.
    response = client.post(
        url("group_assign", sup.one.pk),
        {"op": "end", "assignment": assignment.pk, "ends_on": "2026-11-01"},
        follow=True,
    )
    assignment.refresh_from_db()
    assert assignment.ends_on is None
    assert [message.level_tag for message in response.context["messages"]][-1] == "error"
    client.post(
        url("group_assign", sup.one.pk),
        {"op": "end", "assignment": assignment.pk, "ends_on": "2026-11-30"},
    )
    assignment.refresh_from_db()
    assert assignment.ends_on == date(2026, 11, 30)
    # Another group's assignment cannot be ended from this group's page.
    other = Assignment.objects.get(group=sup.two, unit=org.county_b)
    response = client.post(
        url("group_assign", sup.one.pk),
        {"op": "end", "assignment": other.pk, "ends_on": "2026-11-30"},
    )
    assert response.status_code == 404


def test_the_calendar_highlights_days_on_site(org, sup, held, login):
    log(sup.sup_a, sup.one, org.station_a1, date(2026, 11, 3))  # same day: counted once
    client = login(sup.sup_a)
    response = client.get(url("group_calendar", sup.one.pk))
    assert response.status_code == 200
    html = response.content.decode()
    for day in ("2026-11-02", "2026-11-03", "2026-11-04"):
        assert f'data-day="{day}" data-on-site' in html
    assert 'data-day="2026-11-05" data-on-site' not in html
    cells = {cell.day: cell for week in response.context["grid"] for cell in week}
    assert len(cells[date(2026, 11, 3)].held) == 2
    assert response.context["data"].status.days == 3
    october = client.get(url("group_calendar", sup.one.pk, month="2026-10"))
    assert october.context["data"].status.days == 0
    assert "data-on-site" not in october.content.decode()
    # A month that is not a month shows this one.
    assert client.get(url("group_calendar", sup.one.pk, month="x")).context["month"] == date(
        2026, 11, 1
    )
    assert login(sup.sup_b).get(url("group_calendar", sup.one.pk)).status_code == 404


def test_adopting_the_plan_creates_planned_visits(org, sup, held, login):
    client = login(sup.sup_a)
    response = client.get(url("group_plan", sup.one.pk))
    assert response.status_code == 200
    proposal = response.context["proposal"]
    assert proposal and sum(row["stay"].days for row in proposal) == 15 - 3
    assert all(row["stay"].start >= TODAY for row in proposal)
    response = client.post(url("group_plan", sup.one.pk), {"mode": "political"})
    assert response.status_code == 302
    assert response["Location"] == url("group_calendar", sup.one.pk, month="2026-11")
    planned = Visit.objects.filter(group=sup.one, planned=True)
    assert sum(visit.days for visit in planned) == 12
    assert {visit.mode for visit in planned} == {"political"}
    # Planned days count nothing yet; the planner now has nothing more to propose.
    response = client.get(url("group_plan", sup.one.pk))
    assert response.context["data"].status.days == 3 and response.context["proposal"] == []
    assert login(sup.sup_b).post(url("group_plan", sup.one.pk), {"mode": "work"}).status_code == 404


def test_a_planned_visit_is_confirmed_and_then_counts(org, sup, login):
    visit = log(sup.sup_a, sup.one, org.county_a, TODAY, planned=True)
    client = login(sup.sup_a)
    page = client.get(url("visit_detail", visit.pk)).content.decode()
    assert url("visit_confirm", visit.pk) in page and url("visit_score", visit.pk) not in page
    response = client.post(
        url("visit_confirm", visit.pk), {"present": [sup.person_a.pk], "notes": "按计划入驻"}
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert not visit.planned and visit.notes == "按计划入驻"
    assert list(visit.present.all()) == [sup.person_a]
    later = log(sup.sup_a, sup.one, org.county_a, date(2026, 11, 20), planned=True)
    response = client.post(url("visit_confirm", later.pk), {"notes": "提前确认"})
    assert response.status_code == 200  # not before its first day: the reason is on the form
    assert response.context["form"].non_field_errors() and "提前确认" in response.content.decode()


def test_the_checklist_records_a_duty_with_evidence(org, sup, login):
    client = login(sup.sup_a)
    page = url("group_checklist", sup.one.pk, month="2026-11")
    response = client.get(page)
    assert response.status_code == 200
    assert [row["duty"] for row in response.context["rows"]] == [
        "education",
        "clues",
        "assessment",
        "policy",
        "follow_up",
        "feedback",
    ]
    response = client.post(page, {"duty": "clues", "clues-note": ""})
    assert response.status_code == 200
    bound = next(row["form"] for row in response.context["rows"] if row["duty"] == "clues")
    assert bound.errors["note"]
    response = client.post(
        page,
        {
            "duty": "education",
            "education-note": "开展专题党课",
            "education-file": SimpleUploadedFile("签到表.png", PNG),
        },
    )
    assert response.status_code == 302
    entry = ChecklistEntry.objects.get(group=sup.one, duty="education")
    assert entry.note == "开展专题党课" and entry.name == "签到表.png"
    assert client.get(page).context["done"] == 1
    download = client.get(url("file", "duty", entry.pk))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PNG
    # A future month shows its duties but takes no entries yet.
    december = url("group_checklist", sup.one.pk, month="2026-12")
    assert all(row["form"] is None for row in client.get(december).context["rows"])
    assert client.post(december, {"duty": "clues", "clues-note": "x"}).status_code == 404
    # Another group's members see neither the checklist nor its evidence.
    assert login(sup.sup_b).get(url("file", "duty", entry.pk)).status_code == 404
    assert login(sup.sup_b).get(page).status_code == 404


# Visits ----------------------------------------------------------------------------------


def test_a_supervisor_of_another_group_cannot_see_a_visit_the_unit_can(org, sup, held, login):
    page = url("visit_detail", held.a.pk)
    missing = login(sup.sup_b).get(page)
    assert missing.status_code == 404
    assert missing.content == login(sup.sup_b).get(url("visit_detail", 999999)).content
    assert login(org.viewer_b).get(page).status_code == 404
    assert login(org.officer_a1).get(page).status_code == 404
    response = login(org.liaison_a).get(page)
    assert response.status_code == 200
    html = response.content.decode()
    assert "查看值班记录" in html and "现场.png" in html
    assert url("visit_score", held.a.pk) not in html  # the unit reads, it does not score
    assert login(sup.sup_a).get(page).status_code == 200
    # Their attachment likewise.
    stored = VisitFile.objects.get(visit=held.a)
    assert login(sup.sup_b).get(url("file", "visit", stored.pk)).status_code == 404
    download = login(org.liaison_a).get(url("file", "visit", stored.pk))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PNG
    assert login(org.liaison_a).get(url("file", "other", stored.pk)).status_code == 404


def test_a_unit_sees_the_visits_to_it_and_its_scores(org, sup, held, template, login):
    actions.score_visit(
        sup.sup_a,
        visit=held.a,
        template=template,
        points={aspect.pk: 9 for aspect in template.aspects.all()},
    )
    client = login(org.liaison_a)
    response = client.get(url("unit_visits", org.county_a.pk))
    assert response.status_code == 200
    assert [visit.pk for visit in response.context["page"]] == [held.a.pk]
    assert response.context["days"] == 3
    assert [card.total for card in response.context["scores"]] == [90]
    assert "<svg" in response.content.decode()
    assert client.get(url("unit_visits", org.county_b.pk)).status_code == 404
    assert login(sup.sup_b).get(url("unit_visits", org.county_a.pk)).status_code == 404
    office = login(org.office).get(url("unit_visits", org.city.pk))
    assert {visit.pk for visit in office.context["page"]} == {held.a.pk, held.b.pk}


def test_a_supervisor_logs_a_visit_on_a_phone_form(org, sup, login):
    client = login(sup.sup_a)
    form = client.get(url("visit_create"))
    assert form.status_code == 200
    html = form.content.decode()
    assert f'data-draft="visit-new-{sup.one.pk}"' in html and "data-draft-bound" not in html
    units = set(form.context["form"].fields["unit"].queryset)
    assert org.county_a in units and org.station_a1 in units and org.county_b not in units
    assert form.context["form"]["present"].initial == [sup.person_a.pk]
    response = client.post(
        url("visit_create"),
        {
            "group": sup.one.pk,
            "unit": org.station_a1.pk,
            "start_date": "2026-11-16",
            "end_date": "2026-11-16",
            "mode": "duty",
            "kind": "resident",
            "present": [sup.person_a.pk, sup.retired.pk],
            "notes": "夜查勤务",
            "files": [SimpleUploadedFile("记录.png", PNG)],
        },
    )
    assert response.status_code == 302
    visit = Visit.objects.get(notes="夜查勤务")
    assert visit.files.count() == 1 and visit.present.count() == 2 and not visit.planned
    # The saved form's draft is dropped on the next page, once.
    detail = client.get(response["Location"]).content.decode()
    assert f'data-draft-clear="visit-new-{sup.one.pk}"' in detail
    assert "data-draft-clear" not in client.get(response["Location"]).content.decode()


def test_the_visit_form_keeps_what_was_typed_when_refused(org, sup, login):
    client = login(sup.sup_a)
    data = {
        "group": sup.one.pk,
        "unit": org.county_a.pk,
        "start_date": "2026-11-18",
        "end_date": "2026-11-18",
        "mode": "work",
        "kind": "resident",
        "notes": "我在现场写的记录",
    }
    response = client.post(url("visit_create"), data)  # held, yet in the future
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["form"].errors["start_date"]
    assert "我在现场写的记录" in html and "data-draft-bound" in html
    data.update(end_date="2026-11-10", start_date="2026-11-12")
    response = client.post(url("visit_create"), data)
    assert response.context["form"].errors["end_date"]
    assert "我在现场写的记录" in response.content.decode()
    # A unit outside the group's care is not a choice.
    data.update(start_date="2026-11-12", end_date="2026-11-12", unit=org.county_b.pk)
    assert client.post(url("visit_create"), data).context["form"].errors["unit"]
    # Nor is another group's form.
    assert client.get(url("visit_create", group=sup.two.pk)).status_code == 404
    assert not Visit.objects.exists()


def test_the_office_chooses_the_group_first(org, sup, login):
    client = login(org.office)
    response = client.get(url("visit_create"))
    assert response.status_code == 200 and response.context["form"] is None
    assert set(response.context["groups"]) == {sup.one, sup.two}
    response = client.get(url("visit_create", group=sup.two.pk))
    units = set(response.context["form"].fields["unit"].queryset)
    assert org.county_b in units and org.dept in units and org.county_a not in units


def test_a_visit_is_scored_aspect_by_aspect(org, sup, held, template, login):
    client = login(sup.sup_a)
    page = url("visit_score", held.a.pk)
    response = client.get(page)
    assert response.status_code == 200
    assert len(list(response.context["form"].rows())) == 10
    assert 'data-draft="visit-score-' in response.content.decode()
    first = template.aspects.first()
    data = score_data(template, 8, summary="总体良好", **{f"remark_{first.pk}": "学习记录完整"})
    data[f"aspect_{first.pk}"] = "11"  # above the maximum of 10
    response = client.post(page, data)
    assert response.status_code == 200
    assert response.context["form"].errors[f"aspect_{first.pk}"]
    html = response.content.decode()
    assert "学习记录完整" in html and "总体良好" in html
    data[f"aspect_{first.pk}"] = "10"
    response = client.post(page, data)
    assert response.status_code == 302
    card = Scorecard.objects.get(visit=held.a)
    assert card.total == 82  # 10 × 10/10 + 90 × 8/10 over 100
    assert card.lines.get(aspect=first).remark == "学习记录完整"
    detail = client.get(url("visit_detail", held.a.pk))
    assert detail.context["card"] == card and len(detail.context["lines"]) == 10
    assert f'data-draft-clear="visit-score-{held.a.pk}"' in detail.content.decode()
    # Scoring again starts from the saved card.
    again = client.get(page).context["form"]
    assert again.initial[f"aspect_{first.pk}"] == 10
    assert client.get(url("visit_score", held.a.pk, template=999999)).status_code == 404
    assert login(sup.sup_b).get(page).status_code == 404
    assert login(org.liaison_a).get(page).status_code == 404


def test_a_visits_orders_are_listed_on_it(org, sup, held, login):
    order = actions.issue_order(
        sup.sup_a,
        campaign=sup.one.campaign,
        group=sup.one,
        unit=org.county_a,
        visit=held.a,
        problem="值班记录不全",
        requirement="补齐",
        deadline=date(2026, 11, 30),
        source="visit",
    )
    response = login(org.liaison_a).get(url("visit_detail", held.a.pk))
    assert response.context["orders"] == [order]
    assert reverse("supervision:order_detail", args=[order.pk]) in response.content.decode()


# Coverage and ranking --------------------------------------------------------------------


def test_coverage_warns_of_gaps_and_overlaps(org, sup, held, login):
    actions.assign(org.office, group=sup.one, unit=org.dept, starts_on=date(2026, 11, 10))
    UnitFactory(code="C", name="仁寿分局", kind=UnitKind.COUNTY_BUREAU, parent=org.city)
    client = login(org.office)
    response = client.get(url("coverage", month="2026-11"))
    assert response.status_code == 200
    states = {row["unit"].name: row["state"] for row in response.context["rows"]}
    assert states == {"政治部": "overlap", "东坡分局": "ok", "彭山分局": "ok", "仁寿分局": "gap"}
    html = response.content.decode()
    assert 'data-testid="gaps"' in html and 'data-testid="overlaps"' in html
    assert {row.group.name: row.status.days for row in response.context["months"]} == {
        "第一督导组": 3,
        "第二督导组": 1,
    }
    # In October no one covered anything yet (as of the month's last day).
    october = client.get(url("coverage", month="2026-10"))
    assert october.context["day"] == date(2026, 10, 31)
    assert {row["state"] for row in october.context["rows"]} == {"gap"}
    # A unit sees its own row only.
    mine = login(org.liaison_a).get(url("coverage"))
    assert [row["unit"] for row in mine.context["rows"]] == [org.county_a]
    assert login(org.liaison_a).get(url("coverage", campaign=999999)).status_code == 404


def test_units_are_ranked_by_their_average_score(org, sup, held, template, login):
    other = log(sup.sup_a, sup.one, org.station_a1, date(2026, 11, 6))
    actions.score_visit(
        sup.sup_a, visit=held.a, template=template, points={a.pk: 6 for a in template.aspects.all()}
    )
    actions.score_visit(
        sup.sup_a, visit=other, template=template, points={a.pk: 9 for a in template.aspects.all()}
    )
    client = login(org.office)
    response = client.get(url("ranking"))
    assert response.status_code == 200
    assert [(r["unit_name"], r["average"]) for r in response.context["page"]] == [
        ("苏祠派出所", 90.0),
        ("东坡分局", 60.0),
    ]
    narrowed = client.get(url("ranking", start="2026-11-05", end="2026-11-30"))
    assert [r["unit_name"] for r in narrowed.context["page"]] == ["苏祠派出所"]
    wrong = client.get(url("ranking", start="2026-11-30", end="2026-11-01"))
    assert wrong.status_code == 200 and wrong.context["form"].errors["end"]
    assert [r["unit_name"] for r in login(sup.sup_b).get(url("ranking")).context["page"]] == []


# Draws -----------------------------------------------------------------------------------


def test_a_draw_is_sealed_then_drawn_and_shown_to_reproduce(org, sup, login):
    client = login(org.office)
    assert client.get(url("draw_create")).status_code == 200
    response = client.post(
        url("draw_create"),
        {
            "kind": "units",
            "unit": org.city.pk,
            "period_start": "2026-11-16",
            "period_end": "2026-11-30",
            "count": "2",
        },
    )
    assert response.status_code == 302
    draw = Draw.objects.get()
    sealed = client.get(response["Location"])
    html = sealed.content.decode()
    # Sealed: the seed and the parameters show, the candidates do not exist yet.
    assert draw.seed in html and 'data-testid="make-draw"' in html
    assert 'data-testid="candidates"' not in html and draw.candidates == []
    response = client.post(url("draw_detail", draw.pk), {"draw": "1"})
    assert response.status_code == 302
    draw.refresh_from_db()
    assert draw.is_drawn and len(draw.result) == 2
    shown = client.get(url("draw_detail", draw.pk))
    assert shown.context["reproduced"] is True
    html = shown.content.decode()
    assert 'data-testid="candidates"' in html and draw.seed in html
    for _pk, name in draw.candidates:
        assert name in html
    # Drawing again is refused with a message, the result unchanged.
    result = draw.result
    again = client.post(url("draw_detail", draw.pk), {"draw": "1"}, follow=True)
    assert list(again.context["messages"])
    draw.refresh_from_db()
    assert draw.result == result
    listed = client.get(url("draw_list"))
    assert [row.pk for row in listed.context["page"]] == [draw.pk]
    # A supervisor of one county cannot see a city-wide draw.
    assert login(sup.sup_a).get(url("draw_detail", draw.pk)).status_code == 404


def test_a_group_draws_stations_and_logs_the_check(org, sup, login):
    client = login(sup.sup_a)
    response = client.post(
        url("draw_create"),
        {
            "group": sup.one.pk,
            "kind": "units",
            "unit": org.county_a.pk,
            "period_start": "2026-11-16",
            "period_end": "2026-11-20",
            "count": "1",
        },
    )
    assert response.status_code == 302
    draw = Draw.objects.get()
    client.post(url("draw_detail", draw.pk))
    draw.refresh_from_db()
    [(unit_pk, _name)] = draw.result
    assert unit_pk in {org.station_a1.pk, org.station_a2.pk}
    html = client.get(url("draw_detail", draw.pk)).content.decode()
    link = url("visit_create", group=sup.one.pk) + f"&amp;draw={draw.pk}&amp;unit={unit_pk}"
    assert link in html
    form = client.get(url("visit_create", group=sup.one.pk, draw=draw.pk, unit=unit_pk))
    assert form.context["form"].initial["kind"] == "random"
    response = client.post(
        url("visit_create"),
        {
            "group": sup.one.pk,
            "unit": unit_pk,
            "start_date": "2026-11-16",
            "end_date": "2026-11-16",
            "mode": "duty",
            "kind": "random",
            "draw": draw.pk,
        },
    )
    assert response.status_code == 302
    assert Visit.objects.get().draw == draw
    # A draw outside the group's units is refused on the form, parameters kept.
    response = client.post(
        url("draw_create"),
        {
            "kind": "units",
            "unit": org.county_b.pk,
            "period_start": "2026-11-16",
            "period_end": "2026-11-20",
            "count": "1",
        },
    )
    assert response.status_code == 200 and response.context["form"].errors["unit"]
    assert login(sup.sup_b).get(url("draw_detail", draw.pk)).status_code == 404


# Query counts ------------------------------------------------------------------------------


def test_pages_take_a_bounded_number_of_queries(
    org, sup, held, template, login, django_assert_max_num_queries
):
    client = login(org.office)
    draw = actions.seal_draw(
        org.office,
        campaign=sup.one.campaign,
        kind="units",
        unit=org.city,
        period_start=TODAY,
        period_end=TODAY,
        count=1,
    )
    actions.make_draw(org.office, draw=draw)
    actions.score_visit(
        org.office,
        visit=held.a,
        template=template,
        points={a.pk: 7 for a in template.aspects.all()},
    )
    pages = [
        url("group_list"),
        url("coverage"),
        url("ranking"),
        url("draw_list"),
        url("draw_detail", draw.pk),
        url("unit_visits", org.city.pk),
        url("group_detail", sup.one.pk),
        url("group_calendar", sup.one.pk),
        url("group_plan", sup.one.pk),
        url("group_checklist", sup.one.pk),
        url("visit_detail", held.a.pk),
        url("visit_score", held.a.pk),
        url("visit_create", group=sup.one.pk),
    ]
    small = {}
    for page in pages:
        client.get(page)
        with django_assert_max_num_queries(30) as captured:
            assert client.get(page).status_code == 200, page
        small[page] = len(captured.captured_queries)

    def grow(count):
        for day in range(count):
            unit = UnitFactory(parent=org.county_a)
            visit = log(org.office, sup.one, unit, date(2026, 11, 1) + timedelta(days=day))
            actions.score_visit(
                org.office,
                visit=visit,
                template=template,
                points={a.pk: 5 for a in template.aspects.all()},
            )
            actions.make_draw(
                org.office,
                draw=actions.seal_draw(
                    org.office,
                    campaign=sup.one.campaign,
                    kind="units",
                    unit=org.county_a,
                    period_start=TODAY,
                    period_end=TODAY,
                    count=1,
                ),
            )

    grow(12)
    for page in pages:
        with django_assert_max_num_queries(30) as captured:
            assert client.get(page).status_code == 200, page
        assert len(captured.captured_queries) == small[page], page


def test_a_random_check_is_not_announced_to_the_unit_before_it_is_held(org, sup, login):
    day = TODAY + timedelta(days=3)
    check = log(sup.sup_a, sup.one, org.station_a1, day, kind="random", planned=True)
    stay = log(sup.sup_a, sup.one, org.station_a2, day, planned=True)
    unit = login(org.liaison_a)
    assert unit.get(url("visit_detail", check.pk)).status_code == 404
    assert unit.get(url("visit_detail", stay.pk)).status_code == 200  # a resident stay is agreed
    assert login(sup.sup_a).get(url("visit_detail", check.pk)).status_code == 200
    listed = login(org.liaison_a).get(url("unit_visits", org.county_a.pk)).content.decode()
    assert url("visit_detail", stay.pk) in listed
    assert url("visit_detail", check.pk) not in listed
