from datetime import date, timedelta

import pytest
from django.core.management import call_command

from tests.campaigns.conftest import TODAY
from tests.factories import UserFactory
from zhengdun.campaigns import actions
from zhengdun.campaigns.models import Campaign, Colour, Task
from zhengdun.notify.models import Notification


@pytest.fixture
def running(campaign):
    Campaign.objects.filter(pk=campaign.pk).update(status="active")
    campaign.refresh_from_db()
    return campaign


def tick(on: date) -> None:
    call_command("tick", "--date", on.isoformat())


def notices(kind, user=None):
    found = Notification.objects.filter(kind=kind)
    return found.filter(recipient=user) if user else found


def test_time_turns_a_task_red_and_its_unit_leader_hears_once(org, running, make_task):
    task = make_task(
        org.station_a1, start=date(2026, 11, 1), due=date(2026, 12, 1), on=date(2026, 11, 1)
    )
    assert task.colour == Colour.GREEN
    tick(date(2026, 12, 3))
    task.refresh_from_db()
    assert task.colour == Colour.RED and task.colour_since == date(2026, 12, 3)
    # The nearest unit leader above the station: leader_a on county A.
    assert notices("campaigns.task.red", org.leader_a).count() == 1
    tick(date(2026, 12, 3))
    tick(date(2026, 12, 4))
    assert notices("campaigns.task.red").count() == 1


def test_yellow_goes_to_the_lead(org, running, make_task):
    org.p_a1.user = UserFactory(username="lead-a1")
    org.p_a1.save()
    task = make_task(org.station_a1, lead=org.p_a1, start=date(2026, 11, 1), due=date(2026, 12, 1))
    actions.report_progress(org.liaison_a, task=task, progress=60, on=date(2026, 11, 20))
    tick(date(2026, 11, 25))  # 6 days left, under 80 %
    task.refresh_from_db()
    assert task.colour == Colour.YELLOW
    note = notices("campaigns.task.yellow", org.p_a1.user).get()
    assert f"/campaigns/tasks/{task.pk}/" == note.url
    tick(date(2026, 11, 25))
    assert notices("campaigns.task.yellow").count() == 1


def test_red_for_seven_days_escalates_to_the_office_once(org, running, make_task):
    task = make_task(
        org.station_a1, start=date(2026, 11, 1), due=date(2026, 12, 1), on=date(2026, 11, 1)
    )
    tick(date(2026, 12, 2))
    for day in range(3, 9):
        tick(date(2026, 12, day))
    assert not notices("campaigns.task.red_escalated").exists()
    tick(date(2026, 12, 9))  # red since 12-02: seven days
    assert notices("campaigns.task.red_escalated", org.office).count() == 1
    tick(date(2026, 12, 10))
    assert notices("campaigns.task.red_escalated").count() == 1
    task.refresh_from_db()
    assert task.alert_level == 3


def test_a_new_colour_restarts_the_notices(org, running, make_task):
    task = make_task(
        org.station_a1, start=date(2026, 11, 1), due=date(2026, 12, 1), on=date(2026, 11, 1)
    )
    tick(date(2026, 11, 20))  # 63 % expected, 0 done: red
    assert notices("campaigns.task.red").count() == 1
    actions.report_progress(org.liaison_a, task=task, progress=70, on=date(2026, 11, 21))
    task.refresh_from_db()
    assert task.colour == Colour.GREEN and task.alert_level == 0
    tick(date(2026, 12, 2))  # overdue: red again
    assert notices("campaigns.task.red").count() == 2


def test_draft_and_closed_campaigns_are_left_alone(org, campaign, make_task):
    make_task(org.station_a1, on=date(2026, 11, 1))
    tick(date(2027, 1, 5))
    assert not Notification.objects.filter(kind__startswith="campaigns.").exists()
    assert Task.objects.get().colour == Colour.GREEN


def test_tick_reports_tally_drift_to_administrators(org, running, make_task):
    from zhengdun.campaigns.models import TaskTally

    make_task(org.station_a1, on=TODAY)
    TaskTally.objects.filter(unit=org.city).update(count=5)
    tick(TODAY + timedelta(days=1))
    assert notices("campaigns.tally_drift", org.admin).count() == 1
    assert TaskTally.objects.get(unit=org.city).count == 1
