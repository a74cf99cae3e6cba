"""The portal's test helpers: its own data dir and key file per test, fast Argon2 (one test
keeps the real parameters), forms sent the way a browser sends them, and crafted images."""

import re
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from zhengdun.integrity import crypto
from zhengdun.integrity.portal import receipts

FAST_ARGON2 = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}

REPORT = {
    "category": "integrity",
    "what": "某派出所民警收受红包",
    "where_when": "城东菜市场，上周三下午",
    "who": "城东派出所 王某",
    "contact": "",
}


@pytest.fixture(autouse=True)
def portal_env(settings, tmp_path, monkeypatch):
    monkeypatch.delenv("ZHENGDUN_INTEGRITY_KEYS", raising=False)
    settings.DATA_DIR = tmp_path / "data"
    settings.ZHENGDUN_PORTAL_ARGON2 = FAST_ARGON2
    crypto.reset()
    receipts._dummy_hash.cache_clear()
    from django.core.cache import cache

    cache.clear()
    with translation.override("en"):
        yield
    crypto.reset()


def url(name: str, *args) -> str:
    """A portal URL in English (messages are asserted in English; the default is Chinese)."""
    return reverse(name, args=args) + "?lang=en"


def token_of(response) -> str:
    match = re.search(rb'name="token" value="([^"]+)"', response.content)
    assert match, "the form has no token"
    return match.group(1).decode()


def access_of(response) -> str:
    match = re.search(rb'name="access" value="([^"]+)"', response.content)
    assert match, "the page has no access token"
    return match.group(1).decode()


def code_of(response) -> str:
    match = re.search(rb'data-testid="receipt-code"><code>([^<]+)</code>', response.content)
    assert match, "no receipt code on the page"
    return receipts.normalize(match.group(1).decode())


@pytest.fixture
def send_report(client, db):
    """Send a report through the page as a browser does (the form first, for its token)."""

    def send(data=None, files=(), **extra):
        page = client.get(url("portal:new"), **extra)
        body = {**REPORT, **(data or {}), "token": token_of(page)}
        if files:
            body["attachments"] = list(files)
        return client.post(url("portal:new"), body, **extra)

    return send


@pytest.fixture
def open_status(client):
    def open_(code, **extra):
        page = client.get(url("portal:status"), **extra)
        return client.post(url("portal:status"), {"code": code, "token": token_of(page)}, **extra)

    return open_


def jpeg(*segments: bytes) -> bytes:
    """A 1×1 grey baseline JPEG, with extra segments (APPn, COM) after the start of image."""

    def segment(marker: int, body: bytes) -> bytes:
        return bytes((0xFF, marker)) + struct.pack(">H", len(body) + 2) + body

    quant = segment(0xDB, b"\x00" + b"\x01" * 64)
    frame = segment(0xC0, b"\x08\x00\x01\x00\x01\x01\x01\x11\x00")
    dc = segment(0xC4, b"\x00" + b"\x01" + b"\x00" * 15 + b"\x00")
    ac = segment(0xC4, b"\x10" + b"\x01" + b"\x00" * 15 + b"\x00")
    scan = segment(0xDA, b"\x01\x01\x00\x00\x3f\x00") + b"\x3f"
    return b"\xff\xd8" + b"".join(segments) + quant + frame + dc + ac + scan + b"\xff\xd9"


def app_segment(n: int, body: bytes) -> bytes:
    return bytes((0xFF, 0xE0 + n)) + struct.pack(">H", len(body) + 2) + body


def comment(body: bytes) -> bytes:
    return b"\xff\xfe" + struct.pack(">H", len(body) + 2) + body


def png(*extra_chunks: tuple[bytes, bytes]) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    data = chunk(b"IDAT", zlib.compress(b"\x00\x80"))
    extras = b"".join(chunk(kind, body) for kind, body in extra_chunks)
    return b"\x89PNG\r\n\x1a\n" + header + extras + data + chunk(b"IEND", b"")


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)
