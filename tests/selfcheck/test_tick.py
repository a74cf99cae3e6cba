from datetime import date

import pytest
from django.core.management import call_command

from tests.selfcheck.conftest import OPENED
from zhengdun.notify.models import Notification
from zhengdun.selfcheck import actions, tally
from zhengdun.selfcheck.models import Measure


@pytest.fixture
def measure(org, round_, person_report, item):
    report = person_report(org.officer_a1)
    actions.save_report(
        org.officer_a1,
        report=report,
        version=report.version,
        on=OPENED,
        answers=[
            {
                "item": item("1.1"),
                "found": True,
                "description": "问题",
                "measures": [{"text": "整改", "deadline": date(2026, 12, 2)}],
            }
        ],
    )
    actions.submit_report(org.officer_a1, report=report, on=OPENED)
    return Measure.objects.get(answer__report=report)


def tick(on):
    call_command("tick", "--date", on.isoformat())


def kinds(kind, user=None):
    found = Notification.objects.filter(kind=kind)
    return found.filter(recipient=user) if user else found


def test_measures_warn_their_owner_then_leader_then_office_once_each(org, measure):
    tick(date(2026, 11, 26))  # six days left, nothing done
    measure.refresh_from_db()
    assert measure.colour == "red"  # 80 % of the window gone, 0 % done: far behind
    assert kinds("selfcheck.measure.red", org.leader_a).count() == 1
    tick(date(2026, 11, 27))
    assert kinds("selfcheck.measure.red").count() == 1
    tick(date(2026, 12, 3))
    assert kinds("selfcheck.measure.red_escalated", org.office).count() == 1
    tick(date(2026, 12, 4))
    assert kinds("selfcheck.measure.red_escalated").count() == 1
    assert tally.recount(measure.round_id) == {}


def test_a_yellow_measure_reminds_its_owner(org, measure):
    actions.report_measure_progress(
        org.officer_a1, measure=measure, progress=70, on=date(2026, 11, 20)
    )
    tick(date(2026, 11, 27))  # five days left, 70 % done: due soon
    measure.refresh_from_db()
    assert measure.colour == "yellow"
    assert kinds("selfcheck.measure.yellow", org.officer_a1).count() == 1
    tick(date(2026, 11, 27))
    assert kinds("selfcheck.measure.yellow").count() == 1
