"""Evidence files of clue entries, kept as Fernet tokens on disk (``integrity.crypto``).

``rotate_all`` re-encrypts every stored file under the current key: ``rotate_keys`` must call
it with the portal's attachments, or ``--drop-old`` would leave the evidence unreadable.
"""

from django.core.files.base import ContentFile

from zhengdun.integrity import crypto
from zhengdun.integrity.models import EntryFile


def read(stored: EntryFile) -> bytes:
    with stored.file.open("rb") as handle:
        return crypto.decrypt(handle.read())


def rotate(stored: EntryFile) -> bool:
    """The file under the current key (replaced whole, under the same name)."""
    storage, name = stored.file.storage, stored.file.name
    if not storage.exists(name):
        return False
    with storage.open(name, "rb") as handle:
        token = crypto.rotate(handle.read())
    storage.delete(name)
    storage.save(name, ContentFile(token))
    return True


def rotate_all() -> int:
    return sum(rotate(stored) for stored in EntryFile.objects.iterator())
