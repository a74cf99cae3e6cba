"""Pages of the three talks (三谈): rounds, completion by unit, writing and commenting."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from zhengdun.core.access import requires, signed_in
from zhengdun.core.ids import parse_id
from zhengdun.core.pagination import paginate
from zhengdun.learning import actions, queries
from zhengdun.learning.forms import CommentForm, TalkForm, TalkRoundForm
from zhengdun.learning.models import TALK_FIELDS, Talk
from zhengdun.learning.permissions import (
    LearningPerm,
    covers,
    get_talk_for_user,
    get_talk_round_for_user,
    person_of,
)
from zhengdun.learning.views import _attempt, pager, plan_units
from zhengdun.org import scope

SIGNALS_SHOWN = 20  # the most alike; the self-inspection round's signal page lists them all


@signed_in
def talk_round_list(request):
    user = request.user
    return render(
        request,
        "learning/talk_round_list.html",
        {
            "page": paginate(request, queries.talk_round_list(user)),
            "can_plan": scope.holds(user, LearningPerm.PLAN),
        },
    )


@requires(LearningPerm.PLAN)
def talk_round_create(request):
    from zhengdun.campaigns.models import Campaign
    from zhengdun.selfcheck.models import Round

    user = request.user
    form = TalkRoundForm(
        request.POST or None,
        units=plan_units(user),
        campaigns=Campaign.objects.filter(scope.within(user, LearningPerm.VIEW)).order_by(
            "-start_date"
        ),
        rounds=Round.objects.filter(scope.within(user, LearningPerm.VIEW)).order_by("-opened_on"),
    )
    if request.method == "POST" and form.is_valid():
        round_ = _attempt(form, lambda: actions.create_talk_round(user, **form.cleaned_data))
        if round_ is not None:
            return redirect("learning:talk_round_detail", pk=round_.pk)
    return render(request, "learning/talk_round_form.html", {"form": form})


def _unit_in_round(user, round_, value):
    if not value:
        return None
    pk = parse_id(value)
    unit = (
        scope.units(user, LearningPerm.VIEW)
        .filter(scope.prefix_q("path", round_.unit_path), pk=pk)
        .first()
        if pk is not None
        else None
    )
    if unit is None:
        raise Http404
    return unit


@signed_in
def talk_round_detail(request, pk):
    user = request.user
    round_ = get_talk_round_for_user(user, pk)
    unit = _unit_in_round(user, round_, request.GET.get("unit"))
    person = person_of(user)
    mine = Talk.objects.filter(round=round_, person=person).first() if person is not None else None
    may_write = person is not None and person.unit.path.startswith(round_.unit_path)
    completion = queries.talk_completion(round_, user)
    totals = {
        "people": sum(row.people for row in completion),
        "written": sum(row.written for row in completion),
        "commented": sum(row.commented for row in completion),
    }
    signals = queries.copied_talk_signals(user, round_)
    talks = queries.talks_of_round(user, round_, unit=unit)
    if person is not None:
        talks = talks.exclude(person=person)
    return render(
        request,
        "learning/talk_round_detail.html",
        {
            "round": round_,
            "unit": unit,
            "mine": mine,
            "may_write": may_write,
            "completion": completion,
            "totals": totals,
            "page": paginate(request, talks),
            "missing": pager(request, queries.missing_people(user, round_, unit=unit), "missing")
            if scope.holds(user, LearningPerm.VIEW)
            else None,
            "signals": queries.with_passages(user, signals[:SIGNALS_SHOWN]),
            "signal_count": len(signals),
        },
    )


@signed_in
def talk_write(request, pk):
    user = request.user
    round_ = get_talk_round_for_user(user, pk)
    person = person_of(user)
    if person is None or not person.unit.path.startswith(round_.unit_path):
        raise Http404
    mine = Talk.objects.filter(round=round_, person=person).first()
    initial = {name: getattr(mine, name) for name in TALK_FIELDS} if mine else {}
    form = TalkForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        talk = _attempt(form, lambda: actions.save_talk(user, round_=round_, **form.cleaned_data))
        if talk is not None:
            messages.success(request, _("Your three talks are saved."))
            return redirect("learning:talk_detail", pk=talk.pk)
    return render(
        request,
        "learning/talk_form.html",
        {"round": round_, "form": form, "locked": bool(mine and mine.commented_at)},
    )


@signed_in
def talk_detail(request, pk):
    user = request.user
    talk = get_talk_for_user(user, pk)
    person = person_of(user)
    may_comment = covers(user, LearningPerm.LEAD, talk.unit_path) and (
        person is None or person.pk != talk.person_id
    )
    form = CommentForm(request.POST or None, initial={"comment": talk.comment})
    if request.method == "POST":
        if not may_comment:
            raise PermissionDenied
        if form.is_valid():
            done = _attempt(
                form,
                lambda: actions.comment_talk(user, talk=talk, comment=form.cleaned_data["comment"]),
            )
            if done is not None:
                messages.success(request, _("Comment saved; the officer has been told."))
                return redirect("learning:talk_round_detail", pk=talk.round_id)
    return render(
        request,
        "learning/talk_detail.html",
        {
            "talk": talk,
            "round": talk.round,
            "form": form,
            "may_comment": may_comment,
            "own": person is not None and person.pk == talk.person_id,
            "sections": [
                (Talk._meta.get_field(name).verbose_name, getattr(talk, name))
                for name in TALK_FIELDS
            ],
        },
    )
