"""Property test: a supervisor sees the visits and orders of the units their groups are
assigned to today (and the subtrees below them), and nothing else; a unit's own grants show
the visits to it and its orders. Random trees, grants, groups and assignments."""

from datetime import date, timedelta

import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from tests.factories import PersonFactory, UnitFactory, UserFactory
from zhengdun.campaigns import actions as campaign_actions
from zhengdun.org import scope
from zhengdun.org.models import Grant
from zhengdun.org.roles import Role, perms_of
from zhengdun.supervision import actions
from zhengdun.supervision.models import Order, Visit
from zhengdun.supervision.permissions import orders_visible_to, visits_visible_to

TODAY = date(2026, 11, 16)
ROLES = [role.value for role in Role]


@st.composite
def worlds(draw):
    size = draw(st.integers(min_value=2, max_value=7))
    parents = [None] + [draw(st.integers(min_value=0, max_value=i - 1)) for i in range(1, size)]
    grants = draw(
        st.lists(
            st.tuples(st.integers(0, 2), st.sampled_from(ROLES), st.integers(0, size - 1)),
            max_size=4,
        )
    )
    # (group, unit, starts in days from today, lasts days or None)
    assignments = draw(
        st.lists(
            st.tuples(
                st.integers(0, 1),
                st.integers(0, size - 1),
                st.integers(-20, 5),
                st.one_of(st.none(), st.integers(0, 30)),
            ),
            max_size=5,
        )
    )
    # Which of the three users is a member of which group.
    members = draw(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 1)), max_size=4))
    visits = draw(st.lists(st.integers(0, size - 1), min_size=1, max_size=5))
    return parents, grants, assignments, members, visits


class SupervisionScopeMatchesTheReference(TestCase):
    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(worlds())
    def test_visibility(self, world):
        parents, grants, assignments, members, visit_units = world
        with time_machine.travel(TODAY, tick=False):
            self.check(parents, grants, assignments, members, visit_units)

    def check(self, parents, grants, assignments, members, visit_units):
        units = []
        for parent in parents:
            units.append(UnitFactory(parent=units[parent] if parent is not None else None))
        users = [UserFactory(username=f"u{index}") for index in range(3)]
        people = [PersonFactory(unit=units[0], user=user) for user in users]
        for user_index, role, unit_index in grants:
            Grant.objects.get_or_create(user=users[user_index], role=role, unit=units[unit_index])
        root = UserFactory(username="root", is_superuser=True)
        campaign = campaign_actions.create_campaign(
            root,
            unit=units[0],
            name="整顿",
            start_date=TODAY - timedelta(days=60),
            end_date=TODAY + timedelta(days=60),
            workstreams=["督导"],
            phases=[],
        )
        membership = {(u, g) for u, g in members}
        groups = [
            actions.create_group(
                root,
                campaign=campaign,
                name=f"组{g}",
                members=[(people[u], False) for u, gg in sorted(membership) if gg == g],
            )
            for g in range(2)
        ]
        for group_index, unit_index, starts, lasts in assignments:
            start = TODAY + timedelta(days=starts)
            actions.assign(
                root,
                group=groups[group_index],
                unit=units[unit_index],
                starts_on=start,
                ends_on=None if lasts is None else start + timedelta(days=lasts),
            )
        for index, unit_index in enumerate(visit_units):
            visit = actions.log_visit(
                root,
                group=groups[index % 2],
                unit=units[unit_index],
                start_date=TODAY - timedelta(days=3),
                end_date=TODAY - timedelta(days=2),
                mode="work",
                kind="resident",
            )
            actions.issue_order(
                root,
                campaign=campaign,
                group=groups[index % 2],
                visit=visit,
                unit=units[unit_index],
                problem="问题",
                requirement="要求",
                deadline=TODAY + timedelta(days=10),
                source="visit",
                on=TODAY,
            )

        def under(unit_index, top):
            node = unit_index
            while node is not None:
                if node == top:
                    return True
                node = parents[node]
            return False

        def sees(user_index, unit_index):
            by_grant = any(
                i == user_index and "supervision.view" in perms_of(role) and under(unit_index, u)
                for i, role, u in grants
            )
            by_group = any(
                (user_index, g) in membership
                and under(unit_index, u)
                and TODAY + timedelta(days=s) <= TODAY
                and (lasts is None or TODAY + timedelta(days=s + lasts) >= TODAY)
                for g, u, s, lasts in assignments
            )
            return by_grant or by_group

        for user_index, user in enumerate(users):
            scope.forget(user)
            index_of = {unit.pk: i for i, unit in enumerate(units)}
            expected_visits = {
                visit.pk
                for visit in Visit.objects.all()
                if sees(user_index, index_of[visit.unit_id])
            }
            expected_orders = {
                order.pk
                for order in Order.objects.all()
                if sees(user_index, index_of[order.unit_id])
            }
            assert set(visits_visible_to(user).values_list("pk", flat=True)) == expected_visits
            assert set(orders_visible_to(user).values_list("pk", flat=True)) == expected_orders
