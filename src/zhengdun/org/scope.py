"""The one place that decides who may see and do what.

A role granted on a unit covers the unit's subtree. ``within(user, perm, field)`` gives the filter
that every scoped query uses; ``can(user, perm, unit)`` answers for one object. Other modules add
scope that does not come from grants (a supervision group sees the units it is assigned to) with
``register_provider``.

Rows hold their unit's materialized path, so "in the subtree of a granted unit" is a prefix match
on one indexed column, whatever the depth of the tree.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Q, QuerySet, Value
from django.utils import timezone

from zhengdun.core.db import fetch_prepared
from zhengdun.org.models import Grant, Unit, ancestor_paths
from zhengdun.org.roles import ROLE_PERMISSIONS, WRITE_PERMS, perms_of


@dataclass(frozen=True)
class Provider:
    """Scope that does not come from grants: ``perms`` on the units whose paths the queryset
    ``rows(user)`` yields in its column ``path_field``. ``rows`` may use ``user.pk`` and today's
    date only: its SQL is compiled once a day with a stand-in user (see ``_sources_sql``)."""

    perms: tuple[str, ...]
    rows: Callable[[object], QuerySet]
    path_field: str = "unit__path"


_providers: list[Provider] = []

_CACHE_ATTR = "_zhengdun_scope"
# Tags of the rows that do not come from a grant (grant rows carry their role's name).
_TOP = "^top"
_PROVIDED = "^provider:"


def register_provider(perms: Iterable[str], rows: Callable, path_field: str = "unit__path") -> None:
    provider = Provider(tuple(perms), rows, path_field)
    if provider not in _providers:
        _providers.append(provider)
        _compiled.clear()


@dataclass
class Scope:
    everywhere: bool = False
    # For each permission, the minimal set of subtree roots (paths) where it holds.
    roots: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Permissions held on every top-level unit, hence on the whole tree: their filter is empty,
    # which lets the database walk an ordering index instead of sorting the whole scope.
    whole_tree: frozenset[str] = frozenset()

    def perms(self) -> set[str]:
        if self.everywhere:
            return set().union(*ROLE_PERMISSIONS.values())
        return {perm for perm, paths in self.roots.items() if paths}

    def covers(self, perm: str, path: str) -> bool:
        if self.everywhere or perm in self.whole_tree:
            return True
        return any(path.startswith(root) for root in self.roots.get(perm, ()))


def _minimal(paths: Iterable[str]) -> tuple[str, ...]:
    """Drop every path that lies inside another one of the set."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    return tuple(kept)


def _whole_tree(roots: dict[str, tuple[str, ...]], tops: set[str]) -> frozenset[str]:
    """The permissions whose roots include every top-level unit."""
    return frozenset(perm for perm, paths in roots.items() if tops and tops <= set(paths))


def _sources(user) -> QuerySet:
    """Everything a user's scope is made of, in one query (every request pays for it): the
    grants as (role, path), the top-level units and each provider's units, tagged."""
    grants = (
        Grant.objects.filter(user_id=user.pk, unit__is_active=True)
        .order_by()
        .values_list("role", "unit__path")
    )
    tops = (
        Unit.objects.filter(parent__isnull=True)
        .order_by()
        .annotate(source=Value(_TOP))
        .values_list("source", "path")
    )
    provided = [
        provider.rows(user)
        .order_by()
        .annotate(source=Value(f"{_PROVIDED}{index}"))
        .values_list("source", provider.path_field)
        for index, provider in enumerate(_providers)
    ]
    return grants.union(tops, *provided, all=True)


@dataclass(frozen=True)
class _StandIn:
    """The user the sources' SQL is compiled for: an id no user has."""

    pk: int = -(2**62) - 20210901


_compiled: dict[tuple, tuple[str, tuple]] = {}


def _sources_sql(user) -> tuple[str, list]:
    """The SQL of ``_sources(user)``. It differs between users only in the user's id, so it is
    compiled once per database and day (a provider may compare dates with today) for a stand-in
    and given each user's id: the ORM took longer to write this union than the database to
    answer it."""
    key = (connection.alias, connection.vendor, timezone.localdate(), len(_providers))
    compiled = _compiled.get(key)
    if compiled is None:
        stand_in = _StandIn()
        sql, params = _sources(stand_in).query.sql_with_params()
        if stand_in.pk not in params:
            raise ImproperlyConfigured("The scope's sources do not filter by the user.")
        _compiled.clear()  # yesterday's
        compiled = _compiled[key] = (sql, tuple(params))
    sql, params = compiled
    return sql, [user.pk if value == _StandIn.pk else value for value in params]


def _load(user) -> Scope:
    tops: set[str] = set()
    by_perm: dict[str, list[str]] = {}
    for source, path in fetch_prepared(*_sources_sql(user)):
        if source == _TOP:
            tops.add(path)
            continue
        if source.startswith(_PROVIDED):
            perms: Iterable[str] = _providers[int(source.removeprefix(_PROVIDED))].perms
        else:
            perms = perms_of(source)
        for perm in perms:
            by_perm.setdefault(perm, []).append(path)
    roots = {perm: _minimal(paths) for perm, paths in by_perm.items()}
    return Scope(roots=roots, whole_tree=_whole_tree(roots, tops))


def scope_of(user) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    result = Scope(everywhere=True) if user.is_superuser else _load(user)
    setattr(user, _CACHE_ATTR, result)
    return result


def forget(user) -> None:
    """Drop the cached scope (after grants change within a request)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def permissions_held(user) -> set[str]:
    return scope_of(user).perms()


def holds(user, perm: str) -> bool:
    """Whether the user holds ``perm`` on at least one unit."""
    return perm in permissions_held(user)


def is_write(perm: str) -> bool:
    return perm in WRITE_PERMS


def prefix_q(path_field: str, prefix: str) -> Q:
    """Rows whose ``path_field`` starts with ``prefix``, in a form the database can index.

    PostgreSQL indexes LIKE 'prefix%' through the varchar_pattern_ops index Django creates;
    SQLite's LIKE is case-insensitive and cannot use the index, so it gets an equivalent range
    (path characters are 0-9A-Z, all below '~').
    """
    if connection.vendor == "postgresql":
        return Q(**{f"{path_field}__startswith": prefix})
    return Q(**{f"{path_field}__gte": prefix, f"{path_field}__lt": prefix + "~"})


# Matches every row and adds no SQL; unlike an empty Q() it survives being OR-ed.
EVERYTHING = ~Q(pk__in=[])


def within(user, perm: str, path_field: str = "unit__path") -> Q:
    """The filter for rows (reached through ``path_field``) the user holds ``perm`` on."""
    scope = scope_of(user)
    if scope.everywhere or perm in scope.whole_tree:
        return EVERYTHING
    roots = scope.roots.get(perm, ())
    if not roots:
        return Q(pk__in=[])
    condition = Q()
    for root in roots:
        condition |= prefix_q(path_field, root)
    return condition


def units(user, perm: str) -> QuerySet[Unit]:
    return Unit.objects.filter(within(user, perm, "path"))


def can(user, perm: str, unit: Unit | None) -> bool:
    if unit is None:
        return False
    return scope_of(user).covers(perm, unit.path)


def roots(user, perm: str) -> QuerySet[Unit]:
    """The top units of the user's scope for ``perm`` (where their trees start)."""
    scope = scope_of(user)
    if scope.everywhere:
        return Unit.objects.filter(depth=1)
    return Unit.objects.filter(path__in=scope.roots.get(perm, ()))


def visible_ancestors(user, perm: str, unit: Unit) -> list[Unit]:
    """The unit's ancestors (root first) that the user may see, for breadcrumbs."""
    scope = scope_of(user)
    paths = [path for path in ancestor_paths(unit.path)[:-1] if scope.covers(perm, path)]
    if not paths:
        return []
    return list(Unit.objects.filter(path__in=paths).order_by("path"))
