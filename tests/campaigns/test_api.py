"""The campaigns API: scoped like the pages, same filters and counts, actions round-trip."""

import json
from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.campaigns.conftest import TODAY
from zhengdun.accounts.actions import create_token
from zhengdun.audit.models import AuditEvent
from zhengdun.campaigns import actions, queries, tally
from zhengdun.campaigns.models import Campaign, Evidence, Task, TaskState, TaskTally

NOON = datetime(2026, 11, 16, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
assert NOON.date() == TODAY


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    """The API computes live colours for today: pin today to the fixtures' TODAY."""
    time_machine.move_to(NOON, tick=False)


@pytest.fixture
def bearer(org):
    def client_for(user):
        token = create_token(None, user=user)
        return Client(headers={"Authorization": f"Bearer {token}"})

    return client_for


def send(client, method, url, body):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def events(code, obj):
    return AuditEvent.objects.filter(code=code, object_id=str(obj.pk))


@pytest.fixture
def add_task(org, campaign, stream):
    def add(unit, title, start, due, *, workstream=None, **fields):
        return actions.create_task(
            org.office,
            campaign=campaign,
            workstream=workstream or stream,
            unit=unit,
            title=title,
            start_date=start,
            due_date=due,
            on=TODAY,
            **fields,
        )

    return add


@pytest.fixture
def tasks(org, campaign, add_task):
    """Known tasks, their colours as of TODAY (16 Nov) in the comment."""
    other = campaign.workstreams.get(name="本领革命")
    soon, late = date(2026, 11, 20), date(2026, 11, 10)
    known = SimpleNamespace(
        city=add_task(org.city, "全市政治轮训", date(2026, 11, 15), date(2026, 12, 31)),  # green
        county_a=add_task(org.county_a, "东坡走访", TODAY, soon, state="started"),  # yellow
        a1=add_task(org.station_a1, "苏祠整改", date(2026, 11, 1), late, lead=org.p_a1),  # red
        team=add_task(
            org.team_a1, "社区走访", date(2026, 11, 15), date(2026, 12, 31), workstream=other
        ),  # green
        a2=add_task(org.station_a2, "通惠学习", date(2026, 11, 1), late, state="completed"),
        b=add_task(org.county_b, "彭山走访", date(2026, 11, 1), date(2026, 12, 1)),  # red
        b1=add_task(org.station_b1, "凤鸣整改", TODAY, soon, lead=org.p_b1),  # yellow
        cancelled=add_task(org.station_a1, "取消的任务", TODAY, soon),
    )
    actions.cancel_task(org.office, task=known.cancelled, reason="重复", on=TODAY)
    return known


def ids(response):
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


# Scope -------------------------------------------------------------------------------------


def test_a_county_liaison_sees_only_its_countys_tasks(org, campaign, tasks, bearer):
    data = bearer(org.liaison_a).get("/api/v1/tasks", {"campaign": campaign.pk}).json()
    mine = {tasks.county_a.pk, tasks.a1.pk, tasks.team.pk, tasks.a2.pk, tasks.cancelled.pk}
    assert {item["id"] for item in data["items"]} == mine
    assert data["count"] == 5
    everything = bearer(org.office).get("/api/v1/tasks", {"campaign": campaign.pk}).json()
    assert everything["count"] == 8
    others = bearer(org.viewer_b).get("/api/v1/tasks", {"campaign": campaign.pk}).json()
    assert {item["id"] for item in others["items"]} == {tasks.b.pk, tasks.b1.pk}


def test_hidden_tasks_and_campaigns_look_exactly_like_missing_ones(org, campaign, tasks, bearer):
    client = bearer(org.liaison_a)
    missing = client.get("/api/v1/tasks/999999")
    hidden = client.get(f"/api/v1/tasks/{tasks.b.pk}")
    assert missing.status_code == hidden.status_code == 404
    assert hidden.json() == missing.json()
    for method, suffix, body in [
        ("patch", "", {"version": 1, "title": "改"}),
        ("post", "/progress", {"progress": 10}),
        ("post", "/start", {}),
        ("post", "/complete", {}),
        ("post", "/cancel", {"reason": "x"}),
        ("post", "/decompose", {"shares": [{"unit_id": org.station_b1.pk}]}),
    ]:
        response = send(client, method, f"/api/v1/tasks/{tasks.b.pk}{suffix}", body)
        assert response.status_code == 404, (suffix, response.content)
    county_b_campaign = actions.create_campaign(
        org.office,
        unit=org.county_b,
        name="彭山分局专项整治",
        start_date=date(2026, 11, 1),
        end_date=date(2026, 12, 31),
    )
    listed = client.get("/api/v1/campaigns").json()
    assert [item["id"] for item in listed["items"]] == [campaign.pk]
    assert client.get(f"/api/v1/campaigns/{county_b_campaign.pk}").json() == (
        client.get("/api/v1/campaigns/999999").json()
    )
    assert client.get(f"/api/v1/campaigns/{county_b_campaign.pk}").status_code == 404
    assert client.get("/api/v1/tasks", {"campaign": county_b_campaign.pk}).status_code == 404
    tasks.b.refresh_from_db()
    assert tasks.b.version == 1 and tasks.b.state == TaskState.PLANNED


def test_a_viewer_who_sees_a_task_gets_403_on_writes(org, tasks, bearer):
    client = bearer(org.viewer_b)
    assert client.get(f"/api/v1/tasks/{tasks.b.pk}").status_code == 200
    response = send(client, "patch", f"/api/v1/tasks/{tasks.b.pk}", {"version": 1, "title": "改"})
    assert response.status_code == 403
    assert response.json()["detail"]
    assert send(client, "post", f"/api/v1/tasks/{tasks.b.pk}/start", {}).status_code == 403


def test_the_summary_of_a_liaison_starts_at_the_county_and_hides_other_units(
    org, campaign, tasks, bearer
):
    client = bearer(org.liaison_a)
    data = client.get(f"/api/v1/campaigns/{campaign.pk}/summary").json()
    assert data["unit_id"] == org.county_a.pk
    assert {row["unit_id"] for row in data["by_unit"]} == {org.station_a1.pk, org.station_a2.pk}
    assert data["total"] == 5
    for unit in (org.county_b, org.station_b1, org.city):
        response = client.get(f"/api/v1/campaigns/{campaign.pk}/summary", {"unit": unit.pk})
        assert response.status_code == 404, unit
    assert client.get(f"/api/v1/campaigns/{campaign.pk}/summary", {"unit": 999999}).json() == (
        client.get(f"/api/v1/campaigns/{campaign.pk}/summary", {"unit": org.county_b.pk}).json()
    )
    below = client.get(f"/api/v1/campaigns/{campaign.pk}/summary", {"unit": org.station_a1.pk})
    assert below.status_code == 200 and below.json()["unit_id"] == org.station_a1.pk
    office = bearer(org.office).get(f"/api/v1/campaigns/{campaign.pk}/summary").json()
    assert office["unit_id"] == org.city.pk
    assert {row["unit_id"] for row in office["by_unit"]} == {org.county_a.pk, org.county_b.pk}


def test_a_unit_outside_the_campaign_is_not_found(org, bearer):
    county_b_campaign = actions.create_campaign(
        org.office,
        unit=org.county_b,
        name="彭山分局专项整治",
        start_date=date(2026, 11, 1),
        end_date=date(2026, 12, 31),
    )
    client = bearer(org.office)
    url = f"/api/v1/campaigns/{county_b_campaign.pk}/summary"
    assert client.get(url).json()["unit_id"] == org.county_b.pk
    assert client.get(url, {"unit": org.county_a.pk}).status_code == 404
    tasks_url = "/api/v1/tasks"
    params = {"campaign": county_b_campaign.pk, "unit": org.county_a.pk}
    assert client.get(tasks_url, params).status_code == 404


def test_people_without_campaign_rights_get_404(org, campaign, tasks, bearer):
    client = bearer(org.outsider)
    assert client.get("/api/v1/campaigns").status_code == 404
    assert client.get(f"/api/v1/campaigns/{campaign.pk}").status_code == 404
    assert client.get("/api/v1/tasks", {"campaign": campaign.pk}).status_code == 404
    assert client.get(f"/api/v1/tasks/{tasks.city.pk}").status_code == 404


# Filters -----------------------------------------------------------------------------------

FILTER_CASES = [
    ("office", {}, {"city", "county_a", "a1", "team", "a2", "b", "b1", "cancelled"}),
    ("office", {"state": "planned"}, {"city", "a1", "team", "b", "b1"}),
    ("office", {"state": "started"}, {"county_a"}),
    ("office", {"state": "completed"}, {"a2"}),
    ("office", {"state": "cancelled"}, {"cancelled"}),
    ("office", {"state": "open"}, {"city", "county_a", "a1", "team", "b", "b1"}),
    ("office", {"colour": "red"}, {"a1", "b"}),
    ("office", {"colour": "yellow"}, {"county_a", "b1"}),
    ("office", {"colour": "green"}, {"city", "team"}),
    ("office", {"workstream": "本领革命"}, {"team"}),
    ("office", {"unit": "county_a"}, {"county_a", "a1", "team", "a2", "cancelled"}),
    ("office", {"unit": "station_a1"}, {"a1", "team", "cancelled"}),
    ("office", {"unit": "county_a", "colour": "red"}, {"a1"}),
    ("office", {"due_from": "2026-11-15", "due_to": "2026-11-30"}, {"county_a", "b1", "cancelled"}),
    ("office", {"due_to": "2026-11-10"}, {"a1", "a2"}),
    # Due ranges of the city or a county are counted from the due-date tallies, of a smaller
    # unit or with a colour from the rows: the same answers.
    (
        "office",
        {"due_from": "2026-11-15", "due_to": "2026-11-30", "state": "open"},
        {"county_a", "b1"},
    ),
    ("office", {"due_from": "2026-12-01"}, {"city", "team", "b"}),
    ("office", {"due_to": "2026-11-10", "state": "completed"}, {"a2"}),
    ("office", {"unit": "county_b", "due_from": "2026-11-21"}, {"b"}),
    ("office", {"unit": "station_a1", "due_to": "2026-11-20"}, {"a1", "cancelled"}),
    ("office", {"due_to": "2026-11-20", "colour": "red"}, {"a1"}),
    ("liaison_a", {"due_from": "2026-11-15", "due_to": "2026-11-30"}, {"county_a", "cancelled"}),
    ("office", {"q": "走访"}, {"county_a", "team", "b"}),
    ("office", {"lead": "p_a1"}, {"a1"}),
    ("liaison_a", {"state": "open"}, {"county_a", "a1", "team"}),
    ("liaison_a", {"q": "整改"}, {"a1"}),
    ("liaison_a", {"colour": "yellow"}, {"county_a"}),
]


@pytest.mark.parametrize(("who", "params", "expected"), FILTER_CASES)
def test_filters_match_the_page_query(org, campaign, tasks, bearer, who, params, expected):
    user = getattr(org, who)
    api_params = dict(params)
    if "unit" in params:
        api_params["unit"] = getattr(org, params["unit"]).pk
    if "lead" in params:
        api_params["lead"] = getattr(org, params["lead"]).pk
    if "workstream" in params:
        api_params["workstream"] = campaign.workstreams.get(name=params["workstream"]).pk
    response = bearer(user).get("/api/v1/tasks", {"campaign": campaign.pk, **api_params})
    data = response.json()
    filters = queries.TaskFilters(
        workstream=api_params.get("workstream"),
        unit=getattr(org, params["unit"]) if "unit" in params else None,
        state=params.get("state", ""),
        colour=params.get("colour", ""),
        due_from=date.fromisoformat(params["due_from"]) if "due_from" in params else None,
        due_to=date.fromisoformat(params["due_to"]) if "due_to" in params else None,
        lead=api_params.get("lead"),
        q=params.get("q", ""),
    )
    page_query = list(
        queries.tasks_visible_to(user, campaign, filters).values_list("pk", flat=True)
    )
    assert ids(response) == page_query
    assert {item["id"] for item in data["items"]} == {getattr(tasks, name).pk for name in expected}
    assert data["count"] == len(expected)


def test_items_carry_the_live_colour_and_its_reason(org, campaign, tasks, bearer, time_machine):
    client = bearer(org.office)
    items = {
        item["id"]: item
        for item in client.get("/api/v1/tasks", {"campaign": campaign.pk}).json()["items"]
    }
    overdue = items[tasks.a1.pk]
    assert (overdue["colour"], overdue["live_colour"], overdue["reason_code"]) == (
        "red",
        "red",
        "overdue",
    )
    assert overdue["reason"]
    assert overdue["lead_id"] == org.p_a1.pk and overdue["lead_name"] == org.p_a1.name
    assert overdue["unit_name"] == org.station_a1.name and overdue["workstream_name"] == "效率革命"
    assert items[tasks.a2.pk]["reason_code"] == "completed"
    assert items[tasks.cancelled.pk]["live_colour"] == "none"
    # A week later, before the daily tick: the stored colour is still yellow, the live one red.
    time_machine.move_to(datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    later = client.get(f"/api/v1/tasks/{tasks.county_a.pk}").json()
    assert (later["colour"], later["live_colour"], later["reason_code"]) == (
        "yellow",
        "red",
        "overdue",
    )


def test_unknown_filter_ids_are_not_found(org, campaign, tasks, bearer):
    client = bearer(org.office)
    for params in ({"workstream": 999999}, {"unit": 999999}, {"campaign": 999999}):
        response = client.get("/api/v1/tasks", {"campaign": campaign.pk, **params})
        assert response.status_code == 404, params
        assert response.json()["detail"]


# Summary -----------------------------------------------------------------------------------


def tally_totals(campaign, unit):
    return tally.totals(tally.summed(TaskTally.objects.filter(campaign=campaign, unit=unit)))


def test_the_summary_counts_known_tasks_by_state_and_match_the_tallies(
    org, campaign, add_task, bearer
):
    # The seed's figures: 5 started, 7 completed, 11 being planned.
    start, due = date(2026, 11, 1), date(2026, 11, 10)
    made = []
    for n in range(11):
        unit = (org.station_a1, org.county_b)[n % 2]
        made.append(add_task(unit, f"策划{n}", date(2026, 11, 15), date(2026, 12, 31)))
    for n in range(5):
        made.append(add_task(org.county_a, f"启动{n}", start, date(2026, 12, 1), state="started"))
    for n in range(7):
        made.append(add_task(org.station_b1, f"完成{n}", start, due, state="completed"))
    client = bearer(org.office)
    url = f"/api/v1/campaigns/{campaign.pk}/summary"
    data = client.get(url).json()
    assert data["states"] == {"planned": 11, "started": 5, "completed": 7, "cancelled": 0}
    assert data["total"] == 23
    assert sum(data["colours"].values()) == 16
    assert data["colours"] == {"red": 5, "yellow": 0, "green": 11}
    assert data["colour"] == "red"
    assert data["average_days"] == 9.0
    assert data["late"] == 0
    city = tally_totals(campaign, org.city)
    assert data["total"] == city["total"]
    assert {k: v for k, v in data["states"].items() if v} == city["states"]
    assert {k: v for k, v in data["colours"].items() if v} == city["colours"]
    by_unit = {row["unit_id"]: row for row in data["by_unit"]}
    assert set(by_unit) == {org.county_a.pk, org.county_b.pk}
    for unit in (org.county_a, org.county_b):
        assert by_unit[unit.pk]["total"] == tally_totals(campaign, unit)["total"]
    assert by_unit[org.county_b.pk]["states"]["completed"] == 7
    assert by_unit[org.county_a.pk]["colour"] == "red"
    streams = {row["workstream_name"]: row for row in data["by_workstream"]}
    assert streams["效率革命"]["total"] == 23 and streams["本领革命"]["total"] == 0
    # Completing one started task through the API moves it in the counts.
    started = next(task for task in made if task.state == TaskState.STARTED)
    assert send(client, "post", f"/api/v1/tasks/{started.pk}/complete", {}).status_code == 200
    after = client.get(url).json()
    assert after["states"] == {"planned": 11, "started": 4, "completed": 8, "cancelled": 0}
    assert after["colours"]["red"] == 4
    # 7 × 9 days + 15 days (1 → 16 Nov), over 8.
    assert after["average_days"] == round((7 * 9 + 15) / 8, 1)


# Round trips -------------------------------------------------------------------------------


def test_create_a_campaign_and_read_it_back(org, bearer):
    client = bearer(org.office)
    body = {
        "unit_id": org.city.pk,
        "name": "第二批教育整顿",
        "start_date": "2026-12-01",
        "end_date": "2027-02-28",
        "description": "全市",
        "workstreams": ["初心革命", " 勤务革命 ", ""],
        "phases": [
            {"name": "学习教育", "start_date": "2026-12-01", "end_date": "2026-12-31"},
            {"name": "查纠整改", "start_date": "2027-01-01", "end_date": "2027-02-15"},
        ],
        "red_behind": 40,
        "yellow_days": 5,
    }
    response = send(client, "post", "/api/v1/campaigns", body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert [w["name"] for w in created["workstreams"]] == ["初心革命", "勤务革命"]
    assert [p["name"] for p in created["phases"]] == ["学习教育", "查纠整改"]
    assert (created["red_behind"], created["yellow_behind"], created["yellow_days"]) == (40, 10, 5)
    campaign = Campaign.objects.get(pk=created["id"])
    assert events("campaigns.campaign.created", campaign).count() == 1
    assert client.get(f"/api/v1/campaigns/{campaign.pk}").json() == created
    assert created["id"] in ids(client.get("/api/v1/campaigns"))
    # A liaison sees county A but may not plan there; county B is hidden from them.
    liaison = bearer(org.liaison_a)
    assert (
        send(liaison, "post", "/api/v1/campaigns", {**body, "unit_id": org.county_a.pk}).status_code
        == 403
    )
    assert (
        send(liaison, "post", "/api/v1/campaigns", {**body, "unit_id": org.county_b.pk}).status_code
        == 404
    )
    assert Campaign.objects.count() == 1


def test_create_read_patch_and_conflict_on_a_task(org, campaign, stream, bearer):
    client = bearer(org.office)
    body = {
        "campaign_id": campaign.pk,
        "workstream_id": stream.pk,
        "unit_id": org.county_a.pk,
        "title": "  开展谈心谈话  ",
        "start_date": "2026-11-10",
        "due_date": "2026-12-10",
        "lead_id": org.p_a1.pk,
        "quantity_target": 40,
        "measure": "人次",
        "weight": 2,
        "state": "started",
    }
    response = send(client, "post", "/api/v1/tasks", body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["title"] == "开展谈心谈话"
    assert (created["state"], created["lead_id"], created["quantity_target"]) == (
        "started",
        org.p_a1.pk,
        40,
    )
    assert created["root_id"] == created["id"] and created["parent_id"] is None
    task = Task.objects.get(pk=created["id"])
    assert events("campaigns.task.created", task).count() == 1
    assert client.get(f"/api/v1/tasks/{task.pk}").json() == created

    url = f"/api/v1/tasks/{task.pk}"
    patched = send(
        client,
        "patch",
        url,
        {"version": created["version"], "title": "谈心谈话全覆盖", "lead_id": None},
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["title"] == "谈心谈话全覆盖"
    assert patched.json()["lead_id"] is None
    assert patched.json()["version"] == created["version"] + 1
    assert patched.json()["quantity_target"] == 40  # not sent, not changed
    event = events("campaigns.task.updated", task).get()
    assert event.changes["title"] == ["开展谈心谈话", "谈心谈话全覆盖"]

    stale = send(client, "patch", url, {"version": created["version"], "title": "第三个标题"})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == created["version"] + 1
    assert stale.json()["detail"]
    task.refresh_from_db()
    assert task.title == "谈心谈话全覆盖"

    moved = send(client, "patch", url, {"version": task.version, "due_date": "2026-11-12"})
    assert moved.json()["due_date"] == "2026-11-12"
    assert moved.json()["colour"] == "red"  # recomputed on the write: now overdue


def test_a_liaison_may_not_create_top_level_tasks(org, campaign, stream, bearer):
    body = {
        "campaign_id": campaign.pk,
        "workstream_id": stream.pk,
        "unit_id": org.county_a.pk,
        "title": "自行立项",
        "start_date": "2026-11-10",
        "due_date": "2026-12-10",
    }
    response = send(bearer(org.liaison_a), "post", "/api/v1/tasks", body)
    assert response.status_code == 403
    response = send(
        bearer(org.liaison_a), "post", "/api/v1/tasks", {**body, "unit_id": org.county_b.pk}
    )
    assert response.status_code == 404
    assert not Task.objects.exists()


def test_report_progress_as_json(org, tasks, bearer):
    client = bearer(org.liaison_a)
    task = tasks.a1
    Task.objects.filter(pk=task.pk).update(quantity_target=8, measure="项")
    response = send(
        client,
        "post",
        f"/api/v1/tasks/{task.pk}/progress",
        {"quantity_done": 6, "narrative": "已整改6项"},
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["progress"], data["quantity_done"], data["evidence"]) == (75, 6, [])
    assert data["task"]["progress"] == 75 and data["task"]["state"] == "started"
    assert data["task"]["quantity_done"] == 6
    event = events("campaigns.task.progress", task).get()
    assert event.changes["progress"] == [0, 75]


def test_report_progress_with_evidence_files(org, tasks, bearer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = bearer(org.liaison_a)
    url = f"/api/v1/tasks/{tasks.a1.pk}/progress/upload"
    note = SimpleUploadedFile("记录.txt", "整改记录".encode(), content_type="text/plain")
    photo = SimpleUploadedFile(
        "现场.png", b"\x89PNG\r\n\x1a\n" + b"0" * 32, content_type="image/png"
    )
    response = client.post(url, {"progress": "40", "narrative": "现场核查", "files": [note, photo]})
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["progress"] == 40 and data["narrative"] == "现场核查"
    assert sorted(item["name"] for item in data["evidence"]) == ["现场.png", "记录.txt"]
    assert Evidence.objects.filter(update_id=data["id"]).count() == 2
    files = events("campaigns.task.progress", tasks.a1).get().changes["files"]
    assert sorted(files.split("、")) == ["现场.png", "记录.txt"]
    # Without files, the form fields alone are enough.
    assert client.post(url, {"progress": "50"}).status_code == 201
    fake = SimpleUploadedFile("病毒.exe", b"MZ", content_type="application/octet-stream")
    refused = client.post(url, {"progress": "60", "files": [fake]})
    assert refused.status_code == 400
    assert "病毒.exe" in refused.json()["detail"]
    tasks.a1.refresh_from_db()
    assert tasks.a1.progress == 50


def test_decompose_hands_shares_down_and_audits_each(org, campaign, stream, bearer, add_task):
    parent = add_task(
        org.city,
        "全市谈心谈话",
        date(2026, 11, 15),
        date(2026, 12, 31),
        quantity_target=10,
        measure="场",
    )
    client = bearer(org.office)
    response = send(
        client,
        "post",
        f"/api/v1/tasks/{parent.pk}/decompose",
        {
            "shares": [
                {
                    "unit_id": org.county_a.pk,
                    "quantity_target": 6,
                    "weight": 3,
                    "lead_id": org.p_a1.pk,
                },
                {
                    "unit_id": org.county_b.pk,
                    "quantity_target": 4,
                    "due_date": "2026-12-20",
                    "title": "彭山谈心谈话",
                },
            ]
        },
    )
    assert response.status_code == 201, response.content
    a, b = response.json()
    assert (a["parent_id"], b["parent_id"]) == (parent.pk, parent.pk)
    assert (a["unit_id"], a["quantity_target"], a["weight"], a["lead_id"]) == (
        org.county_a.pk,
        6,
        3,
        org.p_a1.pk,
    )
    assert (b["title"], b["due_date"], b["measure"]) == ("彭山谈心谈话", "2026-12-20", "场")
    assert a["title"] == "全市谈心谈话" and a["root_id"] == parent.pk
    assert a["live_colour"] and a["reason"]
    for child in (a, b):
        assert AuditEvent.objects.filter(
            code="campaigns.task.created", object_id=str(child["id"])
        ).exists()
    # Over the target, or a unit not below the task: 400 and nothing written.
    over = send(
        client,
        "post",
        f"/api/v1/tasks/{parent.pk}/decompose",
        {"shares": [{"unit_id": org.station_a2.pk, "quantity_target": 1}]},
    )
    assert over.status_code == 400 and over.json()["detail"]
    assert parent.children.count() == 2
    # A liaison hands its county task to a direct subunit only.
    county_task = Task.objects.get(pk=a["id"])
    liaison = bearer(org.liaison_a)
    deeper = send(
        liaison,
        "post",
        f"/api/v1/tasks/{county_task.pk}/decompose",
        {"shares": [{"unit_id": org.team_a1.pk}]},
    )
    assert deeper.status_code == 403
    direct = send(
        liaison,
        "post",
        f"/api/v1/tasks/{county_task.pk}/decompose",
        {"shares": [{"unit_id": org.station_a1.pk, "quantity_target": 2}]},
    )
    assert direct.status_code == 201, direct.content


def test_start_complete_and_cancel_round_trips(org, campaign, bearer, add_task):
    parent = add_task(org.county_a, "东坡整改", date(2026, 11, 1), date(2026, 12, 31))
    (child,) = actions.decompose_task(
        org.liaison_a, task=parent, shares=[{"unit": org.station_a1}], on=TODAY
    )
    client = bearer(org.liaison_a)
    started = send(client, "post", f"/api/v1/tasks/{child.pk}/start", {})
    assert started.status_code == 200 and started.json()["state"] == "started"
    assert events("campaigns.task.started", child).count() == 1
    again = send(client, "post", f"/api/v1/tasks/{child.pk}/start", {})
    assert again.status_code == 400 and again.json()["detail"]
    # The parent rolled up to started.
    assert client.get(f"/api/v1/tasks/{parent.pk}").json()["state"] == "started"
    # With a subtask still open the liaison may not complete the parent.
    blocked = send(client, "post", f"/api/v1/tasks/{parent.pk}/complete", {})
    assert blocked.status_code == 400 and blocked.json()["detail"]
    future = send(
        client, "post", f"/api/v1/tasks/{child.pk}/complete", {"completed_on": "2026-11-30"}
    )
    assert future.status_code == 400 and "completed_on" in future.json()["errors"]
    done = send(
        client, "post", f"/api/v1/tasks/{child.pk}/complete", {"completed_on": "2026-11-14"}
    )
    assert done.status_code == 200, done.content
    assert (done.json()["state"], done.json()["completed_on"], done.json()["progress"]) == (
        "completed",
        "2026-11-14",
        100,
    )
    assert done.json()["reason_code"] == "completed"
    assert events("campaigns.task.completed", child).count() == 1
    assert client.get(f"/api/v1/tasks/{parent.pk}").json()["progress"] == 100
    other = add_task(org.county_a, "待取消", date(2026, 11, 1), date(2026, 12, 31))
    cancelled = send(client, "post", f"/api/v1/tasks/{other.pk}/cancel", {"reason": "并入东坡整改"})
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert events("campaigns.task.cancelled", other).get().changes["reason"] == "并入东坡整改"


def test_the_office_completes_over_open_subtasks_with_a_reason(org, bearer, add_task):
    parent = add_task(org.county_a, "东坡整改", date(2026, 11, 1), date(2026, 12, 31))
    actions.decompose_task(org.liaison_a, task=parent, shares=[{"unit": org.station_a1}], on=TODAY)
    client = bearer(org.office)
    url = f"/api/v1/tasks/{parent.pk}/complete"
    missing_reason = send(client, "post", url, {})
    assert missing_reason.status_code == 400
    assert "override_reason" in missing_reason.json()["errors"]
    done = send(client, "post", url, {"override_reason": "县局已统一组织"})
    assert done.status_code == 200 and done.json()["override_reason"] == "县局已统一组织"
    assert events("campaigns.task.completed", parent).get().changes["open_subtasks"] == 1


# Bad input ---------------------------------------------------------------------------------

# A body that is not JSON at all is refused by Ninja's parser before validation: 400 today
# ("Cannot parse request body", from Ninja's own handler), 422 once zhengdun/api.py maps
# ninja.errors.ParseError like its other validation errors.
MALFORMED = {400, 422}


def test_bad_input_gets_a_4xx_with_a_message_never_a_500(org, campaign, stream, tasks, bearer):
    client = bearer(org.office)
    good_campaign = {
        "unit_id": org.city.pk,
        "name": "新整顿",
        "start_date": "2026-12-01",
        "end_date": "2027-01-31",
    }
    good_task = {
        "campaign_id": campaign.pk,
        "workstream_id": stream.pk,
        "unit_id": org.county_a.pk,
        "title": "新任务",
        "start_date": "2026-11-10",
        "due_date": "2026-12-10",
    }
    other_campaign = actions.create_campaign(
        org.office,
        unit=org.county_b,
        name="彭山专项",
        start_date=TODAY,
        end_date=date(2026, 12, 31),
        workstreams=["彭山工作"],
    )
    task_url = f"/api/v1/tasks/{tasks.a1.pk}"
    cases = [
        # (method, url, body, expected status)
        ("post", "/api/v1/campaigns", "not json", MALFORMED),
        ("post", "/api/v1/campaigns", {**good_campaign, "end_date": "2026-11-01"}, 400),
        ("post", "/api/v1/campaigns", {**good_campaign, "start_date": "2026-13-01"}, 422),
        ("post", "/api/v1/campaigns", {**good_campaign, "name": "   "}, 400),
        ("post", "/api/v1/campaigns", {**good_campaign, "name": "长" * 121}, 422),
        ("post", "/api/v1/campaigns", {**good_campaign, "unit_id": 999999}, 404),
        ("post", "/api/v1/campaigns", {**good_campaign, "workstreams": ["同名", "同名"]}, 422),
        ("post", "/api/v1/campaigns", {**good_campaign, "red_behind": 200}, 400),
        ("post", "/api/v1/campaigns", {**good_campaign, "red_behind": 5, "yellow_behind": 20}, 400),
        (
            "post",
            "/api/v1/campaigns",
            {
                **good_campaign,
                "phases": [{"name": "x", "start_date": "2026-12-05", "end_date": "2026-12-01"}],
            },
            422,
        ),
        ("post", "/api/v1/tasks", "{", MALFORMED),
        ("post", "/api/v1/tasks", {**good_task, "due_date": "2026-11-01"}, 400),
        ("post", "/api/v1/tasks", {**good_task, "due_date": "tomorrow"}, 422),
        ("post", "/api/v1/tasks", {**good_task, "title": ""}, 400),
        ("post", "/api/v1/tasks", {**good_task, "workstream_id": 999999}, 404),
        ("post", "/api/v1/tasks", {**good_task, "campaign_id": 999999}, 404),
        ("post", "/api/v1/tasks", {**good_task, "unit_id": 999999}, 404),
        ("post", "/api/v1/tasks", {**good_task, "lead_id": 999999}, 404),
        ("post", "/api/v1/tasks", {**good_task, "lead_id": org.p_b1.pk}, 400),  # not of county A
        ("post", "/api/v1/tasks", {**good_task, "state": "completed"}, 422),
        ("post", "/api/v1/tasks", {**good_task, "weight": 101}, 400),
        ("post", "/api/v1/tasks", {**good_task, "quantity_target": 0}, 422),
        ("post", "/api/v1/tasks", {**good_task, "quantity_target": 10**12}, 422),
        # Another campaign's workstream, and a unit outside the campaign.
        (
            "post",
            "/api/v1/tasks",
            {**good_task, "workstream_id": other_campaign.workstreams.get().pk},
            404,
        ),
        (
            "post",
            "/api/v1/tasks",
            {
                **good_task,
                "campaign_id": other_campaign.pk,
                "workstream_id": other_campaign.workstreams.get().pk,
            },
            400,
        ),
        ("patch", task_url, {"title": "无版本"}, 422),
        ("patch", task_url, {"version": 1, "title": None}, 422),
        ("patch", task_url, {"version": 1, "description": None}, 422),
        ("patch", task_url, {"version": 1, "weight": None}, 422),
        ("patch", task_url, {"version": 1, "due_date": "2026-10-01"}, 400),
        ("patch", task_url, {"version": 1, "workstream_id": 999999}, 404),
        ("patch", "/api/v1/tasks/999999", {"version": 1, "title": "x"}, 404),
        ("post", f"{task_url}/progress", {}, 400),
        ("post", f"{task_url}/progress", {"progress": 150}, 400),
        ("post", f"{task_url}/progress", {"progress": "lots"}, 422),
        ("post", f"/api/v1/tasks/{tasks.a2.pk}/progress", {"progress": 10}, 400),  # closed
        ("post", f"{task_url}/decompose", {"shares": []}, 400),
        ("post", f"{task_url}/decompose", {}, 422),
        (
            "post",
            f"{task_url}/decompose",
            {"shares": [{"unit_id": org.team_a1.pk}, {"unit_id": org.team_a1.pk}]},
            400,
        ),
        ("post", f"{task_url}/decompose", {"shares": [{"unit_id": org.county_b.pk}]}, 400),
        ("post", f"{task_url}/decompose", {"shares": [{"unit_id": 999999}]}, 404),
        ("post", f"{task_url}/complete", {"completed_on": "2026-10-01"}, 400),
        ("post", f"/api/v1/tasks/{tasks.a2.pk}/complete", {}, 400),
        ("post", f"/api/v1/tasks/{tasks.county_a.pk}/start", {}, 400),
        ("post", f"{task_url}/cancel", {"reason": "  "}, 400),
        ("get", "/api/v1/tasks", None, 422),
        ("get", "/api/v1/tasks?campaign=abc", None, 422),
        ("get", f"/api/v1/tasks?campaign={campaign.pk}&due_from=someday", None, 422),
        ("get", f"/api/v1/tasks?campaign={campaign.pk}&state=bogus", None, 422),
        ("get", f"/api/v1/tasks?campaign={campaign.pk}&colour=blue", None, 422),
        ("get", f"/api/v1/tasks?campaign={campaign.pk}&page=abc", None, 422),
        ("get", f"/api/v1/campaigns/{campaign.pk}/summary?unit=abc", None, 422),
        ("get", "/api/v1/campaigns/999999", None, 404),
        ("get", "/api/v1/campaigns/999999/summary", None, 404),
    ]
    for method, url, body, status in cases:
        if body is None:
            response = getattr(client, method)(url)
        elif isinstance(body, str):
            response = getattr(client, method)(url, body, content_type="application/json")
        else:
            response = send(client, method, url, body)
        assert response.status_code in (status if isinstance(status, set) else {status}), (
            method,
            url,
            body,
            response.status_code,
            response.content,
        )
        assert response.json()["detail"], (url, body)
    tasks.a1.refresh_from_db()
    assert (tasks.a1.version, tasks.a1.progress, tasks.a1.state) == (1, 0, TaskState.PLANNED)
    assert not tasks.a1.children.exists()
    assert Campaign.objects.count() == 2


# Queries and schema ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "params"),
    [
        ("office", {}),
        ("office", {"state": "open", "colour": "red"}),
        ("liaison_a", {"unit": "station_a1"}),
        ("liaison_a", {"q": "任务", "due_from": "2026-11-01"}),  # counted from rows, not tallies
    ],
)
def test_listing_tasks_takes_as_many_queries_for_50_tasks_as_for_5(
    org, campaign, add_task, bearer, django_assert_max_num_queries, who, params
):
    units = [org.station_a1, org.team_a1, org.station_a2, org.county_a, org.city]
    leads = [org.p_a1, org.p_team, org.p_a2, None, None]

    def make(count):
        for n in range(count):
            add_task(
                units[n % 5],
                f"任务{n}",
                date(2026, 11, 1),
                date(2026, 11, 10) if n % 3 else date(2026, 12, 31),
                lead=leads[n % 5],
            )

    client = bearer(getattr(org, who))
    if "unit" in params:
        params = {**params, "unit": getattr(org, params["unit"]).pk}
    url_params = {"campaign": campaign.pk, "page_size": 100, **params}
    client.get("/api/v1/tasks", url_params)  # the token's first use is stamped once
    make(5)
    # The page is read ids first, then those tasks with their joins (core.pagination.IdsFirst).
    with django_assert_max_num_queries(9) as few:
        small = client.get("/api/v1/tasks", url_params).json()
    make(45)
    with django_assert_max_num_queries(9) as many:
        large = client.get("/api/v1/tasks", url_params).json()
    assert len(large["items"]) > len(small["items"]) > 0
    assert large["count"] == len(large["items"])
    assert len(few.captured_queries) == len(many.captured_queries)


def test_the_openapi_schema_lists_the_campaign_paths(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    expected = {
        "/api/v1/campaigns": {"get", "post"},
        "/api/v1/campaigns/{campaign_id}": {"get"},
        "/api/v1/campaigns/{campaign_id}/summary": {"get"},
        "/api/v1/tasks": {"get", "post"},
        "/api/v1/tasks/{task_id}": {"get", "patch"},
        "/api/v1/tasks/{task_id}/progress": {"post"},
        "/api/v1/tasks/{task_id}/progress/upload": {"post"},
        "/api/v1/tasks/{task_id}/decompose": {"post"},
        "/api/v1/tasks/{task_id}/start": {"post"},
        "/api/v1/tasks/{task_id}/complete": {"post"},
        "/api/v1/tasks/{task_id}/cancel": {"post"},
    }
    for path, methods in expected.items():
        assert path in paths, path
        assert methods <= set(paths[path]), path
    upload = paths["/api/v1/tasks/{task_id}/progress/upload"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload
    filters = {p["name"] for p in paths["/api/v1/tasks"]["get"]["parameters"]}
    assert {
        "campaign",
        "workstream",
        "unit",
        "state",
        "colour",
        "due_from",
        "due_to",
        "lead",
        "q",
    } <= filters


def test_a_search_holding_nul_finds_nothing_rather_than_failing(org, campaign, tasks, bearer):
    response = bearer(org.office).get(
        "/api/v1/tasks", {"campaign": campaign.pk, "q": "走访\x00整改"}
    )
    assert response.status_code == 200
    assert response.json()["count"] == 0
