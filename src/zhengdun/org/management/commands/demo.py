from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from zhengdun.org import demo


class Command(BaseCommand):
    help = "Load the demo organisation and one login per role (idempotent). Demo mode only."

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError(
                "The demo and its well-known passwords are refused outside demo mode: "
                "set ZHENGDUN_DEMO=true (make demo does)."
            )
        summary = demo.load_all()
        counts = summary.pop("org")
        self.stdout.write(f"demo loaded: {counts['units']} units, {counts['people']} people")
        for name, loaded in summary.items():
            self.stdout.write(f"{name}: {loaded}")
        self.stdout.write(f"demo logins (password: {demo.DEMO_PASSWORD}):")
        for username, (role, _grant, _home, position) in demo.LOGINS.items():
            self.stdout.write(f"  {username:<11} {role.label} · {position}")
