"""Keeping TaskTally in step with tasks: deltas on every write, a full recount on demand."""

from collections import Counter, defaultdict

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Sum

from zhengdun.campaigns.models import Colour, Task, TaskState, TaskTally
from zhengdun.org.models import Unit, ancestor_paths

TallyKey = tuple[int, str, str, int, int]  # workstream, state, colour, days, late


def key_of(task: Task) -> TallyKey:
    days = (task.days_to_complete or 0) if task.state == TaskState.COMPLETED else 0
    late = 1 if task.state == TaskState.COMPLETED and task.is_late else 0
    colour = Colour.NONE if task.state == TaskState.CANCELLED else task.colour
    return (task.workstream_id, task.state, colour, days, late)


def _ancestor_ids(unit_path: str) -> list[int]:
    return list(
        Unit.objects.filter(path__in=ancestor_paths(unit_path)).values_list("pk", flat=True)
    )


def _apply(campaign_id: int, unit_ids: list[int], key: TallyKey, sign: int) -> None:
    workstream_id, state, colour, days, late = key
    rows = TaskTally.objects.filter(
        campaign_id=campaign_id,
        unit_id__in=unit_ids,
        workstream_id=workstream_id,
        state=state,
        colour=colour,
    )
    existing = set(rows.values_list("unit_id", flat=True))
    if existing:
        rows.update(
            count=F("count") + sign, days=F("days") + sign * days, late=F("late") + sign * late
        )
    missing = [unit_id for unit_id in unit_ids if unit_id not in existing]
    for unit_id in missing:
        fields = {
            "campaign_id": campaign_id,
            "unit_id": unit_id,
            "workstream_id": workstream_id,
            "state": state,
            "colour": colour,
        }
        try:
            with transaction.atomic():
                TaskTally.objects.create(**fields, count=sign, days=sign * days, late=sign * late)
        except IntegrityError:
            # Another transaction created the row meanwhile.
            TaskTally.objects.filter(**fields).update(
                count=F("count") + sign, days=F("days") + sign * days, late=F("late") + sign * late
            )


def move(task: Task, before: TallyKey | None, before_path: str | None) -> None:
    """Record that ``task`` went from (``before``, at ``before_path``) to its current state."""
    after = key_of(task)
    if before == after and before_path == task.unit_path:
        return
    if before is not None:
        _apply(task.campaign_id, _ancestor_ids(before_path), before, -1)
    _apply(task.campaign_id, _ancestor_ids(task.unit_path), after, +1)


def recount(campaign_id: int) -> dict[tuple, int]:
    """Rebuild a campaign's tallies from its tasks; return the rows that had drifted
    ({(unit, workstream, state, colour): stored - actual})."""
    grouped = (
        Task.objects.filter(campaign_id=campaign_id)
        .values("unit_path", "workstream_id", "state", "colour")
        .annotate(n=Count("id"))
        .order_by()
    )
    completed = (
        Task.objects.filter(campaign_id=campaign_id, state=TaskState.COMPLETED)
        .values("unit_path", "workstream_id", "start_date", "due_date", "completed_on")
        .order_by()
    )
    counts: Counter = Counter()
    days: Counter = Counter()
    late: Counter = Counter()
    paths: set[str] = set()
    for row in grouped:
        colour = Colour.NONE if row["state"] == TaskState.CANCELLED else row["colour"]
        for path in ancestor_paths(row["unit_path"]):
            counts[(path, row["workstream_id"], row["state"], colour)] += row["n"]
            paths.add(path)
    for row in completed.iterator(chunk_size=5000):
        spent = max((row["completed_on"] - row["start_date"]).days, 0)
        is_late = row["completed_on"] > row["due_date"]
        for path in ancestor_paths(row["unit_path"]):
            key = (path, row["workstream_id"], TaskState.COMPLETED, Colour.GREEN)
            days[key] += spent
            late[key] += int(is_late)
    unit_ids = dict(Unit.objects.filter(path__in=paths).values_list("path", "pk"))
    actual = {
        (unit_ids[path], ws, state, colour): (
            n,
            days[(path, ws, state, colour)],
            late[(path, ws, state, colour)],
        )
        for (path, ws, state, colour), n in counts.items()
        if path in unit_ids
    }
    stored = {
        (row.unit_id, row.workstream_id, row.state, row.colour): row
        for row in TaskTally.objects.filter(campaign_id=campaign_id)
    }
    drift = {}
    for key in set(actual) | set(stored):
        have = stored.get(key)
        want = actual.get(key, (0, 0, 0))
        have_count = have.count if have else 0
        if have_count != want[0]:
            drift[key] = have_count - want[0]
    with transaction.atomic():
        TaskTally.objects.filter(campaign_id=campaign_id).delete()
        TaskTally.objects.bulk_create(
            [
                TaskTally(
                    campaign_id=campaign_id,
                    unit_id=unit_id,
                    workstream_id=ws,
                    state=state,
                    colour=colour,
                    count=n,
                    days=spent,
                    late=late_count,
                )
                for (unit_id, ws, state, colour), (n, spent, late_count) in actual.items()
                if n
            ],
            batch_size=2000,
        )
    return drift


def totals(rows) -> dict:
    """Sum tally rows into counts by state, by colour of open tasks, and completion figures."""
    by_state: defaultdict[str, int] = defaultdict(int)
    by_colour: defaultdict[str, int] = defaultdict(int)
    completed = days = late = 0
    for row in rows:
        by_state[row["state"]] += row["n"]
        if row["state"] in (TaskState.PLANNED, TaskState.STARTED):
            by_colour[row["colour"]] += row["n"]
        if row["state"] == TaskState.COMPLETED:
            completed += row["n"]
            days += row["d"]
            late += row["l"]
    return {
        "states": dict(by_state),
        "colours": dict(by_colour),
        "total": sum(by_state.values()),
        "average_days": round(days / completed, 1) if completed else None,
        "late": late,
    }


def summed(queryset, *group):
    return (
        queryset.values(*group, "state", "colour")
        .annotate(n=Sum("count"), d=Sum("days"), l=Sum("late"))
        .order_by()
    )
