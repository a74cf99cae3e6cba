"""Property test: a user sees the study sessions and talk rounds of the units under the grants
that give learning.view, the talks under those that give learning.lead, and their own; nothing
else. So a county's liaison never sees another county's sessions or talks. Random trees, grants,
sessions, talks."""

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from tests.factories import PersonFactory, UnitFactory, UserFactory
from zhengdun.learning.models import Session, Talk, TalkRound
from zhengdun.learning.permissions import (
    LearningPerm,
    sessions_visible_to,
    talk_rounds_visible_to,
    talks_visible_to,
)
from zhengdun.org.models import Grant
from zhengdun.org.roles import Role, perms_of

ROLES = [role.value for role in Role]
DAY = date(2026, 3, 10)


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
    sessions = draw(st.lists(st.integers(0, size - 1), min_size=1, max_size=5))
    # (author: a user 0-2 or another person 3, unit of the author)
    talks = draw(st.lists(st.tuples(st.integers(0, 3), st.integers(0, size - 1)), max_size=5))
    homes = draw(st.lists(st.integers(0, size - 1), min_size=3, max_size=3))
    return parents, grants, sessions, talks, homes


class LearningScopeMatchesTheReference(TestCase):
    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(worlds())
    def test_visibility(self, world):
        self.check(*world)

    def check(self, parents, grants, session_units, talks, homes):
        units = []
        for parent in parents:
            units.append(UnitFactory(parent=units[parent] if parent is not None else None))
        users = [UserFactory(username=f"u{index}") for index in range(3)]
        people = [
            PersonFactory(unit=units[homes[index]], user=user) for index, user in enumerate(users)
        ]
        for user_index, role, unit_index in grants:
            Grant.objects.get_or_create(user=users[user_index], role=role, unit=units[unit_index])
        sessions = [
            Session.objects.create(
                unit=units[i],
                unit_path=units[i].path,
                topic="t",
                subject="law",
                held_on=DAY,
                hours=1,
            )
            for i in session_units
        ]
        round_ = TalkRound.objects.create(
            title="r", unit=units[0], unit_path=units[0].path, opens_on=DAY, due_on=DAY
        )
        rows = []
        for author, unit_index in talks:
            person = people[author] if author < 3 else PersonFactory(unit=units[unit_index])
            if Talk.objects.filter(round=round_, person=person).exists():
                continue
            rows.append(
                Talk.objects.create(
                    round=round_,
                    person=person,
                    unit=units[unit_index],
                    unit_path=units[unit_index].path,
                    mission="m",
                    shortcomings="s",
                    direction="d",
                )
            )
        for index, user in enumerate(users):
            held = Grant.objects.filter(user=user)

            def covered(path, perm, held=held):
                return any(
                    perm in perms_of(grant.role) and path.startswith(grant.unit.path)
                    for grant in held
                )

            expected_sessions = {s.pk for s in sessions if covered(s.unit_path, LearningPerm.VIEW)}
            self.assertEqual(
                set(sessions_visible_to(user).values_list("pk", flat=True)), expected_sessions
            )
            expected_talks = {
                t.pk
                for t in rows
                if t.person_id == people[index].pk or covered(t.unit_path, LearningPerm.LEAD)
            }
            self.assertEqual(
                set(talks_visible_to(user).values_list("pk", flat=True)), expected_talks
            )
            # A round is seen by those who view its unit and by those who take part in it.
            sees_round = covered(round_.unit_path, LearningPerm.VIEW) or people[
                index
            ].unit.path.startswith(round_.unit_path)
            self.assertEqual(talk_rounds_visible_to(user).filter(pk=round_.pk).exists(), sees_round)
