import re
from datetime import date

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengdun.core import forms as core_forms
from zhengdun.org.forms import UnitChoiceField
from zhengdun.org.models import Person, PersonStatus, Unit
from zhengdun.supervision.models import Draw, DrawKind, VisitKind, VisitMode

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
FILE_TYPES = "image/*,.pdf,.doc,.docx,.xls,.xlsx,.pptx,.txt,.mp4"
# Police numbers or names, separated by spaces, commas, 、 or new lines.
PEOPLE_SEPARATORS = re.compile(r"[\s,，、;；]+")


class PersonChoiceField(core_forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return person_label(obj)


class PeopleChoiceField(core_forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return person_label(obj)


class DrawChoiceField(core_forms.ModelChoiceField):
    def label_from_instance(self, obj: Draw) -> str:
        names = "、".join(name for _pk, name in obj.result[:5])
        return f"{obj.period_start:%Y-%m-%d} {obj.get_kind_display()}：{names}"


def person_label(person: Person) -> str:
    if person.status == PersonStatus.RETIRED_FROM_POST:
        return f"{person.name}（{person.get_status_display()}）"
    return person.name


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": FILE_TYPES}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


def people_tokens(text: str) -> list[str]:
    return [token for token in PEOPLE_SEPARATORS.split(text or "") if token]


def resolve_people(text: str, people: QuerySet[Person]) -> tuple[list[Person], list[str]]:
    """Police numbers or names (one query) -> the people, in the order typed, and the tokens
    that name no one or several people."""
    tokens = list(dict.fromkeys(people_tokens(text)))
    if not tokens:
        return [], []
    found = list(people.filter(Q(police_number__in=tokens) | Q(name__in=tokens)))
    by_number = {person.police_number: person for person in found}
    by_name: dict[str, list[Person]] = {}
    for person in found:
        by_name.setdefault(person.name, []).append(person)
    resolved, errors = [], []
    for token in tokens:
        if token in by_number:
            resolved.append(by_number[token])
        elif len(by_name.get(token, [])) == 1:
            resolved.append(by_name[token][0])
        elif token in by_name:
            errors.append(
                _t("%(name)s: several people have this name; give the police number.")
                % {"name": token}
            )
        else:
            errors.append(_t("%(name)s: no such person in the campaign.") % {"name": token})
    return list({person.pk: person for person in resolved}.values()), errors


class MembersMixin:
    """The members typed as police numbers or names, the leader among them."""

    def members_from(
        self, leader_text: str, members_text: str, people
    ) -> list[tuple[Person, bool]]:
        leaders, leader_errors = resolve_people(leader_text, people)
        members, member_errors = resolve_people(members_text, people)
        if leader_errors:
            self.add_error("leader", leader_errors)
        elif len(leaders) > 1:
            self.add_error("leader", _t("Give one leader."))
        if member_errors:
            self.add_error("members", member_errors)
        leader = leaders[0] if len(leaders) == 1 else None
        rows = [(person, person == leader) for person in members]
        if leader is not None and leader not in members:
            rows.insert(0, (leader, True))
        return rows


MEMBERS_HELP = _(
    "Police numbers (or names, when only one person has the name), one a line or separated "
    "by commas."
)


class GroupForm(MembersMixin, forms.Form):
    campaign = core_forms.ModelChoiceField(label=_("Campaign"), queryset=None)
    name = forms.CharField(label=_("Name of the group"), max_length=60)
    min_days = forms.IntegerField(
        label=_("Minimum days on site a month"), min_value=1, max_value=31, initial=15
    )
    leader = forms.CharField(label=_("Group leader"), max_length=50, required=False)
    members = forms.CharField(
        label=_("Members"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=MEMBERS_HELP,
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, campaigns, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns
        self.people = people  # campaign -> the people who may be members

    def clean(self):
        data = super().clean()
        campaign = data.get("campaign")
        if campaign is not None:
            data["rows"] = self.members_from(
                data.get("leader", ""), data.get("members", ""), self.people(campaign)
            )
        return data


class MembersForm(MembersMixin, forms.Form):
    leader = forms.CharField(label=_("Group leader"), max_length=50, required=False)
    members = forms.CharField(
        label=_("Members"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=MEMBERS_HELP,
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = people

    def clean(self):
        data = super().clean()
        data["rows"] = self.members_from(
            data.get("leader", ""), data.get("members", ""), self.people
        )
        return data


class AssignForm(forms.Form):
    op = forms.CharField(widget=forms.HiddenInput, initial="assign")
    unit = UnitChoiceField(label=_("Unit (and its subunits)"), queryset=Unit.objects.none())
    starts_on = forms.DateField(label=_("From"), widget=DATE)
    ends_on = forms.DateField(
        label=_("Until"), widget=DATE, required=False, help_text=_("Empty: until further notice.")
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class EndAssignmentForm(forms.Form):
    op = forms.CharField(widget=forms.HiddenInput, initial="end")
    assignment = forms.IntegerField(widget=forms.HiddenInput)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE)


class VisitForm(forms.Form):
    group = forms.IntegerField(widget=forms.HiddenInput)
    unit = UnitChoiceField(label=_("Unit visited"), queryset=Unit.objects.none())
    start_date = forms.DateField(label=_("First day"), widget=DATE)
    end_date = forms.DateField(
        label=_("Last day"), widget=DATE, help_text=_("The same day for a one-day check.")
    )
    mode = forms.ChoiceField(label=_("Mode (1+3)"), choices=VisitMode.choices)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=VisitKind.choices,
        widget=forms.RadioSelect(attrs={"class": "choices"}),
    )
    draw = DrawChoiceField(
        label=_("From the random draw"),
        queryset=Draw.objects.none(),
        required=False,
        help_text=_("For a random check whose unit was drawn."),
    )
    present = PeopleChoiceField(
        label=_("Members present"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "choices"}),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    files = MultipleFileField(label=_("Attachments (photos, documents)"), required=False)
    planned = forms.BooleanField(
        label=_("Planned, not yet held (it counts no days until confirmed)"), required=False
    )

    def __init__(self, *args, units, members, draws, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["present"].queryset = members
        self.fields["draw"].queryset = draws

    def clean(self):
        data = super().clean()
        if data.get("draw") is not None and data.get("kind") != VisitKind.RANDOM:
            self.add_error("draw", _t("Only a random check comes from a draw."))
        return data


class ConfirmForm(forms.Form):
    present = PeopleChoiceField(
        label=_("Members present"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "choices"}),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].queryset = members


class ScoreForm(forms.Form):
    """One row per aspect: points (named as the action names its errors) and a remark."""

    summary = forms.CharField(
        label=_("Overall remarks"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, aspects, **kwargs):
        super().__init__(*args, **kwargs)
        self.aspects = list(aspects)
        for aspect in self.aspects:
            self.fields[f"aspect_{aspect.pk}"] = forms.DecimalField(
                label=aspect.name,
                min_value=0,
                max_value=aspect.max_points,
                max_digits=5,
                decimal_places=1,
                widget=forms.NumberInput(
                    attrs={
                        "step": "0.1",
                        "inputmode": "decimal",
                        "min": 0,
                        "max": aspect.max_points,
                    }
                ),
            )
            self.fields[f"remark_{aspect.pk}"] = forms.CharField(
                label=_("Remark"), max_length=500, required=False
            )

    def rows(self):
        for aspect in self.aspects:
            yield {
                "aspect": aspect,
                "points": self[f"aspect_{aspect.pk}"],
                "remark": self[f"remark_{aspect.pk}"],
            }

    def points(self) -> dict[int, object]:
        return {a.pk: self.cleaned_data.get(f"aspect_{a.pk}") for a in self.aspects}

    def remarks(self) -> dict[int, str]:
        return {a.pk: self.cleaned_data.get(f"remark_{a.pk}", "") for a in self.aspects}


class DutyForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    file = forms.FileField(
        label=_("Evidence"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": FILE_TYPES}),
    )


class PlanForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Mode of the planned stays"), choices=VisitMode.choices, initial=VisitMode.WORK
    )


class DrawForm(forms.Form):
    group = core_forms.ModelChoiceField(
        label=_("For the group"), queryset=None, required=False, empty_label=_("— the office —")
    )
    kind = forms.ChoiceField(label=_("Draw"), choices=DrawKind.choices, initial=DrawKind.UNITS)
    unit = UnitChoiceField(
        label=pgettext_lazy("drawn from", "From"),
        queryset=Unit.objects.none(),
        help_text=_(
            "Units: the units one level below this one are the candidates. Officers: the "
            "officers of this unit are."
        ),
    )
    period_start = forms.DateField(label=_("Checks from"), widget=DATE)
    period_end = forms.DateField(label=_("Checks until"), widget=DATE)
    count = forms.IntegerField(label=_("How many to draw"), min_value=1, max_value=100, initial=2)

    def __init__(self, *args, groups, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups
        self.fields["unit"].queryset = units


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DATE)
    end = forms.DateField(label=_("Until"), widget=DATE)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _t("The end cannot be before the start."))
        return data

    def period(self, default: tuple[date, date]) -> tuple[date, date]:
        if self.is_bound and self.is_valid():
            return self.cleaned_data["start"], self.cleaned_data["end"]
        return default
