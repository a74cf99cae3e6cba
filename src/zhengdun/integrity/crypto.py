"""Encryption at rest for reports, messages, attachments and clues: a database dump alone does
not reveal them.

Keys are Fernet keys (``cryptography``): ``ZHENGDUN_INTEGRITY_KEYS`` (comma-separated, the first
encrypts, all decrypt), or else a key file kept under the data dir, created on first use and
readable by the server's user only. ``zhengdun rotate_keys`` puts a new key first and re-encrypts
every encrypted column and file with it; the old keys then only stay until the next rotation.

Models store encrypted text in ``EncryptedTextField``: Python code reads and writes plain
``str``, the database holds only Fernet tokens.
"""

import os
from functools import cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

KEY_FILE_NAME = "integrity_keys"


def key_file() -> Path:
    return Path(settings.DATA_DIR) / KEY_FILE_NAME


def _configured_keys() -> list[bytes]:
    configured = os.environ.get("ZHENGDUN_INTEGRITY_KEYS", "").strip()
    if configured:
        return [key.strip().encode() for key in configured.split(",") if key.strip()]
    path = key_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(Fernet.generate_key() + b"\n")
        path.chmod(0o600)
    return [line.strip() for line in path.read_bytes().splitlines() if line.strip()]


@cache
def fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in _configured_keys()])


def reset() -> None:
    """Forget the loaded keys (after a rotation, or a test that changes them)."""
    fernet.cache_clear()


def encrypt(data: bytes) -> bytes:
    return fernet().encrypt(data)


def decrypt(token: bytes) -> bytes:
    return fernet().decrypt(bytes(token))


def encrypt_text(text: str) -> bytes:
    return encrypt(text.encode())


def decrypt_text(token: bytes) -> str:
    return decrypt(token).decode()


def rotate(token: bytes) -> bytes:
    """The same plaintext under the current (first) key."""
    return fernet().rotate(bytes(token))


class EncryptedTextField(models.BinaryField):
    """Text kept as a Fernet token: plain ``str`` in Python, ciphertext in the database. It
    cannot be filtered or sorted on in the database, by design."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", "")
        kwargs.setdefault("blank", True)
        kwargs["editable"] = True
        super().__init__(*args, **kwargs)

    def _check_str_default_value(self):
        # BinaryField refuses a str default; this field holds text, so "" is the right one.
        return []

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return decrypt_text(value) if value else ""

    def to_python(self, value):
        if value is None or isinstance(value, str):
            return value
        return decrypt_text(value) if value else ""

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        token = encrypt_text(str(value)) if value != "" else b""
        return super().get_db_prep_value(token, connection, prepared)

    def value_to_string(self, obj):
        return self.value_from_object(obj)

    def formfield(self, **kwargs):
        from django import forms

        return forms.CharField(widget=forms.Textarea, required=not self.blank, **kwargs)


def encrypted_fields() -> list[tuple[type[models.Model], str]]:
    """Every (model, column name) holding an EncryptedTextField, for key rotation."""
    from django.apps import apps

    # Local fields of concrete models: a proxy shares its model's table, and a child model's
    # table does not hold its parent's columns.
    return [
        (model, field.column)
        for model in apps.get_models()
        if not model._meta.proxy
        for field in model._meta.local_fields
        if isinstance(field, EncryptedTextField)
    ]


__all__ = [
    "EncryptedTextField",
    "InvalidToken",
    "decrypt",
    "decrypt_text",
    "encrypt",
    "encrypt_text",
    "encrypted_fields",
    "fernet",
    "key_file",
    "reset",
    "rotate",
]
