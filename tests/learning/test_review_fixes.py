"""Defects found in review, each pinned: talk text kept from the signal page, strict ids in
filters and attendance, range headers, typed text kept on refusal, one attendance rule,
course completion edge cases, no police-number oracle, paginated long lists."""

from datetime import date

import pytest

from tests.factories import PersonFactory, UserFactory
from tests.learning.test_reviews_talks import TEXT
from zhengdun.learning import actions, media, queries, rules
from zhengdun.learning.models import Attendance, Enrolment, Rating, StudyReport

pytestmark = pytest.mark.django_db

API = "/api/v1/learning"
AFTER = "2026-06-01 10:00:00+08:00"  # after every session of these tests
HUGE = str(2**63)


@pytest.fixture
def talk_round(org):
    return actions.create_talk_round(
        org.office,
        unit=org.county_a,
        title="三谈",
        opens_on=date(2026, 3, 1),
        due_on=date(2026, 3, 31),
    )


def _session(org, unit, held_on, hours="2"):
    return actions.save_session(
        org.liaison_a, unit=unit, topic="学法", subject="law", held_on=held_on, hours=hours
    )


# 1. Copied talks: no talk text on the signal -------------------------------------------------


def test_copied_talk_signal_keeps_no_passage_for_the_office(org, talk_round, login):
    from zhengdun.selfcheck import formalism
    from zhengdun.selfcheck.models import Catalogue, Round, Signal, SignalKind

    round_ = Round.objects.create(
        name="自查",
        catalogue=Catalogue.objects.create(name="目录", version=1),
        unit=org.city,
        opened_on=date(2026, 3, 1),
        due_date=date(2026, 3, 31),
    )
    talk_round.selfcheck_round = round_
    talk_round.save()
    actions.save_talk(org.officer_a1, round_=talk_round, **TEXT)
    mate = UserFactory(username="mate2")
    PersonFactory(name="抄写者", unit=org.station_a2, user=mate)
    actions.save_talk(mate, round_=talk_round, **TEXT)
    formalism.run(round_)
    signal = Signal.objects.get(round=round_, kind=SignalKind.COPIED_TALK)
    assert "passage" not in signal.detail
    assert all(TEXT["mission"][:10] not in str(value) for value in signal.detail.values())
    # The office sees who and how alike, never what was written.
    body = login(org.office).get(f"/selfcheck/rounds/{round_.pk}/signals/").content.decode()
    assert "抄写者" in body and TEXT["mission"][:10] not in body
    # A stale signal from before the fix does not show its passage there either.
    signal.detail = {**signal.detail, "passage": TEXT["mission"]}
    signal.save()
    body = login(org.office).get(f"/selfcheck/rounds/{round_.pk}/signals/").content.decode()
    assert TEXT["mission"][:10] not in body
    # The county leader, who may open both talks, sees the shared passage on the round page.
    page = login(org.leader_a).get(f"/learning/talks/rounds/{talk_round.pk}/").content.decode()
    assert 'data-testid="passage"' in page and TEXT["mission"][:10] in page


# 2. Unit filters take ASCII ids only ----------------------------------------------------------


@pytest.mark.parametrize("value", ["²", "٣", "1²", HUGE, "9" * 40, "-1", "0"])
def test_unit_filter_rejects_non_ascii_and_huge_ids(org, login, talk_round, value):
    client = login(org.leader_a)
    assert client.get("/learning/", {"unit": value}).status_code == 404
    assert (
        client.get(f"/learning/talks/rounds/{talk_round.pk}/", {"unit": value}).status_code == 404
    )
    assert client.get("/learning/", {"unit": org.station_a1.pk}).status_code == 200


# 3. Huge person ids in attendance -------------------------------------------------------------


def test_huge_person_id_is_a_validation_error(org, login, station_session):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        actions.record_attendance(org.liaison_a, session=station_session, marks={HUGE: "present"})
    with pytest.raises(ValidationError):
        actions.record_attendance(org.liaison_a, session=station_session, marks={2**70: "present"})
    client = login(org.liaison_a)
    page = client.post(
        f"/learning/sessions/{station_session.pk}/attendance/", {f"mark-{HUGE}": "present"}
    )
    assert page.status_code == 400 and 'data-testid="attendance-errors"' in page.content.decode()
    response = client.post(
        f"{API}/sessions/{station_session.pk}/attendance",
        {"marks": [{"person_id": 2**63, "status": "present"}]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert not Attendance.objects.exists()


def test_a_person_id_in_other_digits_signs_or_spaces_is_a_validation_error(
    org, login, station_session
):
    from django.core.exceptions import ValidationError

    officer = str(org.officer_a1.person.pk)
    arabic = officer.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    for key in (arabic, "²", f"+{officer}", f" {officer}", "9" * 25, True):
        with pytest.raises(ValidationError) as refused:
            actions.record_attendance(
                org.liaison_a, session=station_session, marks={key: "present"}
            )
        assert len(refused.value.message_dict["attendance"]) == 1
    client = login(org.liaison_a)
    for key in (arabic, "²", "9" * 25):
        page = client.post(
            f"/learning/sessions/{station_session.pk}/attendance/", {f"mark-{key}": "present"}
        )
        assert page.status_code == 400
    assert not Attendance.objects.exists()
    actions.record_attendance(org.liaison_a, session=station_session, marks={officer: "present"})
    assert Attendance.objects.get().person_id == int(officer)


# 4. Range headers and missing lesson files ----------------------------------------------------


def test_range_with_thousands_of_digits_is_ignored():
    assert media.parse_range("bytes=" + "9" * 5000 + "-", 100) is None
    assert media.parse_range("bytes=-" + "9" * 5000, 100) is None
    assert media.parse_range("bytes=²-", 100) is None
    assert media.parse_range("bytes=10-19", 100) == (10, 19)


def test_lesson_page_404_when_its_file_is_gone(org, login, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    course = actions.save_course(
        org.liaison_a,
        kind="online",
        title="网校",
        unit=org.county_a,
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 3, 31),
    )
    lesson = actions.add_lesson(
        org.liaison_a,
        course=course,
        title="手册导读",
        kind="read",
        upload=SimpleUploadedFile("a.txt", "第一章".encode(), content_type="text/plain"),
    )
    lesson.file.storage.delete(lesson.file.name)
    assert login(org.liaison_a).get(f"/learning/lessons/{lesson.pk}/").status_code == 404


# 5. Typed text kept when refused --------------------------------------------------------------


@pytest.fixture
def review(org, leaders):
    return actions.create_review(
        org.office,
        unit=org.county_a,
        title="述学评学",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
    )


def test_refused_study_report_comes_back_as_typed(org, leaders, review, login):
    text = "本季度学习情况：" + "认真学习党章党规。" * 2300  # over 20,000 characters
    response = login(leaders.first).post(f"/learning/reviews/{review.pk}/report/", {"text": text})
    assert response.status_code == 400
    assert text in response.content.decode()
    assert not StudyReport.objects.exists()


def test_refused_rating_keeps_the_comment(org, leaders, review, login):
    report = actions.save_study_report(leaders.first, review=review, text="学习党章十次")
    comment = "学习扎实，建议加强调研"
    response = login(leaders.second).post(
        f"/learning/reports/{report.pk}/rate/", {"score": "300", "comment": comment}
    )
    body = response.content.decode()
    assert response.status_code == 400 and comment in body and 'value="300"' in body
    assert 'data-testid="rating-errors"' in body
    assert not Rating.objects.exists()


def test_refused_enrolment_keeps_the_numbers(org, login):
    course = actions.save_course(
        org.liaison_a,
        kind="night",
        title="夜校",
        unit=org.county_a,
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 3, 31),
    )
    org.p_a1.police_number = "100001"
    org.p_a1.save()
    typed = "100001, 999999"
    response = login(org.liaison_a).post(f"/learning/courses/{course.pk}/enrol/", {"people": typed})
    body = response.content.decode()
    assert response.status_code == 400 and typed in body and "999999" in body
    assert not Enrolment.objects.exists()


def test_refused_attendance_keeps_every_mark(org, login, station_session):
    officer = org.officer_a1.person
    outsider = org.p_b1  # not on the roll: the whole sheet is refused
    response = login(org.liaison_a).post(
        f"/learning/sessions/{station_session.pk}/attendance/",
        {
            f"mark-{officer.pk}": "excused",
            f"mark-{org.p_a1.pk}": "absent",
            f"mark-{outsider.pk}": "present",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert f'name="mark-{officer.pk}" value="excused" checked' in body
    assert f'name="mark-{org.p_a1.pk}" value="absent" checked' in body
    assert not Attendance.objects.exists()


# 6. One attendance rule ----------------------------------------------------------------------


def test_unmarked_roster_members_are_absent_once_the_day_has_passed(org, time_machine, login):
    time_machine.move_to("2026-03-10 10:00:00+08:00")
    officer = org.officer_a1.person  # station A1's roster: officer and 苏祠民警 (p_a1)
    past = _session(org, org.station_a1, date(2026, 3, 9))
    today = _session(org, org.station_a1, date(2026, 3, 10))
    for session in (past, today):  # the liaison ticks only who came
        actions.record_attendance(org.liaison_a, session=session, marks={officer.pk: "present"})
    rows = {s.pk: s for s in queries.session_list(org.office, under=org.county_a)}
    assert (rows[past.pk].present, rows[past.pk].absent, rows[past.pk].expected) == (1, 1, 2)
    assert (rows[today.pk].present, rows[today.pk].expected) == (1, 1)  # not yet over
    start, end = date(2026, 3, 1), date(2026, 3, 31)
    units = dict(queries.unit_rates(org.office, under=org.county_a, start=start, end=end))
    assert units[org.station_a1].rate_text == "67%"  # 2 present of 3 expected
    people = dict(
        queries.with_people(queries.person_rates(org.office, under=None, start=start, end=end))
    )
    assert people[org.p_a1].absent == 1 and people[org.p_a1].rate == 0
    assert people[officer].rate == 1
    # Excused counts neither way.
    actions.record_attendance(org.liaison_a, session=past, marks={org.p_a1.pk: "excused"})
    assert queries.person_tally(org.p_a1, start=start, end=end).rate is None
    # The day after, today's session counts its unmarked too.
    time_machine.move_to("2026-03-11 10:00:00+08:00")
    rows = {s.pk: s for s in queries.session_list(org.office, under=org.county_a)}
    assert rows[today.pk].expected == 2
    body = login(org.office).get("/learning/").content.decode()
    assert "1 / 2" in body


def test_rates_and_course_completion_agree(org, time_machine):
    time_machine.move_to(AFTER)
    course = actions.save_course(
        org.liaison_a,
        kind="night",
        title="夜校",
        unit=org.county_a,
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 4, 30),
        min_attendance=50,
    )
    classes = [
        actions.save_session(
            org.liaison_a, course=course, topic=f"第{i}课", held_on=date(2026, 3, i), hours="1"
        )
        for i in (1, 2)
    ]
    actions.enrol(org.liaison_a, course=course, persons=[org.p_a2])
    actions.record_attendance(org.liaison_a, session=classes[0], marks={org.p_a2.pk: "present"})
    enrolment = Enrolment.objects.get()
    standing = queries.completion_of(course, [enrolment])[enrolment.pk]
    tally = queries.person_tally(org.p_a2, start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert standing.rate == tally.rate == 0.5
    turnout = {s.pk: s for s in queries.course_sessions(course)}
    assert turnout[classes[1].pk].absent == 1


def test_rates_stay_bounded_with_unmarked_people(org, time_machine, django_assert_max_num_queries):
    time_machine.move_to(AFTER)
    start, end = date(2026, 3, 1), date(2026, 3, 31)

    def fill(count):
        for index in range(count):
            PersonFactory(unit=org.station_a1)
            _session(org, org.station_a1, date(2026, 3, 1 + index % 28), "1")

    def read():
        list(queries.unit_rates(org.office, under=org.county_a, start=start, end=end))
        queries.with_people(
            queries.person_rates(org.office, under=org.county_a, start=start, end=end)[:25]
        )
        list(queries.session_list(org.office, under=org.county_a)[:25])

    fill(3)
    with django_assert_max_num_queries(5):
        read()
    fill(27)
    with django_assert_max_num_queries(5):
        read()


# 7. Course completion edge cases -------------------------------------------------------------


def _completion(**kwargs):
    base = dict(
        present=0,
        absent=0,
        excused=0,
        sessions=3,
        held=3,
        lessons_done=0,
        lessons=0,
        min_attendance=75,
        exam_required=False,
        exam_passed=False,
    )
    return rules.Completion(**{**base, **kwargs})


def test_completion_edge_cases():
    # Excused from every class held: nothing expected was missed.
    assert _completion(excused=3).attendance_ok and _completion(excused=3).rate == 1
    # A minimum of 0 asks for no presence.
    assert _completion(absent=3, min_attendance=0).completed
    # Before any class is held, attendance is not yet met.
    assert not _completion(held=0).attendance_ok
    assert _completion(sessions=0, held=0).completed
    assert not _completion(present=2, absent=1, min_attendance=75).attendance_ok


def test_classes_not_yet_held_do_not_count(org, time_machine):
    time_machine.move_to("2026-03-05 10:00:00+08:00")
    course = actions.save_course(
        org.liaison_a,
        kind="night",
        title="夜校",
        unit=org.county_a,
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 4, 30),
        min_attendance=100,
    )
    first = actions.save_session(
        org.liaison_a, course=course, topic="第1课", held_on=date(2026, 3, 2), hours="1"
    )
    actions.save_session(
        org.liaison_a, course=course, topic="第2课", held_on=date(2026, 4, 2), hours="1"
    )
    actions.enrol(org.liaison_a, course=course, persons=[org.p_a1])
    actions.record_attendance(org.liaison_a, session=first, marks={org.p_a1.pk: "present"})
    enrolment = Enrolment.objects.get()
    standing = queries.completion_of(course, [enrolment])[enrolment.pk]
    assert standing.rate == 1 and standing.attendance_ok and standing.held == 1


# 8. No police-number oracle -------------------------------------------------------------------


def test_enrolment_by_number_sees_only_ones_own_units(org, login):
    course = actions.save_course(
        org.liaison_a,
        kind="night",
        title="夜校",
        unit=org.county_a,
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 3, 31),
    )
    org.p_b1.police_number = "200001"  # county B: outside the liaison's units
    org.p_b1.save()
    client = login(org.liaison_a)
    outside = client.post(f"/learning/courses/{course.pk}/enrol/", {"people": "200001"})
    unknown = client.post(f"/learning/courses/{course.pk}/enrol/", {"people": "200002"})
    assert outside.status_code == unknown.status_code == 400

    def message(response):
        body = response.content.decode()
        return (
            body[body.index("errorlist") :]
            .split("</ul>")[0]
            .replace("200001", "N")
            .replace("200002", "N")
        )

    assert message(outside) == message(unknown)
    assert not Enrolment.objects.exists()


# 9. Long lists are paginated -----------------------------------------------------------------


def test_not_yet_written_list_is_paginated(org, talk_round, login, settings):
    for index in range(60):
        PersonFactory(name=f"未写{index:02d}", unit=org.station_a2)
    client = login(org.leader_a)
    first = client.get(f"/learning/talks/rounds/{talk_round.pk}/").content.decode()
    assert 'data-testid="pager-missing"' in first
    pages = [
        client.get(f"/learning/talks/rounds/{talk_round.pk}/", {"missing": n}).content.decode()
        for n in (2, 3)
    ]
    shown = {f"未写{i:02d}" for i in range(60) if any(f"未写{i:02d}" in p for p in [first, *pages])}
    assert len(shown) == 60  # nothing silently cut


def test_session_sheet_and_notes_are_paginated(
    org, login, station_session, django_assert_max_num_queries
):
    for index in range(40):
        PersonFactory(name=f"民警{index:02d}", unit=org.station_a1)
    client = login(org.liaison_a)
    url = f"/learning/sessions/{station_session.pk}/"
    first = client.get(url).content.decode()
    assert 'data-testid="pager-sheet"' in first
    assert first.count('data-person="') == 25
    last = client.get(url, {"sheet": 2}).content.decode()
    assert last.count('data-person="') == 42 - 25
    with django_assert_max_num_queries(30):
        client.get(url, {"sheet": 2})


def test_api_talk_completion_is_paginated(org, talk_round, login):
    client = login(org.leader_a)
    url = f"{API}/talk-rounds/{talk_round.pk}/completion"
    whole = client.get(url).json()
    assert whole["count"] >= 3 and len(whole["items"]) == whole["count"]
    one = client.get(url, {"page": 2, "page_size": 1}).json()
    assert one["page"] == 2 and len(one["items"]) == 1
    assert one["items"][0] == whole["items"][1]
