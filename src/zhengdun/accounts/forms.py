from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("The user name or password is wrong. Both are case-sensitive."),
        "inactive": _("This account is not active."),
    }


class TokenForm(forms.Form):
    name = forms.CharField(label=_("What the token is for"), max_length=100, required=False)


class NewAccountForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    password1 = forms.CharField(
        label=_("Initial password"), widget=forms.PasswordInput, strip=False
    )
    password2 = forms.CharField(
        label=_("Repeat the password"), widget=forms.PasswordInput, strip=False
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data
