import pytest

from zhengdun.learning.exams.grading import grade, is_correct, item_statistics, normalise


def test_normalise_full_width_case_and_spaces():
    assert normalise("  ＡＢＣ  ｄｅｆ ") == "abc def"
    assert normalise("八项 规定") == "八项规定"
    assert normalise("１１０") == "110"


@pytest.mark.parametrize(
    ("kind", "key", "given", "right"),
    [
        ("single", [2], 2, True),
        ("single", [2], 1, False),
        ("single", [2], None, False),
        ("single", [1], True, False),  # a boolean is not option 1
        ("multiple", [0, 2], [2, 0], True),
        ("multiple", [0, 2], [0], False),  # all or nothing: a missing option
        ("multiple", [0, 2], [0, 1, 2], False),  # all or nothing: an extra option
        ("true_false", [False], False, True),
        ("true_false", [False], True, False),
        ("true_false", [True], None, False),
        ("fill", ["八项规定", "中央八项规定"], "中央 八项规定", True),
        ("fill", ["ABC"], "ａｂｃ", True),
        ("fill", ["八项规定"], "六项规定", False),
    ],
)
def test_grading_of_each_type(kind, key, given, right):
    assert is_correct(kind, key, given) is right


def test_grade_sums_points_of_correct_items():
    items = [
        {"q": 1, "k": "single", "p": 2, "o": [1, 0]},
        {"q": 2, "k": "multiple", "p": 3, "o": [0, 1, 2]},
        {"q": 3, "k": "fill", "p": 1, "o": []},
    ]
    keys = {1: ("single", [0]), 2: ("multiple", [0, 1]), 3: ("fill", ["a"])}
    result = grade(items, {"1": 0, "2": [0], "3": "A"}, keys)
    assert (result.score, result.max_score, result.percent) == (3, 6, 50.0)
    assert result.marks == {"1": 1, "2": 0, "3": 1}


def test_item_statistics_on_crafted_data():
    """Five attempts at items 1 and 2, hand-computed.

    Percentages 100, 80, 60, 40, 20: mean 60, population SD = sqrt((1600+400+0+400+1600)/5)
    = sqrt(800) = 28.2843. Item 1 right for the first three: p = 0.6, M1 = 80, M0 = 30,
    r = (80 − 30) / 28.2843 · sqrt(0.6·0.4) = 1.76777 · 0.489898 = 0.866.
    Item 2 right for the last two only (the weakest): p = 0.4, M1 = 30, M0 = 80, r = −0.866.
    Item 3 drawn by two attempts and right for both: p = 1, discrimination undefined.
    """
    attempts = [
        ({"1": 1, "2": 0, "3": 1}, 100.0),
        ({"1": 1, "2": 0}, 80.0),
        ({"1": 1, "2": 0, "3": 1}, 60.0),
        ({"1": 0, "2": 1}, 40.0),
        ({"1": 0, "2": 1}, 20.0),
    ]
    stats = {s.question_id: s for s in item_statistics(attempts)}
    assert (stats[1].difficulty, stats[1].discrimination) == (0.6, 0.866)
    assert (stats[2].difficulty, stats[2].discrimination) == (0.4, -0.866)
    assert (stats[3].answered, stats[3].difficulty, stats[3].discrimination) == (2, 1.0, None)


def test_pass_is_decided_exactly_not_on_the_rounded_percent():
    from zhengdun.learning.exams.grading import passes

    assert (
        grade(
            [{"q": 1, "k": "fill", "p": 2999}, {"q": 2, "k": "fill", "p": 2001}],
            {"1": "是"},
            {1: ("fill", ["是"]), 2: ("fill", ["否"])},
        ).percent
        == 60.0
    )
    assert not passes(2999, 5000, 60)
    assert passes(3000, 5000, 60)
    assert passes(0, 0, 0)


def test_percentages_equal_but_for_float_noise_have_no_discrimination():
    noise = [({"1": 1}, 0.1 + 0.2), ({"1": 0}, 0.3), ({"1": 1}, 0.3)]
    (stat,) = item_statistics(noise)
    assert stat.discrimination is None
