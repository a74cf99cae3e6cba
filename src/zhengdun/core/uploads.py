"""Checking uploaded evidence files (type by their first bytes, size) before they are stored
under the data dir. Used by every module that takes evidence."""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Extension -> the bytes such a file starts with (None: plain text, checked as UTF-8).
ALLOWED = {
    ".pdf": (b"%PDF",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".pptx": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0",),
    ".xls": (b"\xd0\xcf\x11\xe0",),
    ".mp4": None,
    ".txt": None,
}
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".mp4": "video/mp4",
    ".txt": "text/plain; charset=utf-8",
}


def extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot >= 0 else ""


def check(upload) -> dict:
    """Validate one uploaded file; return what is stored about it. Raises ValidationError."""
    limit = settings.EVIDENCE_MAX_BYTES
    name = upload.name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    ext = extension(name)
    if ext not in ALLOWED:
        raise ValidationError(
            _("%(name)s: files of this type are not accepted (allowed: %(types)s).")
            % {"name": name, "types": " ".join(sorted(ALLOWED))}
        )
    if upload.size > limit:
        raise ValidationError(
            _("%(name)s is too large (at most %(mb)d MB).") % {"name": name, "mb": limit // 2**20}
        )
    if upload.size == 0:
        raise ValidationError(_("%(name)s is empty.") % {"name": name})
    upload.seek(0)
    head = upload.read(16)
    signatures = ALLOWED[ext]
    if ext == ".mp4":
        ok = head[4:8] == b"ftyp"
    elif signatures is None:
        upload.seek(0)
        try:
            upload.read(min(upload.size, 65536)).decode("utf-8")
            ok = True
        except UnicodeDecodeError:
            ok = False
    else:
        ok = head.startswith(signatures)
    if not ok:
        raise ValidationError(
            _("%(name)s does not look like a %(ext)s file.") % {"name": name, "ext": ext}
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return {
        "name": name,
        "size": upload.size,
        "content_type": CONTENT_TYPES[ext],
        "sha256": digest.hexdigest(),
    }


def check_all(uploads) -> list[tuple[object, dict]]:
    """Check every file; raise one ValidationError listing each bad one under "files"."""
    checked, errors = [], []
    for upload in uploads:
        try:
            checked.append((upload, check(upload)))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError({"files": errors})
    return checked


def serve(stored):
    """Send a stored file (with ``file``, ``name`` and ``content_type``) as a download; a file
    missing from the disk is "not found". The caller has checked the viewer may see it."""
    from django.http import FileResponse, Http404

    if stored is None or not stored.file:
        raise Http404
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=stored.name, content_type=stored.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
