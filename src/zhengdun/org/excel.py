"""Excel import and export of units and people, on the shared helpers in ``core.excel``."""

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from zhengdun.core.excel import Column
from zhengdun.org import queries
from zhengdun.org.models import PersonStatus, Sector, UnitKind

UNIT_COLUMNS = [
    Column("code", _("Code"), required=True, help=_("Unique; an existing code updates that unit.")),
    Column("name", _("Name"), required=True, width=30),
    Column("short_name", _("Short name")),
    Column("kind", _("Kind"), required=True, choices=tuple(UnitKind.choices)),
    Column(
        "parent_code",
        _("Parent unit code"),
        help=_("A unit in your scope, or one earlier in this file. Changing it moves the unit."),
    ),
    Column("sector", _("Sector"), choices=tuple(Sector.choices[1:])),
    Column("sort_order", _("Order"), width=8),
]

PERSON_COLUMNS = [
    Column(
        "police_number",
        _("Police number"),
        required=True,
        help=_("Unique; an existing number updates that person."),
    ),
    Column("name", _("Name"), required=True),
    Column("unit_code", _("Unit code"), required=True),
    Column("position", _("Position"), width=20),
    Column("rank", _("Rank")),
    Column("status", _("Status"), choices=tuple(PersonStatus.choices)),
    Column("phone", _("Phone")),
]


def unit_rows(user) -> Iterator[dict]:
    units = queries.units_visible_to(user, include_inactive=True)
    for unit in units.iterator(chunk_size=2000):
        yield {
            "code": unit.code,
            "name": unit.name,
            "short_name": unit.short_name,
            "kind": unit.get_kind_display(),
            "parent_code": unit.parent.code if unit.parent else "",
            "sector": unit.get_sector_display() if unit.sector else "",
            "sort_order": unit.sort_order,
        }


def person_rows(user) -> Iterator[dict]:
    people = queries.people_visible_to(user).order_by("unit__path", "name", "id")
    for person in people.iterator(chunk_size=2000):
        yield {
            "police_number": person.police_number,
            "name": person.name,
            "unit_code": person.unit.code,
            "position": person.position,
            "rank": person.rank,
            "status": person.get_status_display(),
            "phone": person.phone,
        }
