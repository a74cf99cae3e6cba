"""Study sessions: planning, attendance rules, notes, hours and rates."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import PersonFactory
from tests.learning.conftest import DAY
from zhengdun.audit.models import AuditEvent
from zhengdun.learning import actions, queries, rules
from zhengdun.learning.models import Attendance
from zhengdun.learning.permissions import get_session_for_user, notes_visible_to

pytestmark = pytest.mark.django_db


def test_attendance_rate_leaves_excused_out():
    assert rules.attendance_rate(3, 1) == 0.75
    assert rules.attendance_rate(0, 0) is None
    assert rules.percent(rules.attendance_rate(2, 1)) == "67%"


def test_session_needs_one_of_the_three_subjects(org):
    with pytest.raises(ValidationError) as error:
        actions.save_session(
            org.liaison_a, unit=org.station_a1, topic="学习", subject="", held_on=DAY, hours="2"
        )
    assert "subject" in error.value.message_dict


@pytest.mark.parametrize("hours", ["0", "25", "abc", "-1"])
def test_session_hours_are_checked(org, hours):
    with pytest.raises(ValidationError) as error:
        actions.save_session(
            org.liaison_a,
            unit=org.station_a1,
            topic="学习",
            subject="law",
            held_on=DAY,
            hours=hours,
        )
    assert "hours" in error.value.message_dict


def test_liaison_cannot_plan_outside_their_county(org):
    with pytest.raises(PermissionDenied):
        actions.save_session(
            org.liaison_a, unit=org.station_b1, topic="学习", subject="law", held_on=DAY, hours=1
        )


def test_session_saved_is_audited(org, station_session):
    assert AuditEvent.objects.filter(
        code="learning.session.saved", object_id=str(station_session.pk)
    ).exists()


def test_attendance_only_for_the_roster_and_replaces_marks(org, station_session):
    officer = org.officer_a1.person
    with pytest.raises(ValidationError):
        actions.record_attendance(
            org.liaison_a, session=station_session, marks={org.p_b1.pk: "present"}
        )
    with pytest.raises(ValidationError):
        actions.record_attendance(
            org.liaison_a, session=station_session, marks={officer.pk: "late"}
        )
    actions.record_attendance(
        org.liaison_a, session=station_session, marks={officer.pk: "absent", org.p_a1.pk: "present"}
    )
    actions.record_attendance(org.liaison_a, session=station_session, marks={officer.pk: "excused"})
    statuses = dict(Attendance.objects.values_list("person_id", "status"))
    assert statuses == {officer.pk: "excused", org.p_a1.pk: "present"}


def test_viewer_and_officer_may_not_record_attendance(org, station_session):
    for user in (org.viewer_b, org.officer_a1):
        with pytest.raises(PermissionDenied):
            actions.record_attendance(user, session=station_session, marks={})


def test_officer_sees_a_session_once_marked_on_it(org, station_session):
    from django.http import Http404

    with pytest.raises(Http404):
        get_session_for_user(org.officer_a1, station_session.pk)
    actions.record_attendance(
        org.liaison_a, session=station_session, marks={org.officer_a1.person.pk: "present"}
    )
    assert get_session_for_user(org.officer_a1, station_session.pk) == station_session
    with pytest.raises(PermissionDenied):
        get_session_for_user(org.officer_a1, station_session.pk, write=True)


def test_notes_are_written_by_the_attendee_and_read_by_their_leaders(org, station_session):
    note = actions.save_note(org.officer_a1, session=station_session, text="党章学习心得")
    with pytest.raises(PermissionDenied):  # not on this station's roll
        actions.save_note(org.outsider, session=station_session, text="x")
    assert notes_visible_to(org.officer_a1).filter(pk=note.pk).exists()
    assert notes_visible_to(org.leader_a).filter(pk=note.pk).exists()
    # The liaison plans and records, but does not read people's notes; nor does the office.
    assert not notes_visible_to(org.liaison_a).filter(pk=note.pk).exists()
    assert not notes_visible_to(org.office).filter(pk=note.pk).exists()
    assert not notes_visible_to(org.viewer_b).filter(pk=note.pk).exists()


def _session(org, unit, held_on, hours, subject="law"):
    return actions.save_session(
        org.liaison_a, unit=unit, topic="学法", subject=subject, held_on=held_on, hours=hours
    )


def test_hours_and_rates_per_unit_and_person(org, time_machine):
    time_machine.move_to("2026-06-01 10:00:00+08:00")  # after every class
    officer = org.officer_a1.person
    s1 = _session(org, org.station_a1, date(2026, 3, 1), "2")
    s2 = _session(org, org.station_a1, date(2026, 3, 8), "1.5")
    s3 = _session(org, org.station_a1, date(2026, 4, 8), "3")  # outside the period
    s4 = _session(org, org.station_a2, date(2026, 3, 9), "2")
    actions.record_attendance(
        org.liaison_a, session=s1, marks={officer.pk: "present", org.p_a1.pk: "absent"}
    )
    actions.record_attendance(
        org.liaison_a, session=s2, marks={officer.pk: "present", org.p_a1.pk: "excused"}
    )
    actions.record_attendance(org.liaison_a, session=s3, marks={officer.pk: "present"})
    actions.record_attendance(org.liaison_a, session=s4, marks={org.p_a2.pk: "absent"})
    start, end = date(2026, 3, 1), date(2026, 3, 31)
    units = dict(
        (unit.code, tally)
        for unit, tally in queries.unit_rates(org.office, under=org.county_a, start=start, end=end)
    )
    assert units["A1"].hours == Decimal("3.5")
    assert (units["A1"].present, units["A1"].absent, units["A1"].excused) == (2, 1, 1)
    assert units["A1"].rate_text == "67%"
    assert units["A2"].rate == 0
    people = dict(
        (person.pk, tally)
        for person, tally in queries.with_people(
            queries.person_rates(org.office, under=org.station_a1, start=start, end=end)
        )
    )
    assert people[officer.pk].hours == Decimal("3.5") and people[officer.pk].rate == 1
    assert people[org.p_a1.pk].hours == 0 and people[org.p_a1.pk].rate == 0
    assert queries.person_tally(officer, start=start, end=date(2026, 4, 30)).hours == Decimal("6.5")
    # County B's viewer sees none of county A's figures.
    assert queries.unit_rates(org.viewer_b, under=None, start=start, end=end) == []


def test_rates_page_issues_a_bounded_number_of_queries(
    org, django_assert_max_num_queries, time_machine
):
    time_machine.move_to("2026-06-01 10:00:00+08:00")  # after every class

    def fill(count):
        for index in range(count):
            person = PersonFactory(unit=org.station_a1)
            session = _session(org, org.station_a1, date(2026, 3, 1 + index % 28), "1")
            actions.record_attendance(org.liaison_a, session=session, marks={person.pk: "present"})

    start, end = date(2026, 3, 1), date(2026, 3, 31)

    def read():
        list(queries.unit_rates(org.office, under=org.county_a, start=start, end=end))
        queries.with_people(
            queries.person_rates(org.office, under=org.county_a, start=start, end=end)[:25]
        )
        list(queries.session_list(org.office, under=org.county_a)[:25])

    fill(3)
    with django_assert_max_num_queries(9):
        read()
    fill(27)
    with django_assert_max_num_queries(9):
        read()
