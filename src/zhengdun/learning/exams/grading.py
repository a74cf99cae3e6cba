"""Pure functions: normalising fill-in answers, grading one item, item statistics.

Kept free of the database so the rules are tested on crafted data directly.
"""

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from zhengdun.learning.exams.models import QuestionKind

_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Fill-in comparison form: full-width to half-width (NFKC), case folded, whitespace
    collapsed and trimmed; a space between two CJK characters is dropped (people type
    "八项 规定")."""
    text = unicodedata.normalize("NFKC", str(text)).casefold()
    text = _SPACE.sub(" ", text).strip()
    return re.sub(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])", "", text)


def is_correct(kind: str, key: list, given) -> bool:
    """Whether ``given`` (as saved on the attempt) matches the question's ``key``.

    Multiple choice is all or nothing: the exact set of correct options, no more, no fewer.
    """
    if given is None or given == "" or given == []:
        return False
    if kind == QuestionKind.SINGLE:
        return isinstance(given, int) and not isinstance(given, bool) and [given] == list(key)
    if kind == QuestionKind.MULTIPLE:
        return isinstance(given, list) and set(given) == set(key) and len(set(given)) == len(given)
    if kind == QuestionKind.TRUE_FALSE:
        return isinstance(given, bool) and bool(key) and given is bool(key[0])
    if kind == QuestionKind.FILL:
        return isinstance(given, str) and normalise(given) in {normalise(k) for k in key}
    return False


@dataclass(frozen=True)
class Grade:
    score: int
    max_score: int
    percent: float
    marks: dict[str, int]


def grade(items: Sequence[dict], answers: dict, keys: dict[int, tuple[str, list]]) -> Grade:
    """Grade a draw: ``items`` as stored on the attempt, ``keys`` maps question id to
    (kind, correct answer). Each correct item earns its points. The type is the one stored in
    the item (what the person was shown and answered), not the question's current type."""
    score = max_score = 0
    marks: dict[str, int] = {}
    for item in items:
        qid = item["q"]
        points = int(item.get("p", 1))
        max_score += points
        _kind, key = keys.get(qid, (item["k"], []))
        right = is_correct(item["k"], key, answers.get(str(qid)))
        marks[str(qid)] = 1 if right else 0
        score += points if right else 0
    percent = round(100.0 * score / max_score, 1) if max_score else 0.0
    return Grade(score=score, max_score=max_score, percent=percent, marks=marks)


def passes(score: int, max_score: int, pass_mark: int) -> bool:
    """Whether ``score`` out of ``max_score`` reaches ``pass_mark`` percent, exactly (in
    integers): 2999/5000 is 59.98%, which the one-decimal display rounds to 60.0, and fails
    a pass mark of 60."""
    return score * 100 >= pass_mark * max_score


@dataclass(frozen=True)
class ItemStat:
    question_id: int
    answered: int  # attempts that drew the item
    correct: int
    difficulty: float | None  # proportion correct (p)
    discrimination: float | None  # point-biserial r between the item (0/1) and the percentage


def item_statistics(attempts: Iterable[tuple[dict[str, int], float]]) -> list[ItemStat]:
    """Difficulty and discrimination of every item over graded attempts.

    ``attempts`` yields (marks, percentage). Difficulty is the proportion of attempts that got
    the item right. Discrimination is the point-biserial correlation between the item's 0/1
    mark and the attempt's percentage, over the attempts that drew the item (each person has
    their own draw, so percentages, not raw totals, are compared):
    r = (M1 − M0) / s · √(p·q), with M1/M0 the mean percentage of those who got it right/wrong
    and s the population standard deviation of the percentages. Undefined (None) when
    everybody got it right or everybody wrong, or the percentages do not vary.
    """
    by_item: dict[int, list[tuple[int, float]]] = {}
    for marks, percent in attempts:
        for qid, mark in marks.items():
            by_item.setdefault(int(qid), []).append((int(mark), float(percent)))
    stats = []
    for qid in sorted(by_item):
        rows = by_item[qid]
        n = len(rows)
        right = [t for m, t in rows if m]
        wrong = [t for m, t in rows if not m]
        p = len(right) / n
        totals = [t for _m, t in rows]
        mean = sum(totals) / n
        sd = math.sqrt(sum((t - mean) ** 2 for t in totals) / n)
        r = None
        if right and wrong and sd > 1e-9:
            m1 = sum(right) / len(right)
            m0 = sum(wrong) / len(wrong)
            r = round((m1 - m0) / sd * math.sqrt(p * (1 - p)), 3)
        stats.append(ItemStat(qid, n, len(right), round(p, 3), r))
    return stats
