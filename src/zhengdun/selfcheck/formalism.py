"""Formalism signals (走形式, 护短, 遮丑): the detectors the daily tick runs over a round.

Each detector reads the round in the database, or streams it in chunks (``values_list`` and
keyset pages), and yields ``Signal`` rows; ``run`` replaces the round's signals with them in one
transaction. The detectors:

- ``nothing_found``: a submitted unit or personal report with no problem found on any item;
- ``copied_text``: reports whose text (problems found, causes and measures) is nearly the same
  as another report's of the round, units and persons alike. Each report's normalised text is cut
  into character shingles, reduced to a MinHash signature and stored as LSH bands
  (``ReportBand``); candidate pairs come from an indexed GROUP BY and self-join on the bands in
  the database; the signatures stored with the reports estimate each candidate's similarity and
  drop those far below the threshold; the exact Jaccard similarity of the rest's shingles
  decides; the shared passage is the longest common substring of the two texts. A report keeps
  its signature and bands for as long as its text (``text_hash``) does not change;
- ``deadlines``: live measures without a deadline, or with a deadline more than ``LATE_DAYS``
  after the round's reports were due;
- ``no_evidence``: measures completed or verified without any evidence file;
- ``leaders_low``: a leader's personal report that finds fewer problems than the average of the
  other personal reports of the leader's unit and the units below it.

Only submitted reports count (a draft may still change; a returned report is being revised).
"""

import hashlib
import logging
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from difflib import SequenceMatcher

import numpy as np
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from zhengdun.org import scope
from zhengdun.org.models import PATH_STEP, Unit, ancestor_paths
from zhengdun.selfcheck.models import (
    Answer,
    Measure,
    MeasureEvidence,
    MeasureState,
    Report,
    ReportBand,
    ReportKind,
    ReportState,
    Round,
    Signal,
    SignalKind,
)
from zhengdun.selfcheck.permissions import SelfcheckPerm

log = logging.getLogger(__name__)

# Copied text. Shingles of 5 characters: Chinese carries a word in about two characters, so a
# 5-gram is a phrase, specific enough that unrelated reports share few of them.
SHINGLE = 5
# 16 bands of 4 MinHash rows (64 hash functions): a pair becomes a candidate with probability
# 1 - (1 - s^4)^16, i.e. 0.89 at a similarity s of 0.6, 0.99 at 0.75, 0.12 at 0.3, 0.002 at 0.1.
BANDS, ROWS = 16, 4
THRESHOLD = 0.6  # exact Jaccard similarity of the shingle sets from which a pair is reported
MIN_CHARS = 40  # shorter texts (after normalising) are not compared: a short phrase is no copy
# A band value shared by more reports than this is boilerplate that many reports use (a template
# phrase), not a copy between two of them: its pairs are not listed.
MAX_BUCKET = 50
MAX_PAIRS = 100_000  # candidate pairs examined at most, those sharing the most bands first
# Candidates whose signatures agree on fewer of the 64 minima than this share are not compared
# exactly. The share estimates the similarity s with a standard deviation of sqrt(s(1-s)/64):
# a pair at the threshold (0.6) falls below 0.4 once in 2,000, and most chance candidates (about
# 0.3 alike) are dropped here, before their texts are read.
ESTIMATE_FLOOR = 0.4
PASSAGE_CHARS = 300  # the longest shared passage is stored up to this length
# Bumped whenever the shingles or the hash functions change: every report is then re-banded.
BANDING_VERSION = "2"
# Deadlines: later than this many days after the round's reports were due is beyond the round.
LATE_DAYS = 90
# Leaders: compared only with at least this many other personal reports below them.
MIN_COMPARE = 5

CHUNK = 2000  # reports per read-and-write step

_NOT_WORD = re.compile(r"[\W_]+")
_MASK64 = (1 << 64) - 1


def _hash_parameters() -> tuple[np.ndarray, np.ndarray]:
    """The MinHash functions: h_i(x) = (a_i * x + b_i) mod 2^64, top 32 bits (multiply-shift),
    with fixed seeds so that bands stay comparable across runs and processes."""
    rng = np.random.default_rng(20210228)
    a = rng.integers(1, 2**63, size=BANDS * ROWS, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63, size=BANDS * ROWS, dtype=np.uint64)
    return a, b


_A, _B = _hash_parameters()


@dataclass
class Outcome:
    """What one run found and did, for the log and the benchmark."""

    signals: dict[str, int] = field(default_factory=dict)
    reports: int = 0  # submitted reports read
    rebanded: int = 0  # reports whose text changed (or was new): bands recomputed
    banded: int = 0  # of those, long enough to have bands
    dropped: int = 0  # reports no longer submitted whose bands were removed
    candidates: int = 0  # candidate pairs from the bands
    compared: int = 0  # of those, alike enough by their signatures to be compared exactly
    crowded: int = 0  # band values shared by more than MAX_BUCKET reports (not paired)
    seconds: dict[str, float] = field(default_factory=dict)


# --- text -----------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """Letters and digits only (whitespace and punctuation dropped), lower case."""
    return _NOT_WORD.sub("", text).lower()


def text_hash(normalised: str) -> str:
    """32 hex characters identifying the text (and the banding parameters)."""
    payload = f"{BANDING_VERSION}:{SHINGLE}:{BANDS}x{ROWS}:{normalised}".encode()
    return hashlib.blake2b(payload, digest_size=16).hexdigest()


def shingles(normalised: str) -> set[str]:
    return {normalised[i : i + SHINGLE] for i in range(len(normalised) - SHINGLE + 1)}


def jaccard(a: set, b: set) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


IN_BATCH = 5000  # ids per IN list (SQLite allows 32,766 parameters a statement)


def _rows_for_ids(cursor, sql: str, ids: list, extra: list | None = None) -> list[tuple]:
    """``sql`` (with ``{ids}`` where the IN list goes) run over ``ids`` a batch at a time."""
    rows: list[tuple] = []
    for start in range(0, len(ids), IN_BATCH):
        batch = ids[start : start + IN_BATCH]
        cursor.execute(sql.format(ids=", ".join(["%s"] * len(batch))), [*(extra or ()), *batch])
        rows.extend(cursor.fetchall())
    return rows


def report_texts(report_ids: list[int]) -> dict[int, str]:
    """The text of each report: for every problem found (in catalogue order), what was found,
    its cause and its measures, a line each. The answers, then their measures by answer id
    (joined to the answers instead, PostgreSQL read every measure of the table for each chunk).
    Plain SQL: the ORM spent more time preparing the thousands of ids of each IN list than the
    database took to answer."""
    answer_table = connection.ops.quote_name(Answer._meta.db_table)
    measure_table = connection.ops.quote_name(Measure._meta.db_table)
    with connection.cursor() as cursor:
        answers = _rows_for_ids(
            cursor,
            f"SELECT report_id, item_id, id, description, cause FROM {answer_table}"
            " WHERE found = %s AND report_id IN ({ids})",
            list(report_ids),
            [True],
        )
        measures = _rows_for_ids(
            cursor,
            f"SELECT answer_id, id, text FROM {measure_table} WHERE answer_id IN ({{ids}})",
            [answer_id for _r, _i, answer_id, _d, _c in answers],
        )
    # Sorted here, not in SQL: batches would each come sorted only within themselves.
    by_answer: dict[int, list[str]] = defaultdict(list)
    for answer_id, _pk, text in sorted(measures, key=lambda row: (row[0], row[1])):
        by_answer[answer_id].append(text)
    texts: dict[int, list[str]] = defaultdict(list)
    for report_id, _item, answer_id, description, cause in sorted(answers, key=lambda r: r[:2]):
        texts[report_id].extend(
            line for line in (description, cause, *by_answer.get(answer_id, ())) if line
        )
    return {pk: "\n".join(texts.get(pk, ())) for pk in report_ids}


def signatures(texts: list[str]) -> np.ndarray:
    """MinHash signatures (len(texts) x BANDS*ROWS, uint64) of normalised texts, each at least
    SHINGLE characters long, computed for the whole batch at once."""
    k = BANDS * ROWS
    if not texts:
        return np.empty((0, k), dtype=np.uint64)
    joined = "".join(texts)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    # A polynomial hash of every window of SHINGLE code points, then a 64-bit finaliser
    # (MurmurHash3's fmix64) so that similar shingles get unrelated hashes.
    windows = len(codes) - SHINGLE + 1
    h = np.zeros(windows, dtype=np.uint64)
    for offset in range(SHINGLE):
        h = h * np.uint64(1_000_003) + codes[offset : offset + windows]
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xC4CEB9FE1A85EC53)
    h ^= h >> np.uint64(33)
    # Keep only the windows that lie inside one text.
    counts = lengths - SHINGLE + 1
    out_starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    index = np.arange(counts.sum()) + np.repeat(starts - out_starts, counts)
    h = h[index]
    result = np.empty((len(texts), k), dtype=np.uint64)
    work = np.empty_like(h)
    shift = np.uint64(32)
    for i in range(k):
        np.multiply(h, _A[i], out=work)
        np.add(work, _B[i], out=work)
        np.right_shift(work, shift, out=work)
        result[:, i] = np.minimum.reduceat(work, out_starts)
    return result


def band_values(sigs: np.ndarray) -> np.ndarray:
    """One signed 64-bit value per band (len x BANDS): the band's ROWS minima mixed together."""
    rows = sigs.reshape(len(sigs), BANDS, ROWS)
    value = np.zeros((len(sigs), BANDS), dtype=np.uint64)
    for j in range(ROWS):
        value = value * np.uint64(0x9E3779B97F4A7C15) + rows[:, :, j]
    value ^= value >> np.uint64(31)
    return value.view(np.int64)


# --- bands ----------------------------------------------------------------------------------


def _insert_bands(round_id: int, rows: list[tuple[int, int, int, int]]) -> None:
    """Multi-row INSERTs (COPY on PostgreSQL): bands are written by the hundred thousand on a
    first run."""
    table = connection.ops.quote_name(ReportBand._meta.db_table)
    columns = "(round_id, report_id, band, value)"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # psycopg parses a statement with thousands of parameters in Python every time it
            # runs (it caches only short ones): that took longer than the inserts themselves.
            with cursor.cursor.copy(f"COPY {table} {columns} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        per_statement = 1000
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            values = ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} {columns} VALUES {values}",
                [field for row in chunk for field in row],
            )


def _set_text_hashes(changed: list[tuple[str, bytes, int]]) -> None:
    """(text hash, signature, report id), one UPDATE each through executemany: ``bulk_update``
    builds a CASE over the whole batch in the ORM, which took most of a first run's time."""
    table = connection.ops.quote_name(Report._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET text_hash = %s, minhash = %s WHERE id = %s", changed
        )


def refresh_bands(round_: Round, outcome: Outcome | None = None) -> Outcome:
    """Bring the round's bands up to date with its submitted reports' texts, a chunk of reports
    at a time: a report whose text hash is unchanged keeps its bands."""
    outcome = outcome or Outcome()
    stale = list(
        Report.objects.filter(round=round_)
        .exclude(state=ReportState.SUBMITTED)
        .exclude(text_hash="")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(stale), CHUNK):
        ids = stale[start : start + CHUNK]
        with transaction.atomic():
            ReportBand.objects.filter(report_id__in=ids).delete()
            Report.objects.filter(pk__in=ids).update(text_hash="", minhash=b"")
    outcome.dropped = len(stale)
    last = 0
    while True:
        chunk = list(
            Report.objects.filter(round=round_, state=ReportState.SUBMITTED, pk__gt=last)
            .order_by("pk")
            .values_list("pk", "text_hash")[:CHUNK]
        )
        if not chunk:
            break
        last = chunk[-1][0]
        outcome.reports += len(chunk)
        texts = report_texts([pk for pk, _stored in chunk])
        digests: dict[int, str] = {}
        to_band: list[tuple[int, str]] = []
        for pk, stored in chunk:
            normalised = normalise(texts[pk])
            digest = text_hash(normalised)
            if digest == stored:
                continue
            digests[pk] = digest
            if len(normalised) >= MIN_CHARS:
                to_band.append((pk, normalised))
        if not digests:
            continue
        sigs = signatures([text for _pk, text in to_band])
        minhashes = {
            pk: sig.astype(np.uint32).tobytes()
            for (pk, _text), sig in zip(to_band, sigs, strict=True)
        }
        changed = [(digest, minhashes.get(pk, b""), pk) for pk, digest in digests.items()]
        rows = [
            (round_.pk, pk, band, value)
            for (pk, _text), bands in zip(to_band, band_values(sigs).tolist(), strict=True)
            for band, value in enumerate(bands)
        ]
        with transaction.atomic():
            ReportBand.objects.filter(report_id__in=list(digests)).delete()
            _insert_bands(round_.pk, rows)
            _set_text_hashes(changed)
        outcome.rebanded += len(changed)
        outcome.banded += len(to_band)
    return outcome


def candidate_pairs(round_: Round, outcome: Outcome | None = None) -> list[tuple[int, int, int]]:
    """(report, other report, bands shared) for every pair of the round's reports that share at
    least one band value, from the database: the band values shared by 2 to MAX_BUCKET reports
    (a GROUP BY along the (round, band, value) index), joined back to their reports."""
    table = connection.ops.quote_name(ReportBand._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT a.report_id, b.report_id, COUNT(*)
            FROM (
                SELECT band, value FROM {table} WHERE round_id = %s
                GROUP BY band, value HAVING COUNT(*) BETWEEN 2 AND %s
            ) shared
            JOIN {table} a
              ON a.round_id = %s AND a.band = shared.band AND a.value = shared.value
            JOIN {table} b
              ON b.round_id = %s AND b.band = shared.band AND b.value = shared.value
             AND b.report_id > a.report_id
            GROUP BY a.report_id, b.report_id
            ORDER BY 3 DESC, 1, 2
            LIMIT %s
            """,
            [round_.pk, MAX_BUCKET, round_.pk, round_.pk, MAX_PAIRS],
        )
        pairs = cursor.fetchall()
        if outcome is not None:
            cursor.execute(
                f"""
                SELECT COUNT(*) FROM (
                    SELECT band, value FROM {table} WHERE round_id = %s
                    GROUP BY band, value HAVING COUNT(*) > %s
                ) crowded
                """,
                [round_.pk, MAX_BUCKET],
            )
            outcome.crowded = cursor.fetchone()[0]
            outcome.candidates = len(pairs)
    if len(pairs) == MAX_PAIRS:
        log.warning("round %s: candidate pairs cut at %d", round_.pk, MAX_PAIRS)
    return pairs


def _common_path(a: str, b: str) -> str:
    """The path of the lowest unit above (or at) both."""
    end = 0
    while end < min(len(a), len(b)) and a[end : end + PATH_STEP] == b[end : end + PATH_STEP]:
        end += PATH_STEP
    return a[:end]


def shared_passage(a: str, b: str) -> str:
    """The longest common substring of two texts (only for pairs that are reported)."""
    match = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return a[match.a : match.a + match.size].strip()


def estimates(pairs: list[tuple[int, int, int]], minhashes: dict[int, bytes]) -> np.ndarray:
    """The share of signature minima each pair's reports agree on (an estimate of their
    similarity); 1 where a signature is missing, so that the pair is compared exactly."""
    ids = list(minhashes)
    index = {pk: i for i, pk in enumerate(ids)}
    k = BANDS * ROWS
    matrix = np.zeros((len(ids) + 1, k), dtype=np.uint32)
    known = np.zeros(len(ids) + 1, dtype=bool)
    for i, pk in enumerate(ids):
        if len(minhashes[pk]) == 4 * k:
            matrix[i] = np.frombuffer(minhashes[pk], dtype=np.uint32)
            known[i] = True
    a = np.fromiter((index.get(x, len(ids)) for x, _y, _n in pairs), dtype=np.int64)
    b = np.fromiter((index.get(y, len(ids)) for _x, y, _n in pairs), dtype=np.int64)
    share = (matrix[a] == matrix[b]).mean(axis=1)
    return np.where(known[a] & known[b], share, 1.0)


def copied_text(round_: Round, outcome: Outcome | None = None) -> Iterator[Signal]:
    """A signal for each pair of reports with text at least THRESHOLD similar. It belongs to the
    lowest unit above both reports: only those who may see both sides see it."""
    pairs = candidate_pairs(round_, outcome)
    step = 20_000
    for start in range(0, len(pairs), step):
        chunk = pairs[start : start + step]
        ids = {pk for a, b, _n in chunk for pk in (a, b)}
        minhashes = {
            pk: bytes(value)
            for pk, value in Report.objects.filter(pk__in=ids).values_list("pk", "minhash")
        }
        chunk = [
            pair
            for pair, share in zip(chunk, estimates(chunk, minhashes), strict=True)
            if share >= ESTIMATE_FLOOR
        ]
        if outcome is not None:
            outcome.compared += len(chunk)
        ids = sorted({pk for a, b, _n in chunk for pk in (a, b)})
        texts = report_texts(ids)
        paths = dict(Report.objects.filter(pk__in=ids).values_list("pk", "unit_path"))
        sets = {pk: shingles(normalise(text)) for pk, text in texts.items()}
        found = []
        for a, b, shared in chunk:
            similarity = jaccard(sets[a], sets[b])
            if similarity >= THRESHOLD:
                found.append((a, b, shared, similarity, _common_path(paths[a], paths[b])))
        units = dict(
            Unit.objects.filter(path__in={row[4] for row in found}).values_list("path", "pk")
        )
        for a, b, shared, similarity, path in found:
            if path not in units:  # the reports are in different trees: not in one round
                continue
            yield Signal(
                round=round_,
                kind=SignalKind.COPIED_TEXT,
                report_id=a,
                other_report_id=b,
                unit_id=units[path],
                unit_path=path,
                score=round(similarity, 3),
                detail={
                    "similarity": round(similarity, 3),
                    "passage": shared_passage(texts[a], texts[b])[:PASSAGE_CHARS],
                    "bands": shared,
                },
            )


# --- the other detectors --------------------------------------------------------------------


def nothing_found(round_: Round) -> Iterator[Signal]:
    """Submitted reports with no problem found on any item. Unit and leaders' reports score 2
    (they set the tone), others 1."""
    rows = Report.objects.filter(round=round_, state=ReportState.SUBMITTED, findings=0)
    for pk, unit_id, path, kind, leader in rows.values_list(
        "pk", "unit_id", "unit_path", "kind", "is_leader"
    ).iterator(chunk_size=5000):
        yield Signal(
            round=round_,
            kind=SignalKind.NOTHING_FOUND,
            report_id=pk,
            unit_id=unit_id,
            unit_path=path,
            score=2 if kind == ReportKind.UNIT or leader else 1,
            detail={"report_kind": kind, "leader": leader},
        )


def late_limit(round_: Round):
    return round_.due_date + timedelta(days=LATE_DAYS)


def deadlines(round_: Round) -> Iterator[Signal]:
    """Measures in the ledger without a deadline, or with one beyond the round (later than
    LATE_DAYS after the reports were due), whatever their state: the time limit was not set."""
    limit = late_limit(round_)
    rows = Measure.objects.filter(round=round_, live=True).filter(
        Q(deadline__isnull=True) | Q(deadline__gt=limit)
    )
    for pk, unit_id, path, deadline in rows.values_list(
        "pk", "unit_id", "unit_path", "deadline"
    ).iterator(chunk_size=5000):
        if deadline is None:
            kind, score, detail = SignalKind.NO_DEADLINE, 1, {}
        else:
            days = (deadline - limit).days
            kind, score = SignalKind.LATE_DEADLINE, days
            detail = {"deadline": deadline.isoformat(), "limit": limit.isoformat(), "days": days}
        yield Signal(
            round=round_,
            kind=kind,
            measure_id=pk,
            unit_id=unit_id,
            unit_path=path,
            score=score,
            detail=detail,
        )


def no_evidence(round_: Round) -> Iterator[Signal]:
    """Measures completed or verified without any evidence file. Verified ones score 2: someone
    accepted them so."""
    rows = Measure.objects.filter(
        ~Exists(MeasureEvidence.objects.filter(measure=OuterRef("pk"))),
        round=round_,
        live=True,
        state__in=(MeasureState.COMPLETED, MeasureState.VERIFIED),
    )
    for pk, unit_id, path, state in rows.values_list(
        "pk", "unit_id", "unit_path", "state"
    ).iterator(chunk_size=5000):
        yield Signal(
            round=round_,
            kind=SignalKind.NO_EVIDENCE,
            measure_id=pk,
            unit_id=unit_id,
            unit_path=path,
            score=2 if state == MeasureState.VERIFIED else 1,
            detail={"state": state},
        )


def leaders_low(round_: Round) -> Iterator[Signal]:
    """Leaders' personal reports with fewer problems found than the average of the other
    submitted personal reports of the leader's unit (where they served when the round opened)
    and the units below it, when there are at least MIN_COMPARE of those. The sums come from one
    GROUP BY per unit, rolled up the tree (one entry per unit)."""
    personal = Report.objects.filter(
        round=round_, kind=ReportKind.PERSON, state=ReportState.SUBMITTED
    )
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in (
        personal.values("unit_path").annotate(n=Count("id"), found=Sum("findings")).order_by()
    ):
        for path in ancestor_paths(row["unit_path"]):
            totals[path][0] += row["n"]
            totals[path][1] += row["found"] or 0
    leaders = personal.filter(is_leader=True).values_list("pk", "unit_id", "unit_path", "findings")
    for pk, unit_id, path, findings in leaders.iterator(chunk_size=5000):
        count, found = totals.get(path, (0, 0))
        count, found = count - 1, found - findings  # the others
        if count < MIN_COMPARE:
            continue
        average = found / count
        if findings < average:
            yield Signal(
                round=round_,
                kind=SignalKind.LEADER_LOW,
                report_id=pk,
                unit_id=unit_id,
                unit_path=path,
                score=round(average - findings, 2),
                detail={"findings": findings, "average": round(average, 2), "compared": count},
            )


# --- detectors added by other apps -----------------------------------------------------------

Detector = Callable[[Round], Iterable[Signal]]
_detectors: dict[str, Detector] = {}


def register_detector(name: str, detector: Detector) -> None:
    """Add a detector that ``run`` calls for every round, after the built-in ones: another app
    whose texts belong to a round (the learning app's three talks) yields its signals with
    ``Signal.round`` set to that round. Registering a name again replaces its detector."""
    _detectors[name] = detector


# --- running --------------------------------------------------------------------------------


def _key(signal: Signal) -> tuple:
    return (
        signal.kind,
        signal.report_id,
        signal.other_report_id,
        signal.measure_id,
        signal.unit_id,
    )


def replace_signals(round_: Round, signals: Iterable[Signal]) -> dict[str, int]:
    """The round's signals become ``signals``, in one transaction. A signal found on an earlier
    run keeps the time it was first found."""
    signals = list(signals)
    now = timezone.now()
    counts: dict[str, int] = defaultdict(int)
    with transaction.atomic():
        current = Signal.objects.filter(round=round_)
        first_found = {
            (kind, report, other, measure, unit): found_at
            for kind, report, other, measure, unit, found_at in current.values_list(
                "kind", "report_id", "other_report_id", "measure_id", "unit_id", "found_at"
            ).iterator(chunk_size=5000)
        }
        for signal in signals:
            signal.found_at = first_found.get(_key(signal), now)
            counts[signal.kind] += 1
        current.delete()
        Signal.objects.bulk_create(signals, batch_size=1000)
    return dict(counts)


def run(round_: Round) -> Outcome:
    """Every detector over one round; the round's signals are replaced by what they find."""
    outcome = Outcome()
    began = time.perf_counter()
    refresh_bands(round_, outcome)
    outcome.seconds["bands"] = time.perf_counter() - began
    found: list[Signal] = []
    for name, detector in (
        ("copied_text", lambda: copied_text(round_, outcome)),
        ("nothing_found", lambda: nothing_found(round_)),
        ("deadlines", lambda: deadlines(round_)),
        ("no_evidence", lambda: no_evidence(round_)),
        ("leaders_low", lambda: leaders_low(round_)),
        *((name, lambda d=detector: d(round_)) for name, detector in _detectors.items()),
    ):
        began = time.perf_counter()
        found.extend(detector())
        outcome.seconds[name] = time.perf_counter() - began
    began = time.perf_counter()
    outcome.signals = replace_signals(round_, found)
    outcome.seconds["replace"] = time.perf_counter() - began
    log.info("round %s: formalism signals %s", round_.pk, outcome.signals)
    return outcome


# --- reading --------------------------------------------------------------------------------


def signals_visible_to(
    user, round_: Round, *, kind: str = "", unit: Unit | None = None
) -> QuerySet[Signal]:
    """The round's signals in the user's campaign-office scope, optionally of one kind and one
    unit's subtree, with what the page shows of their reports and measures."""
    signals = Signal.objects.filter(
        scope.within(user, SelfcheckPerm.PLAN, "unit_path"), round=round_
    )
    if kind:
        signals = signals.filter(kind=kind)
    if unit is not None:
        signals = signals.filter(scope.prefix_q("unit_path", unit.path))
    return signals.select_related(
        "unit",
        "report__unit",
        "report__person",
        "other_report__unit",
        "other_report__person",
        "measure__item",
        "measure__owner",
    ).order_by("kind", "-score", "id")


def signal_counts(user, round_: Round, *, unit: Unit | None = None) -> dict[str, int]:
    """Signals by kind in the user's scope (one query)."""
    signals = Signal.objects.filter(
        scope.within(user, SelfcheckPerm.PLAN, "unit_path"), round=round_
    )
    if unit is not None:
        signals = signals.filter(scope.prefix_q("unit_path", unit.path))
    return dict(signals.values_list("kind").annotate(n=Count("id")).order_by())
