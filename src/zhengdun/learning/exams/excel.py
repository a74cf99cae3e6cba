"""Excel export and import of the question bank.

Export and import share the columns, so an exported workbook can be corrected and imported
into another unit's bank. The import validates every row through ``actions.create_question``
and commits all rows or none (``core.excel.run_import``): one bad row and nothing is written,
with a message for each bad cell.
"""

import re
from collections.abc import Iterable, Iterator

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhengdun.audit.codes import Code
from zhengdun.audit.log import record
from zhengdun.core.excel import Column, ImportOutcome, Row, run_import
from zhengdun.learning.exams import actions
from zhengdun.learning.exams.models import CHOICE_KINDS, Question, QuestionKind, TagKind
from zhengdun.learning.exams.permissions import ExamPerm
from zhengdun.org import scope
from zhengdun.org.models import Unit

OPTION_KEYS = [f"option_{letter}" for letter in "abcdefgh"]
TAG_KEYS = {
    "chapter": TagKind.CHAPTER,
    "law": TagKind.LAW,
    "difficulty": TagKind.DIFFICULTY,
    "topic": TagKind.TOPIC,
}
# Several accepted fill-in answers in one cell: only | (either width) or a new line, since
# 、 and ； occur inside answers ("公正、文明").
ANSWER_SEPARATORS = re.compile(r"[|｜\n]+")
# Several tags of a kind in one cell.
TAG_SEPARATORS = re.compile(r"[|｜;；、\n]+")

COLUMNS = [
    Column(
        "kind",
        gettext_lazy("Type"),
        required=True,
        width=10,
        choices=tuple((k.value, k.label) for k in QuestionKind),
    ),
    Column("text", gettext_lazy("Question"), required=True, width=50),
    *[
        Column(key, format_lazy("{} {}", gettext_lazy("Option"), key[-1].upper()), width=18)
        for key in OPTION_KEYS
    ],
    Column(
        "answer",
        gettext_lazy("Correct answer"),
        required=True,
        width=14,
        help=gettext_lazy(
            "Choice: the letters of the correct options (e.g. B or ACD). True or false: 对 or "
            "错. Fill-in: the accepted answers, separated by |."
        ),
    ),
    Column("explanation", gettext_lazy("Explanation"), width=40),
    Column("chapter", gettext_lazy("Handbook chapter"), width=16),
    Column("law", gettext_lazy("Law or regulation"), width=20),
    Column("difficulty", gettext_lazy("Difficulty"), width=8),
    Column("topic", gettext_lazy("Topic"), width=16),
]
ALIASES = {"options": "option_a", "tags": "chapter"}


def question_rows(questions: Iterable[Question]) -> Iterator[dict]:
    """Cells for export (the same columns the import reads)."""
    for question in questions:
        row = {"kind": question.get_kind_display(), "text": question.text}
        for key, option in zip(OPTION_KEYS, question.options or [], strict=False):
            row[key] = option
        if question.kind in CHOICE_KINDS:
            row["answer"] = "".join(
                actions.letters(len(question.options))[i] for i in question.answer
            )
        elif question.kind == QuestionKind.TRUE_FALSE:
            row["answer"] = "对" if question.answer and question.answer[0] else "错"
        else:
            row["answer"] = " | ".join(question.answer)
        row["explanation"] = question.explanation
        for tag in question.tags.all():
            row[tag.kind] = f"{row[tag.kind]}、{tag.name}" if row.get(tag.kind) else tag.name
        yield row


def data_from_cells(cells: dict[str, str]) -> actions.QuestionData:
    """A row's cells as a question; the letters and words of the answer are checked here so
    the message names the cell."""
    kind = cells["kind"]
    options = [cells.get(key, "") for key in OPTION_KEYS]
    while options and not options[-1]:
        options.pop()
    if any(not o for o in options):
        raise ValidationError({"options": _("Fill the options in order, without a gap.")})
    answer_text = cells.get("answer", "")
    if kind in CHOICE_KINDS:
        answer = actions.parse_letters(answer_text, len(options))
        if answer is None:
            raise ValidationError(
                {
                    "answer": _("Give the letters of correct options among A–%(last)s.")
                    % {"last": actions.letters(max(len(options), 1))[-1]}
                }
            )
    elif kind == QuestionKind.TRUE_FALSE:
        answer = [actions.parse_true_false(answer_text)]
        if answer[0] is None:
            raise ValidationError({"answer": _("Write 对 (true) or 错 (false).")})
    else:
        answer = [part.strip() for part in ANSWER_SEPARATORS.split(answer_text) if part.strip()]
    tags = [
        (tag_kind, name.strip())
        for key, tag_kind in TAG_KEYS.items()
        for name in TAG_SEPARATORS.split(cells.get(key, ""))
        if name.strip()
    ]
    return actions.QuestionData(
        kind=kind,
        text=cells["text"],
        options=options,
        answer=answer,
        explanation=cells.get("explanation", ""),
        tags=tags,
    )


def import_questions(
    actor, *, unit: Unit, rows: Iterable[Row], dry_run: bool = False
) -> ImportOutcome:
    """Add the rows to the unit's bank, all or none; a question already in the bank (same
    text and type) is refused as a duplicate."""
    if not scope.can(actor, ExamPerm.BANK, unit):
        raise PermissionDenied

    def apply_row(cells: dict[str, str]) -> str:
        data = data_from_cells(cells)
        if Question.objects.filter(unit=unit, kind=data.kind, text=data.text.strip()).exists():
            raise ValidationError({"text": _("This question is already in the bank.")})
        actions.create_question(actor, unit=unit, data=data)
        return "created"

    def on_commit(outcome: ImportOutcome) -> None:
        record(
            actor=actor,
            code=Code.EXAMS_QUESTIONS_IMPORTED,
            unit=unit,
            object_repr=unit.name,
            changes={"created": outcome.created},
        )

    return run_import(
        rows,
        COLUMNS,
        key="text",
        apply_row=apply_row,
        on_commit=on_commit,
        dry_run=dry_run,
        aliases=ALIASES,
    )
