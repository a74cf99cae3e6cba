"""Property test: for random trees, grants and tasks, a user sees exactly the tasks held in
the subtrees of their grants, in queries, list pages, detail pages and the overview."""

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from tests.factories import UnitFactory, UserFactory
from zhengdun.campaigns import queries
from zhengdun.campaigns.models import Campaign, Task, Workstream
from zhengdun.org.models import Grant
from zhengdun.org.roles import Role, perms_of

ROLES = [role.value for role in Role]


@st.composite
def worlds(draw):
    size = draw(st.integers(min_value=2, max_value=10))
    parents = [None] + [draw(st.integers(min_value=0, max_value=i - 1)) for i in range(1, size)]
    grants = draw(
        st.lists(
            st.tuples(st.integers(0, 1), st.sampled_from(ROLES), st.integers(0, size - 1)),
            max_size=4,
        )
    )
    tasks = draw(st.lists(st.integers(0, size - 1), min_size=1, max_size=12))
    return parents, grants, tasks


class TaskScopeMatchesReference(TestCase):
    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(worlds())
    def test_tasks_visible_match_the_reference(self, world):
        parents, grants, task_units = world
        units = []
        for parent in parents:
            units.append(UnitFactory(parent=units[parent] if parent is not None else None))
        users = [UserFactory(username=f"u{index}") for index in range(2)]
        for user_index, role, unit_index in grants:
            Grant.objects.get_or_create(user=users[user_index], role=role, unit=units[unit_index])
        campaign = Campaign.objects.create(
            unit=units[0], name="c", start_date=date(2026, 11, 1), end_date=date(2027, 1, 1)
        )
        stream = Workstream.objects.create(campaign=campaign, name="w")
        tasks = [
            Task.objects.create(
                campaign=campaign,
                workstream=stream,
                unit=units[index],
                unit_path=units[index].path,
                branch=units[index].path[:8],
                title=f"t{number}",
                start_date=date(2026, 11, 1),
                due_date=date(2026, 12, 1),
            )
            for number, index in enumerate(task_units)
        ]
        for task in tasks:
            Task.objects.filter(pk=task.pk).update(root_id=task.pk)

        for user_index, user in enumerate(users):
            holders = {
                u for i, role, u in grants if i == user_index and "campaigns.view" in perms_of(role)
            }

            def visible(index, holders=holders):
                while index is not None:
                    if index in holders:
                        return True
                    index = parents[index]
                return False

            expected = {
                task.pk for task, index in zip(tasks, task_units, strict=True) if visible(index)
            }
            got = set(queries.tasks_visible_to(user, campaign).values_list("pk", flat=True))
            assert got == expected
            self.client.force_login(user)
            for task in tasks:
                status = self.client.get(f"/campaigns/tasks/{task.pk}/").status_code
                assert status == (200 if task.pk in expected else 404)
            for index, unit in enumerate(units):
                status = self.client.get(
                    f"/campaigns/{campaign.pk}/", {"unit": unit.pk}
                ).status_code
                assert status == (200 if visible(index) else 404)
            self.client.logout()
