from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from zhengdun.audit.chain import verify
from zhengdun.audit.models import AuditEvent
from zhengdun.org import actions
from zhengdun.org.models import UnitKind


@pytest.fixture
def events(org):
    for number in range(5):
        actions.create_unit(
            org.office,
            parent=org.county_a,
            code=f"A-N{number}",
            name=f"新单位{number}",
            kind=UnitKind.TEAM,
        )
    return list(AuditEvent.objects.order_by("seq"))


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_intact_chain_verifies(events, capsys):
    checked, broken = verify()
    assert broken is None
    assert checked == len(events) == 5
    call_command("audit", "verify")
    assert "intact: 5 events" in capsys.readouterr().out


def test_each_event_links_to_the_previous(events):
    for before, after in pairwise(events):
        assert after.prev_hash == before.hash
        assert after.seq == before.seq + 1


def test_a_changed_row_is_found(events):
    raw("UPDATE audit_auditevent SET object_repr = %s WHERE seq = %s", ["篡改", 3])
    with pytest.raises(CommandError, match=r"#3.*changed"):
        call_command("audit", "verify")


def test_changed_json_is_found(events):
    raw("UPDATE audit_auditevent SET changes = %s WHERE seq = %s", ['{"name": "x"}', 2])
    _checked, broken = verify()
    assert broken is not None and broken.seq == 2


def test_a_deleted_row_is_found(events):
    raw("DELETE FROM audit_auditevent WHERE seq = %s", [2])
    with pytest.raises(CommandError, match=r"#2.*deleted"):
        call_command("audit", "verify")


def test_a_deleted_last_row_is_found(events):
    raw("DELETE FROM audit_auditevent WHERE seq = %s", [5])
    _checked, broken = verify()
    assert broken is not None and broken.seq == 5


def test_an_inserted_row_is_found(events):
    first = events[0]
    # Shift the tail to make room and forge a row in the middle.
    raw("UPDATE audit_auditevent SET seq = seq + 100 WHERE seq >= 3")
    raw(
        "INSERT INTO audit_auditevent (seq, created_at, actor_label, code, object_type,"
        " object_id, object_repr, changes, prev_hash, hash)"
        " VALUES (3, %s, 'mallory', 'org.unit.created', 'org.unit', '1', 'forged', '{}', %s, %s)",
        [first.created_at, events[1].hash, "f" * 64],
    )
    _checked, broken = verify()
    assert broken is not None and broken.seq == 3


def test_the_model_refuses_nothing_but_the_chain_catches_a_recomputed_hash(events):
    """Rewriting one event and its own hash still breaks the link to the next event."""
    from zhengdun.audit.chain import compute_hash

    event = AuditEvent.objects.get(seq=2)
    event.object_repr = "篡改"
    forged = compute_hash(event)
    raw(
        "UPDATE audit_auditevent SET object_repr = %s, hash = %s WHERE seq = 2",
        ["篡改", forged],
    )
    _checked, broken = verify()
    assert broken is not None and broken.seq == 3


def test_every_write_in_an_action_is_audited_in_its_transaction(org):
    """A failing action leaves neither its change nor an event behind."""
    before = AuditEvent.objects.count()
    with pytest.raises(Exception):  # noqa: B017 — any failure must roll back both
        actions.create_unit(
            org.office, parent=org.county_a, code="A1", name="重复", kind=UnitKind.TEAM
        )
    assert AuditEvent.objects.count() == before
    assert verify()[1] is None
