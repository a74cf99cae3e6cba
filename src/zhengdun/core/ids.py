"""Primary keys taken from URLs, query strings and form posts."""

from django.http import Http404

MAX_ID = 2**63 - 1  # the largest primary key the database can hold


def parse_id(value) -> int | None:
    """A primary key: an int, or ASCII digits, in 1..MAX_ID; anything else is None.

    ``int()`` alone accepts ' 12', '+5', '-3' and '²'-like digits, and numbers too big for
    the database (which then fails with a 500 rather than finding nothing)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        number = int(value)
    else:
        return None
    return number if 1 <= number <= MAX_ID else None


def id_or_404(value) -> int:
    """``parse_id``, or Http404 for a value that is not a valid primary key."""
    number = parse_id(value)
    if number is None:
        raise Http404
    return number
