"""Optimistic concurrency: a form saved on a stale version is refused, never silently applied.

Versioned models carry a ``version`` column. Actions write through ``apply_versioned``, which
updates only if the row still has the version the user loaded and raises ``ConflictError``
otherwise; the view then shows what changed meanwhile and keeps what the user typed.
"""

from typing import Any

from django.db import models
from django.db.models import F

from zhengdun.audit.log import diff


class ConflictError(Exception):
    def __init__(self, current: models.Model, submitted_version: int):
        super().__init__(f"{current!r} changed since version {submitted_version}")
        self.current = current
        self.submitted_version = submitted_version


def apply_versioned(obj: models.Model, *, version: int, changes: dict[str, Any]) -> dict:
    """Write ``changes`` to ``obj`` if its row is still at ``version``; return the audit diff."""
    model = type(obj)
    before = {name: getattr(obj, name) for name in changes}
    updated = model.objects.filter(pk=obj.pk, version=version).update(
        **changes, version=F("version") + 1
    )
    if not updated:
        raise ConflictError(model.objects.get(pk=obj.pk), version)
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.version = version + 1
    result = diff(before, changes)
    result["version"] = [version, version + 1]
    return result
