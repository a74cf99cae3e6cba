from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.campaigns.conftest import TODAY
from zhengdun.campaigns.models import Campaign, Evidence, Task, TaskState

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(date(2026, 11, 16), tick=False):
        yield


def test_office_creates_a_campaign_with_workstreams_and_phases(org, login):
    response = login(org.office).post(
        reverse("campaigns:campaign_create"),
        {
            "name": "第二批教育整顿",
            "unit": org.city.pk,
            "start_date": "2026-12-01",
            "end_date": "2027-03-31",
            "workstreams": "初心革命\n勤务革命",
            "phases": "学习教育, 2026-12-01, 2027-01-15\n查纠整改, 2027-01-16, 2027-03-01",
            "red_behind": 30,
            "yellow_behind": 10,
            "yellow_days": 7,
            "yellow_progress": 80,
            "escalate_days": 7,
        },
    )
    campaign = Campaign.objects.get(name="第二批教育整顿")
    assert response.status_code == 302
    assert list(campaign.workstreams.values_list("name", flat=True)) == ["初心革命", "勤务革命"]
    assert campaign.phases.count() == 2
    assert campaign.incentive_levels.count() == 6


def test_bad_phase_lines_keep_the_form(org, login):
    response = login(org.office).post(
        reverse("campaigns:campaign_create"),
        {
            "name": "x",
            "unit": org.city.pk,
            "start_date": "2026-12-01",
            "end_date": "2026-11-01",
            "phases": "学习教育 2026-12-01",
            "red_behind": 30,
            "yellow_behind": 10,
            "yellow_days": 7,
            "yellow_progress": 80,
            "escalate_days": 7,
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["phases"]
    assert 'value="x"' in response.content.decode()


def test_overview_counts_and_drills_down(org, campaign, make_task, login):
    make_task(org.station_a1, title="a")
    make_task(org.station_b1, title="b", due=date(2027, 1, 30))
    client = login(org.office)
    response = client.get(reverse("campaigns:overview", args=[campaign.pk]))
    summary = response.context["summary"]
    assert summary.totals["total"] == 2
    assert {row["unit"].code for row in summary.by_unit} == {"A", "B"}
    response = client.get(
        reverse("campaigns:overview", args=[campaign.pk]), {"unit": org.county_a.pk}
    )
    assert response.context["summary"].totals["total"] == 1
    assert [row["unit"].code for row in response.context["summary"].by_unit] == ["A1"]


def test_a_county_liaison_sees_their_county_only(org, campaign, make_task, login):
    mine = make_task(org.station_a1, title="mine")
    other = make_task(org.station_b1, title="other")
    client = login(org.liaison_a)
    overview = client.get(reverse("campaigns:overview", args=[campaign.pk]))
    assert overview.context["unit"] == org.county_a
    assert (
        client.get(
            reverse("campaigns:overview", args=[campaign.pk]), {"unit": org.county_b.pk}
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("campaigns:overview", args=[campaign.pk]), {"unit": org.city.pk}
        ).status_code
        == 404
    )
    listed = (
        client.get(reverse("campaigns:task_list", args=[campaign.pk])).context["page"].object_list
    )
    assert [task.pk for task in listed] == [mine.pk]
    assert client.get(reverse("campaigns:task_detail", args=[other.pk])).status_code == 404
    assert (
        client.get(
            reverse("campaigns:task_list", args=[campaign.pk]), {"unit": org.county_b.pk}
        ).status_code
        == 404
    )


def test_task_list_filters(org, campaign, make_task, login):
    red = make_task(
        org.station_a1, title="逾期任务", due=date(2026, 11, 10), start=date(2026, 11, 1)
    )
    green = make_task(
        org.station_a1, title="正常任务", due=date(2027, 1, 20), start=date(2026, 11, 16)
    )
    client = login(org.office)
    url = reverse("campaigns:task_list", args=[campaign.pk])

    def listed(**params):
        return [task.pk for task in client.get(url, params).context["page"].object_list]

    assert listed(colour="red") == [red.pk]
    assert listed(colour="green") == [green.pk]
    assert listed(q="正常") == [green.pk]
    assert listed(due_from="2026-12-01") == [green.pk]
    assert listed(state="completed") == []
    assert sorted(listed(unit=org.county_a.pk)) == sorted([red.pk, green.pk])
    assert listed(unit=org.county_b.pk) == []


def test_task_rows_escape_what_users_typed_and_link_each_task(org, campaign, make_task, login):
    task = make_task(org.station_a1, title="<script>alert(1)</script> & 整改", lead=org.p_a1)
    page = login(org.office).get(reverse("campaigns:task_list", args=[campaign.pk]))
    html = page.content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; 整改" in html
    assert f'href="{reverse("campaigns:task_detail", args=[task.pk])}"' in html
    assert f"?lead={org.p_a1.pk}&amp;state=" in html
    # Every cell carries its column's label for the phone layout.
    assert 'data-label="截止" class="nowrap">2026-12-01</td>' in html


def test_list_pages_and_the_overview_have_bounded_queries(
    org, campaign, make_task, login, django_assert_max_num_queries
):
    client = login(org.office)
    urls = [
        reverse("campaigns:overview", args=[campaign.pk]),
        reverse("campaigns:task_list", args=[campaign.pk]),
        reverse("campaigns:task_list", args=[campaign.pk]) + "?state=open&colour=red",
        reverse("campaigns:campaign_list"),
        reverse("campaigns:my_tasks"),
    ]
    for unit in (org.station_a1, org.station_b1, org.team_a1):
        make_task(unit)
    small = {}
    for url in urls:
        client.get(url)
        with django_assert_max_num_queries(20) as captured:
            assert client.get(url).status_code == 200
        small[url] = len(captured.captured_queries)
    for index in range(40):
        make_task(
            [org.station_a1, org.station_b1, org.team_a1, org.dept][index % 4], title=f"t{index}"
        )
    for url in urls:
        with django_assert_max_num_queries(20) as captured:
            assert client.get(url).status_code == 200
        assert len(captured.captured_queries) == small[url], url


def test_decompose_report_with_evidence_and_complete_through_the_pages(
    org, campaign, make_task, login
):
    task = make_task(org.county_a, quantity_target=10, measure="期")
    client = login(org.liaison_a)
    response = client.post(
        reverse("campaigns:task_decompose", args=[task.pk]),
        {
            "share-TOTAL_FORMS": "2",
            "share-INITIAL_FORMS": "0",
            "share-0-unit": org.station_a1.pk,
            "share-0-quantity_target": "6",
            "share-0-weight": "1",
            "share-1-unit": org.station_a2.pk,
            "share-1-quantity_target": "4",
            "share-1-weight": "1",
        },
    )
    assert response.status_code == 302
    share = Task.objects.get(parent=task, unit=org.station_a1)
    response = client.post(
        reverse("campaigns:task_progress", args=[share.pk]),
        {
            "quantity_done": "3",
            "narrative": "已办 3 期",
            "files": [SimpleUploadedFile("现场照片.png", PNG)],
        },
    )
    assert response.status_code == 302
    share.refresh_from_db()
    assert share.progress == 50
    evidence = Evidence.objects.get()
    assert evidence.name == "现场照片.png" and evidence.size == len(PNG)
    download = client.get(reverse("campaigns:evidence", args=[evidence.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    assert (
        login(org.viewer_b).get(reverse("campaigns:evidence", args=[evidence.pk])).status_code
        == 404
    )
    detail = login(org.liaison_a).get(reverse("campaigns:task_detail", args=[task.pk]))
    assert detail.context["task"].progress == 25
    response = client.post(
        reverse("campaigns:task_complete", args=[share.pk]), {"completed_on": "2026-11-16"}
    )
    share.refresh_from_db()
    assert share.state == TaskState.COMPLETED


def test_evidence_of_the_wrong_type_is_refused_with_a_message(org, make_task, login):
    task = make_task(org.station_a1)
    client = login(org.liaison_a)
    response = client.post(
        reverse("campaigns:task_progress", args=[task.pk]),
        {"progress": "20", "files": [SimpleUploadedFile("报告.pdf", b"MZ\x90\x00 not a pdf")]},
        follow=True,
    )
    messages = [str(message) for message in response.context["messages"]]
    assert any("报告.pdf" in message for message in messages)
    task.refresh_from_db()
    assert task.progress == 0 and not Evidence.objects.exists()


def test_only_the_office_may_plan(org, campaign, login):
    assert (
        login(org.liaison_a).get(reverse("campaigns:task_create", args=[campaign.pk])).status_code
        == 404
    )
    assert (
        login(org.liaison_a).get(reverse("campaigns:settings", args=[campaign.pk])).status_code
        == 404
    )
    assert (
        login(org.office).get(reverse("campaigns:task_create", args=[campaign.pk])).status_code
        == 200
    )


def test_my_tasks_shows_the_units_own_and_led_tasks(org, make_task, login):
    own = make_task(org.county_a, title="县局任务")
    make_task(org.station_a1, title="派出所任务")
    listed = login(org.liaison_a).get(reverse("campaigns:my_tasks")).context["page"].object_list
    assert [task.pk for task in listed] == [own.pk]


def test_incentives_show_on_the_unit_page(org, campaign, make_task, login):
    from zhengdun.campaigns import actions

    task = make_task(org.county_a, on=TODAY)
    level = campaign.incentive_levels.get(side="sanction", rank=1)
    actions.award(org.office, level=level, unit=org.county_a, task=task, reason="进度严重滞后")
    html = (
        login(org.leader_a).get(reverse("org:unit_detail", args=[org.county_a.pk])).content.decode()
    )
    assert "进度严重滞后" in html


def test_task_list_opens_on_the_open_tasks(org, campaign, make_task, login):
    done = make_task(org.station_a1, title="已完成的")
    pending = make_task(org.station_a1, title="未完成的")
    from zhengdun.campaigns import actions

    actions.complete_task(org.office, task=done, on=TODAY)
    client = login(org.office)
    url = reverse("campaigns:task_list", args=[campaign.pk])
    assert [task.pk for task in client.get(url).context["page"].object_list] == [pending.pk]
    everything = client.get(url, {"state": ""}).context["page"].object_list
    assert {task.pk for task in everything} == {done.pk, pending.pk}


def test_the_warning_follows_the_clock(org, campaign, make_task, login):
    task = make_task(org.station_a1, start=date(2026, 11, 1), due=date(2026, 11, 20))
    with time_machine.travel(date(2026, 11, 2), tick=False):
        page = login(org.office).get(reverse("campaigns:task_detail", args=[task.pk]))
        assert page.context["task"].live_colour == "green"
    with time_machine.travel(date(2026, 11, 23), tick=False):
        # A new login: the first day's session has expired by now.
        page = login(org.office).get(reverse("campaigns:task_detail", args=[task.pk]))
        assert page.context["task"].live_colour == "red"
        assert "已逾期 3 天" in page.content.decode()


def test_a_leads_tasks_are_one_click_away(org, campaign, make_task, login):
    led = make_task(org.station_a1, title="牵头的", lead=org.p_a1)
    make_task(org.station_a1, title="别人的")
    client = login(org.office)
    html = client.get(reverse("campaigns:task_list", args=[campaign.pk])).content.decode()
    assert f"?lead={org.p_a1.pk}&amp;state=" in html
    listed = (
        client.get(
            reverse("campaigns:task_list", args=[campaign.pk]), {"lead": org.p_a1.pk, "state": ""}
        )
        .context["page"]
        .object_list
    )
    assert [task.pk for task in listed] == [led.pk]


def test_the_settings_page_edits_phases_workstreams_and_levels(org, campaign, login):
    client = login(org.office)
    settings_url = reverse("campaigns:settings", args=[campaign.pk])
    assert client.get(settings_url).status_code == 200
    client.post(
        reverse("campaigns:phases", args=[campaign.pk]),
        {"phases": "学习教育, 2026-11-01, 2026-11-30\n查纠整改, 2026-12-01, 2027-01-15"},
    )
    assert list(campaign.phases.values_list("name", flat=True)) == ["学习教育", "查纠整改"]
    client.post(reverse("campaigns:workstream_add", args=[campaign.pk]), {"name": "数据革命"})
    assert campaign.workstreams.filter(name="数据革命").exists()
    response = client.post(
        reverse("campaigns:workstream_add", args=[campaign.pk]), {"name": "数据革命"}, follow=True
    )
    assert any("同名" in str(message) for message in response.context["messages"])
    levels = {f"reward_{rank}": name for rank, name in enumerate(["表扬", "嘉奖", "立功"], 1)}
    levels |= {f"sanction_{rank}": name for rank, name in enumerate(["提醒", "约谈", "问责"], 1)}
    client.post(reverse("campaigns:levels", args=[campaign.pk]), levels)
    assert campaign.incentive_levels.get(side="reward", rank=3).name == "立功"
    response = client.post(
        reverse("campaigns:levels", args=[campaign.pk]), {**levels, "reward_2": " "}, follow=True
    )
    assert any("三个" in str(message) for message in response.context["messages"])
    assert campaign.incentive_levels.get(side="reward", rank=2).name == "嘉奖"
    version = campaign.version
    response = client.post(
        settings_url,
        {
            "name": "教育整顿（修订）",
            "start_date": "2026-11-01",
            "end_date": "2027-01-31",
            "red_behind": 25,
            "yellow_behind": 10,
            "yellow_days": 7,
            "yellow_progress": 80,
            "escalate_days": 7,
            "version": version,
        },
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == "教育整顿（修订）" and campaign.red_behind == 25


def test_the_parent_is_linked_only_for_those_who_may_open_it(org, campaign, make_task, login):
    parent = make_task(org.city)
    (share,) = actions_decompose(org, parent)
    html = login(org.liaison_a).get(reverse("campaigns:task_detail", args=[share.pk])).content
    assert reverse("campaigns:task_detail", args=[parent.pk]).encode() not in html
    html = login(org.office).get(reverse("campaigns:task_detail", args=[share.pk])).content
    assert reverse("campaigns:task_detail", args=[parent.pk]).encode() in html


def actions_decompose(org, parent):
    from zhengdun.campaigns import actions

    return actions.decompose_task(org.office, task=parent, shares=[{"unit": org.county_a}])


def test_refusing_to_hand_down_explains_on_the_page(org, make_task, login):
    from zhengdun.campaigns import actions

    task = make_task(org.county_a, quantity_target=10, measure="场")
    actions.report_progress(org.liaison_a, task=task, quantity_done=7, on=TODAY)
    response = login(org.liaison_a).post(
        reverse("campaigns:task_decompose", args=[task.pk]),
        {
            "share-TOTAL_FORMS": "1",
            "share-INITIAL_FORMS": "0",
            "share-0-unit": org.station_a1.pk,
            "share-0-weight": "1",
        },
    )
    assert response.status_code == 200
    assert "70%" in " ".join(response.context["errors"])
    assert not task.children.exists()
