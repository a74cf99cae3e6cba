"""Keeping TaskTally in step with tasks: deltas on every write, a full recount on demand."""

from collections import Counter, defaultdict
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Sum

from zhengdun.campaigns.models import Colour, Task, TaskDueTally, TaskState, TaskTally
from zhengdun.org.models import Unit, ancestor_paths

# workstream, state, colour, days, late (the TaskTally row's key and amounts), due date
TallyKey = tuple[int, str, str, int, int, date]
# Due-date tallies are kept for the units of the top levels, whose subtrees are large.
DUE_DEPTH = 2


def key_of(task: Task) -> TallyKey:
    days = (task.days_to_complete or 0) if task.state == TaskState.COMPLETED else 0
    late = 1 if task.state == TaskState.COMPLETED and task.is_late else 0
    colour = Colour.NONE if task.state == TaskState.CANCELLED else task.colour
    return (task.workstream_id, task.state, colour, days, late, task.due_date)


def _ancestor_ids(unit_path: str, depth: int | None = None) -> list[int]:
    paths = ancestor_paths(unit_path)[:depth]
    return list(Unit.objects.filter(path__in=paths).values_list("pk", flat=True))


def _apply(model, campaign_id: int, unit_ids: list[int], key: dict, amounts: dict) -> None:
    """Add ``amounts`` to the tally rows of ``key`` at each unit, creating missing rows."""
    rows = model.objects.filter(campaign_id=campaign_id, unit_id__in=unit_ids, **key)
    existing = set(rows.values_list("unit_id", flat=True))
    added = {name: F(name) + amount for name, amount in amounts.items()}
    if existing:
        rows.update(**added)
    for unit_id in unit_ids:
        if unit_id in existing:
            continue
        fields = {"campaign_id": campaign_id, "unit_id": unit_id, **key}
        try:
            with transaction.atomic():
                model.objects.create(**fields, **amounts)
        except IntegrityError:
            # Another transaction created the row meanwhile.
            model.objects.filter(**fields).update(**added)


def _apply_counts(campaign_id: int, path: str, key: TallyKey, sign: int) -> None:
    workstream_id, state, colour, days, late, _due = key
    _apply(
        TaskTally,
        campaign_id,
        _ancestor_ids(path),
        {"workstream_id": workstream_id, "state": state, "colour": colour},
        {"count": sign, "days": sign * days, "late": sign * late},
    )


def _apply_due(campaign_id: int, path: str, key: TallyKey, sign: int) -> None:
    _apply(
        TaskDueTally,
        campaign_id,
        _ancestor_ids(path, DUE_DEPTH),
        {"state": key[1], "due_date": key[5]},
        {"count": sign},
    )


def move(task: Task, before: TallyKey | None, before_path: str | None) -> None:
    """Record that ``task`` went from (``before``, at ``before_path``) to its current state."""
    after = key_of(task)
    moved = before is None or before_path != task.unit_path
    parts = (
        (_apply_counts, lambda key: key[:5]),  # workstream, state, colour, days, late
        (_apply_due, lambda key: (key[1], key[5])),  # state, due date
    )
    for apply, part in parts:
        if moved or part(before) != part(after):
            if before is not None:
                apply(task.campaign_id, before_path, before, -1)
            apply(task.campaign_id, task.unit_path, after, +1)


def recount(campaign_id: int) -> dict[tuple, int]:
    """Rebuild a campaign's tallies from its tasks; return the rows that had drifted
    ({(unit, workstream, state, colour): stored - actual}, and {("due", unit, state, due
    date): stored - actual} for the due-date tallies)."""
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
    due: Counter = Counter()
    by_due = (
        Task.objects.filter(campaign_id=campaign_id)
        .values("branch", "state", "due_date")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in by_due:
        for path in ancestor_paths(row["branch"])[:DUE_DEPTH]:
            due[(path, row["state"], row["due_date"])] += row["n"]
            paths.add(path)
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
    actual_due = {
        (unit_ids[path], state, due_date): n
        for (path, state, due_date), n in due.items()
        if path in unit_ids
    }
    stored_due = {
        (row.unit_id, row.state, row.due_date): row.count
        for row in TaskDueTally.objects.filter(campaign_id=campaign_id)
    }
    for key in set(actual_due) | set(stored_due):
        if stored_due.get(key, 0) != actual_due.get(key, 0):
            drift[("due", *key)] = stored_due.get(key, 0) - actual_due.get(key, 0)
    with transaction.atomic():
        TaskDueTally.objects.filter(campaign_id=campaign_id).delete()
        TaskDueTally.objects.bulk_create(
            [
                TaskDueTally(
                    campaign_id=campaign_id,
                    unit_id=unit_id,
                    state=state,
                    due_date=due_date,
                    count=n,
                )
                for (unit_id, state, due_date), n in actual_due.items()
                if n
            ],
            batch_size=2000,
        )
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
