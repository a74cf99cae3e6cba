"""Forms of the follow-up order (督办单) pages: issue, filter, answer, verify or return, link."""

from django import forms
from django.utils.translation import gettext_lazy as _

from zhengdun.core import forms as core_forms
from zhengdun.core.warnings import Colour
from zhengdun.org.forms import UnitChoiceField
from zhengdun.org.models import Person, Unit
from zhengdun.selfcheck.forms import MultipleFileField, PersonChoiceField
from zhengdun.selfcheck.models import Item, Report
from zhengdun.supervision.models import OrderSource, OrderState

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OrderForm(forms.Form):
    """Issue an order. ``issuers`` maps a choice value to (label, group or None, campaign):
    the user's groups, and the office of each campaign the user manages."""

    issuer = forms.ChoiceField(label=_("Issued by"))
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    contact = PersonChoiceField(
        label=_("Contact person"),
        queryset=Person.objects.none(),
        required=False,
        help_text=_("The unit's person who answers. Choose the unit first to list its people."),
    )
    problem = forms.CharField(label=_("Problem"), widget=forms.Textarea(attrs={"rows": 3}))
    requirement = forms.CharField(label=_("Requirement"), widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(label=_("Deadline"), widget=DATE)
    source = forms.ChoiceField(label=_("Source"), choices=OrderSource.choices)

    def __init__(self, *args, issuers: dict, units, contacts, **kwargs):
        super().__init__(*args, **kwargs)
        self.issuers = issuers
        self.fields["issuer"].choices = [(key, value[0]) for key, value in issuers.items()]
        if len(issuers) == 1:
            self.fields["issuer"].initial = next(iter(issuers))
        self.fields["unit"].queryset = units
        self.fields["contact"].queryset = contacts

    def clean_issuer(self):
        """(group or None, campaign) of the chosen issuer."""
        _label, group, campaign = self.issuers[self.cleaned_data["issuer"]]
        return group, campaign


class OrderFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    unit = forms.ChoiceField(label=_("Unit (and below)"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False)
    colour = forms.ChoiceField(label=_("Warning"), required=False)
    group = forms.ChoiceField(label=_("Issued by"), required=False)

    def __init__(self, *args, units, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("All units"))] + [
            (str(unit.pk), f"{'　' * (unit.depth - 1)}{unit.display_name}") for unit in units
        ]
        self.fields["state"].choices = [("", _("All states")), *OrderState.choices]
        self.fields["colour"].choices = [("", _("All colours"))] + [
            (colour.value, colour.label) for colour in (Colour.RED, Colour.YELLOW, Colour.GREEN)
        ]
        self.fields["group"].choices = [("", _("All"))] + [
            (str(group.pk), group.name) for group in groups
        ]
        if not groups:
            self.fields["group"].widget = forms.HiddenInput()


class RespondForm(forms.Form):
    response = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 4}))
    files = MultipleFileField(label=_("Evidence (photos, documents)"), required=False)


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for returning"), widget=forms.Textarea(attrs={"rows": 3})
    )


class TaskLinkForm(forms.Form):
    kind = forms.CharField(widget=forms.HiddenInput, initial="task")
    workstream = core_forms.ModelChoiceField(label=_("Workstream"), queryset=None)

    def __init__(self, *args, workstreams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workstream"].queryset = workstreams


class ReportChoiceField(core_forms.ModelChoiceField):
    def label_from_instance(self, obj: Report) -> str:
        return f"{obj.round.name}（{obj.unit.display_name}）"


class ItemChoiceField(core_forms.ModelChoiceField):
    def label_from_instance(self, obj: Item) -> str:
        return f"{obj.code} {obj.title}"


class MeasureLinkForm(forms.Form):
    kind = forms.CharField(widget=forms.HiddenInput, initial="measure")
    report = ReportChoiceField(label=_("Self-inspection report of the unit"), queryset=None)
    item = ItemChoiceField(label=_("Problem (catalogue item)"), queryset=None)

    def __init__(self, *args, reports, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["report"].queryset = reports
        self.fields["item"].queryset = items
        if len(reports) == 1:
            self.fields["report"].initial = reports[0].pk
