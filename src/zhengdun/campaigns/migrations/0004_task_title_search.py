from django.db import migrations

from zhengdun.core.textsearch import TrigramIndex


class Migration(migrations.Migration):
    """Task titles searched through a trigram index (see zhengdun.core.textsearch)."""

    dependencies = [
        ("campaigns", "0003_indexes_end_in_id"),
    ]

    operations = [TrigramIndex("task", "title")]
