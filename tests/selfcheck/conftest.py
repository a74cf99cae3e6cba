from datetime import date

import pytest

from zhengdun.selfcheck import actions
from zhengdun.selfcheck.models import Report, ReportKind

OPENED = date(2026, 11, 2)


@pytest.fixture
def catalogue(org):
    return actions.create_catalogue(
        org.office,
        name="自查自省问题清单",
        dimensions=[
            {
                "code": "1",
                "name": "党建统领",
                "items": [
                    {"code": "1.1", "title": "思想政治不纯"},
                    {"code": "1.2", "title": "组织作风不纯"},
                ],
            },
            {
                "code": "2",
                "name": "队伍建设",
                "items": [
                    {"code": "2.1", "title": "管理缺位", "applies_to": "unit"},
                    {"code": "2.2", "title": "纪律松弛"},
                    {"code": "2.3", "title": "个人三圈不净", "applies_to": "person"},
                ],
            },
        ],
    )


@pytest.fixture
def round_(org, catalogue):
    return actions.open_round(
        org.office,
        name="第一轮自查自省",
        catalogue=catalogue,
        unit=org.city,
        due_date=date(2026, 11, 30),
        opened_on=OPENED,
    )


@pytest.fixture
def item(catalogue):
    def get(code):
        return catalogue.dimensions.get(items__code=code).items.get(code=code)

    return get


@pytest.fixture
def unit_report(round_):
    def get(unit):
        return Report.objects.get(round=round_, kind=ReportKind.UNIT, unit=unit)

    return get


@pytest.fixture
def person_report(round_):
    def get(user):
        return Report.objects.get(round=round_, kind=ReportKind.PERSON, person__user=user)

    return get
