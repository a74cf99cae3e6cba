from collections import Counter

from django.db import migrations
from django.db.models import Count

PATH_STEP = 4  # org.models.PATH_STEP when this migration was written
DUE_DEPTH = 2  # campaigns.tally.DUE_DEPTH


def fill(apps, schema_editor):
    """Count the tasks that existed before the due-date tallies (0005 made them empty)."""
    Task = apps.get_model("campaigns", "Task")
    TaskDueTally = apps.get_model("campaigns", "TaskDueTally")
    Unit = apps.get_model("org", "Unit")
    TaskDueTally.objects.all().delete()
    counts: Counter = Counter()
    rows = (
        Task.objects.values("campaign_id", "branch", "state", "due_date")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        branch = row["branch"]
        for end in range(PATH_STEP, min(len(branch), DUE_DEPTH * PATH_STEP) + 1, PATH_STEP):
            counts[(row["campaign_id"], branch[:end], row["state"], row["due_date"])] += row["n"]
    unit_ids = dict(
        Unit.objects.filter(path__in={key[1] for key in counts}).values_list("path", "pk")
    )
    TaskDueTally.objects.bulk_create(
        [
            TaskDueTally(
                campaign_id=campaign_id,
                unit_id=unit_ids[path],
                state=state,
                due_date=due_date,
                count=n,
            )
            for (campaign_id, path, state, due_date), n in counts.items()
            if path in unit_ids
        ],
        batch_size=2000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0005_due_tally"),
        ("org", "0001_initial"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
