"""Copied talks (三谈): two officers' talks that are nearly the same text are a formalism
signal (走形式) of the self-inspection round their talk round is linked to.

The comparison is self-inspection's own (``selfcheck.formalism``): the same normalising,
5-character shingles, MinHash signatures cut into LSH bands, and exact Jaccard similarity at
the same threshold; only the bucketing of the band values happens here, in memory, since one
round's talks are few (one per officer) and are not stored as bands.
"""

from collections import defaultdict
from collections.abc import Iterator

from zhengdun.learning.models import TALK_FIELDS, Talk, TalkRound
from zhengdun.org.models import Unit, ancestor_paths
from zhengdun.selfcheck import formalism
from zhengdun.selfcheck.models import Round, Signal, SignalKind


def talk_text(talk: Talk | dict) -> str:
    get = talk.get if isinstance(talk, dict) else lambda name: getattr(talk, name)
    return "\n".join(get(name) for name in TALK_FIELDS if get(name))


def copied_pairs(texts: dict[int, str]) -> list[tuple[int, int, float]]:
    """Pairs of ids (smaller first) whose texts are at least ``formalism.THRESHOLD`` alike,
    with their similarity. Texts shorter than ``formalism.MIN_CHARS`` are not compared."""
    normal = {pk: formalism.normalise(text) for pk, text in texts.items()}
    ids = [pk for pk, text in normal.items() if len(text) >= formalism.MIN_CHARS]
    if len(ids) < 2:
        return []
    sigs = formalism.signatures([normal[pk] for pk in ids])
    bands = formalism.band_values(sigs)
    buckets: dict[tuple[int, int], list[int]] = defaultdict(list)
    for row, pk in enumerate(ids):
        for band, value in enumerate(bands[row]):
            buckets[(band, int(value))].append(pk)
    candidates: set[tuple[int, int]] = set()
    for members in buckets.values():
        if 1 < len(members) <= formalism.MAX_BUCKET:
            for i, a in enumerate(members):
                for b in members[i + 1 :]:
                    candidates.add((min(a, b), max(a, b)))
    sets = {pk: formalism.shingles(normal[pk]) for pk in {pk for pair in candidates for pk in pair}}
    found = []
    for a, b in sorted(candidates):
        similarity = formalism.jaccard(sets[a], sets[b])
        if similarity >= formalism.THRESHOLD:
            found.append((a, b, similarity))
    return found


def _common_path(a: str, b: str) -> str:
    """The path of the lowest unit above (or at) both."""
    shared = [path for path in ancestor_paths(a) if b.startswith(path)]
    return shared[-1] if shared else ""


def copied_talks(round_: Round) -> Iterator[Signal]:
    """The detector registered with ``selfcheck.formalism``: copied talks in the talk rounds
    linked to ``round_``. A signal belongs to the lowest unit above both talks, so only those
    who may see both sides see it."""
    for talk_round in TalkRound.objects.filter(selfcheck_round=round_):
        yield from _signals_of(round_, talk_round)


def _signals_of(round_: Round, talk_round: TalkRound) -> Iterator[Signal]:
    rows = {
        row["pk"]: row
        for row in Talk.objects.filter(round=talk_round).values(
            "pk", "unit_path", "person__name", *TALK_FIELDS
        )
    }
    pairs = copied_pairs({pk: talk_text(row) for pk, row in rows.items()})
    paths = {_common_path(rows[a]["unit_path"], rows[b]["unit_path"]) for a, b, _s in pairs}
    units = dict(Unit.objects.filter(path__in=paths).values_list("path", "pk"))
    for a, b, similarity in pairs:
        path = _common_path(rows[a]["unit_path"], rows[b]["unit_path"])
        if path not in units:
            continue
        yield Signal(
            round=round_,
            kind=SignalKind.COPIED_TALK,
            unit_id=units[path],
            unit_path=path,
            score=round(similarity, 3),
            detail={
                "talk_round": talk_round.pk,
                "talks": [a, b],
                "people": [rows[a]["person__name"], rows[b]["person__name"]],
                # No passage: the signal is shown to the campaign office (selfcheck.plan),
                # who may not read talks. The talk round's page works the passage out for a
                # viewer who may open both talks.
                "similarity": round(similarity, 3),
            },
        )
