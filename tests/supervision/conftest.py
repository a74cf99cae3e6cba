"""Shared fixtures: a campaign over the test city, two supervision groups and their members.

Group 一 (members: sup_a, leader of the group, and the retired cadre p_dept) covers county A
from 2026-11-01; group 二 (member: sup_b) covers county B and the department. The supervisors
hold the "supervisor" role on the city, which gives nothing in supervision: their group's
assignments do.
"""

from datetime import date
from types import SimpleNamespace

import pytest

from tests.factories import GrantFactory, PersonFactory, UserFactory
from zhengdun.campaigns import actions as campaign_actions
from zhengdun.org.models import PersonStatus
from zhengdun.supervision import actions

TODAY = date(2026, 11, 16)
START = date(2026, 11, 1)

ASPECTS = [
    ("教育引导", 10, 10),
    ("线索核查", 10, 10),
    ("任务推进", 15, 10),
    ("政策落实", 10, 10),
    ("督办落实", 10, 10),
    ("意见反馈", 5, 10),
    ("自查质量", 10, 10),
    ("整改进度", 15, 10),
    ("勤务纪律", 10, 10),
    ("群众满意", 5, 10),
]


@pytest.fixture
def campaign(org):
    return campaign_actions.create_campaign(
        org.office,
        unit=org.city,
        name="教育整顿",
        start_date=START,
        end_date=date(2027, 1, 31),
        workstreams=["督导整改"],
        phases=[],
    )


def _supervisor(name, org):
    account = UserFactory(username=name)
    GrantFactory(user=account, role="supervisor", unit=org.city)
    person = PersonFactory(name=f"{name}督导员", unit=org.dept, user=account)
    return account, person


@pytest.fixture
def sup(org, campaign):
    """Two groups, their members and assignments."""
    sup_a, person_a = _supervisor("sup_a", org)
    sup_b, person_b = _supervisor("sup_b", org)
    retired = org.p_dept
    retired.status = PersonStatus.RETIRED_FROM_POST
    retired.save(update_fields=["status"])
    one = actions.create_group(
        org.office,
        campaign=campaign,
        name="第一督导组",
        members=[(person_a, True), (retired, False)],
    )
    two = actions.create_group(
        org.office, campaign=campaign, name="第二督导组", members=[(person_b, True)]
    )
    actions.assign(org.office, group=one, unit=org.county_a, starts_on=START)
    actions.assign(org.office, group=two, unit=org.county_b, starts_on=START)
    actions.assign(org.office, group=two, unit=org.dept, starts_on=START)
    return SimpleNamespace(
        one=one,
        two=two,
        sup_a=sup_a,
        sup_b=sup_b,
        person_a=person_a,
        person_b=person_b,
        retired=retired,
    )


@pytest.fixture
def template(org):
    return actions.create_score_template(
        org.office,
        name="督导评分表",
        unit=org.city,
        aspects=[{"name": n, "weight": w, "max_points": m} for n, w, m in ASPECTS],
    )
