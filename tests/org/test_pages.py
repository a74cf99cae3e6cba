import pytest
from django.urls import reverse

from zhengdun.audit.models import AuditEvent
from zhengdun.core.versioning import ConflictError
from zhengdun.org import actions
from zhengdun.org.models import Grant, Person, Unit


def person_form(person, **overrides):
    data = {
        "name": person.name,
        "police_number": person.police_number,
        "unit": person.unit_id,
        "position": person.position,
        "rank": person.rank,
        "status": person.status,
        "phone": person.phone,
        "version": person.version,
    }
    data.update(overrides)
    return data


def test_office_creates_a_unit_through_the_page(org, login):
    client = login(org.office)
    url = reverse("org:unit_create") + f"?parent={org.county_a.pk}"
    response = client.post(
        url, {"code": "A9", "name": "崇仁派出所", "kind": "station", "sector": "", "sort_order": 3}
    )
    unit = Unit.objects.get(code="A9")
    assert response.status_code == 302
    assert unit.parent_id == org.county_a.pk


def test_bad_input_keeps_what_was_typed(org, login):
    client = login(org.office)
    url = reverse("org:unit_create") + f"?parent={org.county_a.pk}"
    response = client.post(url, {"code": "A1", "name": "我输入的名称", "kind": "station"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "我输入的名称" in html
    assert response.context["form"].errors["code"]
    assert not Unit.objects.filter(name="我输入的名称").exists()


def test_stale_edit_is_refused_and_explained(org, login):
    person = org.p_a1
    stale_version = person.version
    actions.update_person(org.office, person=person, version=stale_version, phone="13800000001")
    client = login(org.office)
    response = client.post(
        reverse("org:person_edit", args=[person.pk]),
        person_form(person, version=stale_version, position="我改的职务", phone=""),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "我改的职务" in html  # nothing typed is lost
    assert "13800000001" in html  # the other user's change is shown
    assert response.context["form"].conflict_changes
    person.refresh_from_db()
    assert person.position != "我改的职务"
    assert person.phone == "13800000001"
    # Saving again on the version shown now goes through.
    again = client.post(
        reverse("org:person_edit", args=[person.pk]),
        person_form(person, position="我改的职务"),
    )
    assert again.status_code == 302
    person.refresh_from_db()
    assert person.position == "我改的职务"


def test_stale_action_raises_conflict(org):
    unit = org.station_a2
    actions.update_unit(org.office, unit=unit, version=unit.version, name="新名称")
    with pytest.raises(ConflictError):
        actions.update_unit(org.office, unit=unit, version=1, name="另一个名称")


def test_unit_page_shows_its_history_to_those_who_may_see_it(org, login):
    actions.update_unit(org.office, unit=org.station_a1, version=1, name="苏祠警务站")
    html = login(org.leader_a).get(reverse("org:unit_detail", args=[org.station_a1.pk]))
    assert "苏祠派出所 → 苏祠警务站" in html.content.decode()


def test_unit_list_filters_in_the_database(org, login):
    client = login(org.office)
    response = client.get(reverse("org:unit_list"), {"kind": "county_bureau"})
    names = [unit.name for unit in response.context["page"].object_list]
    assert names == ["东坡分局", "彭山分局"]
    response = client.get(reverse("org:unit_list"), {"q": "凤鸣"})
    assert [unit.code for unit in response.context["page"].object_list] == ["B1"]


def test_person_list_filters_by_subtree_and_status(org, login):
    client = login(org.office)
    org.p_a2.status = "retired_from_post"
    org.p_a2.save()
    response = client.get(reverse("org:person_list"), {"unit": org.county_a.pk})
    listed = {person.pk for person in response.context["page"].object_list}
    assert org.p_a1.pk in listed and org.p_team.pk in listed and org.p_b1.pk not in listed
    response = client.get(
        reverse("org:person_list"), {"unit": org.county_a.pk, "status": "retired_from_post"}
    )
    assert [person.pk for person in response.context["page"].object_list] == [org.p_a2.pk]


def test_move_page_moves_the_unit(org, login):
    client = login(org.office)
    response = client.post(
        reverse("org:unit_move", args=[org.station_a1.pk]),
        {"parent": org.county_b.pk, "version": org.station_a1.version},
    )
    assert response.status_code == 302
    org.station_a1.refresh_from_db()
    assert org.station_a1.parent_id == org.county_b.pk


def test_granting_a_role_through_the_person_page(org, login):
    client = login(org.admin)
    person = Person.objects.get(user=org.outsider)
    response = client.post(
        reverse("org:grant_add", args=[person.pk]), {"role": "viewer", "unit": org.county_a.pk}
    )
    assert response.status_code == 302
    grant = Grant.objects.get(user=org.outsider, role="viewer")
    assert AuditEvent.objects.filter(code="org.grant.added", object_id=str(grant.pk)).exists()
    client.post(reverse("org:grant_revoke", args=[grant.pk]))
    assert not Grant.objects.filter(pk=grant.pk).exists()
    assert AuditEvent.objects.filter(code="org.grant.revoked").exists()


def test_nobody_grants_more_than_they_hold(org, monkeypatch):
    from django.core.exceptions import PermissionDenied, ValidationError

    from zhengdun.org.roles import ROLE_PERMISSIONS

    # A right the office does not have (later modules add such rights to the inspector).
    monkeypatch.setitem(ROLE_PERMISSIONS, "inspector", {"org.view", "integrity.view"})
    local_office = org.liaison_a
    Grant.objects.create(user=local_office, role="office", unit=org.county_a)
    with pytest.raises(PermissionDenied):
        actions.grant_role(local_office, user=org.outsider, role="viewer", unit=org.city)
    with pytest.raises(ValidationError):
        actions.grant_role(local_office, user=org.outsider, role="inspector", unit=org.county_a)
    grant = actions.grant_role(local_office, user=org.outsider, role="viewer", unit=org.station_a1)
    assert grant.unit_id == org.station_a1.pk


def test_people_list_names_the_bureau_of_deep_units(org, login):
    response = login(org.office).get(reverse("org:person_list"), {"q": "社区民警"})
    html = response.content.decode()
    assert "东坡分局 · 社区警务队" in html
