"""Every change to the organisation: units, people and role grants.

Each action takes the acting user first, checks permission through ``scope``, validates, writes
and audits in one transaction.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from zhengdun.audit.codes import Code
from zhengdun.audit.log import record
from zhengdun.core.excel import ImportOutcome, RowError, run_import
from zhengdun.core.versioning import apply_versioned
from zhengdun.org import extensions, scope
from zhengdun.org.excel import PERSON_COLUMNS, UNIT_COLUMNS
from zhengdun.org.models import (
    PATH_MAX_DEPTH,
    PATH_STEP,
    Grant,
    Person,
    PersonStatus,
    Sector,
    Unit,
    UnitKind,
    decode_step,
    encode_step,
)
from zhengdun.org.roles import Perm, Role, perms_of

UNIT_FIELDS = ("code", "name", "short_name", "kind", "sector", "sort_order", "is_active")
PERSON_FIELDS = ("name", "police_number", "unit", "position", "rank", "status", "phone")


def _require(actor, perm: str, unit: Unit | None) -> None:
    allowed = scope.scope_of(actor).everywhere if unit is None else scope.can(actor, perm, unit)
    if not allowed:
        raise PermissionDenied


def _next_child_path(parent: Unit | None) -> str:
    if parent is not None:
        # Lock the parent so two new children never get the same step.
        Unit.objects.select_for_update().filter(pk=parent.pk).exists()
        siblings = Unit.objects.filter(parent=parent)
        prefix = parent.path
    else:
        siblings = Unit.objects.filter(parent__isnull=True)
        prefix = ""
    last = siblings.aggregate(last=Max("path"))["last"]
    number = decode_step(last[-PATH_STEP:]) + 1 if last else 1
    return prefix + encode_step(number)


def _clean_unit_fields(fields: dict, *, instance: Unit | None = None) -> None:
    errors: dict[str, str] = {}
    code = fields.get("code")
    if code is not None:
        code = code.strip()
        fields["code"] = code
        if not code:
            errors["code"] = _("Enter a code.")
        elif Unit.objects.filter(code=code).exclude(pk=getattr(instance, "pk", None)).exists():
            errors["code"] = _("Another unit already has the code %(code)s.") % {"code": code}
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
        if not fields["name"]:
            errors["name"] = _("Enter a name.")
    if "kind" in fields and fields["kind"] not in UnitKind.values:
        errors["kind"] = _("Choose a valid kind of unit.")
    if "sector" in fields and (fields["sector"] or "") not in Sector.values:
        errors["sector"] = _("Choose a valid sector.")
    if errors:
        raise ValidationError(errors)


def create_unit(
    actor,
    *,
    parent: Unit | None,
    code: str,
    name: str,
    kind: str,
    sector: str = "",
    short_name: str = "",
    sort_order: int = 0,
) -> Unit:
    _require(actor, Perm.MANAGE_ORG, parent)
    fields = {
        "code": code,
        "name": name,
        "kind": kind,
        "sector": sector or "",
        "short_name": (short_name or "").strip(),
        "sort_order": sort_order or 0,
    }
    _clean_unit_fields(fields)
    if parent is not None and parent.depth >= PATH_MAX_DEPTH:
        raise ValidationError(
            {"parent": _("The tree cannot be deeper than %(n)d levels.") % {"n": PATH_MAX_DEPTH}}
        )
    with transaction.atomic():
        path = _next_child_path(parent)
        unit = Unit.objects.create(parent=parent, path=path, depth=len(path) // PATH_STEP, **fields)
        record(
            actor=actor,
            code=Code.UNIT_CREATED,
            obj=unit,
            unit=unit,
            changes={**fields, "parent": parent},
        )
    return unit


def update_unit(actor, *, unit: Unit, version: int, **fields) -> Unit:
    """Edit a unit's own fields (code, name, kind, sector, order, active). A rename keeps
    everything that belongs to the unit and is recorded in its history."""
    unknown = set(fields) - set(UNIT_FIELDS)
    if unknown:
        raise TypeError(f"not unit fields: {sorted(unknown)}")
    _require(actor, Perm.MANAGE_ORG, unit)
    _clean_unit_fields(fields, instance=unit)
    changes = {name: value for name, value in fields.items() if getattr(unit, name) != value}
    if not changes:
        return unit
    with transaction.atomic():
        delta = apply_versioned(unit, version=version, changes=changes)
        record(
            actor=actor,
            code=Code.UNIT_RENAMED if "name" in changes else Code.UNIT_UPDATED,
            obj=unit,
            unit=unit,
            changes=delta,
        )
    return unit


def move_unit(actor, *, unit: Unit, new_parent: Unit, version: int) -> Unit:
    """Re-hang a unit and its whole subtree under another parent (reorganisation).

    People, grants and everything else keep pointing at the same unit rows; only the paths of
    the subtree change, in one UPDATE.
    """
    _require(actor, Perm.MANAGE_ORG, unit)
    _require(actor, Perm.MANAGE_ORG, new_parent)
    if new_parent.pk == unit.pk or new_parent.path.startswith(unit.path):
        raise ValidationError(
            {"parent": _("A unit cannot be moved under itself or its own subunits.")}
        )
    if unit.parent_id == new_parent.pk:
        return unit
    with transaction.atomic():
        old_path = unit.path
        old_parent = unit.parent
        deepest = Unit.objects.filter(scope.prefix_q("path", old_path)).aggregate(
            deepest=Max("depth")
        )["deepest"]
        delta = new_parent.depth + 1 - unit.depth
        if deepest + delta > PATH_MAX_DEPTH:
            raise ValidationError(
                {
                    "parent": _("The tree cannot be deeper than %(n)d levels.")
                    % {"n": PATH_MAX_DEPTH}
                }
            )
        new_path = _next_child_path(new_parent)
        changes = apply_versioned(unit, version=version, changes={"parent": new_parent})
        moved = Unit.objects.filter(scope.prefix_q("path", old_path)).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + delta,
        )
        unit.path = new_path
        unit.depth += delta
        for hook in extensions.move_hooks:
            hook(old_path, new_path)
        changes["parent"] = [old_parent, new_parent]
        changes["path"] = [old_path, new_path]
        changes["units_moved"] = moved
        record(actor=actor, code=Code.UNIT_MOVED, obj=unit, unit=unit, changes=changes)
    return unit


def _clean_person_fields(fields: dict, *, instance: Person | None = None) -> None:
    errors: dict[str, str] = {}
    for name in ("name", "police_number", "position", "rank", "phone"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
    if "police_number" in fields:
        fields["police_number"] = fields["police_number"].upper()
    if "name" in fields and not fields["name"]:
        errors["name"] = _("Enter a name.")
    number = fields.get("police_number")
    if number is not None:
        if not number:
            errors["police_number"] = _("Enter a police number.")
        elif not number.isalnum() or len(number) > 20:
            errors["police_number"] = _("A police number has up to 20 letters and digits.")
        elif (
            Person.objects.filter(police_number=number)
            .exclude(pk=getattr(instance, "pk", None))
            .exists()
        ):
            errors["police_number"] = _("The police number %(number)s is already in use.") % {
                "number": number
            }
    if "status" in fields and fields["status"] not in PersonStatus.values:
        errors["status"] = _("Choose a valid status.")
    if errors:
        raise ValidationError(errors)


def create_person(
    actor,
    *,
    unit: Unit,
    name: str,
    police_number: str,
    position: str = "",
    rank: str = "",
    status: str = PersonStatus.ACTIVE,
    phone: str = "",
) -> Person:
    _require(actor, Perm.MANAGE_ORG, unit)
    fields = {
        "name": name,
        "police_number": police_number,
        "position": position,
        "rank": rank,
        "status": status,
        "phone": phone,
    }
    _clean_person_fields(fields)
    with transaction.atomic():
        person = Person.objects.create(unit=unit, **fields)
        record(
            actor=actor,
            code=Code.PERSON_CREATED,
            obj=person,
            unit=unit,
            changes={**fields, "unit": unit},
        )
    return person


def update_person(actor, *, person: Person, version: int, **fields) -> Person:
    """Edit a person; a change of unit is a transfer and needs the right on both units."""
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"not person fields: {sorted(unknown)}")
    _require(actor, Perm.MANAGE_ORG, person.unit)
    if "unit" in fields:
        _require(actor, Perm.MANAGE_ORG, fields["unit"])
    _clean_person_fields(fields, instance=person)
    changes = {name: value for name, value in fields.items() if getattr(person, name) != value}
    if not changes:
        return person
    with transaction.atomic():
        delta = apply_versioned(person, version=version, changes=changes)
        record(
            actor=actor,
            code=Code.PERSON_MOVED if "unit" in changes else Code.PERSON_UPDATED,
            obj=person,
            unit=person.unit,
            changes=delta,
        )
    return person


def grant_role(actor, *, user, role: str, unit: Unit) -> Grant:
    """Give ``user`` a role on ``unit``. Nobody hands out more than they hold there."""
    _require(actor, Perm.MANAGE_GRANTS, unit)
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a valid role.")})
    held = scope.scope_of(actor)
    if not all(held.covers(perm, unit.path) for perm in perms_of(role)):
        raise ValidationError(
            {"role": _("You cannot grant a role with rights you do not hold there.")}
        )
    with transaction.atomic():
        grant, created = Grant.objects.get_or_create(user=user, role=role, unit=unit)
        if created:
            record(
                actor=actor,
                code=Code.GRANT_ADDED,
                obj=grant,
                unit=unit,
                changes={"user": user.get_username(), "role": role, "unit": unit},
            )
    scope.forget(user)
    return grant


def revoke_role(actor, *, grant: Grant) -> None:
    _require(actor, Perm.MANAGE_GRANTS, grant.unit)
    with transaction.atomic():
        record(
            actor=actor,
            code=Code.GRANT_REVOKED,
            obj=grant,
            unit=grant.unit,
            changes={
                "user": grant.user.get_username(),
                "role": grant.role,
                "unit": grant.unit,
            },
        )
        grant.delete()
    scope.forget(grant.user)


def _parents_first(rows: list[tuple[int, dict]], outcome) -> list[tuple[int, dict]]:
    """Order unit rows so that a parent defined in the file comes before its children."""
    by_code = {cells["code"]: (number, cells) for number, cells in rows}
    ordered: list[tuple[int, dict]] = []
    state: dict[str, str] = {}
    for number, cells in rows:
        chain = []
        code = cells["code"]
        while code in by_code and state.get(code) != "done":
            if code in chain:
                outcome.errors.append(
                    RowError(number, str(_("Parent unit code")), _("The parent codes form a loop."))
                )
                break
            chain.append(code)
            code = by_code[code][1].get("parent_code", "")
        else:
            for code in reversed(chain):
                state[code] = "done"
                ordered.append(by_code[code])
    return ordered


def _unit_for_import(actor, code: str) -> Unit | None:
    unit = Unit.objects.filter(code=code).select_related("parent").first()
    if unit is None or not scope.can(actor, Perm.VIEW_ORG, unit):
        return None
    return unit


def import_units(actor, *, rows, dry_run: bool = False) -> ImportOutcome:
    """Create or update units from spreadsheet rows: all rows are saved, or none."""
    return run_import(
        rows,
        UNIT_COLUMNS,
        key="code",
        order=_parents_first,
        apply_row=lambda cells: _import_unit_row(actor, cells),
        aliases={"parent": "parent_code"},
        dry_run=dry_run,
        on_commit=lambda outcome: _record_import(actor, "units", outcome),
    )


def _record_import(actor, kind: str, outcome: ImportOutcome) -> None:
    record(
        actor=actor,
        code=Code.ORG_IMPORTED,
        changes={"kind": kind, "created": outcome.created, "updated": outcome.updated},
    )


def _import_unit_row(actor, cells: dict) -> str:
    fields = {
        "code": cells["code"],
        "name": cells["name"],
        "short_name": cells.get("short_name", ""),
        "kind": cells["kind"],
        "sector": cells.get("sector", ""),
        "sort_order": _int_cell(cells.get("sort_order", ""), "sort_order"),
    }
    parent = None
    parent_code = cells.get("parent_code", "")
    if parent_code:
        parent = _unit_for_import(actor, parent_code)
        if parent is None:
            raise ValidationError(
                {
                    "parent": _("No unit with the code %(code)s in your scope.")
                    % {"code": parent_code}
                }
            )
    existing = _unit_for_import(actor, fields["code"])
    if existing is None:
        if parent is None and not scope.scope_of(actor).everywhere:
            raise ValidationError({"parent": _("Give the parent unit code.")})
        create_unit(actor, parent=parent, **fields)
        return "created"
    version = existing.version
    update_unit(actor, unit=existing, version=version, **fields)
    if parent is not None and existing.parent_id != parent.pk:
        move_unit(actor, unit=existing, new_parent=parent, version=existing.version)
    return "updated" if existing.version != version else "unchanged"


def _int_cell(value: str, field: str) -> int:
    if not value:
        return 0
    try:
        return int(value)
    except ValueError:
        raise ValidationError({field: _("Enter a whole number.")}) from None


def import_people(actor, *, rows, dry_run: bool = False) -> ImportOutcome:
    """Create or update people from spreadsheet rows: all rows are saved, or none."""
    return run_import(
        rows,
        PERSON_COLUMNS,
        key="police_number",
        apply_row=lambda cells: _import_person_row(actor, cells),
        aliases={"unit": "unit_code"},
        dry_run=dry_run,
        on_commit=lambda outcome: _record_import(actor, "people", outcome),
    )


def _import_person_row(actor, cells: dict) -> str:
    unit = _unit_for_import(actor, cells["unit_code"])
    if unit is None:
        raise ValidationError(
            {
                "unit": _("No unit with the code %(code)s in your scope.")
                % {"code": cells["unit_code"]}
            }
        )
    fields = {
        "name": cells["name"],
        "police_number": cells["police_number"],
        "position": cells.get("position", ""),
        "rank": cells.get("rank", ""),
        "status": cells.get("status") or PersonStatus.ACTIVE,
        "phone": cells.get("phone", ""),
    }
    existing = (
        Person.objects.filter(
            scope.within(actor, Perm.VIEW_ORG), police_number=fields["police_number"]
        )
        .select_related("unit")
        .first()
    )
    if existing is None:
        create_person(actor, unit=unit, **fields)
        return "created"
    version = existing.version
    update_person(actor, person=existing, version=version, unit=unit, **fields)
    return "updated" if existing.version != version else "unchanged"
