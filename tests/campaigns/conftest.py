from datetime import date

import pytest

from zhengdun.campaigns import actions

TODAY = date(2026, 11, 16)


@pytest.fixture
def campaign(org):
    return actions.create_campaign(
        org.office,
        unit=org.city,
        name="教育整顿",
        start_date=date(2026, 11, 1),
        end_date=date(2027, 1, 31),
        workstreams=["效率革命", "本领革命"],
        phases=[
            {"name": "学习教育", "start_date": date(2026, 11, 1), "end_date": date(2026, 11, 30)}
        ],
    )


@pytest.fixture
def stream(campaign):
    return campaign.workstreams.get(name="效率革命")


@pytest.fixture
def make_task(org, campaign, stream):
    def make(unit=None, *, start=date(2026, 11, 1), due=date(2026, 12, 1), **fields):
        return actions.create_task(
            org.office,
            campaign=campaign,
            workstream=stream,
            unit=unit or org.city,
            title=fields.pop("title", "开展政治轮训"),
            start_date=start,
            due_date=due,
            on=fields.pop("on", TODAY),
            **fields,
        )

    return make
