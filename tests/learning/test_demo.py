"""The learning demo loads through the actions, once, with what the pages need to show."""

import pytest
from django.contrib.auth import get_user_model

from zhengdun.campaigns import demo as campaign_demo
from zhengdun.learning import demo
from zhengdun.learning.models import (
    Attendance,
    Course,
    Enrolment,
    Rating,
    Session,
    StudyNote,
    Talk,
)
from zhengdun.org import demo as org_demo
from zhengdun.selfcheck import demo as selfcheck_demo
from zhengdun.selfcheck.models import Signal, SignalKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(media, settings):
    settings.DEMO_MODE = True
    org_demo.load()
    admin = get_user_model().objects.get(username="admin")
    campaign_demo.load(admin)
    selfcheck_demo.load(admin)
    return admin, demo.load(admin)


def test_demo_has_every_part(loaded, login):
    admin, summary = loaded
    sessions = Session.objects.filter(course__isnull=True)
    assert set(sessions.values_list("subject", flat=True)) == {"party", "law", "deployment"}
    assert sessions.values("unit__parent__code").distinct().count() == 3
    assert set(Attendance.objects.values_list("status", flat=True)) >= {"present", "absent"}
    assert StudyNote.objects.exists()
    assert Rating.objects.count() >= 2
    talks = Talk.objects.all()
    assert talks.filter(commented_at__isnull=False).exists()
    assert talks.filter(commented_at__isnull=True).exists()
    copied = Signal.objects.filter(kind=SignalKind.COPIED_TALK).count()
    assert 1 <= copied <= 10  # a few copies, not everyone alike
    night = Course.objects.get(title=demo.NIGHT_SCHOOL)
    assert night.sessions.count() == 4
    certified = Enrolment.objects.filter(course=night).exclude(certificate_no="")
    assert 0 < certified.count() < Enrolment.objects.filter(course=night).count()
    online = Course.objects.get(title=demo.ONLINE_SCHOOL)
    assert online.lessons.count() == 2
    assert summary["certificates"] == certified.count()
    # Idempotent.
    again = demo.load(admin)
    assert again == summary
    # The demo officer has talks to write and a lesson to read.
    officer = login(get_user_model().objects.get(username="officer"))
    assert officer.get("/learning/talks/").status_code == 200
    lesson = online.lessons.first()
    assert officer.get(f"/learning/lessons/{lesson.pk}/").status_code == 200
