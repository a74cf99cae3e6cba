"""Receipt codes: 140 bits from ``secrets``, read aloud in four groups of seven, stored only as
a peppered HMAC and an Argon2 hash; every look-up runs one Argon2 verification."""

import math
import re
from unittest import mock

import pytest
from argon2 import PasswordHasher
from django.db import connection

from tests.portal.conftest import REPORT
from zhengdun.integrity.portal import actions, receipts
from zhengdun.integrity.portal.models import PublicReport


def test_codes_have_at_least_112_bits_from_an_unambiguous_alphabet():
    assert len(receipts.ALPHABET) == 32
    assert not set("ILOU") & set(receipts.ALPHABET)
    assert receipts.LENGTH * math.log2(len(receipts.ALPHABET)) >= 112
    codes = {receipts.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{28}", code) for code in codes)
    # Every character of the alphabet turns up, in every position group.
    assert set("".join(codes)) == set(receipts.ALPHABET)


def test_codes_are_grouped_for_reading_aloud_and_typed_forgivingly():
    code = receipts.new_code()
    assert receipts.groups(code) == [code[0:7], code[7:14], code[14:21], code[21:28]]
    assert receipts.formatted(code).count("-") == 3
    typed = " ".join(receipts.groups(code)).lower()
    assert receipts.normalize(typed) == code
    assert receipts.normalize("ABCDEFG-HJKMNPQ-RSTVWXY-Z0123OI") == "ABCDEFGHJKMNPQRSTVWXYZ012301"
    full_width = "".join(chr(ord(ch) + 0xFEE0) if ch.isalnum() else ch for ch in code)
    assert receipts.normalize(full_width) == code
    assert receipts.normalize(code[:-1]) is None
    assert receipts.normalize(code[:-1] + "U") is None


@pytest.mark.django_db
def test_only_hashes_of_the_code_are_stored():
    receipt = actions.submit_report(**REPORT)
    report = PublicReport.objects.get()
    assert report.receipt_key == receipts.lookup_key(receipt.code)
    assert report.receipt_hash.startswith("$argon2id$")
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for value in row:
                    text = (
                        bytes(value).decode("latin-1")
                        if isinstance(value, bytes | memoryview)
                        else str(value)
                    )
                    for form in (receipt.code, receipt.formatted, receipt.code.lower()):
                        assert form not in text, table


@pytest.mark.django_db
def test_the_lookup_key_needs_the_secret_key(settings):
    code = receipts.new_code()
    key = receipts.lookup_key(code)
    settings.SECRET_KEY = "another-secret-" + "x" * 40
    assert receipts.lookup_key(code) != key
    settings.SECRET_KEY_FALLBACKS = ["tests-only-" + "k" * 50]
    assert key in receipts.lookup_keys(code)


@pytest.mark.django_db
def test_a_rotated_secret_key_in_the_fallbacks_keeps_old_receipts_working(settings):
    receipt = actions.submit_report(**REPORT)
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-secret-key-" + "y" * 40
    settings.SECRET_KEY_FALLBACKS = [old]
    assert actions.open_report(code=receipt.code) == receipt.report


@pytest.mark.django_db
def test_real_argon2_hash_and_verify(settings):
    settings.ZHENGDUN_PORTAL_ARGON2 = {}
    receipts._dummy_hash.cache_clear()
    receipt = actions.submit_report(**REPORT)
    stored = PublicReport.objects.get().receipt_hash
    defaults = PasswordHasher()
    assert f"m={defaults.memory_cost},t={defaults.time_cost},p={defaults.parallelism}" in stored
    assert actions.open_report(code=receipt.formatted.lower()) == receipt.report


@pytest.mark.django_db
def test_a_miss_and_a_hit_both_run_one_argon2_verification():
    receipt = actions.submit_report(**REPORT)
    real_verify = PasswordHasher.verify
    with mock.patch.object(
        PasswordHasher, "verify", autospec=True, side_effect=real_verify
    ) as verify:
        assert actions.open_report(code=receipt.code) == receipt.report
        assert verify.call_count == 1
        with pytest.raises(actions.ValidationError):
            actions.open_report(code=receipts.new_code())
        assert verify.call_count == 2
    # The miss verified against a dummy hash with the same parameters as a real one.
    dummy = receipts._dummy_hash(receipts._params())
    assert dummy.split("$")[3] == PublicReport.objects.get().receipt_hash.split("$")[3]
