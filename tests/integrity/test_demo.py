"""The clue demo: every channel, state and disposition; the refused county leader; idempotent."""

from datetime import date

import pytest
import time_machine
from django.contrib.auth import get_user_model

from zhengdun.audit.models import AuditEvent
from zhengdun.integrity import demo
from zhengdun.integrity.models import Case, Clue, ClueState, Disposition, HandlingMode, Source
from zhengdun.integrity.permissions import clues_visible_to, is_head
from zhengdun.org import demo as org_demo

DAY = date(2026, 11, 16)


@pytest.fixture
def loaded(db):
    with time_machine.travel(DAY, tick=False):
        org_demo.load()
        admin = get_user_model().objects.get(username="admin")
        first = demo.load(admin)
        again = demo.load(admin)
    return first, again


def test_demo_covers_every_channel_state_and_disposition(loaded):
    first, again = loaded
    assert first == again  # idempotent
    sources = set(Clue.objects.values_list("source", flat=True))
    assert set(Source.values) - {Source.PORTAL} <= sources
    assert set(ClueState.values) <= set(Clue.objects.values_list("state", flat=True))
    assert set(Disposition.values) <= set(Clue.objects.values_list("disposition", flat=True))
    assert set(HandlingMode.values) <= set(Clue.objects.values_list("mode", flat=True))
    assert {"red", "yellow", "green"} <= set(
        Clue.objects.filter(state__in=["registered", "triaged", "verifying"]).values_list(
            "colour", flat=True
        )
    )
    assert Case.objects.count() == 2


def test_demo_logins_and_need_to_know(loaded):
    users = get_user_model().objects
    head = users.get(username="inspector")
    assert is_head(head)
    assert clues_visible_to(head).count() == Clue.objects.count()
    handler = users.get(username="handler")
    assert 0 < clues_visible_to(handler).count() < Clue.objects.count()
    for name in ("admin", "office", "leader", "liaison", "officer", "supervisor"):
        assert clues_visible_to(users.get(username=name)).count() == 0, name


def test_demo_records_the_refused_county_leader(loaded):
    refusal = AuditEvent.objects.get(code="integrity.handler.refused")
    assert refusal.changes["user"] in ("leader_dp", "leader")
    clue = Clue.objects.get(number=refusal.object_repr)
    assert clue.handlers.filter(active=True, user__username="handler").exists()
