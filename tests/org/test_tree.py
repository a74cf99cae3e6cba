import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import PersonFactory
from zhengdun.audit.models import AuditEvent
from zhengdun.org import actions, scope
from zhengdun.org.models import Person, Unit, UnitKind, ancestor_paths, decode_step, encode_step


def test_path_steps_round_trip():
    for number in (1, 35, 36, 1295, 1296, 36**4 - 1):
        assert decode_step(encode_step(number)) == number
    with pytest.raises(ValueError):
        encode_step(36**4)


def test_ancestor_paths_are_root_first():
    assert ancestor_paths("0001000A0003") == ["0001", "0001000A", "0001000A0003"]


def test_create_unit_places_it_under_its_parent(org):
    unit = actions.create_unit(
        org.office, parent=org.county_a, code="A3", name="太和派出所", kind=UnitKind.STATION
    )
    assert unit.path.startswith(org.county_a.path)
    assert unit.depth == org.county_a.depth + 1
    assert unit.path != org.station_a1.path and unit.path != org.station_a2.path
    event = AuditEvent.objects.get(code="org.unit.created", object_id=str(unit.pk))
    assert event.actor_id == org.office.pk
    assert event.changes["parent"] == "东坡分局"


def test_duplicate_code_is_refused_with_a_message(org):
    with pytest.raises(ValidationError) as error:
        actions.create_unit(
            org.office, parent=org.county_a, code="A1", name="重复", kind=UnitKind.STATION
        )
    assert "code" in error.value.message_dict


def test_unit_outside_scope_cannot_be_created(org):
    with pytest.raises(PermissionDenied):
        actions.create_unit(
            org.leader_a, parent=org.county_b, code="B9", name="x", kind=UnitKind.STATION
        )


def test_rename_keeps_people_and_records_history(org):
    person = org.p_a1
    actions.update_unit(
        org.office, unit=org.station_a1, version=org.station_a1.version, name="苏祠警务站"
    )
    org.station_a1.refresh_from_db()
    assert org.station_a1.name == "苏祠警务站"
    assert Person.objects.get(pk=person.pk).unit_id == org.station_a1.pk
    event = AuditEvent.objects.get(code="org.unit.renamed", object_id=str(org.station_a1.pk))
    assert event.changes["name"] == ["苏祠派出所", "苏祠警务站"]


def test_move_rehangs_the_whole_subtree(org):
    people_before = set(
        Person.objects.filter(scope.prefix_q("unit__path", org.station_a1.path)).values_list(
            "pk", flat=True
        )
    )
    actions.move_unit(
        org.office, unit=org.station_a1, new_parent=org.county_b, version=org.station_a1.version
    )
    for unit in (org.station_a1, org.team_a1):
        unit.refresh_from_db()
    assert org.station_a1.parent_id == org.county_b.pk
    assert org.station_a1.path.startswith(org.county_b.path)
    assert org.team_a1.path.startswith(org.station_a1.path)
    assert org.team_a1.depth == org.station_a1.depth + 1
    # Everything that belonged to the unit still does, now under its new parent.
    people_after = set(
        Person.objects.filter(scope.prefix_q("unit__path", org.county_b.path)).values_list(
            "pk", flat=True
        )
    )
    assert people_before <= people_after
    assert not Person.objects.filter(
        scope.prefix_q("unit__path", org.county_a.path), pk__in=people_before
    ).exists()
    event = AuditEvent.objects.get(code="org.unit.moved")
    assert event.changes["parent"] == ["东坡分局", "彭山分局"]
    assert event.changes["units_moved"] == 2


def test_move_changes_who_sees_the_unit(org):
    assert scope.can(org.leader_a, "org.view", org.team_a1)
    actions.move_unit(
        org.office, unit=org.station_a1, new_parent=org.county_b, version=org.station_a1.version
    )
    org.team_a1.refresh_from_db()
    scope.forget(org.leader_a)
    scope.forget(org.viewer_b)
    assert not scope.can(org.leader_a, "org.view", org.team_a1)
    assert scope.can(org.viewer_b, "org.view", org.team_a1)


def test_a_unit_cannot_move_under_its_own_subtree(org):
    with pytest.raises(ValidationError):
        actions.move_unit(
            org.office, unit=org.county_a, new_parent=org.team_a1, version=org.county_a.version
        )
    with pytest.raises(ValidationError):
        actions.move_unit(
            org.office, unit=org.county_a, new_parent=org.county_a, version=org.county_a.version
        )


def test_move_needs_rights_on_both_places(org):
    with pytest.raises(PermissionDenied):
        actions.move_unit(
            org.leader_a,
            unit=org.station_a1,
            new_parent=org.county_b,
            version=org.station_a1.version,
        )


def test_new_children_after_a_move_get_fresh_paths(org):
    actions.move_unit(
        org.office, unit=org.station_a1, new_parent=org.county_b, version=org.station_a1.version
    )
    new = actions.create_unit(
        org.office, parent=org.county_b, code="B2", name="江口派出所", kind=UnitKind.STATION
    )
    paths = list(Unit.objects.values_list("path", flat=True))
    assert len(paths) == len(set(paths))
    assert new.path.startswith(org.county_b.path)


def test_person_transfer_needs_rights_on_both_units(org):
    person = PersonFactory(unit=org.station_a1)
    with pytest.raises(PermissionDenied):
        actions.update_person(
            org.leader_a, person=person, version=person.version, unit=org.station_b1
        )
    actions.update_person(org.office, person=person, version=person.version, unit=org.station_b1)
    person.refresh_from_db()
    assert person.unit_id == org.station_b1.pk
    assert AuditEvent.objects.filter(code="org.person.moved", object_id=str(person.pk)).exists()


def test_duplicate_police_number_is_refused(org):
    with pytest.raises(ValidationError) as error:
        actions.create_person(
            org.office, unit=org.station_a1, name="张三", police_number=org.p_b1.police_number
        )
    assert "police_number" in error.value.message_dict


def test_a_role_on_every_top_unit_needs_no_filter(org):
    assert scope.within(org.office, "org.view") == scope.EVERYTHING
    assert "WHERE" not in str(Unit.objects.filter(scope.within(org.office, "org.view")).query)
    second_root = actions.create_unit(
        org.admin, parent=None, code="OTHER", name="另一个市局", kind=UnitKind.CITY_BUREAU
    )
    scope.forget(org.office)
    assert scope.within(org.office, "org.view") != scope.EVERYTHING
    assert not scope.can(org.office, "org.view", second_root)


def test_police_numbers_are_stored_upper_case_and_found_by_prefix(org):
    from zhengdun.org import queries

    person = actions.create_person(
        org.office, unit=org.station_a1, name="王五", police_number="ab12"
    )
    assert person.police_number == "AB12"
    assert list(queries.people_visible_to(org.office, q="ab1")) == [person]
