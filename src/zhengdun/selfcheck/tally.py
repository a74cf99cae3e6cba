"""LedgerTally: findings and measures counted per round, unit subtree, item and kind.

Kinds: "finding" (a problem found in a submitted report), the measure's bucket
(rectifying / overdue / completed / verified), and for open measures "colour:<colour>".
"""

from collections import Counter
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Count, F

from zhengdun.core.warnings import Colour
from zhengdun.org.models import Unit, ancestor_paths
from zhengdun.selfcheck.models import Answer, Bucket, LedgerTally, Measure, ReportState

FINDING = "finding"


def measure_kinds(measure: Measure) -> list[str]:
    if not measure.live:
        return []
    kinds = [measure.bucket]
    if measure.is_open and measure.colour != Colour.NONE:
        kinds.append(f"colour:{measure.colour}")
    return kinds


def bucket_of(measure: Measure, today: date) -> str:
    if measure.state == "verified":
        return Bucket.VERIFIED
    if measure.state == "completed":
        return Bucket.COMPLETED
    if measure.deadline is not None and measure.deadline < today:
        return Bucket.OVERDUE
    return Bucket.RECTIFYING


def _ancestor_ids(unit_path: str) -> list[int]:
    return list(
        Unit.objects.filter(path__in=ancestor_paths(unit_path)).values_list("pk", flat=True)
    )


def apply(round_id: int, item_id: int, unit_path: str, kinds: list[str], sign: int) -> None:
    if not kinds:
        return
    unit_ids = _ancestor_ids(unit_path)
    for kind in kinds:
        rows = LedgerTally.objects.filter(
            round_id=round_id, item_id=item_id, kind=kind, unit_id__in=unit_ids
        )
        existing = set(rows.values_list("unit_id", flat=True))
        if existing:
            rows.update(count=F("count") + sign)
        for unit_id in unit_ids:
            if unit_id in existing:
                continue
            fields = {"round_id": round_id, "item_id": item_id, "kind": kind, "unit_id": unit_id}
            try:
                with transaction.atomic():
                    LedgerTally.objects.create(**fields, count=sign)
            except IntegrityError:
                LedgerTally.objects.filter(**fields).update(count=F("count") + sign)


def move_measure(measure: Measure, before: list[str]) -> None:
    after = measure_kinds(measure)
    if Counter(before) == Counter(after):
        return
    removed = list((Counter(before) - Counter(after)).elements())
    added = list((Counter(after) - Counter(before)).elements())
    apply(measure.round_id, measure.item_id, measure.unit_path, removed, -1)
    apply(measure.round_id, measure.item_id, measure.unit_path, added, +1)


def recount(round_id: int) -> dict:
    """Rebuild a round's tallies from its answers and measures; return the drifted keys."""
    counts: Counter = Counter()
    findings = (
        Answer.objects.filter(
            report__round_id=round_id, found=True, report__state=ReportState.SUBMITTED
        )
        .values("report__unit_path", "item_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in findings:
        for path in ancestor_paths(row["report__unit_path"]):
            counts[(path, row["item_id"], FINDING)] += row["n"]
    measures = (
        Measure.objects.filter(round_id=round_id, live=True)
        .values("unit_path", "item_id", "bucket", "state", "colour")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in measures:
        kinds = [row["bucket"]]
        if row["state"] in ("open", "in_progress") and row["colour"] != Colour.NONE:
            kinds.append(f"colour:{row['colour']}")
        for path in ancestor_paths(row["unit_path"]):
            for kind in kinds:
                counts[(path, row["item_id"], kind)] += row["n"]
    unit_ids = dict(
        Unit.objects.filter(path__in={key[0] for key in counts}).values_list("path", "pk")
    )
    actual = {
        (unit_ids[path], item, kind): n
        for (path, item, kind), n in counts.items()
        if path in unit_ids
    }
    stored = {
        (row.unit_id, row.item_id, row.kind): row.count
        for row in LedgerTally.objects.filter(round_id=round_id)
    }
    drift = {
        key: stored.get(key, 0) - actual.get(key, 0)
        for key in set(actual) | set(stored)
        if stored.get(key, 0) != actual.get(key, 0)
    }
    with transaction.atomic():
        LedgerTally.objects.filter(round_id=round_id).delete()
        LedgerTally.objects.bulk_create(
            [
                LedgerTally(round_id=round_id, unit_id=unit, item_id=item, kind=kind, count=n)
                for (unit, item, kind), n in actual.items()
                if n
            ],
            batch_size=2000,
        )
    return drift
