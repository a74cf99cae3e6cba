"""Roles and what each allows. A role is granted on a unit and covers that unit's subtree.

Permissions are plain strings; later modules add theirs with ``extend``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    OFFICE = "office", _("Campaign office")
    UNIT_LEADER = "unit_leader", _("Unit leader")
    LIAISON = "liaison", _("Liaison")
    SUPERVISOR = "supervisor", _("Supervisor")
    INSPECTOR = "inspector", _("Discipline inspector")
    OFFICER = "officer", _("Officer")
    VIEWER = "viewer", _("Viewer")


class Perm:
    VIEW_ORG = "org.view"
    MANAGE_ORG = "org.manage"
    IMPORT_ORG = "org.import"
    MANAGE_GRANTS = "org.grant"
    VIEW_AUDIT = "audit.view"


ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.ADMIN: {
        Perm.VIEW_ORG,
        Perm.MANAGE_ORG,
        Perm.IMPORT_ORG,
        Perm.MANAGE_GRANTS,
        Perm.VIEW_AUDIT,
    },
    Role.OFFICE: {
        Perm.VIEW_ORG,
        Perm.MANAGE_ORG,
        Perm.IMPORT_ORG,
        Perm.MANAGE_GRANTS,
        Perm.VIEW_AUDIT,
    },
    Role.UNIT_LEADER: {Perm.VIEW_ORG, Perm.VIEW_AUDIT},
    Role.LIAISON: {Perm.VIEW_ORG},
    Role.SUPERVISOR: {Perm.VIEW_ORG},
    Role.INSPECTOR: {Perm.VIEW_ORG, Perm.VIEW_AUDIT},
    Role.OFFICER: {Perm.VIEW_ORG},
    Role.VIEWER: {Perm.VIEW_ORG},
}

# Permissions that change data. A user who holds only other permissions on an object gets 403
# (not 404) when trying one of these: they may see it, they may not change it.
WRITE_PERMS: set[str] = {Perm.MANAGE_ORG, Perm.IMPORT_ORG, Perm.MANAGE_GRANTS}


def extend(role: str, perms: set[str], *, write: bool = False) -> None:
    ROLE_PERMISSIONS[role] |= perms
    if write:
        WRITE_PERMS.update(perms)


def perms_of(role: str) -> set[str]:
    return ROLE_PERMISSIONS.get(role, set())
