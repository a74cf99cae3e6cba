"""Shared personas on a small tree.

    city (市局)
    ├── dept (政治部)
    ├── county_a (东坡分局)
    │   ├── station_a1 ── team_a1
    │   └── station_a2
    └── county_b (彭山分局)
        └── station_b1

office: campaign office on the city; leader_a: unit leader of county A; liaison_a: liaison of
county A; officer_a1: officer at station A1; viewer_b: viewer on county B; outsider: no role;
admin: superuser.
"""

from types import SimpleNamespace

import pytest

from tests.factories import GrantFactory, PersonFactory, UnitFactory, UserFactory
from zhengdun.org.models import UnitKind


@pytest.fixture
def org(db):
    city = UnitFactory(code="CITY", name="测试市公安局", kind=UnitKind.CITY_BUREAU)
    dept = UnitFactory(
        code="DEPT", name="政治部", kind=UnitKind.DEPARTMENT, parent=city, sector="decision"
    )
    county_a = UnitFactory(code="A", name="东坡分局", kind=UnitKind.COUNTY_BUREAU, parent=city)
    station_a1 = UnitFactory(code="A1", name="苏祠派出所", parent=county_a)
    team_a1 = UnitFactory(code="A1T", name="社区警务队", kind=UnitKind.TEAM, parent=station_a1)
    station_a2 = UnitFactory(code="A2", name="通惠派出所", parent=county_a)
    county_b = UnitFactory(code="B", name="彭山分局", kind=UnitKind.COUNTY_BUREAU, parent=city)
    station_b1 = UnitFactory(code="B1", name="凤鸣派出所", parent=county_b)

    def user(name, role=None, unit=None, home=None):
        account = UserFactory(username=name)
        if role:
            GrantFactory(user=account, role=role, unit=unit)
        PersonFactory(name=f"{name}警官", unit=home or unit or city, user=account)
        return account

    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    people = {
        "p_dept": PersonFactory(name="部门民警", unit=dept),
        "p_a1": PersonFactory(name="苏祠民警", unit=station_a1),
        "p_team": PersonFactory(name="社区民警", unit=team_a1),
        "p_a2": PersonFactory(name="通惠民警", unit=station_a2),
        "p_b1": PersonFactory(name="凤鸣民警", unit=station_b1),
    }
    return SimpleNamespace(
        city=city,
        dept=dept,
        county_a=county_a,
        station_a1=station_a1,
        team_a1=team_a1,
        station_a2=station_a2,
        county_b=county_b,
        station_b1=station_b1,
        admin=admin,
        office=user("office", "office", city),
        leader_a=user("leader_a", "unit_leader", county_a),
        liaison_a=user("liaison_a", "liaison", county_a),
        officer_a1=user("officer_a1", "officer", station_a1),
        viewer_b=user("viewer_b", "viewer", county_b),
        outsider=user("outsider", home=station_b1),
        **people,
    )


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user
