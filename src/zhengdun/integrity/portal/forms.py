"""The portal's forms: the public ones carry a signed token instead of a CSRF cookie; the
office's edit the landing page and its notices."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhengdun.integrity.categories import Category
from zhengdun.integrity.portal import actions, files, tokens
from zhengdun.integrity.portal.models import Notice, PortalPage


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": ",".join(files.ACCEPTED), "multiple": True}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [upload for upload in data if upload]
        return [data] if data else []


class TokenForm(forms.Form):
    """A portal form: it carries a signed form token instead of a CSRF cookie. A bound form
    re-renders with a fresh token, so a form sent back for correction can be sent again."""

    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["token"].initial = tokens.form_token()

    def clean(self):
        if not tokens.form_token_valid(self.data.get("token", "")):
            raise ValidationError(
                _(
                    "This form was open for too long or did not come from this site. Check "
                    "your entries and send it again."
                )
            )
        return super().clean()

    def full_clean(self):
        super().full_clean()
        if self.is_bound:
            self.data = self.data.copy()
            self.data["token"] = tokens.form_token()


ATTACHMENT_HELP = gettext_lazy(
    "Up to %(count)d files: photos (JPEG or PNG) or plain text. What a file says about you "
    "(camera, place, time) is removed before it is stored."
)


class ReportForm(TokenForm):
    category = forms.ChoiceField(
        label=gettext_lazy("What is it about?"), choices=[("", "—"), *Category.choices]
    )
    what = forms.CharField(
        label=gettext_lazy("What happened"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=actions.MAX_TEXT,
    )
    where_when = forms.CharField(
        label=gettext_lazy("Where and when"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=actions.MAX_SHORT,
        required=False,
    )
    who = forms.CharField(
        label=gettext_lazy("Who: a person or a unit"),
        help_text=gettext_lazy("A name, a post, a unit: whatever you know."),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=actions.MAX_SHORT,
        required=False,
    )
    contact = forms.CharField(
        label=gettext_lazy("Your contact details (optional)"),
        help_text=gettext_lazy(
            "Leave this empty to stay anonymous. If you give a telephone number or an address, "
            "only the people handling your report can read it."
        ),
        max_length=actions.MAX_CONTACT,
        required=False,
    )
    attachments = MultipleFileField(label=gettext_lazy("Attachments (optional)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = ATTACHMENT_HELP % {"count": files.MAX_FILES}


class CodeForm(TokenForm):
    code = forms.CharField(
        label=gettext_lazy("Your receipt code"),
        max_length=80,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "XXXXXXX-XXXXXXX-XXXXXXX-XXXXXXX",
            }
        ),
    )


class ReplyForm(TokenForm):
    access = forms.CharField(widget=forms.HiddenInput, required=False)
    body = forms.CharField(
        label=gettext_lazy("Your message"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=actions.MAX_TEXT,
    )
    attachments = MultipleFileField(label=gettext_lazy("Attachments (optional)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = ATTACHMENT_HELP % {"count": files.MAX_FILES}


# Back office ---------------------------------------------------------------------------------


class PortalPageForm(forms.ModelForm):
    class Meta:
        model = PortalPage
        fields = list(actions.PAGE_FIELDS)
        widgets = {
            "intro": forms.Textarea(attrs={"rows": 4}),
            "phones": forms.Textarea(attrs={"rows": 3}),
            "postal_address": forms.Textarea(attrs={"rows": 2}),
            "office_hours": forms.Textarea(attrs={"rows": 2}),
        }


class NoticeForm(forms.ModelForm):
    class Meta:
        model = Notice
        fields = ["title", "body", "published", "published_on"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 3}),
            "published_on": forms.DateInput(attrs={"type": "date"}),
        }
