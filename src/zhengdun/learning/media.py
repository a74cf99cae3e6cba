"""Serving an online lesson's file with HTTP range requests (RFC 9110 §14), so that a video
can be played from any point and resumed. The caller has passed the lesson's scoped gate.

One range per request: browsers' media elements ask for one (``bytes=start-``); a request for
several ranges is answered with the whole file, which the RFC allows.
"""

import re

from django.http import FileResponse, Http404, HttpResponse

# At most 19 digits: a position fits in 64 bits, and ``int`` refuses thousands of digits.
_RANGE = re.compile(r"^bytes=([0-9]{0,19})-([0-9]{0,19})$")
CHUNK = 64 * 1024


def parse_range(header: str, size: int) -> tuple[int, int] | bool | None:
    """The (first, last) byte positions asked for, inclusive; None when the header is absent,
    malformed or asks for several ranges (then the whole file is sent); False when it cannot
    be satisfied (416)."""
    match = _RANGE.match(header.strip()) if header else None
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # a suffix: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            return False
        return max(size - length, 0), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None
    if start >= size:
        return False
    return start, min(end, size - 1)


def _chunks(handle, start: int, length: int):
    with handle:
        handle.seek(start)
        remaining = length
        while remaining > 0:
            data = handle.read(min(CHUNK, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data


def serve_range(request, stored) -> HttpResponse:
    """``stored`` (a model with ``file``, ``name``, ``content_type``) inline, whole or the
    range asked for."""
    if stored is None or not stored.file:
        raise Http404
    try:
        handle = stored.file.open("rb")
        size = stored.file.size
    except FileNotFoundError:
        raise Http404 from None
    wanted = parse_range(request.headers.get("Range", ""), size)
    if wanted is False:
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    elif wanted is None:
        response = FileResponse(handle, content_type=stored.content_type)
        response["Content-Length"] = str(size)
    else:
        start, end = wanted
        length = end - start + 1
        from django.http import StreamingHttpResponse

        response = StreamingHttpResponse(
            _chunks(handle, start, length), status=206, content_type=stored.content_type
        )
        response["Content-Length"] = str(length)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Accept-Ranges"] = "bytes"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
