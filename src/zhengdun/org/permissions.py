"""One gate per object type: the object, or 404 when it is missing *or* not visible.

403 only for a user who may see the object and tries a change they may not make.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from zhengdun.core.ids import id_or_404
from zhengdun.org import scope
from zhengdun.org.models import Grant, Person, Unit
from zhengdun.org.roles import Perm


def get_unit_for_user(user, pk, *, write: bool = False) -> Unit:
    unit = (
        Unit.objects.filter(scope.within(user, Perm.VIEW_ORG, "path"), pk=id_or_404(pk))
        .select_related("parent")
        .first()
    )
    if unit is None:
        raise Http404
    if write and not scope.can(user, Perm.MANAGE_ORG, unit):
        raise PermissionDenied
    return unit


def get_person_for_user(user, pk, *, write: bool = False) -> Person:
    person = (
        Person.objects.filter(scope.within(user, Perm.VIEW_ORG), pk=id_or_404(pk))
        .select_related("unit", "user")
        .first()
    )
    if person is None:
        raise Http404
    if write and not scope.can(user, Perm.MANAGE_ORG, person.unit):
        raise PermissionDenied
    return person


def get_grant_for_user(user, pk) -> Grant:
    grant = (
        Grant.objects.filter(scope.within(user, Perm.VIEW_ORG), pk=id_or_404(pk))
        .select_related("unit", "user")
        .first()
    )
    if grant is None:
        raise Http404
    if not scope.can(user, Perm.MANAGE_GRANTS, grant.unit):
        raise PermissionDenied
    return grant
