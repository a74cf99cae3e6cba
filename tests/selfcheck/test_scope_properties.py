"""Property test: a personal report is seen only by the person and the leaders above them;
a unit report by whoever sees the unit. Random trees, grants and people."""

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from tests.factories import PersonFactory, UnitFactory, UserFactory
from zhengdun.org.models import Grant
from zhengdun.org.roles import Role, perms_of
from zhengdun.selfcheck import actions
from zhengdun.selfcheck.models import Report, ReportKind
from zhengdun.selfcheck.permissions import reports_visible_to

ROLES = [role.value for role in Role]


@st.composite
def worlds(draw):
    size = draw(st.integers(min_value=2, max_value=8))
    parents = [None] + [draw(st.integers(min_value=0, max_value=i - 1)) for i in range(1, size)]
    grants = draw(
        st.lists(
            st.tuples(st.integers(0, 2), st.sampled_from(ROLES), st.integers(0, size - 1)),
            max_size=5,
        )
    )
    # Three people with logins (the users of the grants) and a few without.
    homes = draw(st.lists(st.integers(0, size - 1), min_size=3, max_size=6))
    return parents, grants, homes


class PersonalReportsAreNeedToKnow(TestCase):
    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(worlds())
    def test_visibility_matches_the_reference(self, world):
        parents, grants, homes = world
        units = []
        for parent in parents:
            units.append(UnitFactory(parent=units[parent] if parent is not None else None))
        users = [UserFactory(username=f"u{index}") for index in range(3)]
        people = [
            PersonFactory(unit=units[home], user=users[index] if index < 3 else None)
            for index, home in enumerate(homes)
        ]
        for user_index, role, unit_index in grants:
            Grant.objects.get_or_create(user=users[user_index], role=role, unit=units[unit_index])
        office = UserFactory(username="planner", is_superuser=True)
        catalogue = actions.create_catalogue(
            office,
            name="清单",
            dimensions=[{"name": "维度", "items": [{"code": "1", "title": "问题"}]}],
        )
        round_ = actions.open_round(
            office,
            name="轮次",
            catalogue=catalogue,
            unit=units[0],
            due_date=date(2027, 1, 1),
            opened_on=date(2026, 11, 1),
        )

        def covered(user_index, perm, unit_index):
            holders = {u for i, role, u in grants if i == user_index and perm in perms_of(role)}
            node = unit_index
            while node is not None:
                if node in holders:
                    return True
                node = parents[node]
            return False

        def serves_under(person, unit_index):
            node = units.index(next(u for u in units if u.pk == person.unit_id))
            while node is not None:
                if node == unit_index:
                    return True
                node = parents[node]
            return False

        for user_index, user in enumerate(users):
            expected = set()
            for report in Report.objects.filter(round=round_).select_related("person"):
                index = units.index(next(u for u in units if u.pk == report.unit_id))
                if report.kind == ReportKind.UNIT:
                    member = any(
                        person.user_id == user.pk and serves_under(person, index)
                        for person in people
                    )
                    if covered(user_index, "selfcheck.view", index) or member:
                        expected.add(report.pk)
                elif report.person.user_id == user.pk or covered(
                    user_index, "selfcheck.lead", index
                ):
                    expected.add(report.pk)
            got = set(reports_visible_to(user).filter(round=round_).values_list("pk", flat=True))
            assert got == expected
            self.client.force_login(user)
            for report in Report.objects.filter(round=round_, kind=ReportKind.PERSON):
                status = self.client.get(f"/selfcheck/reports/{report.pk}/").status_code
                assert status == (200 if report.pk in expected else 404)
            self.client.logout()
        assert people
