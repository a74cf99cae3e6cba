"""Property test: over random trees, grants, subjects and handler picks, a clue is visible to
exactly the discipline head(s) and its assigned handlers, minus anyone it is about; the
subject's chain of command and the subjects themselves are never made handlers (refused), and
administrators, superusers and the office see nothing by their role."""

from datetime import date

import time_machine
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from tests.factories import PersonFactory, UnitFactory, UserFactory
from zhengdun.integrity import actions
from zhengdun.integrity.models import ClueHandler
from zhengdun.integrity.permissions import clues_visible_to, forget
from zhengdun.org.models import Grant
from zhengdun.org.roles import Role

TODAY = date(2026, 11, 16)
ROLES = [role.value for role in Role]
USERS = 5  # user 4 is a superuser


@st.composite
def worlds(draw):
    size = draw(st.integers(min_value=2, max_value=7))
    parents = [None] + [draw(st.integers(min_value=0, max_value=i - 1)) for i in range(1, size)]
    homes = [draw(st.integers(0, size - 1)) for _ in range(USERS)]
    grants = draw(
        st.lists(
            st.tuples(st.integers(0, USERS - 1), st.sampled_from(ROLES), st.integers(0, size - 1)),
            max_size=6,
        )
    )
    # Each clue: subject users (by index), subject units, handler picks (by index).
    clues = draw(
        st.lists(
            st.tuples(
                st.sets(st.integers(0, USERS - 1), max_size=2),
                st.sets(st.integers(0, size - 1), max_size=2),
                st.lists(st.integers(0, USERS - 1), max_size=3),
            ),
            min_size=1,
            max_size=3,
        )
    )
    return parents, homes, grants, clues


class ClueVisibilityMatchesTheReference(TestCase):
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(worlds())
    def test_visibility(self, world):
        with time_machine.travel(TODAY, tick=False):
            self.check(*world)

    def check(self, parents, homes, grants, clue_specs):
        units = []
        for parent in parents:
            units.append(UnitFactory(parent=units[parent] if parent is not None else None))
        users = [
            UserFactory(username=f"u{index}", is_superuser=index == USERS - 1)
            for index in range(USERS)
        ]
        people = [PersonFactory(unit=units[homes[i]], user=user) for i, user in enumerate(users)]
        for user_index, role, unit_index in grants:
            Grant.objects.get_or_create(user=users[user_index], role=role, unit=units[unit_index])
        # The chief inspector registers and triages; a head by construction.
        chief = UserFactory(username="chief")
        Grant.objects.create(user=chief, role=Role.INSPECTOR, unit=units[0])
        for user in users:
            forget(user)

        def ancestors(unit_index):
            node = unit_index
            while node is not None:
                yield node
                node = parents[node]

        def heads(user_index):
            return any(
                i == user_index and role == Role.INSPECTOR and u == 0 for i, role, u in grants
            )

        def chain(user_index, unit_indexes):
            above = {a for unit in unit_indexes for a in ancestors(unit)}
            return any(
                i == user_index and role == Role.UNIT_LEADER and u in above for i, role, u in grants
            )

        expected: dict[int, set[int]] = {i: set() for i in range(USERS)}
        for subject_users, subject_units, picks in clue_specs:
            clue = actions.register_clue(
                chief,
                source="letter",
                received_on=TODAY,
                category="work",
                summary="来信反映有关问题。",
                subject_persons=[people[i] for i in sorted(subject_users)],
                subject_units=[units[u] for u in sorted(subject_units)],
                on=TODAY,
            )
            subject_unit_indexes = set(subject_units) | {homes[i] for i in subject_users}
            handlers = set()
            for pick in picks:
                refused = pick in subject_users or chain(pick, subject_unit_indexes)
                try:
                    actions.triage(chief, clue=clue, mode="verify", lead=users[pick], on=TODAY)
                except ValidationError:
                    assert refused, (pick, subject_users, subject_unit_indexes)
                else:
                    assert not refused
                    handlers.add(pick)
            assert set(
                ClueHandler.objects.filter(clue=clue, active=True).values_list(
                    "user__username", flat=True
                )
            ) == {f"u{i}" for i in handlers}
            for i in range(USERS):
                if i not in subject_users and (heads(i) or i in handlers):
                    expected[i].add(clue.pk)

        for index, user in enumerate(users):
            forget(user)
            assert set(clues_visible_to(user).values_list("pk", flat=True)) == expected[index], (
                index,
                grants,
            )
