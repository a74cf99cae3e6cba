from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from zhengdun.audit.chain import verify


class Command(BaseCommand):
    help = "Audit log tools. 'verify' checks the hash chain and exits non-zero on a break."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, action: str, **options):
        # Operators' logs stay in English, whatever the UI language.
        translation.activate("en")
        checked, broken = verify()
        if broken is not None:
            raise CommandError(
                f"audit chain broken at {broken} ({checked} events intact before it)"
            )
        self.stdout.write(f"audit chain intact: {checked} events")
