"""Forms of the bank and exam pages. A question form's fields are the Excel columns, so the
page and the import read answers the same way (``excel.data_from_cells``)."""

import re

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhengdun.core import forms as core_forms
from zhengdun.learning.exams.models import QuestionKind, Tag, TagKind
from zhengdun.org.forms import UnitChoiceField
from zhengdun.org.models import Person, Unit

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
PEOPLE_SEPARATORS = re.compile(r"[\s,，、;；]+")
RULE_ROWS = 6


class QuestionFilterForm(forms.Form):
    q = forms.CharField(label=_("Text contains"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All")), *QuestionKind.choices]
    )
    tag = forms.TypedChoiceField(label=_("Tag"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, tags=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tag"].choices = [("", _("All"))] + [
            (t.pk, f"{t.get_kind_display()}：{t.name}") for t in tags
        ]


class QuestionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    unit = UnitChoiceField(label=_("Owning unit"), queryset=Unit.objects.none())
    kind = forms.ChoiceField(label=_("Type"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 3}))
    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Choice questions: one option per line, in order A, B, C…"),
    )
    answer = forms.CharField(
        label=_("Correct answer"),
        max_length=400,
        help_text=_(
            "Choice: the letters of the correct options (B or ACD). True or false: 对 or 错. "
            "Fill-in: the accepted answers, separated by |."
        ),
    )
    explanation = forms.CharField(
        label=_("Explanation"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    chapter = forms.CharField(label=_("Handbook chapter"), required=False, max_length=200)
    law = forms.CharField(label=_("Law or regulation"), required=False, max_length=200)
    difficulty = forms.CharField(label=_("Difficulty"), required=False, max_length=60)
    topic = forms.CharField(label=_("Topic"), required=False, max_length=200)
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()

    def cells(self) -> dict[str, str]:
        data = self.cleaned_data
        cells = {k: data.get(k) or "" for k in ("kind", "text", "answer", "explanation")}
        lines = [line.strip() for line in data.get("options", "").splitlines() if line.strip()]
        for index, line in enumerate(lines[:8]):
            cells[f"option_{'abcdefgh'[index]}"] = line
        if len(lines) > 8:
            self.add_error("options", gettext("At most 8 options."))
        for key in ("chapter", "law", "difficulty", "topic"):
            cells[key] = data.get(key) or ""
        return cells

    @staticmethod
    def initial_for(question) -> dict:
        from zhengdun.learning.exams.excel import question_rows

        row = next(question_rows([question]))
        return {
            "version": question.version,
            "unit": question.unit_id,
            "kind": question.kind,
            "text": question.text,
            "options": "\n".join(question.options or []),
            "answer": row.get("answer", ""),
            "explanation": question.explanation,
            "chapter": row.get("chapter", ""),
            "law": row.get("law", ""),
            "difficulty": row.get("difficulty", ""),
            "topic": row.get("topic", ""),
            "is_active": question.is_active,
        }


class ImportForm(forms.Form):
    unit = UnitChoiceField(label=_("Into the bank of"), queryset=Unit.objects.none())
    file = forms.FileField(label=_("Excel workbook (.xlsx)"))
    dry_run = forms.BooleanField(label=_("Only check, write nothing"), required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()


class TagMultipleField(core_forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Tag) -> str:
        return f"{obj.get_kind_display()}：{obj.name}"


class ExamForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    unit = UnitChoiceField(label=_("Organising unit"), queryset=Unit.objects.none())
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("Instructions"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    opens_at = forms.DateTimeField(label=_("Opens"), widget=DATETIME)
    closes_at = forms.DateTimeField(label=_("Closes"), widget=DATETIME)
    time_limit = forms.IntegerField(label=_("Time limit (minutes)"), min_value=1, max_value=600)
    pass_mark = forms.IntegerField(label=_("Pass mark (%)"), min_value=0, max_value=100)
    attempts_allowed = forms.IntegerField(label=_("Attempts allowed"), min_value=1, max_value=20)
    audience_units = core_forms.ModelMultipleChoiceField(
        label=_("Audience units (with their subtrees)"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    audience_people = forms.CharField(
        label=_("Also these people (police numbers)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, units=None, audience_units=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()
        self.fields["audience_units"].queryset = (
            audience_units if audience_units is not None else Unit.objects.none()
        )
        self.fields["audience_units"].label_from_instance = lambda u: (
            f"{'　' * (u.depth - 1)}{u.name}"
        )

    def clean_audience_people(self) -> list[Person]:
        numbers = [n for n in PEOPLE_SEPARATORS.split(self.cleaned_data["audience_people"]) if n]
        from zhengdun.learning.exams.permissions import ExamPerm
        from zhengdun.org import scope

        # Only people of the manager's units: outside them a number is as unknown as one
        # nobody has (the same message, so the form tells nothing about other units).
        in_scope = (
            Person.objects.filter(scope.within(self.user, ExamPerm.MANAGE, "unit__path"))
            if self.user is not None
            else Person.objects.none()
        )
        people = list(in_scope.filter(police_number__in=numbers)[:500])
        missing = set(numbers) - {p.police_number for p in people}
        if missing:
            raise forms.ValidationError(
                gettext("No person in your units has these police numbers: %(numbers)s")
                % {"numbers": "、".join(sorted(missing))}
            )
        return people


class RuleForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", "—"), *QuestionKind.choices]
    )
    count = forms.IntegerField(label=_("Count"), required=False, min_value=1, max_value=200)
    points = forms.IntegerField(
        label=_("Points each"), required=False, min_value=1, max_value=100, initial=1
    )
    tags = TagMultipleField(
        label=_("Required tags"),
        queryset=Tag.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 3}),
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") and not data.get("count"):
            self.add_error("count", gettext("How many questions of this type?"))
        return data


RuleFormSet = forms.formset_factory(RuleForm, extra=0, min_num=RULE_ROWS, max_num=RULE_ROWS)

TAG_KIND_ORDER = [k.value for k in TagKind]
