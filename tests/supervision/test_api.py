"""The supervision API: scoped like the pages (a supervisor sees only the units their group is
assigned to; a unit sees the visits to it and answers its own orders; an officer sees nothing),
the draw reproduces through it, the order workflow runs through it, coverage counts days as the
rules do, and the lists take a bounded number of queries."""

import json
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.factories import PersonFactory
from zhengdun.accounts.actions import create_token
from zhengdun.audit.models import AuditEvent
from zhengdun.supervision import actions, rules
from zhengdun.supervision.models import Draw, Order, OrderFile, OrderState, Visit, VisitFile

TODAY = date(2026, 11, 16)
NOON = datetime(2026, 11, 16, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
assert NOON.date() == TODAY
API = "/api/v1/supervision"


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    """Scope (today's assignments), months and live colours depend on today: pin it."""
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


def visit(user, group, unit, start, end=None, *, mode="work", kind="resident", **extra):
    return actions.log_visit(
        user,
        group=group,
        unit=unit,
        start_date=start,
        end_date=end or start,
        mode=mode,
        kind=kind,
        **extra,
    )


@pytest.fixture
def held(org, sup):
    """A resident stay of group 一 in county A and a random check of group 二 in county B."""
    return SimpleNamespace(
        a=visit(
            sup.sup_a,
            sup.one,
            org.county_a,
            date(2026, 11, 2),
            date(2026, 11, 4),
            present=[sup.person_a, sup.retired],
        ),
        b=visit(sup.sup_b, sup.two, org.county_b, date(2026, 11, 5), mode="duty", kind="random"),
    )


def order(user, group, unit, deadline, *, visit=None, problem="台账不全"):
    return actions.issue_order(
        user,
        campaign=group.campaign,
        group=group,
        unit=unit,
        visit=visit,
        problem=problem,
        requirement="限期补齐",
        deadline=deadline,
        source="visit",
    )


@pytest.fixture
def orders(org, sup, held):
    return SimpleNamespace(
        a=order(sup.sup_a, sup.one, org.county_a, date(2026, 11, 20), visit=held.a),
        b=order(sup.sup_b, sup.two, org.county_b, date(2026, 12, 15), visit=held.b),
    )


def full_marks(template):
    return [
        {"aspect_id": aspect.pk, "points": aspect.max_points, "remark": ""}
        for aspect in template.aspects.all()
    ]


# Scope -------------------------------------------------------------------------------------


def test_group_twos_supervisor_cannot_see_group_ones_visits_or_orders(
    org, sup, held, orders, bearer
):
    client = bearer(sup.sup_b)
    assert ids(client.get(f"{API}/visits")) == [held.b.pk]
    assert ids(client.get(f"{API}/orders")) == [orders.b.pk]
    assert ids(client.get(f"{API}/groups")) == [sup.two.pk]
    # Group 一's visit, order and group look exactly like missing ones, for reads and writes.
    missing = client.get(f"{API}/visits/999999")
    assert missing.status_code == 404
    for url in (
        f"{API}/visits/{held.a.pk}",
        f"{API}/orders/{orders.a.pk}",
        f"{API}/groups/{sup.one.pk}",
        f"{API}/visits?unit={org.county_a.pk}",
        f"{API}/orders?unit={org.county_a.pk}",
    ):
        hidden = client.get(url)
        assert (hidden.status_code, hidden.json()) == (404, missing.json()), url
    new_visit = {
        "unit_id": org.county_b.pk,
        "start_date": "2026-11-16",
        "mode": "duty",
        "kind": "random",
    }
    new_order = {
        "unit_id": org.county_b.pk,
        "problem": "x",
        "requirement": "y",
        "deadline": "2026-11-30",
        "source": "visit",
    }
    for url, body in [
        (f"{API}/visits/{held.a.pk}/score", {"lines": []}),
        (f"{API}/visits/{held.a.pk}/confirm", {}),
        (f"{API}/orders/{orders.a.pk}/acknowledge", {}),
        (f"{API}/orders/{orders.a.pk}/respond", {"response": "x"}),
        (f"{API}/orders/{orders.a.pk}/verify", {}),
        (f"{API}/orders/{orders.a.pk}/return", {"reason": "x"}),
        # Group 一 is hidden from them, and so is county A.
        (f"{API}/visits", {**new_visit, "group_id": sup.one.pk}),
        (f"{API}/visits", {**new_visit, "group_id": sup.two.pk, "unit_id": org.county_a.pk}),
        (f"{API}/orders", {**new_order, "group_id": sup.one.pk}),
        (f"{API}/orders", {**new_order, "group_id": sup.two.pk, "unit_id": org.county_a.pk}),
        (f"{API}/orders", {**new_order, "visit_id": held.a.pk}),
        (
            f"{API}/draws",
            {
                "unit_id": org.county_a.pk,
                "period_start": "2026-11-16",
                "period_end": "2026-11-30",
            },
        ),
    ]:
        response = send(client, "post", url, body)
        assert (response.status_code, response.json()) == (404, missing.json()), url
    assert Order.objects.get(pk=orders.a.pk).state == OrderState.ISSUED
    assert Visit.objects.count() == 2 and Order.objects.count() == 2
    # Group 一's supervisor sees the other half.
    other = bearer(sup.sup_a)
    assert ids(other.get(f"{API}/visits")) == [held.a.pk]
    assert ids(other.get(f"{API}/orders")) == [orders.a.pk]
    assert other.get(f"{API}/orders/{orders.b.pk}").status_code == 404


def test_an_officer_sees_nothing(org, sup, held, orders, template, bearer):
    visit_score = actions.score_visit(
        sup.sup_a,
        visit=held.a,
        template=template,
        points={a.pk: a.max_points for a in template.aspects.all()},
    )
    assert visit_score.total == 100
    draw = actions.seal_draw(
        org.office,
        campaign=sup.one.campaign,
        kind="units",
        unit=org.county_a,
        period_start=TODAY,
        period_end=TODAY,
        count=1,
    )
    client = bearer(org.officer_a1)
    for path in ("groups", "visits", "orders", "draws"):
        listed = client.get(f"{API}/{path}").json()
        assert (listed["count"], listed["items"]) == (0, []), path
    for url in (
        f"{API}/groups/{sup.one.pk}",
        f"{API}/visits/{held.a.pk}",
        f"{API}/orders/{orders.a.pk}",
        f"{API}/draws/{draw.pk}",
    ):
        assert client.get(url).status_code == 404, url
    coverage = client.get(f"{API}/coverage", {"month": "2026-11"}).json()
    assert (coverage["campaign_id"], coverage["groups"], coverage["units"]) == (None, [], [])
    assert client.get(f"{API}/ranking").json()["items"] == []
    # The unit's own liaison sees the visit and the order to their county, and its score.
    liaison = bearer(org.liaison_a)
    assert ids(liaison.get(f"{API}/visits")) == [held.a.pk]
    assert liaison.get(f"{API}/visits/{held.a.pk}").json()["score"] == 100.0
    assert [row["unit_id"] for row in liaison.get(f"{API}/ranking").json()["items"]] == [
        org.county_a.pk
    ]


def test_a_units_liaison_sees_and_answers_its_orders(org, sup, orders, bearer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = bearer(org.liaison_a)
    assert ids(client.get(f"{API}/orders")) == [orders.a.pk]
    assert client.get(f"{API}/orders/{orders.b.pk}").status_code == 404
    assert client.get(f"{API}/groups").json()["count"] == 0
    detail = client.get(f"{API}/orders/{orders.a.pk}").json()
    assert (detail["may_answer"], detail["may_verify"]) == (True, False)
    url = f"{API}/orders/{orders.a.pk}"
    acknowledged = send(client, "post", f"{url}/acknowledge", {})
    assert acknowledged.status_code == 200, acknowledged.content
    assert acknowledged.json()["state"] == "acknowledged"
    assert acknowledged.json()["acknowledged_on"] == "2026-11-16"
    fake = SimpleUploadedFile("病毒.exe", b"MZ", content_type="application/octet-stream")
    refused = client.post(f"{url}/respond/upload", {"response": "已整改", "files": [fake]})
    assert refused.status_code == 400 and "病毒.exe" in refused.json()["detail"]
    assert client.post(f"{url}/respond/upload", {"response": " "}).status_code == 400
    note = SimpleUploadedFile("整改报告.txt", "已整改".encode(), content_type="text/plain")
    photo = SimpleUploadedFile("现场.png", b"\x89PNG\r\n\x1a\n" + b"0" * 32)
    answered = client.post(f"{url}/respond/upload", {"response": "已整改", "files": [note, photo]})
    assert answered.status_code == 200, answered.content
    data = answered.json()
    assert (data["state"], data["response"], data["responded_by"]) == (
        "responded",
        "已整改",
        "liaison_a",
    )
    assert sorted(f["name"] for f in data["files"]) == ["整改报告.txt", "现场.png"]
    assert all(f["url"].startswith("/supervision/files/") for f in data["files"])
    assert OrderFile.objects.filter(order=orders.a).count() == 2
    # The unit sees the order but may not verify its own answer: 403, not 404.
    for action, body in (("verify", {}), ("return", {"reason": "x"})):
        response = send(client, "post", f"{url}/{action}", body)
        assert response.status_code == 403, action
    # A viewer of county B sees B's order but may not answer it.
    viewer = bearer(org.viewer_b)
    assert ids(viewer.get(f"{API}/orders")) == [orders.b.pk]
    assert send(viewer, "post", f"{API}/orders/{orders.b.pk}/acknowledge", {}).status_code == 403
    assert viewer.get(f"{API}/orders/{orders.a.pk}").status_code == 404


# Groups ------------------------------------------------------------------------------------


def test_groups_list_and_a_groups_month(org, sup, held, bearer):
    actions.record_duty(
        sup.sup_a, group=sup.one, month=date(2026, 11, 1), duty="education", note="专题党课"
    )
    office = bearer(org.office)
    listed = office.get(f"{API}/groups").json()
    assert [item["name"] for item in listed["items"]] == ["第一督导组", "第二督导组"]
    one = office.get(f"{API}/groups/{sup.one.pk}").json()
    assert [(m["name"], m["is_leader"], m["retired_cadre"]) for m in one["members"]] == [
        (sup.person_a.name, True, False),
        (sup.retired.name, False, True),
    ]
    assert [(a["unit_id"], a["starts_on"], a["current"]) for a in one["assignments"]] == [
        (org.county_a.pk, "2026-11-01", True)
    ]
    month = one["month"]
    # Nov 2-4 on site: 3 of 15, behind the pace of 7.5 by the 16th.
    assert (month["month"], month["days"], month["minimum"], month["colour"]) == (
        "2026-11",
        3,
        15,
        "yellow",
    )
    assert month["reason"]
    assert month["dates"] == ["2026-11-02", "2026-11-03", "2026-11-04"]
    assert month["unvisited"] == []
    assert [(entry["duty"], entry["done"]) for entry in one["checklist"]] == [
        ("education", True),
        ("clues", False),
        ("assessment", False),
        ("policy", False),
        ("follow_up", False),
        ("feedback", False),
    ]
    assert (one["checklist"][0]["note"], one["checklist"][0]["file_url"]) == ("专题党课", None)
    assert (one["may_manage"], one["is_member"]) == (True, False)
    two = bearer(sup.sup_b).get(f"{API}/groups/{sup.two.pk}").json()
    assert (two["may_manage"], two["is_member"]) == (False, True)
    assert {u["id"] for u in two["month"]["unvisited"]} == {org.dept.pk}
    october = office.get(f"{API}/groups/{sup.one.pk}", {"month": "2026-10"}).json()["month"]
    assert (october["days"], october["visits"]) == (0, 0)
    assert office.get(f"{API}/groups/{sup.one.pk}", {"month": "2026-13"}).status_code == 400


# Visits and scorecards ---------------------------------------------------------------------


def test_log_a_visit_and_filter_the_calendar(org, sup, held, bearer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = bearer(sup.sup_a)
    body = {
        "group_id": sup.one.pk,
        "unit_id": org.station_a1.pk,
        "start_date": "2026-11-10",
        "mode": "duty",
        "kind": "random",
        "present_ids": [sup.person_a.pk],
        "notes": "夜查勤务",
    }
    created = send(client, "post", f"{API}/visits", body)
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["end_date"], data["days"], data["mode"], data["kind"]) == (
        "2026-11-10",
        1,
        "duty",
        "random",
    )
    assert data["present"] == [{"id": sup.person_a.pk, "name": sup.person_a.name}]
    assert (data["scorecard"], data["orders"], data["may_work"]) == (None, [], True)
    assert AuditEvent.objects.filter(code="supervision.visit.logged", object_id=data["id"]).exists()
    # Rules hold through the API: 400 with the field's message.
    stranger = send(client, "post", f"{API}/visits", {**body, "present_ids": [org.p_a1.pk]})
    assert stranger.status_code == 400 and "present" in stranger.json()["errors"]
    future = send(client, "post", f"{API}/visits", {**body, "start_date": "2026-11-20"})
    assert future.status_code == 400 and "start_date" in future.json()["errors"]
    backwards = send(client, "post", f"{API}/visits", {**body, "end_date": "2026-11-09"})
    assert backwards.status_code == 400
    # A planned one counts no days until confirmed, and not before its first day.
    planned = send(
        client,
        "post",
        f"{API}/visits",
        {**body, "start_date": "2026-11-20", "end_date": "2026-11-22", "planned": True},
    )
    assert planned.status_code == 201 and planned.json()["planned"] is True
    early = send(client, "post", f"{API}/visits/{planned.json()['id']}/confirm", {})
    assert early.status_code == 400
    today = send(
        client, "post", f"{API}/visits", {**body, "start_date": "2026-11-16", "planned": True}
    )
    assert ids(client.get(f"{API}/visits", {"planned": "true"})) == [
        planned.json()["id"],
        today.json()["id"],
    ]
    confirmed = send(
        client,
        "post",
        f"{API}/visits/{today.json()['id']}/confirm",
        {"present_ids": [sup.retired.pk], "notes": "如期开展"},
    )
    assert confirmed.status_code == 200, confirmed.content
    assert (confirmed.json()["planned"], confirmed.json()["notes"]) == (False, "如期开展")
    assert confirmed.json()["present"] == [{"id": sup.retired.pk, "name": sup.retired.name}]
    # With attachments.
    note = SimpleUploadedFile("记录.txt", "现场记录".encode(), content_type="text/plain")
    upload = client.post(
        f"{API}/visits/upload",
        {**body, "present_ids": [sup.person_a.pk, sup.retired.pk], "files": [note]},
    )
    assert upload.status_code == 201, upload.content
    uploaded = upload.json()
    assert [f["name"] for f in uploaded["files"]] == ["记录.txt"]
    assert uploaded["files"][0]["url"] == f"/supervision/files/visit/{uploaded['files'][0]['id']}/"
    assert {p["id"] for p in uploaded["present"]} == {sup.person_a.pk, sup.retired.pk}
    assert VisitFile.objects.filter(visit_id=uploaded["id"]).count() == 1
    # Filters: group, unit subtree, month, kind, planned.
    every = ids(client.get(f"{API}/visits"))
    assert len(every) == 5 and held.a.pk in every
    assert set(ids(client.get(f"{API}/visits", {"unit": org.station_a1.pk}))) == set(every) - {
        held.a.pk
    }
    assert ids(client.get(f"{API}/visits", {"kind": "resident"})) == [held.a.pk]
    assert ids(client.get(f"{API}/visits", {"planned": "true"})) == [planned.json()["id"]]
    assert ids(client.get(f"{API}/visits", {"month": "2026-10"})) == []
    office = bearer(org.office)
    assert ids(office.get(f"{API}/visits", {"group": sup.two.pk})) == [held.b.pk]
    assert len(ids(office.get(f"{API}/visits", {"month": "2026-11"}))) == 6


def test_score_a_visit_and_score_it_again(org, sup, held, template, bearer):
    client = bearer(sup.sup_a)
    url = f"{API}/visits/{held.a.pk}/score"
    aspects = list(template.aspects.all())
    marks = full_marks(template)
    marks[2]["points"] = 6  # 任务推进: weight 15, 6 of 10
    marks[2]["remark"] = "进度滞后"
    scored = send(client, "post", url, {"lines": marks, "summary": "总体良好"})
    assert scored.status_code == 200, scored.content
    card = scored.json()["scorecard"]
    expected = rules.score_total(
        (a.weight, a.max_points, m["points"]) for a, m in zip(aspects, marks, strict=True)
    )
    assert card["total"] == float(expected) == 94.0
    assert (card["template_id"], card["version"], card["remarks"]) == (template.pk, 1, "总体良好")
    assert [line["aspect"] for line in card["lines"]] == [a.name for a in aspects]
    assert card["lines"][2]["points"] == 6.0 and card["lines"][2]["remark"] == "进度滞后"
    assert client.get(f"{API}/visits/{held.a.pk}").json()["score"] == 94.0
    assert bearer(org.office).get(f"{API}/scorecard-template").json()["id"] == template.pk
    # Scoring again replaces it.
    again = send(client, "post", url, {"template_id": template.pk, "lines": full_marks(template)})
    assert again.json()["scorecard"]["total"] == 100.0
    assert again.json()["scorecard"]["version"] == 2
    # Every aspect, within its maximum, each once, and only the template's.
    missing = send(client, "post", url, {"lines": marks[1:]})
    assert missing.status_code == 400 and f"aspect_{aspects[0].pk}" in missing.json()["errors"]
    too_many = [{**marks[0], "points": 11}, *marks[1:]]
    assert send(client, "post", url, {"lines": too_many}).status_code == 400
    assert send(client, "post", url, {"lines": [marks[0], marks[0]]}).status_code == 422
    stranger = [*marks, {"aspect_id": 999999, "points": 1}]
    assert send(client, "post", url, {"lines": stranger}).status_code == 400
    # The unit sees the visit and its score, but does not score it: 403.
    assert send(bearer(org.liaison_a), "post", url, {"lines": marks}).status_code == 403
    assert bearer(org.liaison_a).get(f"{API}/visits/{held.a.pk}").json()["may_work"] is False


def test_ranking_over_a_period(org, sup, held, template, bearer):
    a2 = visit(sup.sup_a, sup.one, org.station_a2, date(2026, 11, 9))
    b_later = visit(sup.sup_b, sup.two, org.county_b, date(2026, 11, 12))

    def score(user, target, points):
        actions.score_visit(
            user,
            visit=target,
            template=template,
            points={a.pk: min(points, a.max_points) for a in template.aspects.all()},
        )

    score(sup.sup_a, held.a, 10)  # 100
    score(sup.sup_a, a2, 5)  # 50
    score(sup.sup_b, held.b, 8)  # 80
    score(sup.sup_b, b_later, 6)  # 60
    office = bearer(org.office)
    ranked = office.get(f"{API}/ranking", {"start": "2026-11-01", "end": "2026-11-30"}).json()
    assert [(r["unit_name"], r["average"], r["cards"], r["rank"]) for r in ranked["items"]] == [
        (org.county_a.name, 100.0, 1, 1),
        (org.county_b.name, 70.0, 2, 2),
        (org.station_a2.name, 50.0, 1, 3),
    ]
    early = office.get(f"{API}/ranking", {"start": "2026-11-01", "end": "2026-11-06"}).json()
    assert [r["average"] for r in early["items"]] == [100.0, 80.0]
    mine = bearer(sup.sup_b).get(f"{API}/ranking").json()
    assert mine["count"] == 1 and mine["items"][0]["unit_id"] == org.county_b.pk
    paged = office.get(f"{API}/ranking", {"page_size": 2, "page": 2}).json()
    assert (paged["count"], len(paged["items"])) == (3, 1)
    assert (
        office.get(f"{API}/ranking", {"start": "2026-11-10", "end": "2026-11-01"}).status_code
        == 400
    )


# Draws -------------------------------------------------------------------------------------


def seal(client, **fields):
    body = {
        "kind": "units",
        "period_start": "2026-11-16",
        "period_end": "2026-11-30",
        "count": 1,
        **fields,
    }
    response = send(client, "post", f"{API}/draws", body)
    assert response.status_code == 201, response.content
    return response.json()


def make(client, draw_id):
    response = send(client, "post", f"{API}/draws/{draw_id}/draw", {})
    assert response.status_code == 200, response.content
    return response.json()


def test_a_draw_shows_its_seed_first_and_reproduces(org, sup, campaign, bearer):
    client = bearer(org.office)
    sealed = seal(client, unit_id=org.city.pk)
    # Sealed: the seed and the parameters, no candidate yet.
    assert len(sealed["seed"]) == 32 and sealed["campaign_id"] == campaign.pk
    assert (sealed["drawn"], sealed["candidates"], sealed["result"], sealed["reproduces"]) == (
        False,
        [],
        [],
        None,
    )
    read = client.get(f"{API}/draws/{sealed['id']}").json()
    assert (read["seed"], read["candidates"]) == (sealed["seed"], [])
    made = make(client, sealed["id"])
    assert made["seed"] == sealed["seed"]
    units = [org.dept, org.county_a, org.county_b]
    units.sort(key=lambda unit: unit.path)
    assert made["candidates"] == [{"id": u.pk, "name": u.name} for u in units]
    # Anyone with the seed and the candidate list gets the same result.
    again = rules.draw(sealed["seed"], [[u.pk, u.name] for u in units], 1)
    assert [[r["id"], r["name"]] for r in made["result"]] == again
    assert (made["drawn"], made["reproduces"], made["exhausted"]) == (True, True, False)
    assert made["drawn_by"] == "office"
    assert send(client, "post", f"{API}/draws/{sealed['id']}/draw", {}).status_code == 400
    events = AuditEvent.objects.filter(object_id=sealed["id"], code__startswith="supervision.draw")
    assert {e.code for e in events} == {"supervision.draw.sealed", "supervision.draw.made"}
    # A result that does not follow from the seed and candidates shows.
    other = next(u for u in units if u.pk != made["result"][0]["id"])
    Draw.objects.filter(pk=sealed["id"]).update(result=[[other.pk, other.name]])
    assert client.get(f"{API}/draws/{sealed['id']}").json()["reproduces"] is False


def test_no_unit_is_drawn_twice_in_a_month_until_the_candidates_run_out(org, sup, campaign, bearer):
    client = bearer(org.office)
    drawn = []
    for _n in range(3):
        made = make(client, seal(client, unit_id=org.city.pk)["id"])
        assert made["exhausted"] is False and made["reproduces"] is True
        assert len(made["candidates"]) == 3 - len(drawn)
        drawn += [r["id"] for r in made["result"]]
    assert sorted(drawn) == sorted([org.dept.pk, org.county_a.pk, org.county_b.pk])
    # Everyone has been drawn this month: the list is everyone again, and says so.
    fourth = make(client, seal(client, unit_id=org.city.pk)["id"])
    assert fourth["exhausted"] is True and len(fourth["candidates"]) == 3
    assert fourth["reproduces"] is True
    # A new month starts afresh.
    december = make(
        client,
        seal(client, unit_id=org.city.pk, period_start="2026-12-01", period_end="2026-12-31")["id"],
    )
    assert december["exhausted"] is False and len(december["candidates"]) == 3
    listed = client.get(f"{API}/draws").json()
    assert listed["count"] == 5 and all(item["drawn"] for item in listed["items"])


def test_a_supervisor_draws_officers_within_their_unit(org, sup, bearer):
    extra = [PersonFactory(name=f"彭山民警{n}", unit=org.county_b) for n in range(4)]
    client = bearer(sup.sup_b)
    sealed = seal(client, kind="persons", unit_id=org.county_b.pk, group_id=sup.two.pk, count=2)
    assert (sealed["group_id"], sealed["campaign_id"]) == (sup.two.pk, sup.two.campaign_id)
    made = make(client, sealed["id"])
    officers = {p.pk for p in extra} | {org.viewer_b.person.pk}
    assert {c["id"] for c in made["candidates"]} == officers
    assert len(made["result"]) == 2 and {r["id"] for r in made["result"]} <= officers
    assert made["reproduces"] is True
    # Group 一's supervisor does not see it; the unit's liaison may not draw: 403.
    assert bearer(sup.sup_a).get(f"{API}/draws/{sealed['id']}").status_code == 404
    refused = send(
        bearer(org.liaison_a),
        "post",
        f"{API}/draws",
        {"unit_id": org.county_a.pk, "period_start": "2026-11-16", "period_end": "2026-11-30"},
    )
    assert refused.status_code == 403
    # Logging the drawn visit names the draw.
    logged = send(
        client,
        "post",
        f"{API}/visits",
        {
            "group_id": sup.two.pk,
            "unit_id": org.county_b.pk,
            "start_date": "2026-11-16",
            "mode": "duty",
            "kind": "random",
            "draw_id": sealed["id"],
        },
    )
    assert logged.status_code == 201 and logged.json()["draw_id"] == sealed["id"]


# Orders ------------------------------------------------------------------------------------


def test_the_order_workflow_through_the_api(org, sup, held, bearer, time_machine):
    supervisor, liaison = bearer(sup.sup_a), bearer(org.liaison_a)
    body = {
        "visit_id": held.a.pk,
        "unit_id": org.county_a.pk,
        "problem": "学习笔记不全",
        "requirement": "一周内补齐",
        "deadline": "2026-11-20",
    }
    created = send(supervisor, "post", f"{API}/orders", body)
    assert created.status_code == 201, created.content
    data = created.json()
    url = f"{API}/orders/{data['id']}"
    # The visit's group and source; due in four days: yellow.
    assert (data["group_id"], data["source"], data["visit_id"], data["state"]) == (
        sup.one.pk,
        "visit",
        held.a.pk,
        "issued",
    )
    assert data["number"].startswith("DB2026-")
    assert (data["colour"], data["live_colour"], data["reason_code"]) == (
        "yellow",
        "yellow",
        "due_soon",
    )
    assert data["reason"] and data["may_verify"] is False
    assert [o["id"] for o in supervisor.get(f"{API}/visits/{held.a.pk}").json()["orders"]] == [
        data["id"]
    ]
    # Nothing to verify before an answer.
    assert send(supervisor, "post", f"{url}/verify", {}).status_code == 400
    assert send(liaison, "post", f"{url}/acknowledge", {}).json()["state"] == "acknowledged"
    assert send(liaison, "post", f"{url}/acknowledge", {}).status_code == 400
    assert send(liaison, "post", f"{url}/respond", {"response": ""}).status_code == 400
    answered = send(liaison, "post", f"{url}/respond", {"response": "已补齐"}).json()
    assert (answered["state"], answered["colour"], answered["live_colour"]) == (
        "responded",
        "green",
        "green",
    )
    assert supervisor.get(url).json()["may_verify"] is True
    # Returned with a reason, answered again, verified and closed.
    assert send(supervisor, "post", f"{url}/return", {"reason": " "}).status_code == 400
    returned = send(supervisor, "post", f"{url}/return", {"reason": "缺少签字"}).json()
    assert (returned["state"], returned["return_reason"]) == ("returned", "缺少签字")
    assert liaison.get(url).json()["may_answer"] is True
    send(liaison, "post", f"{url}/respond", {"response": "已补签字"})
    closed = send(supervisor, "post", f"{url}/verify", {}).json()
    assert (closed["state"], closed["closed_by"], closed["closed_on"]) == (
        "closed",
        "sup_a",
        "2026-11-16",
    )
    assert (closed["colour"], closed["live_colour"], closed["may_answer"]) == (
        "none",
        "none",
        False,
    )
    assert send(liaison, "post", f"{url}/respond", {"response": "x"}).status_code == 400
    codes = list(
        AuditEvent.objects.filter(object_id=data["id"], code__startswith="supervision.order")
        .order_by("seq")
        .values_list("code", flat=True)
    )
    assert codes == [
        "supervision.order.issued",
        "supervision.order.acknowledged",
        "supervision.order.responded",
        "supervision.order.returned",
        "supervision.order.responded",
        "supervision.order.closed",
    ]
    assert ids(supervisor.get(f"{API}/orders", {"state": "closed"})) == [data["id"]]
    assert ids(supervisor.get(f"{API}/orders", {"state": "issued"})) == []


def test_the_office_issues_an_order_and_colours_move_with_time(
    org, sup, orders, bearer, time_machine
):
    office = bearer(org.office)
    created = send(
        office,
        "post",
        f"{API}/orders",
        {
            "unit_id": org.dept.pk,
            "problem": "群众反映办事慢",
            "requirement": "整改并回复",
            "deadline": "2026-12-31",
            "source": "public",
        },
    )
    assert created.status_code == 201, created.content
    assert (created.json()["group_id"], created.json()["source"], created.json()["colour"]) == (
        None,
        "public",
        "green",
    )
    assert created.json()["campaign_id"] == sup.one.campaign_id
    everyone = ids(office.get(f"{API}/orders"))
    assert everyone == [orders.a.pk, orders.b.pk, created.json()["id"]]  # by deadline
    assert ids(office.get(f"{API}/orders", {"colour": "yellow"})) == [orders.a.pk]
    assert ids(office.get(f"{API}/orders", {"group": sup.two.pk})) == [orders.b.pk]
    assert ids(office.get(f"{API}/orders", {"unit": org.county_b.pk})) == [orders.b.pk]
    assert ids(office.get(f"{API}/orders", {"q": "办事"})) == [created.json()["id"]]
    # Five days on, before the daily tick: stored yellow, live red and overdue.
    time_machine.move_to(datetime(2026, 11, 21, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    late = office.get(f"{API}/orders/{orders.a.pk}").json()
    assert (late["colour"], late["live_colour"], late["reason_code"]) == (
        "yellow",
        "red",
        "overdue",
    )
    # The unit's leader sees it; once answered, group 二's supervisor cannot verify it (they
    # do not see it), the office may.
    assert ids(bearer(org.leader_a).get(f"{API}/orders")) == [orders.a.pk]
    send(bearer(org.liaison_a), "post", f"{API}/orders/{orders.a.pk}/respond", {"response": "好"})
    assert (
        send(bearer(sup.sup_b), "post", f"{API}/orders/{orders.a.pk}/verify", {}).status_code == 404
    )
    assert (
        send(bearer(org.office), "post", f"{API}/orders/{orders.a.pk}/verify", {}).status_code
        == 200
    )


# Coverage ----------------------------------------------------------------------------------


@pytest.fixture
def crafted(org, sup):
    """November for group 一: a stay from 30 Oct across the month boundary to 3 Nov, another
    overlapping it (2-5 Nov), a day check on 5 Nov, and a planned stay that counts nothing yet:
    1-5 Nov, five days. Group 二: 1-15 Nov in county B, the department unvisited. Group 二
    hands the department back on 10 Nov (a gap from the 11th); group 一 joins in county B from
    the 20th (an overlap)."""
    visit(sup.sup_a, sup.one, org.county_a, date(2026, 10, 30), date(2026, 11, 3))
    visit(sup.sup_a, sup.one, org.station_a2, date(2026, 11, 2), date(2026, 11, 5))
    visit(sup.sup_a, sup.one, org.station_a1, date(2026, 11, 5), kind="random")
    visit(sup.sup_a, sup.one, org.county_a, date(2026, 11, 20), date(2026, 11, 22), planned=True)
    visit(sup.sup_b, sup.two, org.county_b, date(2026, 11, 1), date(2026, 11, 15))
    dept = sup.two.assignments.get(unit=org.dept)
    actions.end_assignment(org.office, assignment=dept, ends_on=date(2026, 11, 10))
    actions.assign(org.office, group=sup.one, unit=org.county_b, starts_on=date(2026, 11, 20))


def days(first, last):
    return [str(first + timedelta(days=n)) for n in range((last - first).days + 1)]


def test_coverage_counts_days_once_across_the_month_boundary(org, sup, campaign, crafted, bearer):
    office = bearer(org.office)
    data = office.get(f"{API}/coverage", {"month": "2026-11"}).json()
    assert (data["campaign_id"], data["month"]) == (campaign.pk, "2026-11")
    groups = {g["group_name"]: g["month"] for g in data["groups"]}
    one, two = groups["第一督导组"], groups["第二督导组"]
    assert one["dates"] == days(date(2026, 11, 1), date(2026, 11, 5))
    assert (one["days"], one["minimum"], one["colour"]) == (5, 15, "yellow")
    assert one["planned_dates"] == days(date(2026, 11, 20), date(2026, 11, 22))
    assert [u["id"] for u in one["unvisited"]] == [org.county_b.pk]
    assert (two["days"], two["colour"]) == (15, "green") and two["reason"]
    assert [u["id"] for u in two["unvisited"]] == [org.dept.pk]
    units = {u["unit_id"]: u for u in data["units"]}
    assert set(units) == {org.dept.pk, org.county_a.pk, org.county_b.pk}
    assert [g["id"] for g in units[org.county_a.pk]["groups"]] == [sup.one.pk]
    assert units[org.county_a.pk]["gap_days"] == units[org.county_a.pk]["overlap_days"] == []
    assert units[org.dept.pk]["gap_days"] == days(date(2026, 11, 11), date(2026, 11, 30))
    assert [g["id"] for g in units[org.county_b.pk]["groups"]] == [sup.one.pk, sup.two.pk]
    assert units[org.county_b.pk]["overlap_days"] == days(date(2026, 11, 20), date(2026, 11, 30))
    assert (data["gaps"], data["overlaps"]) == ([org.dept.pk], [org.county_b.pk])
    # October: the first two days of the stay, the month over and short: red. The campaign had
    # not begun, so no unit lacked a group.
    october = office.get(f"{API}/coverage", {"month": "2026-10"}).json()
    one_october = next(g["month"] for g in october["groups"] if g["group_id"] == sup.one.pk)
    assert one_october["dates"] == ["2026-10-30", "2026-10-31"]
    assert (one_october["days"], one_october["colour"]) == (2, "red")
    assert (october["gaps"], october["overlaps"]) == ([], [])
    # A supervisor sees their own group and the units in their care today.
    mine = bearer(sup.sup_b).get(f"{API}/coverage", {"month": "2026-11"}).json()
    assert [g["group_id"] for g in mine["groups"]] == [sup.two.pk]
    assert [u["unit_id"] for u in mine["units"]] == [org.county_b.pk]


def test_coverage_takes_the_campaign_asked_for_or_says_the_month_is_wrong(
    org, sup, campaign, bearer
):
    office = bearer(org.office)
    assert office.get(f"{API}/coverage", {"campaign": campaign.pk}).json()["month"] == "2026-11"
    assert office.get(f"{API}/coverage", {"campaign": 999999}).status_code == 404
    for bad in ("2026-13", "Nov", "2026-1x", "-"):
        response = office.get(f"{API}/coverage", {"month": bad})
        assert response.status_code == 400 and response.json()["detail"], bad


# Bounded queries ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "path", "params"),
    [
        ("office", "visits", {}),
        ("office", "visits", {"month": "2026-11", "unit": "county_a"}),
        ("sup_a", "visits", {"group": "one"}),
        ("liaison_a", "visits", {}),
        ("office", "orders", {}),
        ("office", "orders", {"colour": "yellow", "unit": "county_a"}),
        ("sup_a", "orders", {"state": "issued"}),
        ("liaison_a", "orders", {}),
        ("office", "groups", {}),
        ("office", "draws", {}),
        ("sup_a", "draws", {"kind": "units"}),
    ],
)
def test_lists_take_as_many_queries_for_many_rows_as_for_few(
    org, sup, template, bearer, django_assert_max_num_queries, who, path, params
):
    units = [org.county_a, org.station_a1, org.station_a2, org.team_a1]
    points = {a.pk: a.max_points for a in template.aspects.all()}

    def add(n):
        for i in range(n):
            unit = units[i % len(units)]
            held = visit(
                sup.sup_a,
                sup.one,
                unit,
                date(2026, 11, 1 + i % 15),
                present=[sup.person_a, sup.retired][: 1 + i % 2],
            )
            actions.score_visit(sup.sup_a, visit=held, template=template, points=points)
            order(sup.sup_a, sup.one, unit, date(2026, 11, 18 + i % 10), visit=held)
            sealed = actions.seal_draw(
                sup.sup_a,
                campaign=sup.one.campaign,
                kind="units",
                unit=org.county_a,
                period_start=TODAY,
                period_end=TODAY,
                count=1,
                group=sup.one,
            )
            actions.make_draw(sup.sup_a, draw=sealed)
            actions.create_group(
                org.office,
                campaign=sup.one.campaign,
                name=f"第{len(sup.one.campaign.supervision_groups.all()) + 1}组",
                members=[(PersonFactory(unit=org.dept), i % 2 == 0)],
            )

    client = bearer(getattr(org, who, None) or getattr(sup, who))
    url_params = {"page_size": 100}
    for name, value in params.items():
        if name == "unit":
            value = getattr(org, value).pk
        elif name == "group":
            value = getattr(sup, value).pk
        url_params[name] = value
    url = f"{API}/{path}"
    client.get(url, url_params)  # the token's first use is stamped once
    add(2)
    with django_assert_max_num_queries(10) as few:
        small = client.get(url, url_params).json()
    add(12)
    with django_assert_max_num_queries(10) as many:
        large = client.get(url, url_params).json()
    assert len(small["items"]) > 0
    assert len(large["items"]) > len(small["items"])
    assert len(few.captured_queries) == len(many.captured_queries)


# Bad input and the schema ------------------------------------------------------------------


def test_bad_input_gets_a_4xx_with_a_message_never_a_500(org, sup, held, orders, bearer):
    visit_body = {
        "group_id": sup.one.pk,
        "unit_id": org.county_a.pk,
        "start_date": "2026-11-16",
        "mode": "work",
        "kind": "resident",
    }
    order_body = {
        "group_id": sup.one.pk,
        "unit_id": org.county_a.pk,
        "problem": "问题",
        "requirement": "要求",
        "deadline": "2026-11-30",
        "source": "visit",
    }
    draw_body = {
        "unit_id": org.county_a.pk,
        "period_start": "2026-11-16",
        "period_end": "2026-11-30",
        "count": 1,
    }
    cases = [
        ("sup_a", "post", f"{API}/visits", "not json", {400, 422}),
        ("sup_a", "post", f"{API}/visits", {**visit_body, "mode": "party"}, 400),
        ("sup_a", "post", f"{API}/visits", {**visit_body, "kind": ""}, 400),
        ("sup_a", "post", f"{API}/visits", {**visit_body, "start_date": "soon"}, 422),
        ("sup_a", "post", f"{API}/visits", {**visit_body, "end_date": "2026-12-31"}, 400),
        ("sup_a", "post", f"{API}/visits", {**visit_body, "present_ids": [999999]}, 404),
        ("sup_a", "post", f"{API}/visits", {**visit_body, "draw_id": 999999}, 404),
        ("sup_a", "post", f"{API}/visits", {**visit_body, "unit_id": 999999}, 404),
        ("sup_a", "post", f"{API}/visits", {"group_id": sup.one.pk}, 422),
        ("sup_a", "post", f"{API}/visits/{held.a.pk}/score", {"lines": "x"}, 422),
        (
            "sup_a",
            "post",
            f"{API}/visits/{held.a.pk}/score",
            {"lines": [], "template_id": 999999},
            404,
        ),
        ("sup_a", "post", f"{API}/visits/{held.a.pk}/confirm", {}, 400),  # held already
        ("sup_a", "post", f"{API}/orders", {**order_body, "deadline": "2026-11-01"}, 400),
        ("sup_a", "post", f"{API}/orders", {**order_body, "problem": " "}, 400),
        ("sup_a", "post", f"{API}/orders", {**order_body, "source": "rumour"}, 400),
        ("sup_a", "post", f"{API}/orders", {**order_body, "contact_id": 999999}, 404),
        ("sup_a", "post", f"{API}/orders", {**order_body, "visit_id": held.b.pk}, 404),
        ("sup_a", "post", f"{API}/orders", {**order_body, "campaign_id": 999999}, 400),
        ("sup_a", "post", f"{API}/orders", {**order_body, "deadline": "tomorrow"}, 422),
        (
            "office",
            "post",
            f"{API}/orders",
            {**order_body, "group_id": None, "campaign_id": 999999},
            404,
        ),
        ("sup_a", "post", f"{API}/draws", {**draw_body, "count": 0}, 400),
        ("sup_a", "post", f"{API}/draws", {**draw_body, "count": 10**12}, 400),
        ("sup_a", "post", f"{API}/draws", {**draw_body, "kind": "dogs"}, 400),
        ("sup_a", "post", f"{API}/draws", {**draw_body, "period_end": "2026-11-01"}, 400),
        ("sup_a", "post", f"{API}/draws/999999/draw", {}, 404),
        ("liaison_a", "post", f"{API}/orders/{orders.a.pk}/verify", {}, 403),
        ("sup_a", "post", f"{API}/orders/{orders.a.pk}/verify", {}, 400),  # not answered
        ("sup_a", "post", f"{API}/orders/{orders.a.pk}/return", {"reason": "x"}, 400),
        ("office", "get", f"{API}/visits?month=2026-00", None, 400),
        ("office", "get", f"{API}/visits?month=2026-110", None, 422),
        ("office", "get", f"{API}/visits?unit=abc", None, 422),
        ("office", "get", f"{API}/visits?unit=999999", None, 404),
        ("office", "get", f"{API}/visits?kind=bogus", None, 422),
        ("office", "get", f"{API}/orders?state=bogus", None, 422),
        ("office", "get", f"{API}/orders?colour=blue", None, 422),
        ("office", "get", f"{API}/orders?unit=999999", None, 404),
        ("office", "get", f"{API}/orders?page=abc", None, 422),
        ("office", "get", f"{API}/orders/99999999999999999999", None, 404),
        ("office", "get", f"{API}/visits/abc", None, 422),
        ("office", "get", f"{API}/groups/999999", None, 404),
        ("office", "get", f"{API}/draws/999999", None, 404),
        ("office", "get", f"{API}/scorecard-template", None, 404),  # none made yet
        ("office", "get", f"{API}/ranking?start=someday", None, 422),
        ("office", "get", f"{API}/ranking?campaign=999999", None, 404),
    ]
    for who, method, target, body, status in cases:
        client = bearer(getattr(org, who, None) or getattr(sup, who))
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
    assert Visit.objects.count() == 2 and Order.objects.count() == 2
    assert not Draw.objects.exists()


def test_the_openapi_schema_lists_the_supervision_paths(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    mine = {path.removeprefix(API): set(ops) for path, ops in paths.items() if path.startswith(API)}
    assert mine == {
        "/groups": {"get"},
        "/groups/{group_id}": {"get"},
        "/visits": {"get", "post"},
        "/visits/upload": {"post"},
        "/visits/{visit_id}": {"get"},
        "/visits/{visit_id}/confirm": {"post"},
        "/visits/{visit_id}/score": {"post"},
        "/scorecard-template": {"get"},
        "/draws": {"get", "post"},
        "/draws/{draw_id}": {"get"},
        "/draws/{draw_id}/draw": {"post"},
        "/orders": {"get", "post"},
        "/orders/{order_id}": {"get"},
        "/orders/{order_id}/acknowledge": {"post"},
        "/orders/{order_id}/respond": {"post"},
        "/orders/{order_id}/respond/upload": {"post"},
        "/orders/{order_id}/verify": {"post"},
        "/orders/{order_id}/return": {"post"},
        "/coverage": {"get"},
        "/ranking": {"get"},
    }
    upload = paths[f"{API}/orders/{{order_id}}/respond/upload"]["post"]["requestBody"]
    assert "multipart/form-data" in upload["content"]
