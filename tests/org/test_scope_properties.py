"""Property tests: for random trees, grants and people, every read path returns exactly what a
simple reference rule allows: a role granted on a unit covers that unit and everything below it.

The reference walks parent pointers in Python; the application uses materialized paths in SQL.
"""

from django.db.models import Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from tests.factories import UnitFactory, UserFactory
from zhengdun.org import queries, scope
from zhengdun.org.models import Grant, Person, Unit
from zhengdun.org.roles import Perm, Role, perms_of

ROLES = [role.value for role in Role]


@st.composite
def worlds(draw):
    size = draw(st.integers(min_value=1, max_value=14))
    # Unit i hangs under an earlier unit, or is a root (several roots are allowed).
    parents = [None] + [
        draw(st.one_of(st.none(), st.integers(min_value=0, max_value=i - 1)))
        if i > 1
        else draw(st.one_of(st.none(), st.just(0)))
        for i in range(1, size)
    ]
    active = [draw(st.booleans()) if i else True for i in range(size)]
    grants = draw(
        st.lists(
            st.tuples(st.integers(0, 2), st.sampled_from(ROLES), st.integers(0, size - 1)),
            max_size=6,
        )
    )
    people = draw(st.lists(st.integers(0, size - 1), max_size=20))
    return parents, active, grants, people


class ScopeMatchesReference(TestCase):
    def build(self, parents, active, grants, people):
        units = []
        for index, parent in enumerate(parents):
            units.append(
                UnitFactory(
                    parent=units[parent] if parent is not None else None,
                    is_active=active[index],
                )
            )
        users = [UserFactory(username=f"u{index}") for index in range(3)]
        for user_index, role, unit_index in grants:
            Grant.objects.get_or_create(user=users[user_index], role=role, unit=units[unit_index])
        for number, unit_index in enumerate(people):
            Person.objects.create(
                name=f"p{number}", police_number=f"P{number}", unit=units[unit_index]
            )
        return units, users

    @staticmethod
    def reference(units, parents, active, grants, user_index, perm):
        """Indices of the units the user holds ``perm`` on, by walking up from each unit."""
        holders = {
            unit_index
            for u, role, unit_index in grants
            if u == user_index and perm in perms_of(role) and active[unit_index]
        }
        visible = set()
        for index in range(len(units)):
            node = index
            while node is not None:
                if node in holders:
                    visible.add(index)
                    break
                node = parents[node]
        return visible

    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(worlds())
    def test_every_read_path_matches_the_reference(self, world):
        parents, active, grants, people = world
        units, users = self.build(parents, active, grants, people)
        ids = [unit.pk for unit in units]
        for user_index, user in enumerate(users):
            for perm in (Perm.VIEW_ORG, Perm.MANAGE_ORG):
                expected = {
                    ids[i] for i in self.reference(units, parents, active, grants, user_index, perm)
                }
                got = set(scope.units(user, perm).values_list("pk", flat=True))
                assert got == expected, (perm, user_index)
                # OR-ed with another condition (as modules do to add "or my own"), the filter
                # still keeps everything it covered, also for a whole-tree holder.
                widened = Unit.objects.filter(scope.within(user, perm, "path") | Q(pk=-1))
                assert set(widened.values_list("pk", flat=True)) == expected, (perm, user_index)
                for unit in Unit.objects.filter(pk__in=ids):
                    assert scope.can(user, perm, unit) == (unit.pk in expected)

            visible = {
                ids[i]
                for i in self.reference(units, parents, active, grants, user_index, Perm.VIEW_ORG)
            }
            expected_people = set(
                Person.objects.filter(unit_id__in=visible).values_list("pk", flat=True)
            )
            assert (
                set(queries.people_visible_to(user).values_list("pk", flat=True)) == expected_people
            )
            self.check_pages(user, ids, visible, expected_people, active)
            self.check_api(user, ids, visible, expected_people)

    def check_pages(self, user, ids, visible, expected_people, active):
        self.client.force_login(user)
        units_page = self.client.get("/org/units/")
        people_page = self.client.get("/org/people/")
        if not visible:
            assert units_page.status_code == 404
            assert people_page.status_code == 404
        else:
            active_ids = {pk for pk, on in zip(ids, active, strict=True) if on}
            listed = {unit.pk for unit in units_page.context["page"].object_list}
            assert listed == visible & active_ids
            people_listed = {person.pk for person in people_page.context["page"].object_list}
            assert people_listed == expected_people
        for pk in ids:
            status = self.client.get(f"/org/units/{pk}/").status_code
            assert status == (200 if pk in visible else 404), pk
        for person in Person.objects.filter(unit_id__in=ids):
            status = self.client.get(f"/org/people/{person.pk}/").status_code
            assert status == (200 if person.pk in expected_people else 404)
        self.client.logout()

    def check_api(self, user, ids, visible, expected_people):
        self.client.force_login(user)
        units = self.client.get("/api/v1/units", {"page_size": 200})
        people = self.client.get("/api/v1/people", {"page_size": 200})
        if not visible:
            assert units.status_code == 404
            assert people.status_code == 404
        else:
            # The API lists active units, like the page.
            listed = {item["id"] for item in units.json()["items"]}
            assert listed <= visible
            assert listed == set(
                Unit.objects.filter(pk__in=visible, is_active=True).values_list("pk", flat=True)
            )
            assert {item["id"] for item in people.json()["items"]} == expected_people
        for pk in ids:
            status = self.client.get(f"/api/v1/units/{pk}").status_code
            assert status == (200 if pk in visible else 404)
        self.client.logout()
