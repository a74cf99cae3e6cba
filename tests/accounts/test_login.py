import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import UserFactory
from zhengdun.accounts.actions import create_account
from zhengdun.audit.models import AuditEvent

PASSWORD = "correct-horse-battery"


def attempt(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_login_and_logout_are_audited(db):
    UserFactory(username="alice")
    client = Client()
    response = attempt(client, "alice", PASSWORD)
    assert response.status_code == 302
    assert AuditEvent.objects.filter(code="accounts.user.logged_in", actor_label="alice").exists()
    client.post(reverse("accounts:logout"))
    assert AuditEvent.objects.filter(code="accounts.user.logged_out").exists()


def test_a_wrong_password_keeps_the_username_and_explains(db):
    UserFactory(username="alice")
    response = attempt(Client(), "alice", "wrong")
    assert response.status_code == 200
    assert 'value="alice"' in response.content.decode()
    assert response.context["form"].non_field_errors()


def test_lockout_after_repeated_failures_even_with_the_right_password(db, settings):
    UserFactory(username="bob")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "bob", "wrong")
    response = attempt(client, "bob", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_demo_logins_are_refused_outside_demo_mode(org, settings):
    from zhengdun.org.models import Person

    person = Person.objects.get(pk=org.p_a1.pk)
    create_account(
        None, person=person, username="demo-user", password="zhengdun-demo", is_demo=True
    )
    settings.DEMO_MODE = False
    assert attempt(Client(), "demo-user", "zhengdun-demo").status_code == 200
    settings.DEMO_MODE = True
    assert attempt(Client(), "demo-user", "zhengdun-demo").status_code == 302


def test_accounts_need_a_strong_password(org):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        create_account(org.admin, person=org.p_a2, username="weak", password="12345678")
    assert "password1" in error.value.message_dict
    user = create_account(
        org.admin, person=org.p_a2, username="strong", password="Tr0ub4dor&3-horse"
    )
    assert user.check_password("Tr0ub4dor&3-horse")


def test_password_change_validates_and_is_audited(db):
    user = UserFactory(username="carol")
    client = Client()
    client.force_login(user)
    url = reverse("accounts:password_change")
    weak = client.post(
        url, {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"}
    )
    assert weak.status_code == 200 and weak.context["form"].errors
    good = client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": "A-much-better-passphrase-9",
            "new_password2": "A-much-better-passphrase-9",
        },
    )
    assert good.status_code == 302
    assert get_user_model().objects.get(pk=user.pk).check_password("A-much-better-passphrase-9")
    assert AuditEvent.objects.filter(code="accounts.user.password_changed").exists()


@override_settings(SESSION_COOKIE_AGE=60)
def test_sessions_expire(db, settings):
    user = UserFactory(username="dave")
    client = Client()
    client.force_login(user)
    assert client.session.get_expiry_age() <= 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_token_page_shows_a_new_token_once(db):
    user = UserFactory(username="erin")
    client = Client()
    client.force_login(user)
    response = client.post(reverse("accounts:account"), {"name": "报表脚本"})
    token = response.context["new_token"]
    assert token and token in response.content.decode()
    assert token not in client.get(reverse("accounts:account")).content.decode()


def test_office_creates_a_login_for_a_person(org, login):
    client = login(org.office)
    url = reverse("accounts:person_account", args=[org.p_a2.pk])
    weak = client.post(url, {"username": "tonghui", "password1": "123", "password2": "123"})
    assert weak.status_code == 200
    assert weak.context["form"].errors["password1"]
    assert 'value="tonghui"' in weak.content.decode()
    good = client.post(
        url,
        {"username": "tonghui", "password1": "Patrol-night-2026", "password2": "Patrol-night-2026"},
    )
    assert good.status_code == 302
    org.p_a2.refresh_from_db()
    assert org.p_a2.user.username == "tonghui"
    assert AuditEvent.objects.filter(code="accounts.user.created").exists()
    # A leader without the grant right never sees the page.
    assert login(org.leader_a).get(url).status_code == 404
