from django.http import Http404
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from zhengdun.core.pagination import page_dict
from zhengdun.org import actions, queries, scope
from zhengdun.org.models import Person, Unit
from zhengdun.org.permissions import get_person_for_user, get_unit_for_user
from zhengdun.org.roles import Perm

router = Router(tags=["organisation"])


def _require(request, perm: str) -> None:
    if not scope.holds(request.user, perm):
        raise Http404


class UnitOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: str
    kind_label: str
    sector: str
    parent_id: int | None
    depth: int
    sort_order: int
    is_active: bool
    version: int

    @staticmethod
    def resolve_kind_label(obj: Unit) -> str:
        return str(obj.get_kind_display())


class UnitIn(Schema):
    parent_id: int | None = None
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=100)
    kind: str
    sector: str = ""
    short_name: str = Field("", max_length=40)
    sort_order: int = 0


class UnitPatch(Schema):
    version: int
    code: str | None = Field(None, max_length=32)
    name: str | None = Field(None, max_length=100)
    short_name: str | None = Field(None, max_length=40)
    kind: str | None = None
    sector: str | None = None
    sort_order: int | None = None
    is_active: bool | None = None


class UnitMove(Schema):
    parent_id: int
    version: int


class UnitFilters(Schema):
    under: int | None = None
    kind: str = ""
    sector: str = ""
    q: str = ""
    page: int = 1
    page_size: int = 50


class UnitPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[UnitOut]


class PersonOut(Schema):
    id: int
    name: str
    police_number: str
    unit_id: int
    unit_name: str
    position: str
    rank: str
    status: str
    status_label: str
    phone: str
    version: int

    @staticmethod
    def resolve_unit_name(obj: Person) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_status_label(obj: Person) -> str:
        return str(obj.get_status_display())


class PersonIn(Schema):
    unit_id: int
    name: str = Field(min_length=1, max_length=50)
    police_number: str = Field(min_length=1, max_length=20)
    position: str = Field("", max_length=60)
    rank: str = Field("", max_length=30)
    status: str = "active"
    phone: str = Field("", max_length=30)


class PersonPatch(Schema):
    version: int
    unit_id: int | None = None
    name: str | None = Field(None, max_length=50)
    police_number: str | None = Field(None, max_length=20)
    position: str | None = Field(None, max_length=60)
    rank: str | None = Field(None, max_length=30)
    status: str | None = None
    phone: str | None = Field(None, max_length=30)


class PersonFilters(Schema):
    unit: int | None = None
    status: str = ""
    q: str = ""
    page: int = 1
    page_size: int = 50


class PersonPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[PersonOut]


@router.get("/units", response=UnitPage, summary="Units visible to the caller")
def list_units(request, filters: Query[UnitFilters]):
    _require(request, Perm.VIEW_ORG)
    under = get_unit_for_user(request.user, filters.under) if filters.under else None
    units = queries.units_visible_to(
        request.user, under=under, kind=filters.kind, sector=filters.sector, q=filters.q
    )
    return page_dict(units, filters.page, filters.page_size)


@router.get("/units/{unit_id}", response=UnitOut)
def get_unit(request, unit_id: int):
    return get_unit_for_user(request.user, unit_id)


@router.post("/units", response={201: UnitOut})
def create_unit(request, payload: UnitIn):
    _require(request, Perm.VIEW_ORG)
    parent = get_unit_for_user(request.user, payload.parent_id) if payload.parent_id else None
    unit = actions.create_unit(request.user, parent=parent, **payload.dict(exclude={"parent_id"}))
    return Status(201, unit)


@router.patch("/units/{unit_id}", response=UnitOut)
def update_unit(request, unit_id: int, payload: UnitPatch):
    unit = get_unit_for_user(request.user, unit_id, write=True)
    fields = payload.dict(exclude={"version"}, exclude_none=True)
    return actions.update_unit(request.user, unit=unit, version=payload.version, **fields)


@router.post("/units/{unit_id}/move", response=UnitOut)
def move_unit(request, unit_id: int, payload: UnitMove):
    unit = get_unit_for_user(request.user, unit_id, write=True)
    parent = get_unit_for_user(request.user, payload.parent_id, write=True)
    return actions.move_unit(request.user, unit=unit, new_parent=parent, version=payload.version)


@router.get("/people", response=PersonPage, summary="People visible to the caller")
def list_people(request, filters: Query[PersonFilters]):
    _require(request, Perm.VIEW_ORG)
    under = get_unit_for_user(request.user, filters.unit) if filters.unit else None
    people = queries.people_visible_to(
        request.user, under=under, status=filters.status, q=filters.q
    ).order_by("name", "id")
    return page_dict(people, filters.page, filters.page_size)


@router.get("/people/{person_id}", response=PersonOut)
def get_person(request, person_id: int):
    return get_person_for_user(request.user, person_id)


@router.post("/people", response={201: PersonOut})
def create_person(request, payload: PersonIn):
    unit = get_unit_for_user(request.user, payload.unit_id, write=True)
    person = actions.create_person(request.user, unit=unit, **payload.dict(exclude={"unit_id"}))
    return Status(201, person)


@router.patch("/people/{person_id}", response=PersonOut)
def update_person(request, person_id: int, payload: PersonPatch):
    person = get_person_for_user(request.user, person_id, write=True)
    fields = payload.dict(exclude={"version", "unit_id"}, exclude_none=True)
    if payload.unit_id is not None:
        fields["unit"] = get_unit_for_user(request.user, payload.unit_id, write=True)
    return actions.update_person(request.user, person=person, version=payload.version, **fields)
