"""The installed command, the production settings and the demo, as a new user runs them."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ZHENGDUN = str(Path(sys.executable).with_name("zhengdun"))


def run(args, data_dir, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ZHENGDUN_", "DJANGO_"))
    }
    environment.update({"ZHENGDUN_DATA_DIR": str(data_dir), **env})
    return subprocess.run(
        [ZHENGDUN, *args], env=environment, capture_output=True, text=True, timeout=300
    )


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = run(
        ["check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        DJANGO_SETTINGS_MODULE="zhengdun.settings_production",
        ZHENGDUN_SECRET_KEY="a-production-secret-" + "x7Kq" * 12,
        ZHENGDUN_ALLOWED_HOSTS="zhengdun.bureau.internal",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_demo_loads_idempotently_into_a_wal_sqlite_database(tmp_path):
    assert run(["migrate", "--noinput", "-v0"], tmp_path).returncode == 0
    refused = run(["demo"], tmp_path)
    assert refused.returncode != 0
    assert "demo mode" in refused.stderr
    first = run(["demo"], tmp_path, ZHENGDUN_DEMO="true")
    assert first.returncode == 0, first.stderr
    for username in ("admin", "office", "leader", "liaison", "officer", "supervisor", "inspector"):
        assert username in first.stdout
    second = run(["demo"], tmp_path, ZHENGDUN_DEMO="true")
    assert second.returncode == 0, second.stderr
    database = sqlite3.connect(tmp_path / "zhengdun.sqlite3")
    assert database.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    units = database.execute("SELECT count(*) FROM org_unit").fetchone()[0]
    people = database.execute("SELECT count(*) FROM org_person").fetchone()[0]
    retired = database.execute(
        "SELECT count(*) FROM org_person WHERE status = 'retired_from_post'"
    ).fetchone()[0]
    counties = database.execute(
        "SELECT count(*) FROM org_unit WHERE kind = 'county_bureau'"
    ).fetchone()[0]
    assert counties == 8
    assert 280 <= people <= 340
    assert retired == 10
    assert f"{units} units, {people} people" in second.stdout  # nothing doubled
    verify = run(["audit", "verify"], tmp_path)
    assert verify.returncode == 0, verify.stderr


def test_demo_names_are_fictitious():
    from zhengdun.org.demo import REAL_NAMES, NameMaker

    make = NameMaker()
    names = {make() for _ in range(400)}
    assert len(names) == 400
    assert not names & REAL_NAMES


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite tuning only applies to SQLite")
def test_sqlite_is_tuned_for_a_server(db):
    options = connection.settings_dict["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1


def test_postgresql_options_from_the_url_are_kept(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from zhengdun import settings; print(settings.DATABASES['default']['OPTIONS'])",
        ],
        env={
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("ZHENGDUN_", "DJANGO_"))
        }
        | {
            "ZHENGDUN_DATA_DIR": str(tmp_path),
            "ZHENGDUN_DATABASE_URL": "postgres://u@db.internal/zd?sslmode=verify-full",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "'sslmode': 'verify-full'" in result.stdout
    assert "'prepare_threshold': 2" in result.stdout
