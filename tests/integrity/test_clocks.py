"""The clocks in ``zhengdun tick``: acknowledgement within 7 days, contact with a named reporter
within 30, conclusion within 90; yellow to the handlers (or the head, before triage), red to
the handlers and the head, long red escalated to the head; never twice, never to a subject."""

from datetime import timedelta
from io import StringIO

import time_machine
from django.core.management import call_command

from tests.integrity.conftest import TODAY, register
from zhengdun.integrity import actions, jobs, rules
from zhengdun.integrity.models import Clue
from zhengdun.notify.models import Notification
from zhengdun.notify.tick import jobs as registered


def day(n):
    return TODAY + timedelta(days=n)


def notices(user, kind=None):
    rows = Notification.objects.filter(recipient=user, kind__startswith="integrity.clue.")
    rows = rows.exclude(kind__in=["integrity.clue.registered", "integrity.clue.assigned"])
    if kind:
        rows = rows.filter(kind=kind)
    return rows.count()


def test_jobs_are_registered_with_tick():
    assert {"integrity.0_intake", "integrity.1_clocks", "integrity.2_reminders"} <= set(
        registered()
    )


def test_acknowledgement_clock_turns_yellow_then_red_then_escalates(people):
    clue = register(people.desk, people.org, on=TODAY)
    assert clue.colour == "green"
    # Two days before the acknowledgement is due: yellow, the head hears (nobody assigned).
    for _run in range(2):
        jobs.clocks(day(5))
        jobs.reminders(day(5))
    clue.refresh_from_db()
    assert clue.colour == "yellow" and clue.warning["clock"] == "ack"
    assert notices(people.head, "integrity.clue.yellow") == 1
    # Triaged meanwhile; overdue: red to the handlers and the head, once.
    actions.triage(people.head, clue=clue, mode="verify", lead=people.handler, on=day(6))
    for _run in range(2):
        jobs.clocks(day(8))
        jobs.reminders(day(8))
    clue.refresh_from_db()
    assert clue.colour == "red" and clue.colour_since == day(8)
    assert notices(people.handler, "integrity.clue.red") == 1
    assert notices(people.head, "integrity.clue.red") == 1
    # Red for a week: escalated to the head, once.
    for _run in range(2):
        jobs.clocks(day(15))
        jobs.reminders(day(15))
    assert notices(people.head, "integrity.clue.red_escalated") == 1
    assert notices(people.handler, "integrity.clue.red_escalated") == 0
    # Acknowledged: the conclusion clock is far, the colour turns green.
    actions.acknowledge(people.handler, clue=clue, on=day(16))
    jobs.clocks(day(16))
    clue.refresh_from_db()
    assert clue.colour == "green" and clue.warning["clock"] == "conclusion"


def test_contact_clock_for_a_named_reporter(people):
    clue = register(people.desk, people.org, source="letter", reporter_name="钱七")
    actions.triage(people.head, clue=clue, mode="verify", lead=people.handler, on=TODAY)
    actions.acknowledge(people.handler, clue=clue, on=TODAY)
    jobs.clocks(day(25))
    clue.refresh_from_db()
    assert clue.colour == "yellow" and clue.warning["clock"] == "contact"
    jobs.clocks(day(31))
    clue.refresh_from_db()
    assert clue.colour == "red" and clue.warning["clock"] == "contact"
    actions.record_contact(people.handler, clue=clue, note="已联系。", on=day(31))
    clue.refresh_from_db()
    assert clue.colour == "green"


def test_conclusion_clock_and_its_setting(people, settings):
    settings.INTEGRITY_CONCLUDE_DAYS = 30
    clue = register(people.desk, people.org, source="audit")
    assert clue.due_on == day(30)
    jobs.clocks(day(20))
    clue.refresh_from_db()
    assert clue.colour == "yellow" and rules.describe(clue.warning)
    jobs.clocks(day(31))
    clue.refresh_from_db()
    assert clue.colour == "red" and clue.warning == {
        "code": "overdue",
        "clock": "conclusion",
        "days": 1,
    }


def test_a_concluded_clue_stops_its_clocks(people, triaged):
    actions.start_verification(people.handler, clue=triaged, on=TODAY)
    actions.conclude(
        people.handler, clue=triaged, disposition="talk_reminder", conclusion="x", on=TODAY
    )
    jobs.clocks(day(200))
    jobs.reminders(day(200))
    triaged.refresh_from_db()
    assert triaged.colour == "green"
    assert notices(people.handler) == 0


def test_reminders_never_reach_a_subject_head(people):
    # The head is the subject: the reminders go to nobody rather than to them.
    clue = register(people.desk, people.org, subject_persons=[people.head.person])
    jobs.clocks(day(8))
    jobs.reminders(day(8))
    clue.refresh_from_db()
    assert clue.colour == "red"
    assert notices(people.head) == 0


def test_the_tick_command_runs_twice_without_repeating(people):
    register(people.desk, people.org)
    with time_machine.travel(day(9), tick=False):
        call_command("tick", stdout=StringIO())
        first = Notification.objects.count()
        call_command("tick", stdout=StringIO())
        assert Notification.objects.count() == first
    assert Clue.objects.get().colour == "red"
