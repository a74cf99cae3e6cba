"""Pages of contests: the list, a contest with its entries, panel and ranking, a judge's score
sheet (phone-sized), prizes; the knowledge contest's host console and big screen.

Judges hold no grant: they reach a contest because they are named on it (``signed_in`` plus
the gate). The big screen never receives a question's answer before the host reveals it."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhengdun.campaigns.models import Campaign, IncentiveSide
from zhengdun.core.access import requires, signed_in
from zhengdun.core.forms import ActionErrors, run_action
from zhengdun.core.ids import id_or_404
from zhengdun.core.pagination import IdsFirst, paginate
from zhengdun.learning.contests import actions, queries
from zhengdun.learning.contests.forms import (
    AnswerForm,
    ContestForm,
    DrawForm,
    EntryForm,
    ScoreForm,
)
from zhengdun.learning.contests.models import (
    TIERS,
    Award,
    ContestKind,
    ContestState,
    Entry,
    Refusal,
    RoundState,
)
from zhengdun.learning.contests.permissions import (
    ContestPerm,
    contests_visible_to,
    get_contest_for_user,
    judge_of,
    may_manage,
)
from zhengdun.learning.exams.actions import letters
from zhengdun.org import scope
from zhengdun.org.models import Person


@signed_in
def contest_list(request):
    kind = request.GET.get("kind", "")
    contests = queries.contest_list(request.user, contests_visible_to(request.user), kind=kind)
    page = paginate(request, IdsFirst(contests))
    return render(
        request,
        "contests/contest_list.html",
        {
            "page": page,
            "kind": kind,
            "kinds": ContestKind.choices,
            "can_manage": scope.holds(request.user, ContestPerm.MANAGE),
        },
    )


def _criteria_lines(text: str) -> list[tuple[str, str, str]]:
    lines = []
    for line in (text or "").splitlines():
        parts = [p.strip() for p in line.replace("，", ",").split(",")]
        if any(parts):
            lines.append(tuple([*parts, "", "", ""][:3]))
    return lines


@requires(ContestPerm.MANAGE)
def contest_create(request):
    units = scope.units(request.user, ContestPerm.MANAGE).filter(is_active=True).order_by("path")
    campaigns = Campaign.objects.filter(
        scope.within(request.user, ContestPerm.MANAGE, "unit__path")
    )
    form = ContestForm(
        request.POST or None,
        units=units,
        campaigns=campaigns,
        initial={"held_on": actions.today(), "first": 1, "second": 2, "third": 3},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        numbers = [n for n in data["judges"].replace("，", ",").replace(",", " ").split() if n]
        # Looked up within the organiser's own units only, and one message whether a number
        # is unknown or belongs to someone outside them: no oracle of who exists elsewhere.
        judges = list(
            Person.objects.filter(
                scope.within(request.user, ContestPerm.MANAGE, "unit__path"),
                police_number__in=numbers,
            )
        )
        missing = set(numbers) - {p.police_number for p in judges}
        if missing:
            form.add_error(
                "judges",
                _("No one with these police numbers serves in your units: %(n)s")
                % {"n": "、".join(sorted(missing))},
            )
        else:
            levels = {}
            if data["campaign"] is not None:
                by_rank = {
                    level.rank: level.pk
                    for level in data["campaign"].incentive_levels.filter(side=IncentiveSide.REWARD)
                }
                # The three incentive levels (highest rank first) feed the three prizes.
                levels = {
                    "first": by_rank.get(3),
                    "second": by_rank.get(2),
                    "third": by_rank.get(1),
                }
            contest = run_action(
                form,
                lambda: actions.create_contest(
                    request.user,
                    kind=data["kind"],
                    name=data["name"],
                    unit=data["unit"],
                    held_on=data["held_on"],
                    campaign=data["campaign"],
                    criteria=_criteria_lines(data["criteria"]),
                    judges=judges,
                    points_correct=data["points_correct"],
                    penalty_wrong=data["penalty_wrong"],
                    award_mode=data["award_mode"],
                    award_rule={t: data[t] for t in TIERS},
                    award_levels=levels,
                    note=data["note"],
                ),
            )
            if contest is not None:
                return redirect("contests:contest_detail", contest.pk)
    return render(request, "contests/form.html", {"form": form, "title": _("New contest")})


# The contest page shows the first entries and places only; the rest are on their own
# paginated pages ("show all"), so the page stays the same size whatever the contest's.
PREVIEW = 10


def _entries_of(contest):
    return contest.entries.select_related("unit", "person").order_by("id")


@signed_in
def contest_detail(request, pk):
    contest = get_contest_for_user(request.user, pk)
    judge = judge_of(request.user, contest)
    manage = may_manage(request.user, contest.unit)
    see_all = queries.may_see_all_scores(request.user, contest)
    entries = list(_entries_of(contest)[:PREVIEW])
    own = queries.own_scores(judge) if judge else {}
    criteria = list(contest.criteria.all())
    ranking = queries.ranking(contest) if see_all else []
    context = {
        "contest": contest,
        "judge": judge,
        "can_manage": manage,
        "see_all": see_all,
        "criteria": criteria,
        "judges": list(contest.judges.select_related("person__unit")),
        "entries": [(e, own.get(e.pk)) for e in entries],
        "entry_count": contest.entries.count(),
        "ranking": ranking[:PREVIEW],
        "ranked_count": len(ranking),
        "awards": list(
            Award.objects.filter(entry__contest=contest).select_related(
                "entry__unit", "incentive__level"
            )
        ),
        "progress": queries.round_progress(contest) if not contest.is_judged else None,
        "refusals": list(
            Refusal.objects.filter(entry__contest=contest).select_related("judge__person", "entry")
        )
        if manage
        else [],
    }
    return render(request, "contests/contest_detail.html", context)


@signed_in
def contest_entries(request, pk):
    """Every entry of a contest, a page at a time (a judge's with their own scores)."""
    contest = get_contest_for_user(request.user, pk)
    judge = judge_of(request.user, contest)
    page = paginate(request, IdsFirst(_entries_of(contest)))
    own = queries.own_scores(judge) if judge else {}
    return render(
        request,
        "contests/contest_entries.html",
        {
            "contest": contest,
            "judge": judge,
            "page": page,
            "entries": [(e, own.get(e.pk)) for e in page],
        },
    )


@signed_in
def contest_ranking(request, pk):
    """The whole ranking a page at a time, for those who may see the scores (else 404: a
    judge or viewer of an open contest must not learn that there is one)."""
    contest = get_contest_for_user(request.user, pk)
    if not queries.may_see_all_scores(request.user, contest):
        raise Http404
    # The places need every entry's score, read in a fixed number of queries; only the
    # rendering is paginated.
    page = paginate(request, queries.ranking(contest))
    return render(
        request,
        "contests/contest_ranking.html",
        {
            "contest": contest,
            "see_all": True,
            "page": page,
            "ranking": list(page),
            "progress": queries.round_progress(contest) if not contest.is_judged else None,
        },
    )


@requires(ContestPerm.MANAGE)
def entry_add(request, pk):
    contest = get_contest_for_user(request.user, pk, write=True)
    units = (
        scope.units(request.user, ContestPerm.MANAGE)
        .filter(scope.prefix_q("path", contest.unit_path), is_active=True)
        .order_by("path")
    )
    form = EntryForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = None
        if data["police_number"]:
            # Only within the organiser's scope and the entry's unit: the same message whether
            # the number is unknown or someone's elsewhere.
            person = Person.objects.filter(
                scope.within(request.user, ContestPerm.MANAGE, "unit__path"),
                police_number=data["police_number"].strip(),
                unit=data["unit"],
            ).first()
            if person is None:
                form.add_error(
                    "police_number", _("No one with this police number serves in that unit.")
                )
        if not form.errors and run_action(
            form,
            lambda: actions.add_entry(
                request.user,
                contest=contest,
                title=data["title"],
                unit=data["unit"],
                person=person,
                text=data["text"],
            ),
        ):
            messages.success(request, _("The entry is added."))
            return redirect("contests:contest_detail", contest.pk)
    return render(request, "contests/form.html", {"form": form, "title": _("Add an entry")})


@signed_in
def entry_score(request, pk):
    """A judge's score sheet for one entry: their own scores only, one field per criterion."""
    entry = (
        Entry.objects.filter(pk=id_or_404(pk)).select_related("contest", "unit", "person").first()
    )
    if entry is None:
        raise Http404
    contest = get_contest_for_user(request.user, entry.contest_id)
    judge = judge_of(request.user, contest)
    if judge is None:
        raise Http404
    criteria = list(contest.criteria.all())
    mine = queries.own_scores(judge).get(entry.pk, {})
    form = ScoreForm(request.POST or None, criteria=criteria, initial_scores=mine)
    conflict = actions.conflict_reason(judge, entry)
    if request.method == "POST" and form.is_valid():
        values = {c.pk: form.cleaned_data[f"c{c.pk}"] for c in criteria}
        if run_action(form, lambda: actions.score_entry(request.user, entry=entry, values=values)):
            messages.success(
                request, _("Your scores for “%(title)s” are saved.") % {"title": entry.title}
            )
            return redirect("contests:contest_detail", contest.pk)
    return render(
        request,
        "contests/entry_score.html",
        {"entry": entry, "contest": contest, "form": form, "conflict": conflict},
    )


@require_POST
@requires(ContestPerm.MANAGE)
def contest_state(request, pk):
    contest = get_contest_for_user(request.user, pk, write=True)
    errors = ActionErrors()
    if run_action(
        errors,
        lambda: actions.set_state(
            request.user, contest=contest, state=request.POST.get("state", "")
        ),
    ):
        messages.success(
            request, _("The contest is now: %(state)s.") % {"state": contest.get_state_display()}
        )
    for text in errors.messages():
        messages.error(request, text)
    return redirect("contests:contest_detail", contest.pk)


@require_POST
@requires(ContestPerm.MANAGE)
def contest_awards(request, pk):
    contest = get_contest_for_user(request.user, pk, write=True)
    errors = ActionErrors()
    awards = run_action(errors, lambda: actions.give_awards(request.user, contest=contest))
    if awards is not None:
        messages.success(request, _("%(n)d prizes awarded.") % {"n": len(awards)})
    for text in errors.messages():
        messages.error(request, text)
    return redirect("contests:contest_detail", contest.pk)


@require_POST
@requires(ContestPerm.MANAGE)
def contest_draw(request, pk):
    contest = get_contest_for_user(request.user, pk, write=True)
    form = DrawForm(request.POST)
    if form.is_valid() and run_action(
        form,
        lambda: actions.draw_questions(
            request.user, contest=contest, count=form.cleaned_data["count"]
        ),
    ):
        messages.success(request, _("The questions are drawn."))
    for texts in form.errors.values():
        for text in texts:
            messages.error(request, text)
    return redirect("contests:contest_detail", contest.pk)


# The live round -------------------------------------------------------------------------------


def _question_view(row, *, with_answer: bool) -> dict | None:
    """What a page shows of a question; the key only when asked for (host, or revealed)."""
    if row is None:
        return None
    question = row.question
    labels = letters(len(question.options))
    view = {
        "number": row.number,
        "state": row.state,
        "kind": question.get_kind_display(),
        "text": question.text,
        "options": list(zip(labels, question.options, strict=True)),
        "answer": None,
    }
    if with_answer:
        key = question.answer
        if question.options:
            view["answer"] = "".join(
                labels[i] for i in key if isinstance(i, int) and i < len(labels)
            )
        elif question.kind == "true_false":
            view["answer"] = _("True") if key and key[0] else _("False")
        else:
            view["answer"] = " / ".join(str(k) for k in key)
    return view


def _scores(contest):
    return [(row.place, row.entry, row.score) for row in queries.ranking(contest)]


@signed_in
def host(request, pk):
    """The host's console; the contest's judges may open it to enter teams' answers (only
    the organisers move the round on)."""
    contest = get_contest_for_user(request.user, pk)
    manage = may_manage(request.user, contest.unit)
    if contest.kind != ContestKind.KNOWLEDGE or not (manage or judge_of(request.user, contest)):
        raise Http404
    row = queries.current_question(contest)
    answers = {}
    if row is not None:
        answers = {a.entry_id: a for a in row.answers.all()}
    # The key before the reveal is for the host (the organisers) alone: a judge may come
    # from a unit that fields a team.
    with_answer = manage or (row is not None and row.state == RoundState.REVEALED)
    teams = list(contest.entries.select_related("unit").order_by("id"))
    return render(
        request,
        "contests/host.html",
        {
            "contest": contest,
            "question": _question_view(row, with_answer=with_answer),
            "row": row,
            "teams": [(team, answers.get(team.pk)) for team in teams],
            "scores": _scores(contest),
            "progress": queries.round_progress(contest),
            "form": AnswerForm(),
            "can_step": manage,
        },
    )


@require_POST
@requires(ContestPerm.MANAGE)
def host_step(request, pk, step):
    contest = get_contest_for_user(request.user, pk, write=True)
    action = {"next": actions.show_next, "reveal": actions.reveal}.get(step)
    if action is None:
        raise Http404
    errors = ActionErrors()
    run_action(errors, lambda: action(request.user, contest=contest))
    for text in errors.messages():
        messages.error(request, text)
    return redirect("contests:host", contest.pk)


@require_POST
@signed_in
def host_answer(request, pk):
    contest = get_contest_for_user(request.user, pk)
    if not (may_manage(request.user, contest.unit) or judge_of(request.user, contest)):
        raise PermissionDenied
    row = queries.current_question(contest)
    form = AnswerForm(request.POST)
    if row is None or not form.is_valid():
        messages.error(request, _("No question is on the screen."))
        return redirect("contests:host", contest.pk)
    entry = contest.entries.filter(pk=form.cleaned_data["entry"]).first()
    if entry is None:
        raise Http404
    verdict = {"1": True, "0": False}.get(form.cleaned_data["verdict"])
    answer = run_action(
        form,
        lambda: actions.record_answer(
            request.user, row=row, entry=entry, answer=form.cleaned_data["answer"], correct=verdict
        ),
    )
    if answer is not None:
        messages.success(
            request,
            _("%(team)s: %(verdict)s (%(points)s)")
            % {
                "team": entry.title,
                "verdict": _("correct") if answer.correct else _("wrong"),
                "points": answer.points.normalize() if answer.points else Decimal(0),
            },
        )
    for texts in form.errors.values():
        for text in texts:
            messages.error(request, text)
    return redirect("contests:host", contest.pk)


def _screen_context(request, pk):
    contest = get_contest_for_user(request.user, pk)
    if contest.kind != ContestKind.KNOWLEDGE:
        raise Http404
    row = queries.current_question(contest)
    revealed = row is not None and row.state == RoundState.REVEALED
    return {
        "contest": contest,
        "question": _question_view(row, with_answer=revealed),
        "scores": _scores(contest),
        "progress": queries.round_progress(contest),
        "finished": contest.state == ContestState.CLOSED,
    }


@signed_in
def screen(request, pk):
    """The big screen: large type, refreshed every two seconds (htmx)."""
    return render(request, "contests/screen.html", _screen_context(request, pk))


@signed_in
def screen_live(request, pk):
    return render(request, "contests/_screen_live.html", _screen_context(request, pk))
