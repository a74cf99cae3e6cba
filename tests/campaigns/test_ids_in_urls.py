import pytest
from django.urls import reverse


def test_an_id_beyond_the_database_is_not_found_not_a_server_error(org, make_task, login):
    task = make_task(org.station_a1)
    client = login(org.office)
    assert client.get(reverse("campaigns:task_detail", args=[task.pk])).status_code == 200
    assert client.get("/campaigns/tasks/99999999999999999999/").status_code == 404


@pytest.mark.parametrize("value", ["abc", "²", "٣", "-1", " 1", "9" * 25])
def test_a_unit_that_is_not_an_id_is_not_found(org, campaign, login, value):
    url = reverse("campaigns:overview", args=[campaign.pk])
    assert login(org.office).get(url, {"unit": value}).status_code == 404


def test_a_template_beyond_the_database_is_not_found(org, login):
    client = login(org.office)
    for name in ("template_start", "template_export"):
        assert client.get(reverse(f"campaigns:{name}", args=["9" * 25])).status_code == 404
