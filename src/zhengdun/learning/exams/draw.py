"""Drawing a person's questions by the exam's rules.

Each rule asks for ``count`` questions of a type carrying all its tags. Rules may overlap (a
"law" rule and a "chapter 1" rule can share questions), and no question may appear twice, so a
draw is a matching of rule slots to questions: augmenting paths find one whenever one exists,
and shuffled candidate lists make it random. The same routine tells an exam's author whether the
bank can satisfy the rules at all.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class Slots:
    """One rule as the matcher sees it."""

    index: int
    count: int
    candidates: list[int] = field(default_factory=list)


def match(rules: Sequence[Slots], rng: random.Random | None = None) -> dict[int, list[int]] | None:
    """Assign ``count`` distinct questions to every rule, or None if the bank cannot.

    Each rule is expanded into ``count`` slots; a slot takes a free candidate or steals one
    from a slot that can move elsewhere (Kuhn's augmenting paths). With ``rng`` candidates
    are tried in random order, which makes the draw a random one.
    """
    slots: list[list[int]] = []
    owner: list[int] = []
    for rule in rules:
        for _n in range(rule.count):
            cands = list(rule.candidates)
            if rng is not None:
                rng.shuffle(cands)
            slots.append(cands)
            owner.append(rule.index)
    taken: dict[int, int] = {}  # question id -> slot

    def augment(slot: int, seen: set[int]) -> bool:
        for qid in slots[slot]:
            if qid in seen:
                continue
            seen.add(qid)
            if qid not in taken or augment(taken[qid], seen):
                taken[qid] = slot
                return True
        return False

    for slot in range(len(slots)):
        if not augment(slot, set()):
            return None
    result: dict[int, list[int]] = {rule.index: [] for rule in rules}
    for qid, slot in taken.items():
        result[owner[slot]].append(qid)
    return result


def shortfalls(rules: Sequence[Slots]) -> dict[int, int]:
    """For rules that cannot be met even alone, how many questions the bank has for them."""
    return {rule.index: len(rule.candidates) for rule in rules if len(rule.candidates) < rule.count}
