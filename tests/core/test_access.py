"""Every view declares who may open it; lists are bounded in queries; errors look alike."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from tests.factories import PersonFactory, UnitFactory
from zhengdun.core.access import ACCESS_ATTR


def walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def test_every_project_view_declares_its_access():
    undeclared = []
    for route, callback in walk(get_resolver().url_patterns):
        module = getattr(callback, "__module__", "")
        if not module.startswith("zhengdun."):
            continue  # Django's admin and Ninja's router check their own access.
        if not getattr(callback, ACCESS_ATTR, None):
            undeclared.append(route)
    assert undeclared == []


def test_api_operations_all_require_authentication():
    from zhengdun.api import api

    open_operations = [
        (path, operation.view_func.__name__)
        for prefix, router in api._routers
        for path, path_view in router.path_operations.items()
        for operation in path_view.operations
        if not (operation.auth_callbacks or api.auth)
    ]
    assert open_operations == []


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(reverse("org:unit_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_outsider_gets_not_found_for_pages_they_may_not_use(org, login):
    client = login(org.outsider)
    for url in (reverse("org:unit_list"), reverse("org:import"), reverse("audit:event_list")):
        assert client.get(url).status_code == 404


def test_hidden_and_missing_objects_look_the_same(org, login):
    client = login(org.leader_a)
    hidden = client.get(reverse("org:unit_detail", args=[org.county_b.pk]))
    missing = client.get(reverse("org:unit_detail", args=[999999]))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


def test_read_only_user_who_tries_a_write_gets_forbidden(org, login):
    client = login(org.leader_a)
    # The leader may see the station but not edit it.
    assert client.get(reverse("org:unit_detail", args=[org.station_a1.pk])).status_code == 200
    response = client.get(reverse("org:unit_edit", args=[org.station_a1.pk]))
    assert response.status_code == 404  # no manage right anywhere: the page does not exist
    office_client = login(org.office)
    assert office_client.get(reverse("org:unit_edit", args=[org.station_a1.pk])).status_code == 200


def test_manager_of_one_subtree_gets_forbidden_elsewhere_but_not_found_outside(org, login):
    from tests.factories import GrantFactory

    GrantFactory(user=org.liaison_a, role="office", unit=org.station_a1)
    client = login(org.liaison_a)
    # Sees county A (liaison there) but may manage only station A1: 403 on A2, 200 on A1.
    assert client.get(reverse("org:unit_edit", args=[org.station_a2.pk])).status_code == 403
    assert client.get(reverse("org:unit_edit", args=[org.station_a1.pk])).status_code == 200
    # County B is not visible at all: 404.
    assert client.get(reverse("org:unit_edit", args=[org.county_b.pk])).status_code == 404


def test_error_pages_are_in_the_users_language(org, login):
    client = login(org.leader_a)
    response = client.get(reverse("org:unit_detail", args=[999999]))
    assert response.status_code == 404
    assert 'lang="zh-hans"' in response.content.decode()
    client.cookies["django_language"] = "en"
    response = client.get(reverse("org:unit_detail", args=[999999]))
    assert "Not found" in response.content.decode()


@pytest.mark.parametrize(
    "url_name", ["org:unit_list", "org:person_list", "audit:event_list", "notify:inbox"]
)
def test_list_pages_issue_a_bounded_number_of_queries(
    org, login, django_assert_max_num_queries, url_name
):
    client = login(org.office)
    client.get(reverse(url_name))  # warm caches (content types, sessions)

    def grow(count):
        for _ in range(count):
            unit = UnitFactory(parent=org.county_b)
            PersonFactory(unit=unit)

    grow(3)
    with django_assert_max_num_queries(12) as small:
        assert client.get(reverse(url_name)).status_code == 200
    grow(60)
    with django_assert_max_num_queries(12) as large:
        assert client.get(reverse(url_name)).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_unit_page_query_count_does_not_grow_with_children(
    org, login, django_assert_max_num_queries
):
    client = login(org.office)
    url = reverse("org:unit_detail", args=[org.county_b.pk])
    client.get(url)
    for _ in range(3):
        PersonFactory(unit=UnitFactory(parent=org.county_b))
    with django_assert_max_num_queries(20) as small:
        client.get(url)
    for _ in range(40):
        PersonFactory(unit=UnitFactory(parent=org.county_b))
    with django_assert_max_num_queries(20) as large:
        client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_shell_assets_are_collected(tmp_path, settings):
    """The stylesheet, script and icon live in the project package, not an app: collectstatic
    must still find them, or production pages render unstyled."""
    from django.contrib.staticfiles import finders

    for name in ("zhengdun/app.css", "zhengdun/app.js", "zhengdun/favicon.svg"):
        assert finders.find(name), name


def test_history_renders_any_shape_of_change():
    from types import SimpleNamespace

    from zhengdun.core.templatetags.zd import change_text

    event = SimpleNamespace(object_type="campaigns.task")
    with translation.override("en"):
        assert change_text(event, "files", []) == "evidence files: —"
        assert (
            change_text(event, "other", ["a.png", "b.pdf", "c.doc"]) == "other: a.png、b.pdf、c.doc"
        )
    assert change_text(event, "phases", [["学习教育"], ["学习教育", "查纠整改"]]).endswith(
        "学习教育 → 学习教育、查纠整改"
    )
    assert change_text(event, "levels", {"reward": ["a", "b"]}) == "levels: reward: a、b"
