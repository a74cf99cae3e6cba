"""Queries run with server-side binding are prepared once per connection on PostgreSQL."""

import pytest
from django.db import connection

from zhengdun.core.db import server_bound
from zhengdun.core.pagination import IdsFirst
from zhengdun.org.models import Unit

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements: PostgreSQL"
)


def _prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_a_pages_rows_are_read_with_a_prepared_statement(org):
    units = Unit.objects.order_by("path")
    expected = list(units.values_list("path", flat=True)[:3])
    threshold = connection.settings_dict["OPTIONS"]["prepare_threshold"]
    if threshold is None:
        pytest.skip("prepared statements turned off (ZHENGDUN_DB_PREPARE_THRESHOLD=off)")
    for _ in range(threshold + 1):
        assert [unit.path for unit in IdsFirst(units)[0:3]] == expected
    assert any('"org_unit"."id" IN' in statement for statement in _prepared())


def test_the_connection_binds_on_the_client_again_afterwards(org):
    connection.ensure_connection()
    before = connection.connection.cursor_factory
    with server_bound():
        assert connection.connection.cursor_factory is not before
        assert Unit.objects.filter(pk=org.city.pk).exists()
    assert connection.connection.cursor_factory is before
