from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from zhengdun.accounts.actions import create_token


class Command(BaseCommand):
    help = "API tokens. 'create USERNAME' prints a new Bearer token (shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create"])
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="What the token is for.")

    def handle(self, *args, action: str, username: str, name: str, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {username!r}")
        self.stdout.write(create_token(None, user=user, name=name or "command line"))
