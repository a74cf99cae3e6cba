from django import forms
from django.utils.translation import gettext_lazy as _

from zhengdun.campaigns.models import Colour, IncentiveLevel, TaskState, Workstream
from zhengdun.core import forms as core_forms
from zhengdun.org.forms import UnitChoiceField, VersionedForm
from zhengdun.org.models import Person, Unit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PersonChoiceField(core_forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.name}（{obj.unit.display_name}）"


class CampaignForm(VersionedForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    start_date = forms.DateField(label=_("Start"), widget=DATE)
    end_date = forms.DateField(label=_("End"), widget=DATE)
    red_behind = forms.IntegerField(
        label=_("Red when behind schedule by more than (points)"),
        min_value=0,
        max_value=100,
        initial=30,
    )
    yellow_behind = forms.IntegerField(
        label=_("Yellow when behind schedule by more than (points)"),
        min_value=0,
        max_value=100,
        initial=10,
    )
    yellow_days = forms.IntegerField(
        label=_("Yellow when due within (days)"), min_value=0, max_value=100, initial=7
    )
    yellow_progress = forms.IntegerField(
        label=_("…and progress under (%)"), min_value=0, max_value=100, initial=80
    )
    escalate_days = forms.IntegerField(
        label=_("Tell the office when red for (days)"), min_value=1, max_value=100, initial=7
    )


class NewCampaignForm(CampaignForm):
    unit = UnitChoiceField(
        label=_("Taking part: this unit and all below it"), queryset=Unit.objects.none()
    )
    workstreams = forms.CharField(
        label=_("Workstreams, one per line"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )
    phases = forms.CharField(
        label=_("Phases, one per line: name, start, end"),
        help_text=_("For example: 学习教育, 2021-03-01, 2021-04-15"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def clean_workstreams(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["workstreams"].splitlines()]
        names = [line for line in lines if line]
        if len(set(names)) != len(names):
            raise forms.ValidationError(_("Each workstream needs a different name."))
        return names

    def clean_phases(self) -> list[dict]:
        return parse_phases(self.cleaned_data["phases"])


class PhasesForm(forms.Form):
    phases = forms.CharField(
        label=_("Phases, one per line: name, start, end"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    def clean_phases(self) -> list[dict]:
        return parse_phases(self.cleaned_data["phases"])


def parse_phases(text: str) -> list[dict]:
    phases = []
    field = forms.DateField()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.replace("，", ",").split(",")]
        if len(parts) != 3:
            raise forms.ValidationError(
                _("Line %(n)d: write the name, the start and the end, separated by commas.")
                % {"n": number}
            )
        try:
            start, end = field.clean(parts[1]), field.clean(parts[2])
        except forms.ValidationError:
            raise forms.ValidationError(
                _("Line %(n)d: write dates as YYYY-MM-DD.") % {"n": number}
            ) from None
        phases.append({"name": parts[0], "start_date": start, "end_date": end})
    return phases


class WorkstreamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TaskForm(VersionedForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    workstream = core_forms.ModelChoiceField(
        label=_("Workstream"), queryset=Workstream.objects.none()
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    lead = PersonChoiceField(label=_("Lead"), queryset=Person.objects.none(), required=False)
    start_date = forms.DateField(label=_("Start"), widget=DATE)
    due_date = forms.DateField(label=_("Due"), widget=DATE)
    quantity_target = forms.IntegerField(label=_("Quantity target"), min_value=1, required=False)
    measure = forms.CharField(
        label=_("Unit of measure"),
        max_length=20,
        required=False,
        help_text=_("e.g. sessions, people, items"),
    )
    weight = forms.IntegerField(label=_("Weight"), min_value=1, max_value=100, initial=1)

    def __init__(self, *args, workstreams, leads, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workstream"].queryset = workstreams
        self.fields["lead"].queryset = leads

    def task_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if name != "version"}


class NewTaskForm(TaskForm):
    unit = UnitChoiceField(label=_("Owning unit"), queryset=Unit.objects.none())
    state = forms.ChoiceField(
        label=_("State"),
        choices=[
            (TaskState.PLANNED, TaskState.PLANNED.label),
            (TaskState.STARTED, TaskState.STARTED.label),
        ],
        initial=TaskState.PLANNED,
    )

    field_order = ["title", "workstream", "unit", "state"]

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class ShareForm(forms.Form):
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    quantity_target = forms.IntegerField(label=_("Share"), min_value=1, required=False)
    weight = forms.IntegerField(label=_("Weight"), min_value=1, max_value=100, initial=1)
    due_date = forms.DateField(label=_("Due"), widget=DATE, required=False)
    lead = PersonChoiceField(label=_("Lead"), queryset=Person.objects.none(), required=False)

    def __init__(self, *args, units, leads, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["lead"].queryset = leads


class BaseShareFormSet(forms.BaseFormSet):
    def __init__(self, *args, units, leads, **kwargs):
        self.units = units
        self.leads = leads
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"units": self.units, "leads": self.leads}

    def shares(self) -> list[dict]:
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and form.cleaned_data.get("unit")
        ]


ShareFormSet = forms.formset_factory(ShareForm, formset=BaseShareFormSet, extra=4, max_num=50)


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


class ProgressForm(forms.Form):
    progress = forms.IntegerField(label=_("Done (%)"), min_value=0, max_value=100, required=False)
    quantity_done = forms.IntegerField(label=_("Quantity done so far"), min_value=0, required=False)
    narrative = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    files = MultipleFileField(label=_("Evidence (photos, documents)"), required=False)


class CompleteForm(forms.Form):
    completed_on = forms.DateField(label=_("Completed on"), widget=DATE, required=False)
    override_reason = forms.CharField(
        label=_("Reason for completing with subtasks still open (campaign office only)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"), widget=forms.Textarea(attrs={"rows": 2})
    )


class IncentiveForm(forms.Form):
    level = core_forms.ModelChoiceField(label=_("Level"), queryset=IncentiveLevel.objects.none())
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    person = PersonChoiceField(
        label=_("Person (optional)"), queryset=Person.objects.none(), required=False
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, levels, units, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].queryset = levels
        self.fields["unit"].queryset = units
        self.fields["person"].queryset = people


class TaskFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    # Choices from the campaign's workstreams, read once by the view: validating a model
    # choice would read the chosen row again, and rendering it the whole list again.
    workstream = forms.TypedChoiceField(
        label=_("Workstream"), coerce=int, empty_value=None, required=False
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[
            ("", _("All states")),
            ("open", _("Open (planned or started)")),
            *TaskState.choices,
        ],
    )
    colour = forms.ChoiceField(
        label=_("Warning"),
        required=False,
        choices=[
            ("", _("All colours")),
            (Colour.RED, Colour.RED.label),
            (Colour.YELLOW, Colour.YELLOW.label),
            (Colour.GREEN, Colour.GREEN.label),
        ],
    )
    due_from = forms.DateField(label=_("Due from"), widget=DATE, required=False)
    due_to = forms.DateField(label=_("Due until"), widget=DATE, required=False)
    unit = forms.IntegerField(widget=forms.HiddenInput, required=False)
    lead = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, workstreams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workstream"].choices = [
            ("", _("All workstreams")),
            *((workstream.pk, workstream.name) for workstream in workstreams),
        ]


class TemplateFromCampaignForm(forms.Form):
    name = forms.CharField(label=_("Template name"), max_length=120)


class StartFromTemplateForm(forms.Form):
    name = forms.CharField(label=_("Campaign name"), max_length=120)
    unit = UnitChoiceField(
        label=_("Taking part: this unit and all below it"), queryset=Unit.objects.none()
    )
    start_date = forms.DateField(label=_("Start"), widget=DATE)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class TemplateImportForm(forms.Form):
    file = forms.FileField(label=_("Template file (.json)"))
