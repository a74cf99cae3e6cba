"""Forms of the learning pages: they parse input; the actions validate the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from zhengdun.core import forms as core_forms
from zhengdun.learning.models import CourseKind, LessonKind, Subject
from zhengdun.org.forms import UnitChoiceField
from zhengdun.org.models import Unit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MATERIAL_TYPES = ".pdf,.doc,.docx,.ppt,.pptx,.xls,.xlsx,.txt,.jpg,.jpeg,.png,.mp4"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": MATERIAL_TYPES}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class SessionForm(forms.Form):
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    topic = forms.CharField(label=_("Topic"), max_length=200)
    subject = forms.ChoiceField(
        label=_("Subject"),
        choices=Subject.choices,
        widget=forms.RadioSelect(attrs={"class": "choices"}),
    )
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    hours = forms.DecimalField(
        label=_("Duration (hours)"), max_digits=4, decimal_places=1, min_value=0.1, max_value=24
    )
    speaker = forms.CharField(label=_("Speaker"), max_length=60, required=False)
    files = MultipleFileField(label=_("Materials"), required=False)

    def __init__(self, *args, units, course=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        if course is not None:
            del self.fields["unit"]
            self.fields["subject"].required = False
            self.fields["subject"].choices = [("", _("None")), *Subject.choices]


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("My study notes"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20000
    )


class RatesForm(forms.Form):
    unit = UnitChoiceField(label=_("Unit and below"), queryset=Unit.objects.none(), required=False)
    start = forms.DateField(label=_("From"), widget=DATE)
    end = forms.DateField(label=_("To"), widget=DATE)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end is before the start."))
        return data


class ReviewForm(forms.Form):
    unit = UnitChoiceField(label=_("Leadership group of"), queryset=Unit.objects.none())
    title = forms.CharField(label=_("Title"), max_length=120)
    period_start = forms.DateField(label=_("Period from"), widget=DATE)
    period_end = forms.DateField(label=_("Period to"), widget=DATE)
    exam = core_forms.ModelChoiceField(label=_("Exam (考学)"), queryset=None, required=False)

    def __init__(self, *args, units, exams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["exam"].queryset = exams


class ReportForm(forms.Form):
    text = forms.CharField(
        label=_("My study report"), widget=forms.Textarea(attrs={"rows": 8}), max_length=20000
    )


class RatingForm(forms.Form):
    score = forms.IntegerField(label=_("Score (1-100)"), min_value=1, max_value=100)
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TalkRoundForm(forms.Form):
    unit = UnitChoiceField(label=_("Units taking part (this unit and below)"), queryset=None)
    title = forms.CharField(label=_("Title"), max_length=120)
    campaign = core_forms.ModelChoiceField(label=_("Campaign"), queryset=None, required=False)
    selfcheck_round = core_forms.ModelChoiceField(
        label=_("Self-inspection round (copied talks are reported with its signals)"),
        queryset=None,
        required=False,
    )
    opens_on = forms.DateField(label=_("Opens on"), widget=DATE)
    due_on = forms.DateField(label=_("Due on"), widget=DATE)

    def __init__(self, *args, units, campaigns, rounds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["campaign"].queryset = campaigns
        self.fields["selfcheck_round"].queryset = rounds


class TalkForm(forms.Form):
    mission = forms.CharField(
        label=_("1. My understanding of the mission"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20000,
    )
    shortcomings = forms.CharField(
        label=_("2. My shortcomings and problems"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20000,
    )
    direction = forms.CharField(
        label=_("3. The breakthrough and direction for my post"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20000,
    )


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Leader's comment"), widget=forms.Textarea(attrs={"rows": 4}), max_length=20000
    )


class CourseForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CourseKind.choices)
    title = forms.CharField(label=_("Title"), max_length=120)
    unit = UnitChoiceField(label=_("Organising unit"), queryset=Unit.objects.none())
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE)
    min_attendance = forms.IntegerField(
        label=_("Minimum attendance rate (%)"), min_value=0, max_value=100, initial=80
    )
    exam = core_forms.ModelChoiceField(
        label=_("Final exam (its pass mark applies)"), queryset=None, required=False
    )

    def __init__(self, *args, units, exams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["exam"].queryset = exams


class EnrolForm(forms.Form):
    unit = UnitChoiceField(
        label=_("Enrol everyone of a unit and below"), queryset=Unit.objects.none(), required=False
    )
    people = forms.CharField(
        label=_("Or people by police number"),
        required=False,
        help_text=_("Separated by spaces or commas."),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class LessonForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=LessonKind.choices)
    position = forms.IntegerField(label=_("Order"), min_value=1, max_value=999, initial=1)
    file = forms.FileField(
        label=_("File (PDF or text to read, MP4 to watch)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.txt,.mp4"}),
    )
