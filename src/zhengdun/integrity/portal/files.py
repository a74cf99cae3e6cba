"""Attachments: only types whose metadata can be stripped (JPEG, PNG, plain text), stripped,
then encrypted under ``DATA_DIR/portal/`` with a random name.

JPEG: every APPn segment (EXIF, XMP, ICC, Photoshop, JFIF thumbnails) and every comment is
dropped, and anything after the end-of-image marker. PNG: only the chunks that draw the image
are kept (no tEXt/iTXt/zTXt/eXIf/tIME or other ancillary chunk), nothing after IEND.
"""

import os
import secrets
import struct
import zlib
from dataclasses import dataclass
from datetime import datetime, time
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengdun.core import uploads
from zhengdun.integrity import crypto

MAX_FILES = 5
ACCEPTED = (".jpg", ".jpeg", ".png", ".txt")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEPT = {
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"sBIT",
    b"bKGD", b"pHYs", b"acTL", b"fcTL", b"fdAT",
}  # fmt: skip


def max_bytes() -> int:
    return getattr(settings, "ZHENGDUN_PORTAL_ATTACHMENT_MAX_BYTES", settings.EVIDENCE_MAX_BYTES)


def directory() -> Path:
    return Path(settings.DATA_DIR) / "portal"


class NotReadable(ValueError):
    pass


def strip_jpeg(data: bytes) -> bytes:
    if not data.startswith(b"\xff\xd8"):
        raise NotReadable
    out = bytearray(b"\xff\xd8")
    pos, end = 2, len(data)
    while pos < end:
        if data[pos] != 0xFF:
            raise NotReadable
        while pos < end and data[pos] == 0xFF:  # fill bytes
            pos += 1
        if pos >= end:
            raise NotReadable
        marker = data[pos]
        pos += 1
        if marker == 0xD9:  # end of image: anything after it is dropped
            out += b"\xff\xd9"
            return bytes(out)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # no length
            out += bytes((0xFF, marker))
            continue
        if pos + 2 > end:
            raise NotReadable
        (length,) = struct.unpack(">H", data[pos : pos + 2])
        if length < 2 or pos + length > end:
            raise NotReadable
        segment = data[pos : pos + length]
        pos += length
        if 0xE0 <= marker <= 0xEF or marker == 0xFE:  # APPn, COM: metadata
            continue
        out += bytes((0xFF, marker)) + segment
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next real marker
            scan = pos
            while pos < end:
                if data[pos] == 0xFF and pos + 1 < end:
                    following = data[pos + 1]
                    if following != 0x00 and not 0xD0 <= following <= 0xD7 and following != 0xFF:
                        break
                pos += 1
            out += data[scan:pos]
    raise NotReadable  # no end-of-image marker


def strip_png(data: bytes) -> bytes:
    if not data.startswith(PNG_SIGNATURE):
        raise NotReadable
    out = bytearray(PNG_SIGNATURE)
    pos, end = len(PNG_SIGNATURE), len(data)
    while pos + 12 <= end:
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        chunk_end = pos + 12 + length
        if chunk_end > end:
            raise NotReadable
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : chunk_end])
        if zlib.crc32(kind + body) != crc:
            raise NotReadable
        if kind in PNG_KEPT:
            out += data[pos:chunk_end]
        pos = chunk_end
        if kind == b"IEND":
            return bytes(out)
    raise NotReadable


def strip_text(data: bytes) -> bytes:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise NotReadable from None
    return data


STRIPPERS = {".jpg": strip_jpeg, ".jpeg": strip_jpeg, ".png": strip_png, ".txt": strip_text}


@dataclass
class CleanFile:
    name: str
    content_type: str
    data: bytes


def prepare(upload_files) -> list[CleanFile]:
    """Check every file (type, size, content) and strip its metadata. Raises one
    ValidationError under "attachments" naming each refused file."""
    upload_files = list(upload_files)
    errors, prepared = [], []
    if len(upload_files) > MAX_FILES:
        raise ValidationError(
            {"attachments": _("At most %(count)d files can be attached.") % {"count": MAX_FILES}}
        )
    limit = max_bytes()
    for upload in upload_files:
        name = upload.name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
        ext = uploads.extension(name)
        if ext not in ACCEPTED:
            errors.append(
                _(
                    "%(name)s: this type of file cannot be accepted here, because what it "
                    "says about you (camera, place, author) cannot be removed from it with "
                    "certainty. Accepted: photos as JPEG or PNG, and plain text (.txt)."
                )
                % {"name": name}
            )
            continue
        if upload.size > limit:
            errors.append(
                _("%(name)s is too large (at most %(mb)d MB).")
                % {"name": name, "mb": limit // 2**20}
            )
            continue
        try:
            checked = uploads.check(upload)
            upload.seek(0)
            data = STRIPPERS[ext](upload.read())
        except ValidationError as error:
            errors.extend(error.messages)
            continue
        except NotReadable:
            errors.append(
                _("%(name)s could not be read as a %(ext)s file.") % {"name": name, "ext": ext}
            )
            continue
        prepared.append(CleanFile(name=name, content_type=checked["content_type"], data=data))
    if errors:
        raise ValidationError({"attachments": errors})
    return prepared


def store(data: bytes) -> str:
    """Encrypt and write the data under a new random name; return the name."""
    folder = directory()
    folder.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(16)
    temporary = folder / f".{name}.tmp"
    temporary.write_bytes(crypto.encrypt(data))
    os.chmod(temporary, 0o600)
    # The file's times say the day, like the report's (a change time stays: the system's own).
    midnight = datetime.combine(
        timezone.localdate(), time.min, tzinfo=timezone.get_current_timezone()
    )
    os.utime(temporary, (midnight.timestamp(), midnight.timestamp()))
    os.replace(temporary, folder / name)
    return name


def read(stored_name: str) -> bytes:
    return crypto.decrypt((directory() / stored_name).read_bytes())


def response(attachment):
    """Send a stored attachment decrypted, as a download (the caller has checked who may have
    it: the reporter through an access token, a handler through the clue's gate)."""
    from django.http import FileResponse, Http404

    try:
        data = read(attachment.stored_name)
    except FileNotFoundError:
        raise Http404 from None
    sent = FileResponse(
        BytesIO(data),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    sent["X-Content-Type-Options"] = "nosniff"
    return sent


def remove(stored_names) -> None:
    for name in stored_names:
        (directory() / name).unlink(missing_ok=True)


def rotate_file(stored_name: str) -> None:
    """Re-encrypt one file under the current key (written beside it, then swapped in)."""
    path = directory() / stored_name
    token = crypto.rotate(path.read_bytes())
    temporary = path.with_name(f".{stored_name}.rot")
    before = path.stat()
    temporary.write_bytes(token)
    os.chmod(temporary, 0o600)
    os.utime(temporary, (before.st_atime, before.st_mtime))
    os.replace(temporary, path)


class BoundedMemoryUploadHandler(FileUploadHandler):
    """Keeps portal uploads in memory only (never in a temporary file on disk, unencrypted),
    up to the size limit: beyond it the bytes are dropped and the file reports its real size,
    so the size check refuses it with a clear message."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.buffer = BytesIO()
        self.limit = max_bytes()
        self.kept = 0

    def receive_data_chunk(self, raw_data, start):
        room = self.limit + 1 - self.kept
        if room > 0:
            self.buffer.write(raw_data[:room])
            self.kept += min(room, len(raw_data))
        return None

    def file_complete(self, file_size):
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
