"""Read side of clues: every function takes the viewer and starts from the need-to-know set."""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from zhengdun.audit.models import AuditEvent
from zhengdun.integrity.categories import Category
from zhengdun.integrity.models import (
    Case,
    Clue,
    ClueEntry,
    ClueHandler,
    ClueState,
    Disposition,
    IdentityReveal,
    Source,
)
from zhengdun.integrity.permissions import cases_visible_to, clues_visible_to
from zhengdun.org.models import PATH_STEP, Person, Unit
from zhengdun.selfcheck.formalism import jaccard, normalise, shingles

# Duplicates: at most this many clues are read and compared for similar text (the newest in
# the viewer's need-to-know set), and this many candidates are shown.
DUPLICATE_SCAN = 200
DUPLICATE_SHOWN = 10
DUPLICATE_THRESHOLD = 0.3
# Counts under this are hidden in breakdowns shown outside the need-to-know group.
SMALL_COUNT = 3
ACCESS_LOG_LIMIT = 500


@dataclass(frozen=True)
class ClueFilters:
    state: str = ""
    source: str = ""
    category: str = ""
    colour: str = ""
    mode: str = ""
    q: str = ""  # the number, or part of it


def clues(user, filters: ClueFilters | None = None) -> QuerySet[Clue]:
    """The viewer's clues, filtered in the database, newest received first. Only what a list
    shows (no encrypted column is read)."""
    filters = filters or ClueFilters()
    rows = clues_visible_to(user)
    if filters.state:
        rows = rows.filter(state=filters.state)
    if filters.source:
        rows = rows.filter(source=filters.source)
    if filters.category:
        rows = rows.filter(category=filters.category)
    if filters.colour:
        rows = rows.filter(colour=filters.colour)
    if filters.mode:
        rows = rows.filter(mode=filters.mode)
    if filters.q:
        rows = rows.filter(number__contains=filters.q)
    return (
        rows.select_related("unit")
        .defer("summary", "subjects_text", "conclusion")
        .order_by("-received_on", "-id")
    )


def subjects(clue: Clue) -> tuple[list[Person], list[Unit]]:
    return (
        list(clue.subject_persons.select_related("unit").order_by("name")),
        list(clue.subject_units.order_by("path")),
    )


def handlers(clue: Clue) -> list[ClueHandler]:
    return list(
        ClueHandler.objects.filter(clue=clue)
        .select_related("user", "user__person")
        .order_by("-active", "role", "assigned_at")
    )


def entries(clue: Clue) -> list[ClueEntry]:
    return list(
        ClueEntry.objects.filter(clue=clue)
        .select_related("created_by")
        .prefetch_related("files")
        .order_by("occurred_on", "id")
    )


def reveals(clue: Clue) -> list[IdentityReveal]:
    return list(
        IdentityReveal.objects.filter(clue=clue)
        .select_related("user", "decided_by")
        .order_by("-id")
    )


def thread(clue: Clue) -> list:
    """The messages exchanged with the reporter on the portal, with their attachments."""
    if clue.portal_report_id is None:
        return []
    from zhengdun.integrity.portal import queries as portal_queries

    return portal_queries.thread(clue.portal_report)


def report_files(clue: Clue) -> list:
    """The files the reporter sent with a portal report (those sent with messages are listed
    with their message)."""
    if clue.portal_report_id is None:
        return []
    from zhengdun.integrity.portal import queries as portal_queries

    return portal_queries.report_attachments(clue.portal_report)


def access_log(clue: Clue) -> list[AuditEvent]:
    """Every audited read and change of the clue (and of its case), newest first."""
    condition = Q(object_type="integrity.clue", object_id=str(clue.pk))
    case = Case.objects.filter(clue=clue).values_list("pk", flat=True).first()
    if case is not None:
        condition |= Q(object_type="integrity.case", object_id=str(case))
    return list(
        AuditEvent.objects.filter(condition, code__startswith="integrity.").order_by("-seq")[
            :ACCESS_LOG_LIMIT
        ]
    )


# Duplicates --------------------------------------------------------------------------------


@dataclass
class Duplicate:
    clue: Clue
    same_person: bool = False
    same_unit: bool = False
    similarity: float = 0.0

    @property
    def reasons(self) -> list[str]:
        reasons = []
        if self.same_person:
            reasons.append(_("same person concerned"))
        if self.same_unit:
            reasons.append(_("same unit concerned"))
        if self.similarity:
            reasons.append(_("similar text (%(percent)d %%)") % {"percent": self.similarity * 100})
        return reasons


def duplicates(user, clue: Clue) -> list[Duplicate]:
    """Possible duplicates of ``clue`` among the clues the viewer may see: the same subject
    person or unit (in the database), or a similar summary (character shingles, Jaccard over
    the decrypted text of the newest ``DUPLICATE_SCAN`` clues). Bounded whatever the size."""
    visible = clues_visible_to(user).exclude(pk=clue.pk)
    person_ids = list(clue.subject_persons.values_list("pk", flat=True))
    unit_ids = list(clue.subject_units.values_list("pk", flat=True))
    found: dict[int, Duplicate] = {}
    if person_ids:
        for other in visible.filter(subject_persons__in=person_ids).distinct()[:DUPLICATE_SHOWN]:
            found.setdefault(other.pk, Duplicate(other)).same_person = True
    if unit_ids:
        for other in visible.filter(subject_units__in=unit_ids).distinct()[:DUPLICATE_SHOWN]:
            found.setdefault(other.pk, Duplicate(other)).same_unit = True
    mine = shingles(normalise(f"{clue.summary} {clue.subjects_text}"))
    if mine:
        recent = visible.order_by("-received_on", "-id").only(
            "pk", "number", "summary", "subjects_text", "state", "received_on", "source"
        )[:DUPLICATE_SCAN]
        for other in recent:
            score = jaccard(mine, shingles(normalise(f"{other.summary} {other.subjects_text}")))
            if score >= DUPLICATE_THRESHOLD:
                found.setdefault(other.pk, Duplicate(other)).similarity = round(score, 2)
    ranked = sorted(
        found.values(),
        key=lambda d: (-(d.same_person + d.same_unit), -d.similarity, -d.clue.pk),
    )
    return ranked[:DUPLICATE_SHOWN]


# Statistics --------------------------------------------------------------------------------


@dataclass
class Breakdown:
    title: str
    rows: list[tuple[str, int | None]]  # None: hidden (fewer than SMALL_COUNT)
    total: int | None


def _suppress(rows: list[tuple[str, int]], total: int) -> tuple[list, int | None]:
    """Hide every count under SMALL_COUNT; if only one is hidden, hide the next smallest too,
    so that the total does not give it away."""
    hidden = {index for index, (_label, count) in enumerate(rows) if count < SMALL_COUNT}
    if len(hidden) == 1 and len(rows) > 1:
        rest = sorted(
            (count, index) for index, (_label, count) in enumerate(rows) if index not in hidden
        )
        hidden.add(rest[0][1])
    shown = [
        (label, None if index in hidden else count) for index, (label, count) in enumerate(rows)
    ]
    return shown, (total if total >= SMALL_COUNT else None)


def _bureau_label(path: str, names: dict[str, str]) -> str:
    return names.get(path, _("Unit not known")) if path else _("Unit not known")


def statistics(user, *, year: int | None = None, suppress: bool) -> list[Breakdown]:
    """Counts of clues by source, category, unit (the second level of the tree: county bureau
    or department) and disposition. The discipline head reads them from every clue
    (``suppress=False`` only for them); others get the same over every clue with counts under
    SMALL_COUNT hidden."""
    base = Clue.objects.all() if suppress else clues_visible_to(user)
    if year:
        base = base.filter(year=year)
    total = base.count()

    def by(field, choices) -> list[tuple[str, int]]:
        counts = dict(base.values_list(field).annotate(n=Count("pk")).values_list(field, "n"))
        return [(str(label), counts.get(value, 0)) for value, label in choices]

    level = 2 * PATH_STEP
    unit_counts: Counter = Counter()
    for path, count in base.values_list("unit_path").annotate(n=Count("pk")):
        unit_counts[path[:level] if len(path) >= level else path] += count
    names = dict(
        Unit.objects.filter(path__in=[p for p in unit_counts if p]).values_list("path", "name")
    )
    units = sorted(
        ((_bureau_label(path, names), count) for path, count in unit_counts.items()),
        key=lambda row: -row[1],
    )
    concluded = base.filter(state__in=[ClueState.CONCLUDED, ClueState.ARCHIVED])
    disposition_counts = dict(
        concluded.values_list("disposition").annotate(n=Count("pk")).values_list("disposition", "n")
    )
    dispositions = [
        (str(label), disposition_counts.get(value, 0)) for value, label in Disposition.choices
    ]
    breakdowns = [
        Breakdown(_("By source"), by("source", Source.choices), total),
        Breakdown(_("By category"), by("category", Category.choices), total),
        Breakdown(_("By unit"), units, total),
        Breakdown(_("By disposition"), dispositions, concluded.count()),
        Breakdown(_("By state"), by("state", ClueState.choices), total),
    ]
    if suppress:
        for breakdown in breakdowns:
            breakdown.rows, breakdown.total = _suppress(breakdown.rows, breakdown.total or 0)
    return breakdowns


def cases_for(user) -> QuerySet[Case]:
    return cases_visible_to(user).select_related("clue").order_by("-opened_on", "-id")
