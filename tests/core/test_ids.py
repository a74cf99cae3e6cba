import pytest
from django.http import Http404

from zhengdun.core.ids import MAX_ID, id_or_404, parse_id


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1, 1), (42, 42), ("1", 1), ("42", 42), ("007", 7), (MAX_ID, MAX_ID), (str(MAX_ID), MAX_ID)],
)
def test_ints_and_ascii_digit_strings_are_ids(value, expected):
    assert parse_id(value) == expected
    assert id_or_404(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        0,
        "0",
        -3,
        "-3",
        "+5",
        " 12",
        "12 ",
        "²",
        "٣",
        "1e3",
        "1.0",
        "",
        None,
        True,
        False,
        "9" * 19,
        "9" * 30,
        2**63,
        str(2**63),
        1.0,
        b"12",
    ],
)
def test_anything_else_is_not_an_id(value):
    assert parse_id(value) is None
    with pytest.raises(Http404):
        id_or_404(value)


def test_max_id_is_the_largest_64_bit_integer():
    assert MAX_ID == 2**63 - 1
