"""The learning pages: who may open what, forms that keep input, bounded queries on lists."""

from datetime import date

import pytest

from tests.factories import PersonFactory
from tests.learning.conftest import DAY
from zhengdun.learning import actions
from zhengdun.learning.models import Attendance, Session, Talk

pytestmark = pytest.mark.django_db

TALK = {
    "mission": "对使命任务的认识：忠诚履职，守护平安。",
    "shortcomings": "不足：学习不够系统。",
    "direction": "方向：提升群众满意度。",
}


def test_liaison_records_a_session_and_its_attendance(org, login):
    client = login(org.liaison_a)
    assert client.get("/learning/sessions/new/").status_code == 200
    response = client.post(
        "/learning/sessions/new/",
        {
            "unit": org.station_a1.pk,
            "topic": "学习新修订的条例",
            "subject": "law",
            "held_on": "2026-03-10",
            "hours": "2",
            "speaker": "王所长",
        },
    )
    session = Session.objects.get()
    assert response.status_code == 302 and response.url == f"/learning/sessions/{session.pk}/"
    page = client.get(response.url)
    assert page.status_code == 200 and "officer_a1警官" in page.content.decode()
    officer = org.officer_a1.person
    client.post(
        f"/learning/sessions/{session.pk}/attendance/",
        {f"mark-{officer.pk}": "present", f"mark-{org.p_a1.pk}": "excused"},
    )
    assert dict(Attendance.objects.values_list("person_id", "status")) == {
        officer.pk: "present",
        org.p_a1.pk: "excused",
    }


def test_bad_session_input_keeps_what_was_typed(org, login):
    response = login(org.liaison_a).post(
        "/learning/sessions/new/",
        {"unit": org.station_a1.pk, "topic": "保留的主题", "subject": "law", "held_on": "x"},
    )
    assert response.status_code == 200
    assert "保留的主题" in response.content.decode()
    assert not Session.objects.exists()


def test_session_pages_404_outside_scope_403_for_a_reader_writing(org, login, station_session):
    url = f"/learning/sessions/{station_session.pk}/"
    assert login(org.viewer_b).get(url).status_code == 404
    assert login(org.outsider).get(url).status_code == 404
    assert login(org.office).get(url).status_code == 200
    # The officer sees it once on the roll but may not record attendance.
    actions.record_attendance(
        org.liaison_a, session=station_session, marks={org.officer_a1.person.pk: "present"}
    )
    officer = login(org.officer_a1)
    assert officer.get(url).status_code == 200
    assert officer.post(f"{url}attendance/", {}).status_code == 404  # holds no PLAN anywhere


def test_officer_writes_notes_on_the_page(org, login, station_session):
    client = login(org.officer_a1)
    actions.record_attendance(
        org.liaison_a, session=station_session, marks={org.officer_a1.person.pk: "present"}
    )
    response = client.post(f"/learning/sessions/{station_session.pk}/note/", {"text": "我的心得"})
    assert response.status_code == 302
    leader_page = login(org.leader_a).get(f"/learning/sessions/{station_session.pk}/")
    assert "我的心得" in leader_page.content.decode()
    liaison_page = login(org.liaison_a).get(f"/learning/sessions/{station_session.pk}/")
    assert "我的心得" not in liaison_page.content.decode()


def test_rates_page(org, login, station_session):
    actions.record_attendance(
        org.liaison_a, session=station_session, marks={org.officer_a1.person.pk: "present"}
    )
    client = login(org.leader_a)
    response = client.get(
        "/learning/rates/", {"unit": org.county_a.pk, "start": "2026-03-01", "end": "2026-03-31"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "100%" in body and "officer_a1警官" in body
    bad = client.get("/learning/rates/", {"start": "2026-03-31", "end": "2026-03-01"})
    assert bad.status_code == 200
    # County B is not among the leader's units: an invalid choice, nothing shown.
    other = client.get("/learning/rates/", {"unit": org.county_b.pk})
    assert "unit" in other.context["form"].errors and other.context["units"] == []
    assert login(org.officer_a1).get("/learning/rates/").status_code == 404


def test_officer_writes_the_three_talks_and_leader_comments(org, login):
    round_ = actions.create_talk_round(
        org.office, unit=org.county_a, title="三谈", opens_on=DAY, due_on=date(2026, 3, 31)
    )
    officer = login(org.officer_a1)
    assert officer.get(f"/learning/talks/rounds/{round_.pk}/").status_code == 200
    response = officer.post(f"/learning/talks/rounds/{round_.pk}/write/", TALK)
    talk = Talk.objects.get()
    assert response.status_code == 302
    assert officer.post(f"/learning/talks/{talk.pk}/", {"comment": "x"}).status_code == 403
    assert login(org.liaison_a).get(f"/learning/talks/{talk.pk}/").status_code == 404
    leader = login(org.leader_a)
    assert TALK["mission"] in leader.get(f"/learning/talks/{talk.pk}/").content.decode()
    leader.post(f"/learning/talks/{talk.pk}/", {"comment": "认识到位"})
    talk.refresh_from_db()
    assert talk.comment == "认识到位"
    # County B's viewer does not even see the round.
    assert login(org.viewer_b).get(f"/learning/talks/rounds/{round_.pk}/").status_code == 404


def test_every_page_opens_for_its_users(org, login, station_session):
    course = actions.save_course(
        org.liaison_a,
        kind="lecture",
        title="公安大讲坛",
        unit=org.county_a,
        starts_on=DAY,
        ends_on=DAY,
    )
    review = actions.create_review(
        org.office, unit=org.county_a, title="述学", period_start=DAY, period_end=DAY
    )
    client = login(org.leader_a)
    for url in (
        "/learning/",
        "/learning/reviews/",
        "/learning/reviews/new/",
        f"/learning/reviews/{review.pk}/",
        "/learning/talks/",
        "/learning/talks/new/",
        "/learning/courses/",
        "/learning/courses/new/",
        f"/learning/courses/{course.pk}/",
        f"/learning/courses/{course.pk}/sessions/new/",
    ):
        assert client.get(url).status_code == 200, url
    officer = login(org.officer_a1)
    for url in ("/learning/", "/learning/talks/", "/learning/courses/", "/learning/reviews/"):
        assert officer.get(url).status_code == 200, url
    assert officer.get("/learning/sessions/new/").status_code == 404


@pytest.mark.parametrize("count", [3, 30])
def test_lists_issue_a_bounded_number_of_queries(org, login, count, django_assert_max_num_queries):
    course = actions.save_course(
        org.liaison_a, kind="night", title="夜校", unit=org.county_a, starts_on=DAY, ends_on=DAY
    )
    round_ = actions.create_talk_round(
        org.office, unit=org.county_a, title="三谈", opens_on=DAY, due_on=DAY
    )
    people = [PersonFactory(unit=org.station_a1) for _ in range(count)]
    actions.enrol(org.liaison_a, course=course, persons=people)
    for index in range(count):
        session = actions.save_session(
            org.liaison_a,
            unit=org.station_a1,
            topic=f"学习{index}",
            subject="party",
            held_on=DAY,
            hours=1,
        )
        actions.record_attendance(
            org.liaison_a, session=session, marks={people[index].pk: "present"}
        )
        actions.create_review(
            org.office, unit=org.county_a, title=f"述学{index}", period_start=DAY, period_end=DAY
        )
    client = login(org.leader_a)
    for url in (
        "/learning/",
        "/learning/reviews/",
        "/learning/courses/",
        "/learning/talks/",
        f"/learning/courses/{course.pk}/",
        f"/learning/talks/rounds/{round_.pk}/",
        "/learning/rates/?start=2026-03-01&end=2026-03-31",
    ):
        with django_assert_max_num_queries(24):
            assert client.get(url).status_code == 200


def test_officer_sees_their_own_hours_this_year(org, login, station_session, time_machine):
    time_machine.move_to("2026-06-01 10:00:00+08:00")
    actions.record_attendance(
        org.liaison_a, session=station_session, marks={org.officer_a1.person.pk: "present"}
    )
    body = login(org.officer_a1).get("/learning/").content.decode()
    assert 'data-testid="my-hours"' in body and "2.0" in body
    assert station_session.topic in body  # on the roll: listed


def test_materials_are_checked_stored_and_served_in_scope(org, login, station_session, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(org.liaison_a)
    url = f"/learning/sessions/{station_session.pk}/files/"
    fake = SimpleUploadedFile("讲稿.pdf", b"not really a pdf", content_type="application/pdf")
    client.post(url, {"files": fake})
    assert not station_session.files.exists()
    good = SimpleUploadedFile("讲稿.pdf", b"%PDF-1.4 lecture", content_type="application/pdf")
    client.post(url, {"files": good})
    stored = station_session.files.get()
    assert str(media) in stored.file.path
    download = client.get(f"/learning/materials/{stored.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert login(org.viewer_b).get(f"/learning/materials/{stored.pk}/").status_code == 404
    assert login(org.viewer_b).post(url, {"files": good}).status_code == 404


def test_text_lesson_page_shows_the_text(org, login, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    course = actions.save_course(
        org.liaison_a, kind="online", title="网校", unit=org.county_a, starts_on=DAY, ends_on=DAY
    )
    lesson = actions.add_lesson(
        org.liaison_a,
        course=course,
        title="手册导读",
        kind="read",
        upload=SimpleUploadedFile("a.txt", "第一章 纪律规定".encode(), content_type="text/plain"),
    )
    actions.enrol(org.liaison_a, course=course, persons=[org.officer_a1.person])
    body = login(org.officer_a1).get(f"/learning/lessons/{lesson.pk}/").content.decode()
    assert "第一章 纪律规定" in body and "learning/lesson.js" in body
    assert "/progress" in body
    assert login(org.viewer_b).get(f"/learning/lessons/{lesson.pk}/").status_code == 404
