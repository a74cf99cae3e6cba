from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhengdun.audit.queries import history_for
from zhengdun.core.access import requires
from zhengdun.core.forms import run_action
from zhengdun.core.pagination import paginate
from zhengdun.org import actions, extensions, queries, scope
from zhengdun.org.forms import (
    GrantForm,
    MoveUnitForm,
    PersonFilterForm,
    PersonForm,
    UnitFilterForm,
    UnitForm,
)
from zhengdun.org.models import Unit
from zhengdun.org.permissions import (
    get_grant_for_user,
    get_person_for_user,
    get_unit_for_user,
)
from zhengdun.org.roles import Perm


def _unit_from_query(request, name: str = "unit") -> Unit | None:
    value = request.GET.get(name) or request.POST.get(name)
    if not value:
        return None
    return get_unit_for_user(request.user, value)


@requires(Perm.VIEW_ORG)
def unit_list(request):
    form = UnitFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    under = _unit_from_query(request, "under")
    units = queries.units_visible_to(
        request.user,
        under=under,
        kind=filters.get("kind", ""),
        sector=filters.get("sector", ""),
        q=filters.get("q", ""),
    )
    page = paginate(request, units)
    base_depth = min((u.depth for u in page.object_list), default=1)
    return render(
        request,
        "org/unit_list.html",
        {
            "form": form,
            "page": page,
            "under": under,
            "base_depth": base_depth,
            "can_create_root": scope.scope_of(request.user).everywhere,
        },
    )


@requires(Perm.VIEW_ORG)
def unit_detail(request, pk):
    user = request.user
    unit = get_unit_for_user(user, pk)
    people = queries.people_visible_to(user).filter(unit=unit).order_by("name", "id")
    context = {
        "unit": unit,
        "ancestors": scope.visible_ancestors(user, Perm.VIEW_ORG, unit),
        "children": queries.children_of(user, unit),
        "people_page": paginate(request, people),
        "subtree_people": queries.people_visible_to(user, under=unit).count(),
        "grants": queries.grants_on(user, unit),
        "history": history_for(unit),
        "can_manage": scope.can(user, Perm.MANAGE_ORG, unit),
        "sections": [
            section
            for section in (add(request, unit) for add in extensions.unit_sections)
            if section
        ],
    }
    return render(request, "org/unit_detail.html", context)


@requires(Perm.MANAGE_ORG)
def unit_create(request):
    parent = _unit_from_query(request, "parent")
    if parent is not None and not scope.can(request.user, Perm.MANAGE_ORG, parent):
        raise Http404
    if parent is None and not scope.scope_of(request.user).everywhere:
        raise Http404
    form = UnitForm(request.POST or None, initial={"is_active": True, "sort_order": 0})
    if request.method == "POST" and form.is_valid():
        fields = form.unit_fields()
        fields.pop("is_active")
        unit = run_action(form, lambda: actions.create_unit(request.user, parent=parent, **fields))
        if unit is not None:
            messages.success(request, _("Unit %(name)s created.") % {"name": unit.name})
            return redirect("org:unit_detail", pk=unit.pk)
    return render(request, "org/unit_form.html", {"form": form, "parent": parent, "unit": None})


@requires(Perm.MANAGE_ORG)
def unit_edit(request, pk):
    unit = get_unit_for_user(request.user, pk, write=True)
    form = UnitForm.for_unit(unit, request.POST or None)
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["version"] or 0
        saved = run_action(
            form,
            lambda: actions.update_unit(
                request.user, unit=unit, version=version, **form.unit_fields()
            ),
        )
        if saved is not None:
            messages.success(request, _("Saved."))
            return redirect("org:unit_detail", pk=unit.pk)
    return render(
        request, "org/unit_form.html", {"form": form, "unit": unit, "parent": unit.parent}
    )


@requires(Perm.MANAGE_ORG)
def unit_move(request, pk):
    user = request.user
    unit = get_unit_for_user(user, pk, write=True)
    parents = scope.units(user, Perm.MANAGE_ORG).exclude(scope.prefix_q("path", unit.path))
    form = MoveUnitForm(
        request.POST or None,
        parents=parents.order_by("path"),
        initial={"version": unit.version, "parent": unit.parent_id},
    )
    if request.method == "POST" and form.is_valid():
        parent, version = form.cleaned_data["parent"], form.cleaned_data["version"] or 0
        moved = run_action(
            form,
            lambda: actions.move_unit(user, unit=unit, new_parent=parent, version=version),
        )
        if moved is not None:
            messages.success(request, _("Unit moved. Everything that belongs to it moved with it."))
            return redirect("org:unit_detail", pk=unit.pk)
    return render(request, "org/unit_move.html", {"form": form, "unit": unit})


@requires(Perm.VIEW_ORG)
def person_list(request):
    form = PersonFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    under = _unit_from_query(request)
    people = queries.people_visible_to(
        request.user, under=under, status=filters.get("status", ""), q=filters.get("q", "")
    ).order_by("name", "id")
    page = paginate(request, people)
    queries.label_units_with_their_bureau(person.unit for person in page.object_list)
    return render(
        request,
        "org/person_list.html",
        {
            "form": form,
            "page": page,
            "under": under,
            "can_create": scope.holds(request.user, Perm.MANAGE_ORG),
        },
    )


@requires(Perm.VIEW_ORG)
def person_detail(request, pk):
    user = request.user
    person = get_person_for_user(user, pk)
    can_grant = scope.can(user, Perm.MANAGE_GRANTS, person.unit)
    grant_form = None
    if can_grant and person.user_id:
        grant_form = GrantForm(units=scope.units(user, Perm.MANAGE_GRANTS).order_by("path"))
    return render(
        request,
        "org/person_detail.html",
        {
            "person": person,
            "ancestors": [*scope.visible_ancestors(user, Perm.VIEW_ORG, person.unit), person.unit],
            "grants": queries.grants_of(user, person),
            "history": history_for(person),
            "can_manage": scope.can(user, Perm.MANAGE_ORG, person.unit),
            "can_grant": can_grant,
            "grant_form": grant_form,
        },
    )


@requires(Perm.MANAGE_ORG)
def person_create(request):
    user = request.user
    units = scope.units(user, Perm.MANAGE_ORG).filter(is_active=True).order_by("path")
    unit = _unit_from_query(request)
    form = PersonForm(request.POST or None, units=units, initial={"unit": unit, "status": "active"})
    if request.method == "POST" and form.is_valid():
        person = run_action(form, lambda: actions.create_person(user, **form.person_fields()))
        if person is not None:
            messages.success(request, _("%(name)s added.") % {"name": person.name})
            return redirect("org:person_detail", pk=person.pk)
    return render(request, "org/person_form.html", {"form": form, "person": None})


@requires(Perm.MANAGE_ORG)
def person_edit(request, pk):
    user = request.user
    person = get_person_for_user(user, pk, write=True)
    units = scope.units(user, Perm.MANAGE_ORG).filter(is_active=True).order_by("path")
    form = PersonForm.for_person(person, units=units, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["version"] or 0
        saved = run_action(
            form,
            lambda: actions.update_person(
                user, person=person, version=version, **form.person_fields()
            ),
        )
        if saved is not None:
            messages.success(request, _("Saved."))
            return redirect("org:person_detail", pk=person.pk)
    return render(request, "org/person_form.html", {"form": form, "person": person})


@requires(Perm.MANAGE_GRANTS)
@require_POST
def grant_add(request, pk):
    user = request.user
    person = get_person_for_user(user, pk)
    if not scope.can(user, Perm.MANAGE_GRANTS, person.unit) or person.user_id is None:
        raise Http404
    form = GrantForm(request.POST, units=scope.units(user, Perm.MANAGE_GRANTS).order_by("path"))
    if form.is_valid():
        try:
            actions.grant_role(
                user,
                user=get_user_model().objects.get(pk=person.user_id),
                role=form.cleaned_data["role"],
                unit=form.cleaned_data["unit"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Role granted."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("org:person_detail", pk=person.pk)


@requires(Perm.MANAGE_GRANTS)
@require_POST
def grant_revoke(request, pk):
    grant = get_grant_for_user(request.user, pk)
    person = getattr(grant.user, "person", None)
    actions.revoke_role(request.user, grant=grant)
    messages.success(request, _("Role revoked."))
    if person is not None:
        return redirect("org:person_detail", pk=person.pk)
    return redirect("org:unit_detail", pk=grant.unit_id)
