import json

import pytest
from django.core.management import call_command
from django.test import Client

from zhengdun.accounts.actions import create_token
from zhengdun.accounts.models import ApiToken
from zhengdun.org.models import Person, Unit


@pytest.fixture
def bearer(org):
    def client_for(user):
        token = create_token(None, user=user)
        return Client(headers={"Authorization": f"Bearer {token}"})

    return client_for


def test_token_command_prints_a_working_token(org, capsys):
    call_command("token", "create", "office")
    token = capsys.readouterr().out.strip()
    assert token.startswith("zd_")
    stored = ApiToken.objects.get(user=org.office)
    assert token not in (stored.digest, stored.prefix)  # only a digest is kept
    client = Client(headers={"Authorization": f"Bearer {token}"})
    assert client.get("/api/v1/units").status_code == 200


def test_no_credentials_gets_401_with_a_message(client, org):
    response = client.get("/api/v1/units")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_a_revoked_or_wrong_token_is_refused(org, bearer):
    client = bearer(org.office)
    ApiToken.objects.update(revoked_at="2026-01-01T00:00:00Z")
    assert client.get("/api/v1/units").status_code == 401
    wrong = Client(headers={"Authorization": "Bearer zd_not-a-token"})
    assert wrong.get("/api/v1/units").status_code == 401


def test_lists_are_scoped_like_the_pages(org, bearer):
    data = bearer(org.leader_a).get("/api/v1/units", {"page_size": 200}).json()
    codes = {item["code"] for item in data["items"]}
    assert codes == {"A", "A1", "A1T", "A2"}
    assert data["count"] == 4
    people = bearer(org.leader_a).get("/api/v1/people", {"page_size": 200}).json()
    units = {item["unit_id"] for item in people["items"]}
    assert units <= {org.county_a.pk, org.station_a1.pk, org.team_a1.pk, org.station_a2.pk}
    assert people["count"] == Person.objects.filter(unit__code__startswith="A").count()


def test_hidden_objects_are_not_found(org, bearer):
    client = bearer(org.leader_a)
    assert client.get(f"/api/v1/units/{org.county_b.pk}").status_code == 404
    assert client.get(f"/api/v1/people/{org.p_b1.pk}").status_code == 404
    assert client.get("/api/v1/units/999999").status_code == 404


def test_pagination_is_bounded(org, bearer):
    data = bearer(org.office).get("/api/v1/units", {"page_size": 100000, "page": -3}).json()
    assert data["page_size"] == 200
    assert data["page"] == 1
    far = bearer(org.office).get("/api/v1/units", {"page": 10**30})
    assert far.status_code == 200
    assert far.json()["items"] == []


def test_create_and_update_a_unit(org, bearer):
    client = bearer(org.office)
    response = client.post(
        "/api/v1/units",
        json.dumps(
            {"parent_id": org.county_a.pk, "code": "A7", "name": "新派出所", "kind": "station"}
        ),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    unit = response.json()
    response = client.patch(
        f"/api/v1/units/{unit['id']}",
        json.dumps({"version": unit["version"], "name": "改名派出所"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["name"] == "改名派出所"
    stale = client.patch(
        f"/api/v1/units/{unit['id']}",
        json.dumps({"version": unit["version"], "name": "第三个名字"}),
        content_type="application/json",
    )
    assert stale.status_code == 409
    assert stale.json()["current_version"] == unit["version"] + 1


def test_bad_input_gets_a_4xx_with_a_message_never_a_500(org, bearer):
    client = bearer(org.office)
    cases = [
        ("post", "/api/v1/units", "not json"),
        ("post", "/api/v1/units", json.dumps({"code": "", "name": "x", "kind": "station"})),
        (
            "post",
            "/api/v1/units",
            json.dumps(
                {"parent_id": org.county_a.pk, "code": "A1", "name": "重复", "kind": "station"}
            ),
        ),
        (
            "post",
            "/api/v1/units",
            json.dumps({"parent_id": org.county_a.pk, "code": "Z", "name": "x", "kind": "planet"}),
        ),
        (
            "post",
            "/api/v1/people",
            json.dumps({"unit_id": org.station_a1.pk, "name": "x", "police_number": "!!"}),
        ),
        ("patch", f"/api/v1/people/{org.p_a1.pk}", json.dumps({"name": "x"})),
        ("get", "/api/v1/units?page=abc", None),
    ]
    for method, url, body in cases:
        if body is None:
            response = getattr(client, method)(url)
        else:
            response = getattr(client, method)(url, body, content_type="application/json")
        assert 400 <= response.status_code < 500, (url, body, response.status_code)
        assert response.json()["detail"], (url, body)


def test_read_only_user_cannot_write(org, bearer):
    response = bearer(org.leader_a).patch(
        f"/api/v1/units/{org.station_a1.pk}",
        json.dumps({"version": 1, "name": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert Unit.objects.get(pk=org.station_a1.pk).name == "苏祠派出所"


def test_session_writes_need_the_csrf_token(org):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.office)
    response = client.post(
        "/api/v1/units",
        json.dumps({"parent_id": org.county_a.pk, "code": "A8", "name": "x", "kind": "station"}),
        content_type="application/json",
    )
    assert response.status_code in (401, 403)
    assert not Unit.objects.filter(code="A8").exists()


def test_openapi_and_docs_use_no_outside_asset(client):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/units" in schema.json()["paths"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html
