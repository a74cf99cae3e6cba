"""Hashing and verification of the audit chain."""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhengdun.audit.models import GENESIS_HASH, AuditEvent, AuditHead


def canonical(event: AuditEvent) -> str:
    created = event.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    payload = [
        event.seq,
        created,
        event.actor_id,
        event.actor_label,
        event.code,
        event.object_type,
        event.object_id,
        event.object_repr,
        event.unit_id,
        event.changes,
        event.prev_hash,
    ]
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(canonical(event).encode("utf-8")).hexdigest()


@dataclass
class Break:
    seq: int
    reason: str | Promise

    def __str__(self) -> str:
        return _("event #%(seq)d: %(reason)s") % {"seq": self.seq, "reason": self.reason}


def verify(chunk_size: int = 5000) -> tuple[int, Break | None]:
    """Walk the whole chain; return the number of events checked and the first break, if any."""
    expected_seq = 1
    prev_hash = GENESIS_HASH
    checked = 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if event.seq != expected_seq:
            if event.seq > expected_seq:
                return checked, Break(expected_seq, gettext_lazy("missing (deleted)"))
            return checked, Break(event.seq, gettext_lazy("out of sequence (inserted)"))
        if event.prev_hash != prev_hash:
            return checked, Break(
                event.seq,
                gettext_lazy("does not follow the previous event (inserted or reordered)"),
            )
        if compute_hash(event) != event.hash:
            return checked, Break(
                event.seq, gettext_lazy("content does not match its hash (changed)")
            )
        prev_hash = event.hash
        expected_seq += 1
        checked += 1
    head = AuditHead.objects.filter(pk=1).first()
    last_seq = head.last_seq if head else 0
    last_hash = head.last_hash if head else GENESIS_HASH
    if last_seq != checked:
        return checked, Break(
            checked + 1, gettext_lazy("missing (deleted from the end of the chain)")
        )
    if last_hash != prev_hash:
        return checked, Break(checked, gettext_lazy("does not match the chain head (changed)"))
    return checked, None
