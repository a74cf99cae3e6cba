"""Fixtures for learning: a second leader of county A (a leadership group of two), sessions
and a talk round over county A. Tests set their own dates; nothing depends on today's."""

from datetime import date
from types import SimpleNamespace

import pytest

from tests.factories import GrantFactory, PersonFactory, UserFactory
from zhengdun.learning import actions

DAY = date(2026, 3, 10)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def leaders(org):
    """County A's leadership group: leader_a and leader_a2 (both unit leaders of county A)."""
    account = UserFactory(username="leader_a2")
    GrantFactory(user=account, role="unit_leader", unit=org.county_a)
    PersonFactory(name="副局长", unit=org.county_a, user=account)
    return SimpleNamespace(first=org.leader_a, second=account)


@pytest.fixture
def station_session(org):
    """A party-rules session at station A1 (roster: officer_a1's person and 苏祠民警)."""
    return actions.save_session(
        org.liaison_a,
        unit=org.station_a1,
        topic="学习党章",
        subject="party",
        held_on=DAY,
        hours="2",
        speaker="张教导员",
    )
