"""``zhengdun rotate_keys``: a new encryption key for reports, messages, clues and attachments.

With the key file (the default): a new key is written first in the file, keeping the previous
one after it; every encrypted column (``crypto.encrypted_fields()``) is re-encrypted under the
new key, one transaction per table, then every portal attachment file (each replaced whole).
``--drop-old`` then leaves only the new key in the file. Keys older than the previous one are
dropped at each rotation: everything was re-encrypted under the previous key when it was new.

With ``ZHENGDUN_INTEGRITY_KEYS`` set, the command cannot change the environment: it prints a new
key and the steps (put it first, restart, run ``rotate_keys --reencrypt``, remove the old key).
"""

import os
from collections import defaultdict

from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from zhengdun.integrity import crypto

BATCH = 500


def reencrypt_table(model, columns: list[str]) -> int:
    """Re-encrypt every non-empty value of these columns under the current key, in one
    transaction. Raw SQL: the stored tokens are read and written as they are."""
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    quoted = [connection.ops.quote_name(column) for column in columns]
    changed = 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {pk}, {', '.join(quoted)} FROM {table} ORDER BY {pk}")
            rows = cursor.fetchall()
        for start in range(0, len(rows), BATCH):
            with connection.cursor() as cursor:
                for row in rows[start : start + BATCH]:
                    key, values = row[0], row[1:]
                    updates = {
                        column: crypto.rotate(bytes(value))
                        for column, value in zip(quoted, values, strict=True)
                        if value is not None and bytes(value)
                    }
                    if not updates:
                        continue
                    assignments = ", ".join(f"{column} = %s" for column in updates)
                    cursor.execute(
                        f"UPDATE {table} SET {assignments} WHERE {pk} = %s",
                        [*updates.values(), key],
                    )
                    changed += 1
    return changed


def reencrypt_all(stdout=None) -> dict[str, int]:
    from zhengdun.integrity import evidence
    from zhengdun.integrity.portal import files
    from zhengdun.integrity.portal.models import PublicAttachment

    by_model = defaultdict(list)
    for model, column in crypto.encrypted_fields():
        by_model[model].append(column)
    counts = {}
    for model, columns in by_model.items():
        counts[model._meta.db_table] = reencrypt_table(model, columns)
    rotated = 0
    for name in PublicAttachment.objects.values_list("stored_name", flat=True).iterator():
        if (files.directory() / name).exists():
            files.rotate_file(name)
            rotated += 1
    counts["files"] = rotated
    counts["clue evidence files"] = evidence.rotate_all()
    return counts


def write_keys(keys: list[bytes]) -> None:
    path = crypto.key_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".new")
    temporary.write_bytes(b"".join(key + b"\n" for key in keys))
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)
    crypto.reset()


class Command(BaseCommand):
    help = "Put a new encryption key first and re-encrypt every encrypted column and file."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reencrypt",
            action="store_true",
            help="Only re-encrypt under the current first key (after changing the keys by hand).",
        )
        parser.add_argument(
            "--drop-old",
            action="store_true",
            help="After re-encrypting, keep only the new key in the key file.",
        )

    def handle(self, *args, reencrypt=False, drop_old=False, **options):
        from_environment = bool(os.environ.get("ZHENGDUN_INTEGRITY_KEYS", "").strip())
        if from_environment and not reencrypt:
            new = Fernet.generate_key().decode()
            self.stdout.write(
                "The keys come from ZHENGDUN_INTEGRITY_KEYS, which this command cannot change.\n"
                f"1. Put this new key first: ZHENGDUN_INTEGRITY_KEYS={new},<the current keys>\n"
                "2. Restart the application and the workers.\n"
                "3. Run: zhengdun rotate_keys --reencrypt\n"
                "4. Remove the old keys from the variable and restart again."
            )
            return
        if from_environment and drop_old:
            raise CommandError("Remove the old keys from ZHENGDUN_INTEGRITY_KEYS yourself.")
        crypto.reset()
        if not reencrypt:
            current = [key.encode() for key in _current_keys()]
            new = Fernet.generate_key()
            write_keys([new, *current[:1]])
            self.stdout.write("A new key is first in the key file.")
        counts = reencrypt_all()
        for table, count in counts.items():
            self.stdout.write(f"{table}: {count} re-encrypted")
        if drop_old:
            write_keys([_current_keys()[0].encode()])
            self.stdout.write("The old keys are removed from the key file.")
        self.stdout.write(self.style.SUCCESS("Done."))


def _current_keys() -> list[str]:
    path = crypto.key_file()
    crypto.fernet()  # creates the key file on first use
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]
