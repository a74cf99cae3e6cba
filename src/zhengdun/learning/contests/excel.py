"""Excel of a drill plan's results: one row per person, one column per subject.

The template lists the people the user may record (with their current results filled in);
the import validates every row through ``actions.record_result`` and commits all rows or none
through ``core.excel.run_import``, with a message per row and column.
"""

from collections.abc import Iterator
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from zhengdun.audit.codes import Code
from zhengdun.audit.log import record
from zhengdun.core.errors import messages_of
from zhengdun.core.excel import Column, ImportOutcome, Row, run_import
from zhengdun.learning.contests import actions
from zhengdun.learning.contests.models import DrillPlan, Measure, Result, Subject
from zhengdun.learning.contests.permissions import recordable_people


def _words(word: str) -> set[str]:
    """A word in every UI language, lower-cased (cells may be written in any)."""
    found = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            found.add(pgettext("drill result", word).strip().lower())
    return found


PASS_WORDS = {"合格", "通过", "是", "pass", "passed", "yes", "y", "1", "√", "✓"}
FAIL_WORDS = {"不合格", "未通过", "否", "fail", "failed", "no", "n", "0", "×", "✗"}


def subject_key(subject: Subject) -> str:
    return f"s{subject.pk}"


def columns(plan: DrillPlan) -> list[Column]:
    fixed = [
        Column("police_number", gettext_lazy("Police number"), required=True, width=14),
        Column("name", gettext_lazy("Name"), width=12),
        Column("unit", gettext_lazy("Unit"), width=24),
        Column(
            "tested_on",
            gettext_lazy("Tested on"),
            width=12,
            help=gettext_lazy("YYYY-MM-DD; empty: today."),
        ),
    ]
    for subject in plan.subjects.all():
        help_text = (
            " / ".join((pgettext("drill result", "Pass"), pgettext("drill result", "Fail")))
            if subject.measure == Measure.PASS_FAIL
            else f"{subject.get_measure_display()}；{_('pass mark')} {subject.pass_mark}"
        )
        fixed.append(Column(subject_key(subject), subject.name, width=12, help=help_text))
    return fixed


def template_rows(actor, plan: DrillPlan) -> Iterator[dict]:
    """The people the user may record, with the results already recorded (two queries)."""
    subjects = list(plan.subjects.all())
    people = recordable_people(actor, plan).select_related("unit").order_by("unit__path", "name")
    recorded: dict[int, dict[str, str]] = {}
    for result in Result.objects.filter(subject__plan=plan, person__in=people).select_related(
        "subject"
    ):
        recorded.setdefault(result.person_id, {})[subject_key(result.subject)] = display_value(
            result
        )
    for person in people:
        row = {"police_number": person.police_number, "name": person.name, "unit": person.unit.name}
        for subject in subjects:
            row[subject_key(subject)] = recorded.get(person.pk, {}).get(subject_key(subject), "")
        yield row


def display_value(result: Result) -> str:
    if result.subject.measure == Measure.PASS_FAIL:
        return (
            pgettext("drill result", "Pass") if result.passed else pgettext("drill result", "Fail")
        )
    return format(result.value.normalize(), "f") if result.value is not None else ""


def _date(text: str) -> date | None:
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y-%m-%d %H:%M:%S", "%Y.%m.%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValidationError({"tested_on": _("Write the date as YYYY-MM-DD.")})


class _Importer:
    def __init__(self, actor, plan: DrillPlan):
        self.actor = actor
        self.plan = plan
        self.subjects = list(plan.subjects.all())
        self.people = recordable_people(actor, plan).select_related("unit")

    def apply(self, cells: dict[str, str]) -> str:
        person = self.people.filter(police_number=cells["police_number"]).first()
        if person is None:
            raise ValidationError(
                {"police_number": _("No one with this police number serves in your units.")}
            )
        tested_on = _date(cells.get("tested_on", ""))
        errors: dict[str, list[str]] = {}
        outcome = "unchanged"
        for subject in self.subjects:
            key = subject_key(subject)
            text = cells.get(key, "")
            if not text:
                continue
            kwargs: dict = {"value": text}
            if subject.measure == Measure.PASS_FAIL:
                word = text.strip().lower()
                passes, fails = PASS_WORDS | _words("Pass"), FAIL_WORDS | _words("Fail")
                if word not in passes | fails:
                    errors[key] = [_("Write pass or fail (合格 / 不合格).")]
                    continue
                kwargs = {"passed": word in passes}
            try:
                _result, created = actions.record_result(
                    self.actor, subject=subject, person=person, tested_on=tested_on, **kwargs
                )
            except ValidationError as error:
                messages = messages_of(error)
                errors[key] = [m for field in messages.values() for m in field]
                continue
            outcome = "created" if created or outcome == "created" else "updated"
        if errors:
            raise ValidationError(errors)
        return outcome


def import_results(actor, plan: DrillPlan, rows: list[Row], *, dry_run: bool = False):
    """All rows or none; a person outside the user's units is an error of that row."""
    importer = _Importer(actor, plan)
    return run_import(
        rows,
        columns(plan),
        key="police_number",
        apply_row=importer.apply,
        dry_run=dry_run,
        on_commit=lambda outcome: _record_import(actor, plan, outcome),
    )


def _record_import(actor, plan: DrillPlan, outcome: ImportOutcome) -> None:
    record(
        actor=actor,
        code=Code.CONTESTS_RESULTS_IMPORTED,
        obj=plan,
        unit=plan.unit,
        changes={"people": outcome.total},
    )
