from django.core.management.base import BaseCommand
from django.utils import timezone

from zhengdun.notify import tick


class Command(BaseCommand):
    help = "Run the daily job: reminders, escalations and checks registered by each module."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Run as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, date=None, **options):
        today = timezone.localdate()
        if date:
            today = timezone.datetime.fromisoformat(date).date()
        for name, sent in tick.run(today).items():
            self.stdout.write(f"{name}: {sent}")
