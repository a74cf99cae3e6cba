"""Personas for clues on the shared test tree (tests/conftest.py).

head: inspector on the city (the discipline head); desk: inspector on county B (registers
clues, sees none); handler: an officer of the department with no role (assigned by the head);
the subject: officer_a1 (station A1), whose chain of command is leader_a (county A).
"""

from datetime import date
from types import SimpleNamespace

import pytest

from tests.factories import GrantFactory, PersonFactory, UserFactory
from zhengdun.integrity import actions

TODAY = date(2026, 11, 16)


@pytest.fixture
def people(org):
    def user(name, role=None, unit=None, home=None):
        account = UserFactory(username=name)
        if role:
            GrantFactory(user=account, role=role, unit=unit)
        PersonFactory(name=f"{name}同志", unit=home or unit or org.city, user=account)
        return account

    return SimpleNamespace(
        org=org,
        head=user("head", "inspector", org.city, home=org.dept),
        desk=user("desk", "inspector", org.county_b),
        handler=user("handler", home=org.dept),
        helper=user("helper", home=org.county_b),
        subject=org.officer_a1,
    )


def register(who, org, **fields):
    values = {
        "source": "hotline",
        "received_on": TODAY,
        "category": "integrity",
        "summary": "群众来电反映苏祠派出所民警在办理户籍业务时收受好处费，要求加快办理。",
        "subject_persons": [org.officer_a1.person],
        "subject_units": [],
        "on": TODAY,
    }
    values.update(fields)
    return actions.register_clue(who, **values)


@pytest.fixture
def clue(people):
    return register(people.head, people.org)


@pytest.fixture
def triaged(people, clue):
    return actions.triage(
        people.head,
        clue=clue,
        mode="verify",
        lead=people.handler,
        members=[people.helper],
        on=TODAY,
    )
