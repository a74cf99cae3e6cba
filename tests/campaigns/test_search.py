"""Task titles searched through the trigram index of core.textsearch, on either database."""

from django.db import connection

from zhengdun.campaigns import actions, queries
from zhengdun.campaigns.models import Task
from zhengdun.core import textsearch

from .conftest import TODAY


def _found(org, campaign, text: str) -> set[str]:
    filters = queries.TaskFilters(q=text)
    return set(
        queries.tasks_visible_to(org.office, campaign, filters).values_list("title", flat=True)
    )


def test_titles_are_found_by_any_part_and_kept_in_step(org, campaign, make_task):
    night = make_task(title="开展公安夜校学习")
    make_task(title="公安网校上线")
    open_day = make_task(title="警营开放日")

    assert _found(org, campaign, "公安夜校") == {"开展公安夜校学习"}
    assert _found(org, campaign, "夜校学习") == {"开展公安夜校学习"}
    # Fewer than three characters: no trigram, the plain LIKE.
    assert _found(org, campaign, "公安") == {"开展公安夜校学习", "公安网校上线"}
    assert _found(org, campaign, "校") == {"开展公安夜校学习", "公安网校上线"}
    # Characters that mean something to FTS5 or LIKE are searched as they are.
    assert _found(org, campaign, '"公安夜') == set()
    assert _found(org, campaign, "公安%校") == set()
    assert _found(org, campaign, "OR 警营") == set()

    actions.update_task(
        org.office, task=open_day, version=open_day.version, title="警营开放日（第二期）", on=TODAY
    )
    assert _found(org, campaign, "第二期") == {"警营开放日（第二期）"}
    Task.objects.filter(pk=open_day.pk).update(title="两代表一委员座谈会")
    assert _found(org, campaign, "警营开放") == set()
    assert _found(org, campaign, "一委员") == {"两代表一委员座谈会"}

    Task.objects.filter(pk=night.pk).delete()
    assert _found(org, campaign, "公安夜校") == set()


def test_the_database_can_answer_from_the_index(org, campaign, make_task):
    make_task(title="开展公安夜校学习")
    table = Task._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Django rebuilds a SQLite table to alter a column, dropping its triggers: a later
            # migration of Task must create them again.
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table]
            )
            assert {row[0] for row in cursor.fetchall()} >= textsearch.sqlite_triggers(
                table, "title"
            )
            cursor.execute(
                'SELECT count(*) FROM "campaigns_task_title_fts" '
                'WHERE "campaigns_task_title_fts" MATCH \'"公安夜校"\''
            )
            assert cursor.fetchone()[0] == 1
            sql, params = (
                queries.tasks_visible_to(org.office, campaign, queries.TaskFilters(q="公安夜校"))
                .values("pk")
                .query.sql_with_params()
            )
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            assert "campaigns_task_title_fts" in str(cursor.fetchall())
        else:
            cursor.execute("SET LOCAL enable_seqscan = off")
            sql, params = (
                Task.objects.filter(textsearch.contains(Task, "title", "公安夜校"))
                .values("pk")
                .query.sql_with_params()
            )
            cursor.execute("EXPLAIN " + sql, params)
            assert "campaigns_task_title_trgm" in str(cursor.fetchall())
