"""The scope's one query is compiled once a day and given each user's id."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengdun.org import scope
from zhengdun.org.roles import Perm


def _fresh(user):
    return get_user_model().objects.get(pk=user.pk)


def test_each_user_gets_their_own_scope_from_the_shared_sql(org):
    scope._compiled.clear()
    roots = {}
    for name in ("office", "leader_a", "viewer_b", "officer_a1", "outsider"):
        user = _fresh(getattr(org, name))
        with CaptureQueriesContext(connection) as captured:
            held = scope.scope_of(user)
        assert len(captured.captured_queries) == 1
        roots[name] = held.roots.get(Perm.VIEW_ORG, ())
    assert len(scope._compiled) == 1
    assert roots["office"] == (org.city.path,)
    assert roots["leader_a"] == (org.county_a.path,)
    assert roots["viewer_b"] == (org.county_b.path,)
    assert roots["officer_a1"] == (org.station_a1.path,)
    assert roots["outsider"] == ()


def test_the_stand_in_id_never_reaches_the_database(org):
    scope._compiled.clear()
    scope.scope_of(_fresh(org.office))
    _sql, params = scope._sources_sql(_fresh(org.leader_a))
    assert scope._StandIn.pk not in params
    assert org.leader_a.pk in params


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_postgresql_keeps_the_scope_query_prepared(org):
    threshold = connection.settings_dict["OPTIONS"]["prepare_threshold"]
    if threshold is None:
        pytest.skip("prepared statements turned off (ZHENGDUN_DB_PREPARE_THRESHOLD=off)")
    for _ in range(threshold + 1):
        held = scope.scope_of(_fresh(org.leader_a))
    assert held.roots[Perm.VIEW_ORG] == (org.county_a.path,)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("org_grant" in statement for statement in prepared)
