"""The arithmetic of drills and contests, apart from the database so that it can be read and
tested on crafted numbers: standards, places with ties, points for places, judges' trimming,
prizes."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from zhengdun.learning.contests.models import AwardMode, Direction, Measure, Tier

T = TypeVar("T")
THREE = Decimal("0.001")


def reaches(value: Decimal, mark: Decimal, direction: str) -> bool:
    """Whether ``value`` reaches ``mark``: at or below it when lower is better (times), at or
    above it otherwise. Exactly at the mark reaches it."""
    if direction == Direction.LOWER:
        return value <= mark
    return value >= mark


def grade(
    *,
    measure: str,
    direction: str,
    pass_mark: Decimal | None,
    excellent_mark: Decimal | None,
    value: Decimal | None,
    passed: bool | None = None,
) -> tuple[bool, bool]:
    """(passed, excellent) for a result. A pass/fail subject takes ``passed`` as given (and
    has no excellent); a measured subject compares its value with the marks."""
    if measure == Measure.PASS_FAIL:
        return bool(passed), False
    if value is None or pass_mark is None:
        return False, False
    ok = reaches(value, pass_mark, direction)
    excellent = excellent_mark is not None and ok and reaches(value, excellent_mark, direction)
    return ok, excellent


def places(
    items: Sequence[T], key: Callable[[T], Decimal | None], direction: str
) -> list[tuple[int, T]]:
    """Standard competition ranking ("1, 2, 2, 4"): equal results share a place, the next
    place skips as many as shared. Items without a result come last, unplaced (place 0)."""
    scored = [item for item in items if key(item) is not None]
    unscored = [item for item in items if key(item) is None]
    scored.sort(key=lambda item: key(item), reverse=direction != Direction.LOWER)
    ranked: list[tuple[int, T]] = []
    for index, item in enumerate(scored):
        if index and key(item) == key(scored[index - 1]):
            ranked.append((ranked[-1][0], item))
        else:
            ranked.append((index + 1, item))
    return ranked + [(0, item) for item in unscored]


def points_for(ranked: list[tuple[int, T]], table: Sequence[int | float | str]) -> list[Decimal]:
    """Points for each ranked item. Entries tied on a place share the points of the places
    they occupy, averaged (two tied for 2nd with a table 7, 5, 3 get (5 + 3) / 2 = 4 each):
    the total handed out is the same as without the tie. Places beyond the table get 0."""
    table = [Decimal(str(points)) for points in table]
    tied: dict[int, int] = {}
    for place, _item in ranked:
        if place:
            tied[place] = tied.get(place, 0) + 1
    result = []
    for place, _item in ranked:
        if not place:
            result.append(Decimal(0))
            continue
        spanned = [
            table[p - 1] if p - 1 < len(table) else Decimal(0)
            for p in range(place, place + tied[place])
        ]
        result.append((sum(spanned, Decimal(0)) / len(spanned)).quantize(THREE, ROUND_HALF_UP))
    return result


HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Line:
    weight: Decimal
    value: Decimal
    maximum: Decimal = HUNDRED


def weighted_total(lines: Sequence[Line]) -> Decimal:
    """A judge's total for an entry, always out of 100 whatever the rubric: each criterion's
    score is first brought to a share of its maximum (score / maximum × 100), and the weights
    are normalised by their sum (weight / Σ weights), so a rubric of weights 2 and 3 counts
    the same as 0.4 and 0.6, and a criterion marked out of 10 weighs as much as one out of
    100. Full marks everywhere give 100; a rubric whose weights sum to 1 and whose maxima are
    100 gives the plain Σ weight × score. Rounded to 0.001 like every score here."""
    weights = sum((line.weight for line in lines), Decimal(0))
    if not weights:
        return Decimal(0)
    total = sum(
        (line.weight * line.value * HUNDRED / line.maximum for line in lines),
        Decimal(0),
    )
    return (total / weights).quantize(THREE, ROUND_HALF_UP)


def trimmed_mean(totals: Sequence[Decimal]) -> Decimal | None:
    """An entry's score from its judges' totals: with three judges or more the highest and
    the lowest total are dropped (one of each, even if tied) and the rest averaged; with one
    or two judges there is nothing to drop, so the plain mean is taken. None without any."""
    if not totals:
        return None
    kept = sorted(totals)
    if len(kept) >= 3:
        kept = kept[1:-1]
    return (sum(kept, Decimal(0)) / len(kept)).quantize(THREE, ROUND_HALF_UP)


def tier_for(place: int, score: Decimal, mode: str, rule: dict) -> str | None:
    """The prize for a placed entry. By rank: ``rule`` gives how many places each prize
    covers, in order (first, second, third, merit), a tie at the edge taking the prize of its
    shared place. By thresholds: ``rule`` gives the lowest score for each prize."""
    if not place:
        return None
    if mode == AwardMode.THRESHOLD:
        for tier in (Tier.FIRST, Tier.SECOND, Tier.THIRD, Tier.MERIT):
            minimum = rule.get(tier)
            if minimum not in (None, "") and score >= Decimal(str(minimum)):
                return tier
        return None
    covered = 0
    for tier in (Tier.FIRST, Tier.SECOND, Tier.THIRD, Tier.MERIT):
        covered += int(rule.get(tier) or 0)
        if place <= covered:
            return tier
    return None
