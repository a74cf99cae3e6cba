"""Attachments: only types whose metadata can be stripped, stripped, encrypted on disk under a
random name; clear messages for the others and for files too large."""

from datetime import datetime

import pytest
from django.utils import timezone

from tests.portal.conftest import (
    REPORT,
    access_of,
    app_segment,
    code_of,
    comment,
    jpeg,
    png,
    upload,
    url,
)
from zhengdun.integrity.portal import actions, files
from zhengdun.integrity.portal.models import PublicAttachment

MARKER = b"ZD-EXIF-MARKER-8841"


def test_jpeg_metadata_segments_are_dropped():
    exif = app_segment(1, b"Exif\x00\x00MM\x00*" + MARKER + b"GPS 30.07N 103.85E")
    xmp = app_segment(1, b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>" + MARKER)
    original = jpeg(app_segment(0, b"JFIF\x00\x01\x01"), exif, xmp, comment(MARKER))
    stripped = files.strip_jpeg(original + b"trailing " + MARKER)
    assert MARKER not in stripped
    assert b"Exif" not in stripped and b"JFIF" not in stripped
    assert stripped == jpeg()  # the image itself is untouched
    assert stripped.startswith(b"\xff\xd8") and stripped.endswith(b"\xff\xd9")


def test_jpeg_segments_between_scans_are_dropped_too():
    plain = jpeg()
    scan_at = plain.index(b"\xff\xda")
    tampered = plain[: len(plain) - 2] + comment(MARKER) + plain[-2:]
    assert MARKER not in files.strip_jpeg(tampered)
    assert files.strip_jpeg(plain)[scan_at:] == plain[scan_at:]


def test_png_text_and_time_chunks_are_dropped():
    original = png(
        (b"tEXt", b"Author\x00" + MARKER),
        (b"iTXt", b"Comment\x00\x00\x00\x00\x00" + MARKER),
        (b"zTXt", b"Title\x00\x00" + MARKER),
        (b"eXIf", b"MM\x00*" + MARKER),
        (b"tIME", b"\x07\xea\x0b\x1b\x0a\x05\x00"),
    )
    stripped = files.strip_png(original)
    assert MARKER not in stripped
    for kind in (b"tEXt", b"iTXt", b"zTXt", b"eXIf", b"tIME"):
        assert kind not in stripped
    assert stripped == png()


def test_broken_images_are_refused():
    with pytest.raises(files.NotReadable):
        files.strip_jpeg(jpeg()[:40])
    with pytest.raises(files.NotReadable):
        files.strip_png(png()[:-6] + b"XXXXXX")


@pytest.mark.django_db
def test_a_report_with_a_photo_keeps_it_stripped_and_encrypted(send_report, client):
    photo = jpeg(app_segment(1, b"Exif\x00\x00" + MARKER))
    response = send_report(files=[upload("IMG_20261127_zhang.jpg", photo, "image/jpeg")])
    assert response.status_code == 200
    stored = PublicAttachment.objects.get()
    assert stored.name == "IMG_20261127_zhang.jpg"
    assert stored.content_type == "image/jpeg"
    path = files.directory() / stored.stored_name
    on_disk = path.read_bytes()
    assert MARKER not in on_disk and b"\xff\xd8" not in on_disk[:4]
    assert files.read(stored.stored_name) == jpeg()
    assert len(stored.stored_name) == 32 and "zhang" not in stored.stored_name
    modified = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.get_current_timezone())
    assert (modified.hour, modified.minute, modified.second) == (0, 0, 0)
    # The reporter can download it again with their code.
    page = client.get(url("portal:status"))
    from tests.portal.conftest import token_of

    opened = client.post(url("portal:status"), {"code": code_of(response), "token": token_of(page)})
    download = client.post(
        url("portal:attachment"), {"access": access_of(opened), "file": stored.pk}
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == jpeg()
    assert client.post(url("portal:attachment"), {"file": stored.pk}).status_code == 404
    # A file id that is not one is no file (not even its number in Arabic-Indic digits).
    arabic = str(stored.pk).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    for not_an_id in ("abc", f" {stored.pk}", "²", arabic, "9" * 25):
        assert (
            client.post(
                url("portal:attachment"), {"access": access_of(opened), "file": not_an_id}
            ).status_code
            == 404
        )


@pytest.mark.django_db
def test_unsupported_and_too_large_files_are_refused_with_a_clear_message(send_report, settings):
    settings.ZHENGDUN_PORTAL_ATTACHMENT_MAX_BYTES = 1024
    response = send_report(
        files=[
            upload("合同.docx", b"PK\x03\x04" + b"0" * 100),
            upload("big.png", png() + b"\x00" * 2000),
            upload("fake.jpg", b"not a jpeg at all"),
        ]
    )
    assert response.status_code == 400
    errors = response.context["form"].errors["attachments"]
    assert any("合同.docx" in e and "cannot be accepted" in e for e in errors)
    assert any("big.png" in e and "too large" in e for e in errors)
    assert any("fake.jpg" in e for e in errors)
    content = response.content.decode()
    assert REPORT["what"] in content and REPORT["where_when"] in content
    assert 'data-testid="files-dropped"' in content
    assert not PublicAttachment.objects.exists()
    assert not files.directory().exists() or not any(files.directory().iterdir())


@pytest.mark.django_db
def test_too_many_files_are_refused():
    with pytest.raises(actions.ValidationError) as error:
        actions.submit_report(
            **REPORT, attachments=[upload(f"{i}.txt", b"x") for i in range(files.MAX_FILES + 1)]
        )
    assert "attachments" in error.value.message_dict


def test_the_upload_handler_never_keeps_more_than_the_limit(settings, rf):
    settings.ZHENGDUN_PORTAL_ATTACHMENT_MAX_BYTES = 10
    handler = files.BoundedMemoryUploadHandler(rf.post("/report/new/"))
    handler.new_file("attachments", "a.txt", "text/plain", 1000)
    for _ in range(10):
        handler.receive_data_chunk(b"x" * 100, 0)
    uploaded = handler.file_complete(1000)
    assert uploaded.size == 1000
    assert len(uploaded.read()) == 11


@pytest.mark.django_db
def test_a_failed_submission_leaves_no_file_behind(monkeypatch):
    def broken(report, **kwargs):
        raise RuntimeError("intake down")

    import zhengdun.integrity.portal.actions as portal_actions

    monkeypatch.setattr(portal_actions, "_hand_to_intake", broken)
    with pytest.raises(RuntimeError):
        actions.submit_report(**REPORT, attachments=[upload("note.txt", "说明".encode())])
    assert not PublicAttachment.objects.exists()
    assert not any(files.directory().iterdir())
