from django import forms
from django.utils.translation import gettext_lazy as _

from zhengdun.core import forms as core_forms
from zhengdun.core.warnings import Colour
from zhengdun.org.forms import UnitChoiceField
from zhengdun.org.models import Person, Unit
from zhengdun.selfcheck.models import Bucket, Catalogue, Item, MeetingKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MEASURE_ROWS = 2  # blank measure rows offered under each item, beside the saved ones


class PersonChoiceField(core_forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.name}（{obj.unit.display_name}）"


class RoundForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    catalogue = core_forms.ModelChoiceField(
        label=_("Problem catalogue"), queryset=Catalogue.objects.all()
    )
    unit = UnitChoiceField(
        label=_("Units taking part (this unit and below)"), queryset=Unit.objects.none()
    )
    due_date = forms.DateField(label=_("Reports due"), widget=DATE)
    for_units = forms.BooleanField(label=_("Units report"), required=False, initial=True)
    for_persons = forms.BooleanField(label=_("Officers report"), required=False, initial=True)
    leaders_first = forms.BooleanField(
        label=_("A unit reports only after its leaders' personal reports"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class ReportForm(forms.Form):
    """One block of fields per catalogue item: found, what, why, and measure rows."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, report, items, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.report = report
        self.items = list(items)
        self.owners = owners
        answers = {answer.item_id: answer for answer in report.answers.prefetch_related("measures")}
        self.blocks = []
        for item in self.items:
            answer = answers.get(item.pk)
            prefix = f"i{item.pk}"
            self.fields[f"{prefix}_found"] = forms.BooleanField(
                label=_("Problem found"), required=False, initial=bool(answer and answer.found)
            )
            self.fields[f"{prefix}_description"] = forms.CharField(
                label=_("What was found"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=answer.description if answer else "",
            )
            self.fields[f"{prefix}_cause"] = forms.CharField(
                label=_("Cause analysis"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=answer.cause if answer else "",
            )
            saved = list(answer.measures.all()) if answer else []
            rows = []
            for index in range(len(saved) + MEASURE_ROWS):
                measure = saved[index] if index < len(saved) else None
                name = f"{prefix}_m{index}"
                self.fields[f"{name}_text"] = forms.CharField(
                    label=_("Measure"), required=False, initial=measure.text if measure else ""
                )
                self.fields[f"{name}_deadline"] = forms.DateField(
                    label=_("Deadline"),
                    required=False,
                    widget=DATE,
                    initial=measure.deadline if measure else None,
                )
                if owners is not None:
                    self.fields[f"{name}_owner"] = PersonChoiceField(
                        label=_("Responsible person"),
                        queryset=owners,
                        required=False,
                        initial=measure.owner_id if measure else None,
                    )
                rows.append(name)
            self.blocks.append({"item": item, "prefix": prefix, "rows": rows, "open": bool(answer)})

    def answers(self) -> list[dict]:
        data = self.cleaned_data
        out = []
        for block in self.blocks:
            prefix = block["prefix"]
            measures = [
                {
                    "text": data.get(f"{row}_text", ""),
                    "deadline": data.get(f"{row}_deadline"),
                    "owner": data.get(f"{row}_owner"),
                }
                for row in block["rows"]
            ]
            out.append(
                {
                    "item": block["item"],
                    "found": data.get(f"{prefix}_found"),
                    "description": data.get(f"{prefix}_description", ""),
                    "cause": data.get(f"{prefix}_cause", ""),
                    "measures": measures,
                }
            )
        return out

    def bound_blocks(self):
        for block in self.blocks:
            prefix = block["prefix"]
            yield {
                **block,
                "found": self[f"{prefix}_found"],
                "description": self[f"{prefix}_description"],
                "cause": self[f"{prefix}_cause"],
                "errors": self.errors.get(f"item_{block['item'].pk}", []),
                "measure_rows": [
                    {
                        "text": self[f"{row}_text"],
                        "deadline": self[f"{row}_deadline"],
                        "owner": self[f"{row}_owner"] if self.owners is not None else None,
                    }
                    for row in block["rows"]
                ],
            }


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What needs revising"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ProgressForm(forms.Form):
    progress = forms.IntegerField(label=_("Done (%)"), min_value=0, max_value=100)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class CompleteForm(forms.Form):
    note = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))
    files = MultipleFileField(label=_("Evidence (photos, documents)"), required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejecting"), widget=forms.Textarea(attrs={"rows": 2})
    )


class OpinionForm(forms.Form):
    text = forms.CharField(
        label=_("Your comment on this report"), widget=forms.Textarea(attrs={"rows": 3})
    )
    anonymous = forms.BooleanField(label=_("Anonymous within the unit"), required=False)


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of meeting"), choices=MeetingKind.choices)
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    attendees = core_forms.ModelMultipleChoiceField(
        label=_("Attendees"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    minutes = forms.CharField(
        label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    criticism = forms.CharField(
        label=_("Criticism and self-criticism"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = people


class LedgerFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    dimension = forms.IntegerField(required=False, widget=forms.HiddenInput)
    item = forms.ChoiceField(label=_("Problem"), required=False)
    bucket = forms.ChoiceField(label=_("Status"), required=False)
    colour = forms.ChoiceField(label=_("Warning"), required=False)
    unit = forms.IntegerField(required=False, widget=forms.HiddenInput)
    owner = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", _("All problems"))] + [
            (str(i.pk), str(i)) for i in items
        ]
        self.fields["bucket"].choices = [("", _("All")), *list(Bucket.choices)]
        self.fields["colour"].choices = [("", _("All colours"))] + [
            (c, c.label) for c in (Colour.RED, Colour.YELLOW, Colour.GREEN)
        ]


class FindingForm(forms.Form):
    """A problem raised at a meeting, entered as a finding with one measure."""

    item = core_forms.ModelChoiceField(
        label=_("Problem (catalogue item)"), queryset=Item.objects.none()
    )
    description = forms.CharField(
        label=_("What was found"), widget=forms.Textarea(attrs={"rows": 2})
    )
    cause = forms.CharField(
        label=_("Cause analysis"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    measure = forms.CharField(label=_("Measure"))
    owner = PersonChoiceField(
        label=_("Responsible person"), queryset=Person.objects.none(), required=False
    )
    deadline = forms.DateField(label=_("Deadline"), widget=DATE)

    def __init__(self, *args, items, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        if owners is not None:
            self.fields["owner"].queryset = owners
