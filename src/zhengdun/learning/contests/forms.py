"""Forms of drills and contests: they parse what a user typed; the actions validate the rest
(their errors come back beside the fields through ``core.forms.run_action``)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengdun.core import forms as core_forms
from zhengdun.learning.contests.models import (
    AwardMode,
    Category,
    ContestKind,
    Direction,
    EntryKind,
    Measure,
)


def plain(number: Decimal) -> str:
    """A decimal as people write it: 100, 0.4 (not 1E+2, 0.40)."""
    return format(number.normalize(), "f")


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UnitField(core_forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return "\u3000" * max(obj.depth - 1, 0) + obj.name


class PlanForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    unit = UnitField(label=_("Units taking part"), queryset=None)
    campaign = core_forms.ModelChoiceField(label=_("Campaign"), queryset=None, required=False)
    starts_on = forms.DateField(label=_("Start"), widget=DATE)
    ends_on = forms.DateField(label=_("End"), widget=DATE)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, units, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["campaign"].queryset = campaigns


class SubjectForm(forms.Form):
    name = forms.CharField(label=_("Subject"), max_length=60)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    measure = forms.ChoiceField(
        label=pgettext_lazy("drill standard", "Measure"), choices=Measure.choices
    )
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    pass_mark = forms.CharField(label=_("Pass mark"), required=False, max_length=12)
    excellent_mark = forms.CharField(label=_("Excellent mark"), required=False, max_length=12)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=999, initial=0)


class ResultForm(forms.Form):
    subject = core_forms.ModelChoiceField(label=_("Subject"), queryset=None)
    police_number = forms.CharField(label=_("Police number"), max_length=20)
    value = forms.CharField(
        label=_("Result"),
        required=False,
        max_length=12,
        help_text=_("Seconds, score or count; leave empty for a pass/fail subject."),
    )
    passed = forms.ChoiceField(
        label=_("Pass/fail subjects"),
        required=False,
        choices=[
            ("", "—"),
            ("1", pgettext_lazy("drill result", "Pass")),
            ("0", pgettext_lazy("drill result", "Fail")),
        ],
    )
    tested_on = forms.DateField(label=_("Tested on"), widget=DATE)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args, subjects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].queryset = subjects


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Workbook (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    commit = forms.BooleanField(
        label=_("Save if every row is valid (otherwise only check)"), required=False
    )


class CompetitionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Entries"), choices=EntryKind.choices)
    measure = forms.ChoiceField(
        label=pgettext_lazy("drill standard", "Measure"),
        choices=[c for c in Measure.choices if c[0] != Measure.PASS_FAIL],
    )
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    held_on = forms.DateField(label=_("Held on"), widget=DATE)
    points = forms.CharField(
        label=_("Points for places"),
        initial="7,5,3,2,1",
        help_text=_("First place first, separated by commas."),
    )


class CompetitionEntryForm(forms.Form):
    unit = UnitField(label=_("Unit"), queryset=None)
    police_number = forms.CharField(
        label=_("Competitor's police number"), required=False, max_length=20
    )
    name = forms.CharField(label=_("Team name"), required=False, max_length=100)
    value = forms.CharField(label=_("Result"), required=False, max_length=12)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class CompetitionResultForm(forms.Form):
    value = forms.CharField(label=_("Result"), required=False, max_length=12)


class ContestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ContestKind.choices)
    name = forms.CharField(label=_("Name"), max_length=120)
    unit = UnitField(label=_("Organising unit"), queryset=None)
    campaign = core_forms.ModelChoiceField(label=_("Campaign"), queryset=None, required=False)
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    criteria = forms.CharField(
        label=_("Scoring rubric"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One criterion a line: name, weight, maximum (e.g. 思想性,0.4,100). Weights count "
            "relative to their sum and each score relative to its maximum: totals are out of 100."
        ),
    )
    judges = forms.CharField(
        label=_("Judges (police numbers)"),
        required=False,
        help_text=_("Separated by spaces or commas."),
    )
    points_correct = forms.DecimalField(label=_("Points per correct answer"), initial=10)
    penalty_wrong = forms.DecimalField(label=_("Penalty for a wrong answer"), initial=0)
    award_mode = forms.ChoiceField(label=_("Prizes"), choices=AwardMode.choices)
    first = forms.CharField(label=_("First prize"), required=False, max_length=10)
    second = forms.CharField(label=_("Second prize"), required=False, max_length=10)
    third = forms.CharField(label=_("Third prize"), required=False, max_length=10)
    merit = forms.CharField(label=_("Merit award"), required=False, max_length=10)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, units, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["campaign"].queryset = campaigns
        for tier in ("first", "second", "third", "merit"):
            self.fields[tier].help_text = _("Places (by rank) or lowest score (by thresholds).")


class EntryForm(forms.Form):
    title = forms.CharField(label=_("Title or team"), max_length=150)
    unit = UnitField(label=_("Unit"), queryset=None)
    police_number = forms.CharField(label=_("Author's police number"), required=False)
    text = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class ScoreForm(forms.Form):
    """One number field per criterion of the rubric."""

    def __init__(self, *args, criteria, initial_scores=None, **kwargs):
        super().__init__(*args, **kwargs)
        for criterion in criteria:
            self.fields[f"c{criterion.pk}"] = forms.DecimalField(
                label=f"{criterion.name}（{_('weight')} {plain(criterion.weight)}）",
                min_value=0,
                max_value=criterion.max_score,
                decimal_places=2,
                initial=(initial_scores or {}).get(criterion.pk),
                help_text=_("0 to %(max)s") % {"max": plain(criterion.max_score)},
                widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.5"}),
            )


class DrawForm(forms.Form):
    count = forms.IntegerField(label=_("Number of questions"), min_value=1, max_value=100)


class AnswerForm(forms.Form):
    entry = forms.IntegerField(widget=forms.HiddenInput)
    answer = forms.CharField(label=_("Answer"), required=False, max_length=200)
    verdict = forms.ChoiceField(
        required=False,
        choices=[("", _("Grade by the key")), ("1", _("Correct")), ("0", _("Wrong"))],
    )
