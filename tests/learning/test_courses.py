"""Courses: enrolment, completion (attendance, lessons, pass mark), certificates, lessons served
with range requests."""

import subprocess
from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import PersonFactory
from zhengdun.audit.models import AuditEvent
from zhengdun.learning import actions, media, queries
from zhengdun.learning.certificate import certificate_pdf
from zhengdun.learning.exams.models import Attempt, Exam
from zhengdun.learning.models import Enrolment

pytestmark = pytest.mark.django_db

VIDEO = bytes(range(256)) * 40  # 10,240 arbitrary bytes, starting as an MP4 would
VIDEO = b"\x00\x00\x00\x18ftypmp42" + VIDEO[12:]


@pytest.fixture
def course(org):
    return actions.save_course(
        org.liaison_a,
        kind="night",
        title="公安夜校第一期",
        unit=org.county_a,
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 4, 30),
        min_attendance=75,
    )


def _classes(org, course, count):
    return [
        actions.save_session(
            org.liaison_a,
            course=course,
            topic=f"第{i + 1}课",
            held_on=date(2026, 3, 1 + i),
            hours="1.5",
            speaker="李教官",
        )
        for i in range(count)
    ]


def _standing(course):
    enrolments = list(Enrolment.objects.filter(course=course))
    standing = queries.completion_of(course, enrolments)
    return {e.person_id: standing[e.pk] for e in enrolments}


def test_enrol_a_unit_subtree_at_once_and_no_twice(org, course):
    assert actions.enrol(org.liaison_a, course=course, unit=org.station_a1) == 3
    assert (
        actions.enrol(org.liaison_a, course=course, unit=org.county_a) == 3
    )  # + A1T, A2, liaison/leader
    with pytest.raises(PermissionDenied):
        actions.enrol(org.liaison_a, course=course, persons=[org.p_b1])
    with pytest.raises(ValidationError):
        actions.enrol(org.liaison_a, course=course)


def test_completion_needs_the_minimum_attendance(org, course, time_machine):
    time_machine.move_to("2026-06-01 10:00:00+08:00")  # after every class
    s1, s2, s3, s4 = _classes(org, course, 4)
    good, poor = org.p_a1, org.p_a2
    actions.enrol(org.liaison_a, course=course, persons=[good, poor])
    for session in (s1, s2, s3):
        actions.record_attendance(
            org.liaison_a, session=session, marks={good.pk: "present", poor.pk: "absent"}
        )
    actions.record_attendance(
        org.liaison_a, session=s4, marks={good.pk: "excused", poor.pk: "present"}
    )
    standing = _standing(course)
    assert standing[good.pk].rate == 1 and standing[good.pk].completed
    assert standing[poor.pk].rate == 0.25 and not standing[poor.pk].completed
    # An unmarked class counts as missed: 3 present of 4 is exactly the 75 % minimum.
    late = PersonFactory(unit=org.station_a1)
    actions.enrol(org.liaison_a, course=course, persons=[late])
    for session in (s1, s2, s3):
        actions.record_attendance(org.liaison_a, session=session, marks={late.pk: "present"})
    assert _standing(course)[late.pk].completed
    course.min_attendance = 80
    course.save()
    assert not _standing(course)[late.pk].completed


def test_completion_needs_the_exam_passed_at_its_pass_mark(org, course, time_machine):
    time_machine.move_to("2026-06-01 10:00:00+08:00")  # after every class
    (s1,) = _classes(org, course, 1)
    exam = Exam.objects.create(
        unit=org.county_a,
        unit_path=org.county_a.path,
        title="结业考试",
        opens_at=datetime(2026, 4, 1, tzinfo=UTC),
        closes_at=datetime(2026, 4, 2, tzinfo=UTC),
        pass_mark=70,
    )
    course.exam = exam
    course.save()
    actions.enrol(org.liaison_a, course=course, persons=[org.p_a1, org.p_a2])
    actions.record_attendance(
        org.liaison_a, session=s1, marks={org.p_a1.pk: "present", org.p_a2.pk: "present"}
    )
    for person, percent, passed in ((org.p_a1, 82, True), (org.p_a2, 65, False)):
        Attempt.objects.create(
            exam=exam,
            person=person,
            unit=person.unit,
            unit_path=person.unit.path,
            state="submitted",
            started_at=exam.opens_at,
            deadline=exam.closes_at,
            percent=percent,
            passed=passed,
            score=percent,
        )
    standing = _standing(course)
    assert standing[org.p_a1.pk].completed and standing[org.p_a1.pk].exam_score == 82
    assert not standing[org.p_a2.pk].completed and standing[org.p_a2.pk].attendance_ok


def test_certificates_only_for_those_who_completed_and_audited(org, course, time_machine):
    time_machine.move_to("2026-06-01 10:00:00+08:00")  # after every class
    (s1,) = _classes(org, course, 1)
    actions.enrol(org.liaison_a, course=course, persons=[org.p_a1, org.p_a2])
    actions.record_attendance(
        org.liaison_a, session=s1, marks={org.p_a1.pk: "present", org.p_a2.pk: "absent"}
    )
    issued = actions.issue_certificates(org.liaison_a, course=course)
    assert [e.person_id for e in issued] == [org.p_a1.pk]
    assert issued[0].certificate_no.startswith("ZD2026-")
    assert actions.issue_certificates(org.liaison_a, course=course) == []  # idempotent
    assert AuditEvent.objects.filter(code="learning.certificate.issued").count() == 1


def test_certificate_pdf_embeds_a_cjk_font_and_the_name(org, course, tmp_path):
    (s1,) = _classes(org, course, 1)
    actions.enrol(org.liaison_a, course=course, persons=[org.p_a1])
    actions.record_attendance(org.liaison_a, session=s1, marks={org.p_a1.pk: "present"})
    (enrolment,) = actions.issue_certificates(org.liaison_a, course=course)
    enrolment.refresh_from_db()
    path = tmp_path / "certificate.pdf"
    path.write_bytes(certificate_pdf(enrolment))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "CJK" in fonts
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    text = text.replace("\n", "")
    assert "苏祠民警" in text and enrolment.certificate_no in text and "公安夜校第一期" in text


def test_certificate_page_for_the_enrolee_and_planners_only(org, course, login, client):
    (s1,) = _classes(org, course, 1)
    officer = org.officer_a1.person
    actions.enrol(org.liaison_a, course=course, persons=[officer])
    actions.record_attendance(org.liaison_a, session=s1, marks={officer.pk: "present"})
    (enrolment,) = actions.issue_certificates(org.liaison_a, course=course)
    url = f"/learning/certificates/{enrolment.pk}.pdf"
    response = login(org.officer_a1).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert login(org.viewer_b).get(url).status_code == 404
    assert login(org.outsider).get(url).status_code == 404


# Online lessons ---------------------------------------------------------------------------------


@pytest.fixture
def lesson(org, course, media):
    course.kind = "online"
    course.save()
    return actions.add_lesson(
        org.liaison_a,
        course=course,
        title="执法规范化视频课",
        kind="watch",
        upload=SimpleUploadedFile("lesson.mp4", VIDEO, content_type="video/mp4"),
    )


def test_lesson_file_type_is_checked(org, course, media):
    with pytest.raises(ValidationError):
        actions.add_lesson(
            org.liaison_a,
            course=course,
            title="x",
            kind="watch",
            upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4 x", content_type="application/pdf"),
        )
    with pytest.raises(ValidationError):
        actions.add_lesson(
            org.liaison_a,
            course=course,
            title="x",
            kind="read",
            upload=SimpleUploadedFile("a.pdf", b"not a pdf", content_type="application/pdf"),
        )


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", None),
        ("bytes=0-99", (0, 99)),
        ("bytes=100-", (100, 999)),
        ("bytes=-500", (500, 999)),
        ("bytes=-5000", (0, 999)),
        ("bytes=990-5000", (990, 999)),
        ("bytes=1000-", False),
        ("bytes=-0", False),
        ("bytes=5-3", None),
        ("bytes=0-1,5-9", None),
        ("items=0-1", None),
    ],
)
def test_parse_range(header, expected):
    assert media.parse_range(header, 1000) == expected


def test_video_served_with_ranges_through_the_gate(org, course, lesson, login):
    officer = org.officer_a1
    actions.enrol(org.liaison_a, course=course, persons=[officer.person])
    client = login(officer)
    url = f"/learning/lessons/{lesson.pk}/file"
    whole = client.get(url)
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes"
    assert b"".join(whole.streaming_content) == VIDEO
    part = client.get(url, HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-199/{len(VIDEO)}"
    assert part["Content-Length"] == "100"
    assert b"".join(part.streaming_content) == VIDEO[100:200]
    tail = client.get(url, HTTP_RANGE="bytes=-500")
    assert b"".join(tail.streaming_content) == VIDEO[-500:]
    rest = client.get(url, HTTP_RANGE=f"bytes={len(VIDEO) - 10}-")
    assert b"".join(rest.streaming_content) == VIDEO[-10:]
    beyond = client.get(url, HTTP_RANGE=f"bytes={len(VIDEO)}-")
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{len(VIDEO)}"
    assert login(org.viewer_b).get(url, HTTP_RANGE="bytes=0-9").status_code == 404


def test_progress_completes_a_watched_lesson_at_ninety_percent(org, course, lesson, login):
    officer = org.officer_a1
    url = f"/learning/lessons/{lesson.pk}/progress"
    client = login(officer)
    assert client.post(url, {"fraction": 0.5}, content_type="application/json").status_code == 404
    actions.enrol(org.liaison_a, course=course, persons=[officer.person])
    assert client.post(url, "nonsense", content_type="application/json").status_code == 400
    assert client.post(url, {"fraction": 2}, content_type="application/json").status_code == 400
    response = client.post(url, {"fraction": 0.5}, content_type="application/json")
    assert response.json() == {"fraction": 0.5, "completed": False}
    response = client.post(url, {"fraction": 0.3}, content_type="application/json")
    assert response.json()["fraction"] == 0.5  # progress only grows
    response = client.post(url, {"fraction": 0.91}, content_type="application/json")
    assert response.json()["completed"] is True
    standing = _standing(course)[officer.person.pk]
    assert standing.lessons_done == 1 and standing.completed
