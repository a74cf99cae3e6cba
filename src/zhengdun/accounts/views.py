from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhengdun.accounts import actions
from zhengdun.accounts.forms import LoginForm, NewAccountForm, TokenForm
from zhengdun.accounts.models import ApiToken
from zhengdun.core.access import public, requires, signed_in
from zhengdun.core.forms import run_action
from zhengdun.org import scope
from zhengdun.org.permissions import get_person_for_user
from zhengdun.org.roles import Perm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        actions.note_login(user=form.get_user())
        return response


login_view = public(LoginView.as_view())


@public
@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        actions.note_logout(user=request.user)
    logout(request)
    return redirect("accounts:login")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = "/accounts/"

    def form_valid(self, form):
        response = super().form_valid(form)
        actions.note_password_changed(user=self.request.user)
        messages.success(self.request, _("Your password has been changed."))
        return response


password_change = signed_in(PasswordChangeView.as_view())


@signed_in
def account(request):
    tokens = ApiToken.objects.filter(user=request.user, revoked_at__isnull=True).order_by(
        "-created_at"
    )
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        new_token = actions.create_token(
            request.user, user=request.user, name=form.cleaned_data["name"]
        )
        form = TokenForm()
    return render(
        request,
        "accounts/account.html",
        {
            "tokens": tokens,
            "form": form,
            "new_token": new_token,
            "person": getattr(request.user, "person", None),
        },
    )


@signed_in
@require_POST
def token_revoke(request, pk):
    token = ApiToken.objects.filter(pk=pk, user=request.user, revoked_at__isnull=True).first()
    if token is None:
        raise Http404
    actions.revoke_token(request.user, token=token)
    messages.success(request, _("Token revoked."))
    return redirect("accounts:account")


@requires(Perm.MANAGE_GRANTS)
def person_account(request, pk):
    """Give a person a login, so that roles can be granted to them."""
    person = get_person_for_user(request.user, pk)
    if person.user_id or not scope.can(request.user, Perm.MANAGE_GRANTS, person.unit):
        raise Http404
    form = NewAccountForm(request.POST or None, initial={"username": person.police_number})
    if request.method == "POST" and form.is_valid():
        account = run_action(
            form,
            lambda: actions.create_account(
                request.user,
                person=person,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
            ),
        )
        if account is not None:
            messages.success(request, _("Login created. Now grant the roles this person needs."))
            return redirect("org:person_detail", pk=person.pk)
    return render(request, "accounts/person_account.html", {"form": form, "person": person})
