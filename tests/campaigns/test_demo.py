"""The campaigns demo: the article's campaign, alive today, loaded idempotently through the actions.

The organisation and the campaign are loaded once for the module, inside a transaction that is
rolled back at the end; each test runs in a savepoint inside it (the ``db`` fixture).
"""

from collections import Counter
from types import SimpleNamespace
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from zhengdun.audit import chain
from zhengdun.audit.models import AuditEvent
from zhengdun.campaigns import actions, demo, queries, tally
from zhengdun.campaigns.models import (
    OPEN_STATES,
    Campaign,
    Colour,
    Incentive,
    IncentiveSide,
    Phase,
    ProgressUpdate,
    Task,
    TaskState,
    TaskTally,
    Workstream,
)
from zhengdun.org import demo as org_demo
from zhengdun.org.models import Unit, UnitKind

COLOURS = {Colour.RED, Colour.YELLOW, Colour.GREEN}


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The demo organisation and campaign, with the tally drift found just before the final
    colour refresh (which recounts, and so would hide drift left by the load)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            org_demo.load()
            admin = get_user_model().objects.get(username="admin")
            drift: list[dict] = []
            refresh = actions.refresh_colours

            def checked_refresh(campaign, on):
                drift.append(tally.recount(campaign.pk))
                return refresh(campaign, on)

            with mock.patch.object(actions, "refresh_colours", checked_refresh):
                summary = demo.load(admin)
            yield SimpleNamespace(
                admin=admin,
                summary=summary,
                drift=drift,
                campaign=Campaign.objects.get(name=demo.NAME),
            )
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def site(loaded, db):
    return loaded


def _level(task: Task) -> str:
    if task.unit.kind == UnitKind.STATION:
        return "station"
    if task.unit.kind == UnitKind.COUNTY_BUREAU:
        return "county"
    return "city" if task.unit.code.startswith("MS") else "other"


def test_campaign_is_under_way_today_with_its_phases_and_workstreams(site):
    campaign, today = site.campaign, timezone.localdate()
    assert campaign.status == "active"
    assert campaign.unit.code == "MS"
    assert campaign.start_date < today < campaign.end_date
    assert [phase.name for phase in campaign.phases.all()] == ["学习教育", "查纠整改", "总结提升"]
    assert [stream.name for stream in campaign.workstreams.all()] == [
        "初心革命",
        "勤务革命",
        "数据革命",
        "效率革命",
        "本领革命",
        "突出工作“实”",
        "突出要求“严”",
        "突出全面“督”",
        "突出整顿“深”",
    ]
    assert all(stream.tasks.exists() for stream in campaign.workstreams.all())
    levels = {(level.side, level.rank): level.name for level in campaign.incentive_levels.all()}
    assert levels[(IncentiveSide.REWARD, 1)] == "通报表扬"
    assert levels[(IncentiveSide.SANCTION, 2)] == "约谈"


def test_loading_twice_changes_nothing(site):
    def snapshot():
        return {
            "counts": [
                model.objects.count()
                for model in (
                    Campaign,
                    Phase,
                    Workstream,
                    Task,
                    ProgressUpdate,
                    Incentive,
                    TaskTally,
                    AuditEvent,
                )
            ],
            "tasks": set(
                Task.objects.values_list(
                    "pk", "state", "colour", "progress", "quantity_done", "completed_on"
                )
            ),
            "tallies": set(TaskTally.objects.values_list("unit", "workstream", "state", "count")),
        }

    before = snapshot()
    assert demo.load(site.admin) == site.summary
    assert snapshot() == before


def test_every_colour_shows_in_the_city_overview_and_a_county_overview(site):
    campaign, admin = site.campaign, site.admin
    city = queries.overview(admin, campaign, campaign.unit)
    assert {colour for colour, n in city.totals["colours"].items() if n} == COLOURS
    assert city.colour == Colour.RED
    counties = Unit.objects.filter(kind=UnitKind.COUNTY_BUREAU)
    complete = [
        county.code
        for county in counties
        if {
            colour
            for colour, n in queries.overview(admin, campaign, county).totals["colours"].items()
            if n
        }
        == COLOURS
    ]
    assert complete
    # The overview's county rows show more than one colour too.
    assert {row["colour"] for row in city.by_unit} >= {Colour.RED, Colour.YELLOW}


def test_every_colour_and_both_kinds_of_completion_show_at_each_level(site):
    colours: dict[str, set] = {"city": set(), "county": set(), "station": set()}
    completions: dict[str, set] = {"city": set(), "county": set(), "station": set()}
    for task in Task.objects.filter(campaign=site.campaign).select_related("unit"):
        level = _level(task)
        assert level != "other", task
        if task.state in OPEN_STATES:
            colours[level].add(task.colour)
        elif task.state == TaskState.COMPLETED:
            completions[level].add("late" if task.is_late else "on time")
    assert colours == {level: COLOURS for level in colours}
    assert completions == {level: {"late", "on time"} for level in completions}
    states = Counter(Task.objects.values_list("state", flat=True))
    assert states[TaskState.CANCELLED] == 1


def test_publicity_workstream_reads_5_started_7_completed_11_planned(site):
    stream = site.campaign.workstreams.get(name=demo.PUBLICITY)
    overview = queries.overview(site.admin, site.campaign, site.campaign.unit)
    row = next(row for row in overview.by_workstream if row["workstream"] == stream)
    assert row["states"] == {"started": 5, "completed": 7, "planned": 11}
    assert row["total"] == 23
    tasks = Task.objects.filter(workstream=stream)
    assert not tasks.filter(parent__isnull=False).exists()
    assert not Task.objects.filter(parent__workstream=stream).exists()
    titles = " ".join(tasks.values_list("title", flat=True))
    for item in (
        "公安夜校",
        "公安网校",
        "主题征文",
        "网站专栏",
        "宣传展板",
        "应知应会手册",
        "电梯口视频制作",
        "举报电话和信箱",
        "政治轮训",
        "岗位互换情景体验日",
        "警营开放日",
        "“两代表一委员”座谈会",
    ):
        assert item in titles


def test_tasks_are_decomposed_down_the_tree_with_shares_adding_up(site):
    tasks = list(Task.objects.filter(campaign=site.campaign).select_related("unit", "parent"))
    assert {_level(task) for task in tasks} == {"city", "county", "station"}
    children: dict[int, list[Task]] = {}
    for task in tasks:
        if task.parent_id:
            children.setdefault(task.parent_id, []).append(task)
            assert task.unit.is_descendant_of(task.parent.unit)
            assert task.due_date <= task.parent.due_date
            assert task.lead is not None
            assert task.lead.unit.path.startswith(task.unit.path[: 2 * 4])
    by_pk = {task.pk: task for task in tasks}
    with_quantities = 0
    for parent_pk, shares in children.items():
        parent = by_pk[parent_pk]
        live = [share for share in shares if share.state != TaskState.CANCELLED]
        if parent.quantity_target is not None and all(s.quantity_target for s in live):
            with_quantities += 1
            assert sum(share.quantity_target for share in live) == parent.quantity_target
            assert sum(share.quantity_done for share in live) == parent.quantity_done
    assert with_quantities >= 4
    # City → county → station, and once straight from the city to stations (点对点).
    assert any(_level(t) == "station" and _level(t.parent) == "county" for t in tasks if t.parent)
    assert any(_level(t) == "station" and _level(t.parent) == "city" for t in tasks if t.parent)
    county_shares = Counter(
        t.parent_id for t in tasks if t.parent and _level(t) == "county"
    ).values()
    assert max(county_shares) == 8


def test_tallies_have_not_drifted(site):
    assert site.drift == [{}]
    assert tally.recount(site.campaign.pk) == {}
    city = TaskTally.objects.filter(campaign=site.campaign, unit=site.campaign.unit)
    assert city.aggregate(n=Sum("count"))["n"] == Task.objects.count()


def test_stored_colours_are_todays(site):
    assert actions.refresh_colours(site.campaign, timezone.localdate()) == 0


def test_progress_reports_are_back_dated_within_each_task(site):
    today = timezone.localdate()
    updates = list(ProgressUpdate.objects.select_related("task"))
    assert len(updates) > 50
    days = {timezone.localtime(update.created_at).date() for update in updates}
    assert max(days) <= today
    assert len(days) > 20
    for update in updates:
        assert update.task.start_date <= timezone.localtime(update.created_at).date()


def test_incentives_and_an_admonition_talk_on_a_red_task(site):
    incentives = list(Incentive.objects.select_related("level", "task"))
    rewards = [i for i in incentives if i.level.side == IncentiveSide.REWARD]
    sanctions = [i for i in incentives if i.level.side == IncentiveSide.SANCTION]
    assert len(rewards) >= 3
    assert all(i.reason and i.task.state == TaskState.COMPLETED for i in rewards)
    talk = next(i for i in sanctions if i.level.name == "约谈")
    assert talk.task.colour == Colour.RED
    assert talk.person is not None


def test_audit_chain_verifies(site):
    checked, broken = chain.verify()
    assert broken is None
    assert checked > Task.objects.count() + ProgressUpdate.objects.count()
