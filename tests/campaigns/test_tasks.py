from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.campaigns.conftest import TODAY
from zhengdun.audit.models import AuditEvent
from zhengdun.campaigns import actions, queries, tally
from zhengdun.campaigns.models import Colour, Task, TaskDueTally, TaskState, TaskTally


def counts(campaign, unit):
    rows = TaskTally.objects.filter(campaign=campaign, unit=unit)
    return tally.totals(tally.summed(rows))


def test_decomposition_hands_shares_down_and_rolls_progress_up(org, campaign, make_task):
    task = make_task(quantity_target=10, measure="场")
    a, b = actions.decompose_task(
        org.office,
        task=task,
        shares=[
            {"unit": org.county_a, "quantity_target": 6, "weight": 3},
            {"unit": org.county_b, "quantity_target": 4, "weight": 1},
        ],
        on=TODAY,
    )
    assert (a.parent_id, b.parent_id) == (task.pk, task.pk)
    assert (
        a.root_id == task.pk and a.unit_path == org.county_a.path and a.branch == org.county_a.path
    )
    actions.report_progress(org.liaison_a, task=a, quantity_done=3, on=TODAY)
    a.refresh_from_db()
    assert a.progress == 50 and a.state == TaskState.STARTED
    task.refresh_from_db()
    # Weighted: (50 * 3 + 0 * 1) / 4 = 37.5, rounded.
    assert task.progress == 38
    assert task.quantity_done == 3
    assert task.state == TaskState.STARTED


def test_shares_cannot_exceed_the_target(org, make_task):
    task = make_task(quantity_target=10, measure="场")
    with pytest.raises(ValidationError):
        actions.decompose_task(
            org.office,
            task=task,
            shares=[
                {"unit": org.county_a, "quantity_target": 8},
                {"unit": org.county_b, "quantity_target": 3},
            ],
        )
    assert not task.children.exists()


def test_a_unit_hands_down_to_its_direct_subunits_only(org, campaign, make_task):
    county_task = make_task(org.county_a)
    children = actions.decompose_task(
        org.liaison_a, task=county_task, shares=[{"unit": org.station_a1}]
    )
    assert children[0].unit == org.station_a1
    with pytest.raises(PermissionDenied):
        actions.decompose_task(org.liaison_a, task=county_task, shares=[{"unit": org.team_a1}])
    # The office may skip levels (扁平化, 点对点指挥).
    actions.decompose_task(org.office, task=make_task(org.city), shares=[{"unit": org.team_a1}])


def test_a_liaison_cannot_decompose_another_countys_task(org, make_task):
    task = make_task(org.county_b)
    with pytest.raises(PermissionDenied):
        actions.decompose_task(org.liaison_a, task=task, shares=[{"unit": org.station_b1}])


def test_a_parent_cannot_be_completed_while_a_child_is_open(org, make_task):
    task = make_task(org.county_a)
    actions.decompose_task(org.liaison_a, task=task, shares=[{"unit": org.station_a1}])
    with pytest.raises(ValidationError):
        actions.complete_task(org.liaison_a, task=task, on=TODAY)
    with pytest.raises(ValidationError) as error:
        actions.complete_task(org.office, task=task, on=TODAY)
    assert "override_reason" in error.value.message_dict
    actions.complete_task(org.office, task=task, override_reason="县局已统一组织", on=TODAY)
    task.refresh_from_db()
    assert task.state == TaskState.COMPLETED
    event = AuditEvent.objects.get(code="campaigns.task.completed", object_id=str(task.pk))
    assert event.changes["override_reason"] == "县局已统一组织"
    assert event.changes["open_subtasks"] == 1


def test_completing_the_children_lets_the_parent_complete(org, make_task):
    task = make_task(org.county_a)
    (child,) = actions.decompose_task(org.liaison_a, task=task, shares=[{"unit": org.station_a1}])
    actions.complete_task(org.liaison_a, task=child, on=TODAY)
    task.refresh_from_db()
    assert task.progress == 100
    actions.complete_task(org.liaison_a, task=task, on=TODAY)
    task.refresh_from_db()
    assert task.state == TaskState.COMPLETED and not task.override_reason


def test_progress_on_a_decomposed_task_is_refused(org, make_task):
    task = make_task(org.county_a)
    actions.decompose_task(org.liaison_a, task=task, shares=[{"unit": org.station_a1}])
    with pytest.raises(ValidationError):
        actions.report_progress(org.liaison_a, task=task, progress=50)


def test_outsiders_cannot_report_progress(org, make_task):
    task = make_task(org.county_b)
    with pytest.raises(PermissionDenied):
        actions.report_progress(org.liaison_a, task=task, progress=10)


def test_the_lead_may_report_progress_without_a_manage_role(org, make_task):
    lead = org.p_b1
    from tests.factories import UserFactory

    lead.user = UserFactory(username="lead-b1")
    lead.save()
    task = make_task(org.station_b1, lead=lead)
    actions.report_progress(lead.user, task=task, progress=30, on=TODAY)
    task.refresh_from_db()
    assert task.progress == 30


def test_the_stored_colour_follows_writes(org, make_task):
    task = make_task(org.county_a, on=TODAY)  # half-way, 0 % done: 50 behind
    assert task.colour == Colour.RED
    actions.report_progress(org.liaison_a, task=task, progress=45, on=TODAY)
    task.refresh_from_db()
    assert task.colour == Colour.GREEN
    assert task.colour_since == TODAY


def test_tallies_roll_up_the_tree_by_state_and_colour(org, campaign, make_task):
    make_task(org.station_a1, title="a", on=TODAY)
    make_task(org.station_b1, title="b", on=TODAY, due=date(2027, 1, 30))
    done = make_task(org.team_a1, title="c", on=TODAY)
    actions.complete_task(org.office, task=done, completed_on=date(2026, 11, 11), on=TODAY)
    city = counts(campaign, org.city)
    assert city["states"] == {"planned": 2, "completed": 1}
    assert city["colours"] == {"red": 1, "yellow": 1}  # b is 17 points behind
    assert city["average_days"] == 10.0
    county_a = counts(campaign, org.county_a)
    assert county_a["states"] == {"planned": 1, "completed": 1}
    assert counts(campaign, org.county_b)["states"] == {"planned": 1}
    assert tally.recount(campaign.pk) == {}


def test_recount_reports_and_repairs_drift(org, campaign, make_task):
    make_task(org.station_a1, on=TODAY)
    TaskTally.objects.filter(unit=org.city).update(count=7)
    drift = tally.recount(campaign.pk)
    assert list(drift.values()) == [6]
    assert counts(campaign, org.city)["total"] == 1


def due_counts(campaign, unit):
    rows = TaskDueTally.objects.filter(campaign=campaign, unit=unit, count__gt=0)
    return {(row.state, row.due_date): row.count for row in rows}


def test_due_date_tallies_follow_every_write(org, campaign, make_task):
    first, later = date(2026, 12, 1), date(2026, 12, 5)
    team = make_task(org.team_a1, due=first, on=TODAY)
    county_b = make_task(org.county_b, due=first, on=TODAY)
    assert due_counts(campaign, org.city) == {("planned", first): 2}
    assert due_counts(campaign, org.county_a) == {("planned", first): 1}
    # Kept for the city and the counties only: smaller subtrees are counted from their rows.
    assert not TaskDueTally.objects.filter(unit__in=[org.station_a1, org.team_a1]).exists()
    actions.update_task(org.office, task=team, version=team.version, due_date=later, on=TODAY)
    assert due_counts(campaign, org.county_a) == {("planned", later): 1}
    actions.complete_task(org.office, task=county_b, completed_on=TODAY, on=TODAY)
    assert due_counts(campaign, org.county_b) == {("completed", first): 1}
    assert due_counts(campaign, org.city) == {("planned", later): 1, ("completed", first): 1}
    assert tally.recount(campaign.pk) == {}


def test_recount_reports_and_repairs_due_date_drift(org, campaign, make_task):
    due = date(2026, 12, 1)
    make_task(org.station_a1, due=due, on=TODAY)
    TaskDueTally.objects.filter(unit=org.county_a).update(count=3)
    assert tally.recount(campaign.pk) == {("due", org.county_a.pk, "planned", due): 2}
    assert due_counts(campaign, org.county_a) == {("planned", due): 1}


def test_a_due_range_of_a_city_or_county_is_counted_from_tallies(org, campaign, make_task):
    for day in (20, 21, 22):
        make_task(org.station_a1, due=date(2026, 11, day), on=TODAY)
    make_task(org.station_b1, due=date(2026, 11, 21), on=TODAY)
    in_range = {"due_from": date(2026, 11, 21), "due_to": date(2026, 11, 30)}
    for user, unit, expected in (
        (org.office, None, 3),
        (org.office, org.county_a, 2),
        (org.liaison_a, None, 2),
    ):
        filters = queries.TaskFilters(state="open", unit=unit, **in_range)
        with CaptureQueriesContext(connection) as captured:
            count = queries.count_from_tallies(user, campaign, filters)
        assert count == expected == queries.tasks_visible_to(user, campaign, filters).count()
        assert not [q for q in captured.captured_queries if '"campaigns_task"' in q["sql"]]
    below_county = queries.TaskFilters(unit=org.station_a1, **in_range)
    assert queries.count_from_tallies(org.office, campaign, below_county) is None


def test_tallies_out_of_step_below_zero_give_way_to_a_real_count(org, campaign, make_task):
    due = date(2026, 12, 1)
    make_task(org.station_a1, due=due, on=TODAY)
    TaskDueTally.objects.filter(unit=org.city).update(count=-1)
    filters = queries.TaskFilters(state="open", due_from=due, due_to=due)
    assert queries.count_from_tallies(org.office, campaign, filters) is None


def test_the_migration_counts_tasks_that_predate_the_due_date_tallies(org, campaign, make_task):
    from importlib import import_module

    from django.apps import apps

    make_task(org.station_a1, due=date(2026, 12, 1), on=TODAY)
    make_task(org.county_b, due=date(2026, 12, 2), on=TODAY)
    expected = {
        (row.unit_id, row.state, row.due_date, row.count) for row in TaskDueTally.objects.all()
    }
    TaskDueTally.objects.all().delete()
    import_module("zhengdun.campaigns.migrations.0006_fill_due_tally").fill(apps, None)
    filled = {
        (row.unit_id, row.state, row.due_date, row.count) for row in TaskDueTally.objects.all()
    }
    assert filled == expected and len(filled) == 4
    assert tally.recount(campaign.pk) == {}


def test_cancelling_cancels_open_subtasks(org, make_task):
    task = make_task(org.county_a)
    actions.decompose_task(
        org.liaison_a, task=task, shares=[{"unit": org.station_a1}, {"unit": org.station_a2}]
    )
    actions.cancel_task(org.office, task=task, reason="任务调整")
    assert set(Task.objects.filter(root_id=task.pk).values_list("state", flat=True)) == {
        TaskState.CANCELLED
    }
    assert tally.recount(task.campaign_id) == {}


def test_accountability_is_recorded_against_red_tasks_only(org, campaign, make_task):
    sanction = campaign.incentive_levels.get(side="sanction", rank=2)
    reward = campaign.incentive_levels.get(side="reward", rank=1)
    red = make_task(org.county_a, on=TODAY)
    actions.report_progress(
        org.liaison_a,
        task=(green := make_task(org.county_a, title="g", on=TODAY)),
        progress=60,
        on=TODAY,
    )
    green.refresh_from_db()
    with pytest.raises(ValidationError):
        actions.award(org.office, level=sanction, unit=org.county_a, task=green, reason="x")
    with pytest.raises(ValidationError):
        actions.award(org.office, level=sanction, unit=org.county_a, reason="no task")
    actions.award(org.office, level=sanction, unit=org.county_a, task=red, reason="进度严重滞后")
    actions.award(
        org.leader_a,
        level=reward,
        unit=org.county_a,
        person=org.p_a1,
        task=green,
        reason="提前完成",
    )
    with pytest.raises(PermissionDenied):
        actions.award(org.liaison_a, level=reward, unit=org.county_a, reason="x")
    assert queries.incentives_for(org.office, org.county_a).count() == 2


def test_move_keeps_task_paths_and_tallies_in_step(org, campaign, make_task):
    from zhengdun.org import actions as org_actions

    task = make_task(org.team_a1, on=TODAY)
    org_actions.move_unit(
        org.office, unit=org.station_a1, new_parent=org.county_b, version=org.station_a1.version
    )
    task.refresh_from_db()
    org.team_a1.refresh_from_db()
    assert task.unit_path == org.team_a1.path
    assert task.branch == org.county_b.path
    assert counts(campaign, org.county_b)["total"] == 1
    assert counts(campaign, org.county_a)["total"] == 0


def test_a_task_with_reported_progress_is_not_handed_down(org, make_task):
    task = make_task(org.county_a, quantity_target=10, measure="场")
    actions.report_progress(org.liaison_a, task=task, quantity_done=7, on=TODAY)
    with pytest.raises(ValidationError) as error:
        actions.decompose_task(org.liaison_a, task=task, shares=[{"unit": org.station_a1}])
    assert "shares" in error.value.message_dict
    task.refresh_from_db()
    assert (task.progress, task.quantity_done) == (70, 7)


def test_handing_down_is_in_the_parents_history(org, make_task):
    task = make_task(org.county_a, quantity_target=10, measure="场")
    actions.decompose_task(
        org.liaison_a,
        task=task,
        shares=[
            {"unit": org.station_a1, "quantity_target": 6, "lead": org.p_a1},
            {"unit": org.station_a2, "quantity_target": 4},
        ],
    )
    event = AuditEvent.objects.get(code="campaigns.task.decomposed", object_id=str(task.pk))
    assert event.changes["shares"] == "苏祠派出所 6场、通惠派出所 4场"
    assert Task.objects.get(parent=task, unit=org.station_a1).lead == org.p_a1


def test_with_a_target_the_quantity_sets_the_progress(org, make_task):
    task = make_task(org.station_a1, quantity_target=5, measure="项")
    actions.report_progress(org.liaison_a, task=task, progress=90, quantity_done=2, on=TODAY)
    task.refresh_from_db()
    assert task.progress == 40
