"""The supervision demo: five groups at work on a fixed day, loaded idempotently through the
actions after the organisation, the campaign and the self-inspection demos.

Everything is loaded once for the module at a frozen date, inside a transaction that is rolled
back at the end; each test runs in a savepoint inside it (the ``db`` fixture).
"""

from collections import Counter
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from zhengdun.audit import chain
from zhengdun.audit.models import AuditEvent
from zhengdun.campaigns import demo as campaign_demo
from zhengdun.campaigns.models import Campaign
from zhengdun.core.warnings import Colour
from zhengdun.notify.models import Notification
from zhengdun.org import demo as org_demo
from zhengdun.org.models import Person, PersonStatus, Unit, UnitKind
from zhengdun.selfcheck import demo as selfcheck_demo
from zhengdun.supervision import actions, demo, queries, rules
from zhengdun.supervision.models import (
    Assignment,
    ChecklistEntry,
    Draw,
    DrawKind,
    Duty,
    Group,
    Member,
    Order,
    OrderFile,
    OrderSource,
    OrderState,
    Scorecard,
    ScoreLine,
    ScoreTemplate,
    Visit,
    VisitKind,
    VisitMode,
)
from zhengdun.supervision.permissions import visits_visible_to

TODAY = date(2026, 11, 20)
MONTH = date(2026, 11, 1)
PREVIOUS = date(2026, 10, 1)
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), time_machine.travel(NOW, tick=False):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            org_demo.load()
            admin = get_user_model().objects.get(username="admin")
            campaign_demo.load(admin)
            selfcheck_demo.load(admin)
            summary = demo.load(admin)
            yield SimpleNamespace(
                admin=admin,
                summary=summary,
                campaign=Campaign.objects.select_related("unit").get(name=campaign_demo.NAME),
            )
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def site(loaded, db):
    assert timezone.localdate() == TODAY
    return loaded


def user(username):
    return get_user_model().objects.select_related("person").get(username=username)


def groups(site):
    return list(Group.objects.filter(campaign=site.campaign).order_by("pk"))


def test_the_summary_counts_what_was_loaded(site):
    visits = Visit.objects.filter(group__campaign=site.campaign)
    assert site.summary == {
        "groups": 5,
        "members": Member.objects.count(),
        "visits held": visits.filter(planned=False).count(),
        "visits planned": visits.filter(planned=True).count(),
        "scorecards": Scorecard.objects.count(),
        "draws": 2,
        "六抓 entries": ChecklistEntry.objects.count(),
        "orders": Order.objects.count(),
        "orders open": Order.objects.exclude(state=OrderState.CLOSED).count(),
    }
    assert site.summary["visits held"] >= 60
    assert site.summary["orders"] == len(demo.ORDERS)


def test_the_scorecard_has_the_articles_ten_aspects(site):
    template = ScoreTemplate.objects.get(name=demo.TEMPLATE)
    assert template.version == 1
    aspects = list(template.aspects.order_by("order"))
    assert [aspect.name for aspect in aspects] == [
        "教育引领",
        "线索核查",
        "推进考核",
        "政策兑现",
        "督查督办",
        "意见反馈",
        "自查质量",
        "整改进度",
        "勤务纪律",
        "群众满意度",
    ]
    assert sum(aspect.weight for aspect in aspects) == 100
    assert all(aspect.max_points > 0 and aspect.guidance for aspect in aspects)


def test_five_groups_of_the_ten_retired_cadres_and_headquarters_officers(site):
    found = groups(site)
    assert [group.name for group in found] == [
        "第一督导组",
        "第二督导组",
        "第三督导组",
        "第四督导组",
        "第五督导组",
    ]
    cadres = set(
        Person.objects.filter(status=PersonStatus.RETIRED_FROM_POST).values_list("pk", flat=True)
    )
    assert len(cadres) == 10
    used = Counter()
    for group in found:
        members = list(group.members.select_related("person__unit"))
        leaders = [member for member in members if member.is_leader]
        assert len(leaders) == 1 and leaders[0].person_id in cadres
        retired = [member for member in members if member.person_id in cadres]
        assert len(retired) == 2
        used.update(member.person_id for member in retired)
        officers = [member.person for member in members if member.person_id not in cadres]
        assert 1 <= len(officers) <= 2
        for person in officers:
            assert person.status == PersonStatus.ACTIVE
            assert person.unit.kind == UnitKind.DEPARTMENT and person.unit.code.startswith("MS-")
    assert set(used) == cadres and set(used.values()) == {1}


def test_the_supervisor_login_is_in_the_first_group_and_sees_its_units_only(site):
    supervisor = user("supervisor")
    first = Group.objects.get(campaign=site.campaign, name="第一督导组")
    assert first.members.filter(person=supervisor.person).exists()
    assert Member.objects.filter(person=supervisor.person).count() == 1
    paths = list(first.assignments.values_list("unit__path", flat=True))
    assert {code for code in first.assignments.values_list("unit__code", flat=True)} >= {
        "DP",
        "PS",
    }
    seen = list(visits_visible_to(supervisor).values_list("unit_path", "group_id"))
    assert seen
    assert all(any(path.startswith(own) for own in paths) for path, _group in seen)
    assert {group for _path, group in seen} == {first.pk}
    # And the groups' work elsewhere stays out of sight.
    assert Visit.objects.exclude(group=first).exists()
    # The first group's work was entered by that login.
    assert set(first.visits.values_list("created_by__username", flat=True)) == {"supervisor"}


def test_every_unit_is_covered_by_exactly_one_group_from_the_campaigns_start(site):
    office = user("office")
    campaign = site.campaign
    children = Unit.objects.filter(parent=campaign.unit, is_active=True)
    assert children.filter(kind=UnitKind.DEPARTMENT).count() == 13
    assert children.filter(kind=UnitKind.COUNTY_BUREAU).count() == 8
    assignments = Assignment.objects.filter(group__campaign=campaign)
    assert assignments.count() == 21
    assert set(assignments.values_list("unit_id", flat=True)) == set(
        children.values_list("pk", flat=True)
    )
    assert set(assignments.values_list("starts_on", flat=True)) == {campaign.start_date}
    assert set(assignments.values_list("ends_on", flat=True)) == {None}
    for day in (campaign.start_date, date(2026, 10, 31), TODAY, campaign.end_date):
        cover = queries.coverage(office, campaign, day)
        assert len(cover.rows) == 21
        assert cover.gaps == [] and cover.overlaps == []


def test_two_months_of_visits_in_every_mode_and_kind(site):
    held = Visit.objects.filter(group__campaign=site.campaign, planned=False)
    start = max(PREVIOUS, site.campaign.start_date)
    assert held.filter(start_date__lt=start).count() == 0
    assert held.filter(end_date__gte=TODAY).count() == 0
    assert (
        held.filter(start_date__lt=MONTH).exists() and held.filter(start_date__gte=MONTH).exists()
    )
    for kind in VisitKind.values:
        assert set(held.filter(kind=kind).values_list("mode", flat=True)) <= set(VisitMode.values)
    assert set(held.filter(kind=VisitKind.RANDOM).values_list("mode", flat=True)) == set(
        VisitMode.values
    )
    random_days = {visit.days for visit in held.filter(kind=VisitKind.RANDOM)}
    assert random_days == {1}
    assert max(visit.days for visit in held.filter(kind=VisitKind.RESIDENT)) >= 3
    for visit in held.prefetch_related("present"):
        members = set(visit.group.members.values_list("person_id", flat=True))
        present = {person.pk for person in visit.present.all()}
        assert len(present) >= 2 and present <= members
        assert len(visit.notes) >= 20
    planned = Visit.objects.filter(group__campaign=site.campaign, planned=True)
    assert planned.count() >= 4
    assert all(TODAY <= visit.start_date <= date(2026, 11, 30) for visit in planned)


def test_every_group_met_its_minimum_last_month_and_one_is_behind_this_month(site):
    for group in groups(site):
        last = queries.group_month(group, PREVIOUS, TODAY)
        assert last.status.colour == Colour.GREEN and len(last.days) >= group.min_days
        assert last.unvisited == []
    current = {group.name: queries.group_month(group, MONTH, TODAY) for group in groups(site)}
    behind = [name for name, month in current.items() if month.status.colour != Colour.GREEN]
    assert behind == ["第四督导组"]
    assert len(current["第四督导组"].days) < 15 * 19 / 30


def test_most_held_visits_are_scored_with_varied_points(site):
    held = Visit.objects.filter(group__campaign=site.campaign, planned=False)
    cards = Scorecard.objects.filter(visit__in=held)
    assert cards.count() >= 0.7 * held.count()
    assert cards.count() < held.count()
    totals = list(cards.values_list("total", flat=True))
    assert len(set(totals)) >= 10
    assert min(totals) < 85 < max(totals)
    assert ScoreLine.objects.filter(scorecard__in=cards).count() == 10 * cards.count()
    assert ScoreLine.objects.filter(scorecard__in=cards, remark__gt="").exists()
    assert all(card.remarks for card in cards)


def test_two_draws_made_and_reproducible(site):
    draws = Draw.objects.filter(campaign=site.campaign)
    assert sorted(draws.values_list("kind", flat=True)) == sorted(DrawKind.values)
    for draw in draws:
        assert draw.is_drawn and draw.sealed_at < draw.drawn_at
        assert len(draw.result) == draw.count == 3
        assert actions.rerun_draw(draw) == draw.result
        assert actions.draw_candidates(draw) == (draw.candidates, False)
    units = draws.get(kind=DrawKind.UNITS)
    assert units.unit.code == "DP" and units.period_start < MONTH
    linked = Visit.objects.filter(draw=units)
    assert linked.count() == 3
    assert set(linked.values_list("kind", flat=True)) == {VisitKind.RANDOM}
    assert {visit.unit_id for visit in linked} == {pk for pk, _name in units.result}
    assert all(timezone.localdate(units.drawn_at) < visit.start_date for visit in linked)
    persons = draws.get(kind=DrawKind.PERSONS)
    assert persons.unit.code == "DP-01"
    assert Visit.objects.filter(draw=persons, planned=True).count() == 1


def test_the_checklist_is_complete_but_for_one_group_last_month(site):
    incomplete = {group.name: queries.incomplete_months(group, TODAY) for group in groups(site)}
    assert incomplete == {
        "第一督导组": [],
        "第二督导组": [],
        "第三督导组": [(PREVIOUS, 2)],
        "第四督导组": [],
        "第五督导组": [],
    }
    assert ChecklistEntry.objects.filter(month=MONTH).exists()
    assert all(entry.note for entry in ChecklistEntry.objects.all())
    assert {entry.duty for entry in ChecklistEntry.objects.all()} == set(Duty.values)


def test_orders_in_every_state_and_colour(site):
    orders = Order.objects.filter(campaign=site.campaign)
    assert set(orders.values_list("state", flat=True)) == set(OrderState.values)
    open_ = orders.exclude(state=OrderState.CLOSED)
    assert set(open_.values_list("colour", flat=True)) == {
        Colour.RED,
        Colour.YELLOW,
        Colour.GREEN,
    }
    red = open_.get(colour=Colour.RED)
    assert red.deadline < TODAY
    assert set(orders.filter(state=OrderState.CLOSED).values_list("colour", flat=True)) == {
        Colour.NONE
    }
    for order in orders.filter(state=OrderState.CLOSED):
        assert order.closed_by_id != order.responded_by_id
        assert order.issued_on <= order.acknowledged_on <= order.responded_on <= order.closed_on
    returned = orders.get(state=OrderState.RETURNED)
    assert returned.return_reason and returned.response
    evidence = OrderFile.objects.get(order__state=OrderState.RESPONDED)
    assert evidence.name.endswith(".txt") and evidence.content_type.startswith("text/plain")
    with evidence.file.open("rb") as stored:
        assert "整改" in stored.read().decode()
    assert orders.filter(source=OrderSource.VISIT, visit__isnull=False).count() >= 8
    assert all(order.issued_on >= order.visit.end_date for order in orders.exclude(visit=None))
    office = orders.get(source=OrderSource.SELFCHECK)
    assert office.group_id is None and office.unit.code == "HY"
    linked = orders.get(task__isnull=False)
    assert linked.task.supervision_orders.get() == linked
    assert linked.task.workstream.name == demo.WORKSTREAM
    assert actions.refresh_orders(TODAY) == 0


def test_the_units_are_told_of_their_orders(site):
    assert Notification.objects.filter(
        kind="supervision.order.issued", recipient__username="liaison"
    ).exists()
    assert Notification.objects.filter(kind="supervision.order.returned").exists()


def test_loading_twice_changes_nothing(site):
    def snapshot():
        return {
            "counts": [
                model.objects.count()
                for model in (
                    ScoreTemplate,
                    Group,
                    Member,
                    Assignment,
                    Visit,
                    Scorecard,
                    Draw,
                    ChecklistEntry,
                    Order,
                    OrderFile,
                    AuditEvent,
                    Notification,
                )
            ],
            "orders": set(Order.objects.values_list("pk", "state", "colour", "version")),
        }

    before = snapshot()
    assert demo.load(site.admin) == site.summary
    assert snapshot() == before


def test_audit_chain_verifies(site):
    checked, broken = chain.verify()
    assert broken is None
    assert checked > Visit.objects.count() + Order.objects.count()


def test_the_timeline_is_in_the_past(site):
    assert not Visit.objects.filter(planned=False, start_date__gte=TODAY).exists()
    assert not Order.objects.filter(issued_on__gt=TODAY).exists()
    assert not Draw.objects.filter(
        sealed_at__date__gt=TODAY + timedelta(days=1)
    ).exists()  # stored in UTC
    assert rules.month_of(TODAY) == MONTH
