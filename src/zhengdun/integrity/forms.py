"""Forms of the clue pages. Subjects are named by police number and unit code (lists of the
whole organisation would be thousands of options); handlers by user name."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from zhengdun.core.warnings import Colour
from zhengdun.integrity.categories import Category
from zhengdun.integrity.models import (
    ClueState,
    Disposition,
    EntryKind,
    HandlingMode,
    Source,
)
from zhengdun.org.models import Person, Unit
from zhengdun.selfcheck.forms import MultipleFileField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_NAMES = 50


def _split(text: str) -> list[str]:
    return [part for part in text.replace("，", ",").replace("、", ",").split(",") if part.strip()]


class PersonsField(forms.CharField):
    """Police numbers, comma-separated, as Person rows."""

    def clean(self, value):
        value = super().clean(value)
        numbers = [part.strip().upper() for part in _split(value or "")][:MAX_NAMES]
        people = {p.police_number: p for p in Person.objects.filter(police_number__in=numbers)}
        missing = [number for number in numbers if number not in people]
        if missing:
            raise forms.ValidationError(
                _("No officer with the police number %(numbers)s.")
                % {"numbers": "、".join(missing)}
            )
        return [people[number] for number in numbers]


class UnitsField(forms.CharField):
    """Unit codes, comma-separated, as Unit rows."""

    def clean(self, value):
        value = super().clean(value)
        codes = [part.strip() for part in _split(value or "")][:MAX_NAMES]
        units = {u.code: u for u in Unit.objects.filter(code__in=codes)}
        missing = [code for code in codes if code not in units]
        if missing:
            raise forms.ValidationError(
                _("No unit with the code %(codes)s.") % {"codes": "、".join(missing)}
            )
        return [units[code] for code in codes]


class UserField(forms.CharField):
    def clean(self, value):
        value = (super().clean(value) or "").strip()
        if not value:
            return None
        user = get_user_model().objects.filter(username=value).first()
        if user is None:
            raise forms.ValidationError(_("No user named %(name)s.") % {"name": value})
        return user


class UsersField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        names = [part.strip() for part in _split(value or "")][:MAX_NAMES]
        users = {u.username: u for u in get_user_model().objects.filter(username__in=names)}
        missing = [name for name in names if name not in users]
        if missing:
            raise forms.ValidationError(_("No user named %(name)s.") % {"name": "、".join(missing)})
        return [users[name] for name in names]


class ClueForm(forms.Form):
    source = forms.ChoiceField(
        label=_("Channel"), choices=[c for c in Source.choices if c[0] != Source.PORTAL]
    )
    received_on = forms.DateField(label=_("Received on"), widget=DATE)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    summary = forms.CharField(label=_("What is reported"), widget=forms.Textarea(attrs={"rows": 6}))
    subjects_text = forms.CharField(
        label=_("Who is concerned (free text)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    subject_persons = PersonsField(
        label=_("Officers concerned (police numbers)"),
        required=False,
        help_text=_("Separate several with commas."),
    )
    subject_units = UnitsField(
        label=_("Units concerned (unit codes)"),
        required=False,
        help_text=_("Separate several with commas."),
    )
    reporter_name = forms.CharField(
        label=_("Reporter's name"),
        required=False,
        help_text=_("Leave empty for an anonymous report. Kept apart from the clue, encrypted."),
    )
    reporter_contact = forms.CharField(label=_("Reporter's contact details"), required=False)
    reporter_number = forms.CharField(
        label=_("Reporter's police number (if an officer)"), required=False
    )

    def clean_reporter_number(self):
        number = (self.cleaned_data.get("reporter_number") or "").strip().upper()
        if not number:
            return None
        person = Person.objects.filter(police_number=number).first()
        if person is None:
            raise forms.ValidationError(
                _("No officer with the police number %(numbers)s.") % {"numbers": number}
            )
        return person


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Number"), required=False)
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All states")), *ClueState.choices]
    )
    source = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All channels")), *Source.choices]
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All categories")), *Category.choices],
    )
    colour = forms.ChoiceField(
        label=_("Warning"),
        required=False,
        choices=[("", _("All colours")), *[c for c in Colour.choices if c[0] != Colour.NONE]],
    )
    mode = forms.ChoiceField(
        label=_("Handling mode"),
        required=False,
        choices=[("", _("All modes")), *HandlingMode.choices],
    )


class TriageForm(forms.Form):
    mode = forms.ChoiceField(label=_("Handling mode"), choices=HandlingMode.choices)
    lead = UserField(label=_("Lead handler (user name)"))
    members = UsersField(
        label=_("Other handlers (user names)"),
        required=False,
        help_text=_("Separate several with commas."),
    )
    due_on = forms.DateField(label=_("Conclude by"), widget=DATE, required=False)


class EntryForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (EntryKind.NOTE, EntryKind.NOTE.label),
            (EntryKind.INTERVIEW, EntryKind.INTERVIEW.label),
            (EntryKind.EVIDENCE, EntryKind.EVIDENCE.label),
        ],
    )
    occurred_on = forms.DateField(label=_("Date"), widget=DATE, required=False)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 4}))
    files = MultipleFileField(label=_("Files"), required=False)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}))


class OptionalNoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message to the reporter"), widget=forms.Textarea(attrs={"rows": 3})
    )
    files = MultipleFileField(label=_("Files"), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the identity is needed"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ConcludeForm(forms.Form):
    disposition = forms.ChoiceField(label=_("Disposition"), choices=Disposition.choices)
    conclusion = forms.CharField(label=_("Conclusion"), widget=forms.Textarea(attrs={"rows": 4}))


class CaseForm(forms.Form):
    summary = forms.CharField(label=_("Case summary"), widget=forms.Textarea(attrs={"rows": 3}))
    lead = UserField(label=_("Lead case handler (user name)"))
    members = UsersField(label=_("Other case handlers (user names)"), required=False)


class RemoveForm(forms.Form):
    user = UserField(label=_("User name"))


class CaseHandlersForm(forms.Form):
    lead = UserField(label=_("Lead case handler (user name)"))
    members = UsersField(label=_("Other case handlers (user names)"), required=False)


class CaseStateForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"),
        choices=[
            ("transferred", _("Transferred to the judicial authorities")),
            ("closed", _("Closed")),
        ],
    )
