"""Encryption at rest and key rotation: the raw database and the data dir hold no plaintext of a
report; ``zhengdun rotate_keys`` re-encrypts every column and file under a new key, after which
the old key can go."""

import io
import json
import os
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from tests.portal.conftest import REPORT, upload
from zhengdun.integrity import crypto
from zhengdun.integrity.portal import actions, files
from zhengdun.integrity.portal.models import (
    PublicAttachment,
    PublicMessage,
    PublicReport,
)

SECRET = "在城东菜市场收受现金两千元"
NOTE = "附件说明：转账截图".encode()


def raw_rows(model) -> list[tuple]:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")
        return cursor.fetchall()


def _unescaped(text: str) -> str:
    """JSON columns keep non-ASCII text escaped (\\uXXXX) on SQLite: read them as text."""
    try:
        return json.dumps(json.loads(text), ensure_ascii=False)
    except (ValueError, TypeError):
        return text


def raw_bytes(model) -> bytes:
    out = b""
    for row in raw_rows(model):
        for value in row:
            if isinstance(value, bytes | memoryview):
                out += bytes(value)
            elif value is not None:
                out += _unescaped(str(value)).encode() + b"\x00"
    return out


def every_table_bytes() -> bytes:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    models = {model._meta.db_table: model for model in apps.get_models()}
    out = b""
    for table in tables:
        if table in models:
            out += raw_bytes(models[table])
    return out


def submit():
    receipt = actions.submit_report(
        **{**REPORT, "what": SECRET, "contact": "13900001111"},
        attachments=[upload("说明.txt", NOTE)],
    )
    actions.reporter_writes(report=receipt.report, body=SECRET + "（补充）")
    return receipt


@pytest.mark.django_db
def test_the_raw_database_and_files_hold_no_plaintext():
    receipt = submit()
    for model in (PublicReport, PublicMessage, PublicAttachment):
        stored = raw_bytes(model)
        for plain in (SECRET, REPORT["who"], REPORT["where_when"], "13900001111", "说明.txt"):
            assert plain.encode() not in stored, (model, plain)
    assert not receipt.report.anonymous
    # Nor anywhere else: the clue made from the report, the audit chain, the rate counters.
    actions.log_public_writes(actions.today() + timedelta(days=1))
    everything = every_table_bytes()
    assert REPORT["category"].encode() in everything  # the search reads plain columns
    assert SECRET.encode() not in everything and b"13900001111" not in everything
    for path in files.directory().iterdir():
        assert NOTE not in path.read_bytes()
    # Read through the models, everything is there.
    report = PublicReport.objects.get()
    assert (report.what, report.contact) == (SECRET, "13900001111")
    assert PublicAttachment.objects.get().name == "说明.txt"


def test_every_portal_text_column_is_registered_for_rotation():
    registered = {(model._meta.label, column) for model, column in crypto.encrypted_fields()}
    assert {
        ("portal.PublicReport", "what"),
        ("portal.PublicReport", "where_when"),
        ("portal.PublicReport", "who"),
        ("portal.PublicReport", "contact"),
        ("portal.PublicMessage", "body"),
        ("portal.PublicAttachment", "name"),
    } <= registered


def _what_token() -> bytes:
    table = connection.ops.quote_name(PublicReport._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT what FROM {table}")
        return bytes(cursor.fetchone()[0])


@pytest.mark.django_db
def test_rotation_re_encrypts_columns_and_files_and_the_old_key_can_go():
    submit()
    old_key = crypto.key_file().read_bytes().split()[0]
    old_token = _what_token()
    stored_name = PublicAttachment.objects.get().stored_name
    out = io.StringIO()
    call_command("rotate_keys", stdout=out)
    keys = crypto.key_file().read_bytes().split()
    assert len(keys) == 2 and keys[1] == old_key and keys[0] != old_key
    new = Fernet(keys[0])
    token = _what_token()
    assert token != old_token
    assert new.decrypt(token).decode() == SECRET
    with pytest.raises(InvalidToken):
        Fernet(old_key).decrypt(token)
    file_token = (files.directory() / stored_name).read_bytes()
    assert new.decrypt(file_token) == NOTE
    assert "portal_publicreport: 1 re-encrypted" in out.getvalue()
    # The old key removed: everything still reads.
    call_command("rotate_keys", "--reencrypt", "--drop-old", stdout=io.StringIO())
    assert crypto.key_file().read_bytes().split() == [keys[0]]
    crypto.reset()
    report = PublicReport.objects.get()
    assert report.what == SECRET and report.contact == "13900001111"
    assert PublicMessage.objects.get().body == SECRET + "（补充）"
    assert files.read(stored_name) == NOTE
    assert os.stat(crypto.key_file()).st_mode & 0o077 == 0


@pytest.mark.django_db
def test_a_second_rotation_drops_keys_older_than_the_previous_one():
    submit()
    call_command("rotate_keys", stdout=io.StringIO())
    first = crypto.key_file().read_bytes().split()
    call_command("rotate_keys", stdout=io.StringIO())
    second = crypto.key_file().read_bytes().split()
    assert second[1] == first[0] and first[1] not in second
    crypto.reset()
    assert PublicReport.objects.get().what == SECRET


@pytest.mark.django_db
def test_with_keys_from_the_environment_the_command_explains_instead(monkeypatch):
    key = Fernet.generate_key().decode()
    monkeypatch.setenv("ZHENGDUN_INTEGRITY_KEYS", key)
    crypto.reset()
    submit()
    before = _what_token()
    out = io.StringIO()
    call_command("rotate_keys", stdout=out)
    assert "ZHENGDUN_INTEGRITY_KEYS" in out.getvalue() and "--reencrypt" in out.getvalue()
    assert _what_token() == before
    assert not crypto.key_file().exists()
    # After the operator put a new key first, --reencrypt moves the data to it.
    newer = Fernet.generate_key().decode()
    monkeypatch.setenv("ZHENGDUN_INTEGRITY_KEYS", f"{newer},{key}")
    crypto.reset()
    call_command("rotate_keys", "--reencrypt", stdout=io.StringIO())
    assert Fernet(newer.encode()).decrypt(_what_token()).decode() == SECRET
