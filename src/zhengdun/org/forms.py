from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengdun.core import forms as core_forms
from zhengdun.org.models import Person, PersonStatus, Sector, Unit, UnitKind
from zhengdun.org.roles import Role


class UnitChoiceField(core_forms.ModelChoiceField):
    """Units shown indented by depth, in tree order."""

    def label_from_instance(self, obj: Unit) -> str:
        return f"{'　' * (obj.depth - 1)}{obj.name}（{obj.code}）"


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class UnitForm(VersionedForm):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=100)
    short_name = forms.CharField(label=_("Short name"), max_length=40, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)
    sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices, required=False)
    sort_order = forms.IntegerField(label=_("Order among siblings"), initial=0, required=False)
    is_active = forms.BooleanField(
        label=pgettext_lazy("unit", "In use"), required=False, initial=True
    )

    @classmethod
    def for_unit(cls, unit: Unit, data=None) -> "UnitForm":
        initial = {name: getattr(unit, name) for name in cls.base_fields if name != "version"}
        initial["version"] = unit.version
        return cls(data, initial=initial)

    def unit_fields(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.fields if name != "version"}
        data["sort_order"] = data["sort_order"] or 0
        return data


class MoveUnitForm(VersionedForm):
    parent = UnitChoiceField(label=_("New parent unit"), queryset=Unit.objects.none())

    def __init__(self, *args, parents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents


class PersonForm(VersionedForm):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50)
    police_number = forms.CharField(label=_("Police number"), max_length=20)
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    position = forms.CharField(label=_("Position"), max_length=60, required=False)
    rank = forms.CharField(label=_("Rank"), max_length=30, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=PersonStatus.choices)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    @classmethod
    def for_person(cls, person: Person, *, units, data=None) -> "PersonForm":
        initial = {name: getattr(person, name) for name in cls.base_fields if name != "version"}
        initial["version"] = person.version
        return cls(data, initial=initial, units=units)

    def person_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if name != "version"}


class GrantForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    unit = UnitChoiceField(label=_("On unit (and its subunits)"), queryset=Unit.objects.none())

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class UnitFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *UnitKind.choices], required=False
    )
    sector = forms.ChoiceField(
        label=_("Sector"), choices=[("", _("All sectors")), *Sector.choices[1:]], required=False
    )


class PersonFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    unit = forms.IntegerField(widget=forms.HiddenInput, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *PersonStatus.choices], required=False
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))
    dry_run = forms.BooleanField(label=_("Check only, do not save"), required=False)
