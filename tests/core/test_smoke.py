import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    "name",
    [
        "core:home",
        "org:unit_list",
        "org:person_list",
        "org:import",
        "audit:event_list",
        "notify:inbox",
        "accounts:account",
    ],
)
def test_office_pages_render(org, login, name):
    response = login(org.office).get(reverse(name))
    assert response.status_code == 200
