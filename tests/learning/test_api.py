"""The learning API: scoped like the pages (404 outside scope, 403 for a reader writing, 400
invalid, 422 malformed)."""

import pytest

from zhengdun.learning import actions
from zhengdun.learning.models import Attendance

pytestmark = pytest.mark.django_db
API = "/api/v1/learning"


def _session_payload(unit, **extra):
    return {
        "unit_id": unit.pk,
        "topic": "学习省市部署要求",
        "subject": "deployment",
        "held_on": "2026-03-10",
        "hours": "1.5",
        **extra,
    }


def test_create_and_list_sessions(org, login):
    client = login(org.liaison_a)
    response = client.post(
        f"{API}/sessions", _session_payload(org.station_a1), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["topic"] == "学习省市部署要求" and created["hours"] == "1.5"
    listed = client.get(f"{API}/sessions", {"subject": "deployment"}).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == created["id"]
    assert login(org.viewer_b).get(f"{API}/sessions").json()["count"] == 0
    assert login(org.viewer_b).get(f"{API}/sessions/{created['id']}").status_code == 404


def test_session_errors(org, login):
    client = login(org.liaison_a)
    # Malformed: a subject outside the three, hours as text.
    bad = _session_payload(org.station_a1, subject="other")
    assert client.post(f"{API}/sessions", bad, content_type="application/json").status_code == 422
    bad = _session_payload(org.station_a1, hours="many")
    assert client.post(f"{API}/sessions", bad, content_type="application/json").status_code == 422
    # Invalid: an empty topic (the action's rule).
    bad = _session_payload(org.station_a1, topic="  ")
    assert client.post(f"{API}/sessions", bad, content_type="application/json").status_code == 400
    # Outside scope: county B's unit is missing for county A's liaison.
    bad = _session_payload(org.station_b1)
    assert client.post(f"{API}/sessions", bad, content_type="application/json").status_code == 404
    # A viewer sees county B but may not plan there.
    response = login(org.viewer_b).post(
        f"{API}/sessions", _session_payload(org.station_b1), content_type="application/json"
    )
    assert response.status_code == 403


def test_attendance_through_the_api(org, login, station_session):
    url = f"{API}/sessions/{station_session.pk}/attendance"
    officer = org.officer_a1.person
    payload = {"marks": [{"person_id": officer.pk, "status": "absent"}]}
    response = login(org.liaison_a).post(url, payload, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["absent"] == 1
    assert Attendance.objects.get().status == "absent"
    bad = {"marks": [{"person_id": officer.pk, "status": "late"}]}
    assert login(org.liaison_a).post(url, bad, content_type="application/json").status_code == 422
    stranger = {"marks": [{"person_id": org.p_b1.pk, "status": "present"}]}
    assert (
        login(org.liaison_a).post(url, stranger, content_type="application/json").status_code == 400
    )
    assert (
        login(org.viewer_b).post(url, payload, content_type="application/json").status_code == 404
    )
    # The officer, once on the roll, sees the session but may not mark anyone.
    actions.record_attendance(org.liaison_a, session=station_session, marks={officer.pk: "present"})
    response = login(org.officer_a1).post(url, payload, content_type="application/json")
    assert response.status_code == 403


def test_talk_completion_api(org, login):
    from datetime import date

    round_ = actions.create_talk_round(
        org.office,
        unit=org.county_a,
        title="三谈",
        opens_on=date(2026, 3, 1),
        due_on=date(2026, 3, 31),
    )
    rows = login(org.leader_a).get(f"{API}/talk-rounds/{round_.pk}/completion").json()["items"]
    assert {row["unit"] for row in rows} >= {"苏祠派出所", "通惠派出所"}
    assert login(org.viewer_b).get(f"{API}/talk-rounds/{round_.pk}/completion").status_code == 404
