"""Need-to-know: who may see a clue or a case.

A clue is visible only to

- the discipline head(s) (纪检负责人): a user holding the inspector role on a root unit of the
  tree (the bureau itself). The role's ``integrity.work`` permission comes from ``org.roles``
  (``IntegrityConfig.ready``); "on a root unit" is read from ``org.scope`` like every other
  grant. Superusers are not heads by being superusers: only by such a grant;
- the users assigned to it as handlers (``ClueHandler.active``).

Nobody else: not administrators or superusers, not the campaign office, not the leaders of the
subject's unit or its ancestors (assigning one of them is refused as a conflict of interest, see
``conflict``). A person never sees a clue about themselves, whatever else holds. A case opened
from a clue has its own handlers: the head and the case's handlers see it.

Gates answer 404 for a clue that does not exist and for one the user may not see alike.

The navigation entry "Clues" follows ``integrity.work`` (the inspectors, who register clues and
are the usual handlers; a superuser's scope covers it too and gets an empty list). Showing it to
exactly "those who handle some clue" would need a scope provider, that is one more query on
every page of every user; a handler without the inspector role reaches their clues from the
notice that assigned them (or ``/integrity/``, which lists what they handle).

The access log is the audit chain itself: every read and change of a clue is an ``integrity.``
event on the clue (no unit, the number as object); ``queries.access_log`` lists them on the
clue's page, ``audit.queries`` keeps them off every other audit page.
"""

import hashlib
import hmac

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from zhengdun.core.ids import id_or_404
from zhengdun.integrity.models import Case, CaseHandler, Clue, ClueHandler, HandlerRole
from zhengdun.org import scope
from zhengdun.org.models import PATH_STEP, Grant, Person, ancestor_paths
from zhengdun.org.roles import Role, perms_of


class IntegrityPerm:
    # Discipline inspectors: register clues from any channel; the navigation entry. Held on a
    # root unit it makes the discipline head.
    WORK = "integrity.work"
    # Summary statistics of clues with small counts hidden (office, leaders).
    STATS = "integrity.stats"


_HEAD_ATTR = "_zhengdun_integrity_head"


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def is_head(user) -> bool:
    """Whether the user is a discipline head (cached on the user object for the request)."""
    if not _active(user):
        return False
    cached = getattr(user, _HEAD_ATTR, None)
    if cached is not None:
        return cached
    if user.is_superuser:
        # A superuser's scope is "everywhere" and says nothing about their grants: read them.
        roles = Grant.objects.filter(
            user=user, unit__parent__isnull=True, unit__is_active=True
        ).values_list("role", flat=True)
        result = any(IntegrityPerm.WORK in perms_of(role) for role in roles)
    else:
        roots = scope.scope_of(user).roots.get(IntegrityPerm.WORK, ())
        result = any(len(path) == PATH_STEP for path in roots)
    setattr(user, _HEAD_ATTR, result)
    return result


def forget(user) -> None:
    if hasattr(user, _HEAD_ATTR):
        delattr(user, _HEAD_ATTR)
    scope.forget(user)


def _work_roles() -> list[str]:
    return [role for role in Role.values if IntegrityPerm.WORK in perms_of(role)]


def may_register(user) -> bool:
    """Discipline inspectors register clues. A superuser's scope covers every permission, so
    for them only an actual inspector grant counts."""
    if not _active(user):
        return False
    if user.is_superuser:
        return Grant.objects.filter(user=user, role__in=_work_roles()).exists()
    return scope.holds(user, IntegrityPerm.WORK)


def may_see_summaries(user) -> bool:
    return _active(user) and scope.holds(user, IntegrityPerm.STATS)


def person_id_of(user) -> int | None:
    if not _active(user):
        return None
    person = getattr(user, "person", None)
    return person.pk if person is not None else None


def heads():
    """The active discipline heads (for notices)."""
    from django.contrib.auth import get_user_model

    roles = [role for role in Role.values if IntegrityPerm.WORK in perms_of(role)]
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            grants__role__in=roles,
            grants__unit__parent__isnull=True,
            grants__unit__is_active=True,
        )
        .distinct()
    )


def _about(person_id: int | None):
    """Clues about the person (to exclude)."""
    through = Clue.subject_persons.through
    return Exists(through.objects.filter(clue_id=OuterRef("pk"), person_id=person_id))


def clues_visible_to(user) -> QuerySet[Clue]:
    if not _active(user):
        return Clue.objects.none()
    clues = Clue.objects.all()
    if not is_head(user):
        clues = clues.filter(
            Exists(ClueHandler.objects.filter(clue_id=OuterRef("pk"), user_id=user.pk, active=True))
        )
    person_id = person_id_of(user)
    if person_id is not None:
        clues = clues.exclude(_about(person_id))
    return clues


def may_see_any(user) -> bool:
    if not _active(user):
        return False
    return is_head(user) or clues_visible_to(user).exists() or cases_visible_to(user).exists()


def get_clue_for_user(user, pk) -> Clue:
    clue = (
        clues_visible_to(user)
        .filter(pk=id_or_404(pk))
        .select_related("unit", "portal_report", "created_by")
        .first()
    )
    if clue is None:
        raise Http404
    return clue


def may_see(user, clue: Clue) -> bool:
    return clues_visible_to(user).filter(pk=clue.pk).exists()


def handler_role(user, clue: Clue) -> str | None:
    if not _active(user):
        return None
    return (
        ClueHandler.objects.filter(clue=clue, user_id=user.pk, active=True)
        .values_list("role", flat=True)
        .first()
    )


def may_handle(user, clue: Clue) -> bool:
    """Work on the clue: entries, contact with the reporter (the head and any handler)."""
    return may_see(user, clue) and (is_head(user) or handler_role(user, clue) is not None)


def may_lead(user, clue: Clue) -> bool:
    """Change and conclude the clue: the head and the lead handler."""
    return may_see(user, clue) and (is_head(user) or handler_role(user, clue) == HandlerRole.LEAD)


def may_direct(user, clue: Clue) -> bool:
    """Triage, assign, approve a reveal, archive, open a case: the head."""
    return is_head(user) and may_see(user, clue)


# Conflicts of interest ---------------------------------------------------------------------


def person_key(person_id: int) -> str:
    """A keyed hash naming a Person without the database holding the link in the clear."""
    return hmac.new(
        settings.SECRET_KEY.encode(), f"integrity.person:{person_id}".encode(), hashlib.sha256
    ).hexdigest()


def subject_paths(clue: Clue) -> list[str]:
    """The paths of the subject units and of the subject persons' units."""
    paths = set(clue.subject_units.values_list("path", flat=True))
    paths |= set(
        Person.objects.filter(pk__in=clue.subject_persons.values("pk")).values_list(
            "unit__path", flat=True
        )
    )
    return sorted(paths)


def chain_of_command(clue: Clue) -> QuerySet:
    """Leadership grants on the subjects' units and every unit above them."""
    wanted = {path for unit_path in subject_paths(clue) for path in ancestor_paths(unit_path)}
    return Grant.objects.filter(role=Role.UNIT_LEADER, unit__path__in=wanted).select_related("unit")


def conflict(clue: Clue, user) -> str | None:
    """Why ``user`` may not handle ``clue`` (a clear message), or None."""
    name = getattr(getattr(user, "person", None), "name", None) or user.get_username()
    if not user.is_active:
        return _("%(name)s has no active account.") % {"name": name}
    person_id = person_id_of(user)
    if person_id is not None and clue.subject_persons.filter(pk=person_id).exists():
        return _("%(name)s is a subject of this clue and cannot handle it.") % {"name": name}
    leading = chain_of_command(clue).filter(user=user).order_by("unit__path").first()
    if leading is not None:
        return _(
            "Conflict of interest: %(name)s leads %(unit)s, in the chain of command of the "
            "person or unit concerned, and cannot handle this clue."
        ) % {"name": name, "unit": leading.unit.name}
    reporter = getattr(clue, "reporter", None) if clue.pk else None
    if (
        reporter is not None
        and person_id is not None
        and reporter.person_key
        and hmac.compare_digest(reporter.person_key, person_key(person_id))
    ):
        # Deliberately vague: the message must not tell the assigner who reported.
        return _("%(name)s has a conflict of interest with this clue and cannot handle it.") % {
            "name": name
        }
    return None


# Cases -------------------------------------------------------------------------------------


def cases_visible_to(user) -> QuerySet[Case]:
    if not _active(user):
        return Case.objects.none()
    cases = Case.objects.all()
    if not is_head(user):
        cases = cases.filter(
            Exists(CaseHandler.objects.filter(case_id=OuterRef("pk"), user_id=user.pk))
        )
    person_id = person_id_of(user)
    if person_id is not None:
        through = Clue.subject_persons.through
        cases = cases.exclude(
            Exists(through.objects.filter(clue_id=OuterRef("clue_id"), person_id=person_id))
        )
    return cases


def get_case_for_user(user, pk) -> Case:
    case = cases_visible_to(user).filter(pk=id_or_404(pk)).select_related("clue").first()
    if case is None:
        raise Http404
    return case
