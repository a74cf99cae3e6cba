"""Essay and speech contests: judges' weighted totals trimmed and averaged, conflicts refused
and kept, judges blind to each other until the close, prizes feeding campaign incentives."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.contests.conftest import judge_user
from zhengdun.audit.models import AuditEvent
from zhengdun.campaigns.models import Incentive
from zhengdun.learning.contests import actions, queries
from zhengdun.learning.contests.models import Award, ContestState, Judge, Refusal, Score
from zhengdun.learning.contests.permissions import judge_of


def criteria(contest):
    return list(contest.criteria.order_by("order"))


def score(user, entry, idea, style):
    first, second = criteria(entry.contest)
    return actions.score_entry(user, entry=entry, values={first.pk: idea, second.pk: style})


# Weighted totals: 0.4 × idea + 0.6 × style.
CRAFTED = {
    "甲文": [(80, 80), (100, 100), (60, 60), (90, 90), (70, 70)],  # 80, 100, 60, 90, 70 -> 80
    "乙文": [(90, 80), (85, 85), (85, 85), (50, 100), (100, 100)],  # 84, 85, 85, 80, 100 -> 84.667
    "丙文": [(70, 70), (70, 70), (70, 70), (70, 70), (70, 70)],  # 70 -> 70
}


def _score_all(running_essay, essay_entries, judge_users):
    by_title = {e.title: e for e in essay_entries}
    for title, lines in CRAFTED.items():
        for user, (idea, style) in zip(judge_users, lines, strict=True):
            score(user, by_title[title], idea, style)


def test_score_drops_highest_and_lowest_judge_and_averages(
    org, running_essay, essay_entries, judge_users
):
    _score_all(running_essay, essay_entries, judge_users)
    rows = {row.entry.title: row for row in queries.ranking(running_essay)}
    assert rows["甲文"].score == D("80.000")
    assert rows["乙文"].score == D("84.667")
    assert rows["丙文"].score == D("70.000")
    assert [r.entry.title for r in queries.ranking(running_essay)] == ["乙文", "甲文", "丙文"]
    assert rows["乙文"].totals == [D(80), D(84), D(85), D(85), D(100)]


def test_fewer_than_three_judges_plain_mean_and_partial_scores_ignored(
    org, running_essay, essay_entries, judge_users
):
    entry = essay_entries[0]
    score(judge_users[0], entry, 80, 80)
    score(judge_users[1], entry, 90, 95)
    first = criteria(running_essay)[0]
    # A third judge who scored one criterion only is not counted.
    Score.objects.create(
        entry=entry,
        judge=Judge.objects.get(person__user=judge_users[2]),
        criterion=first,
        value=D(10),
    )
    row = next(r for r in queries.ranking(running_essay) if r.entry == entry)
    assert (row.judges, row.score) == (2, D("86.500"))


def test_scores_are_checked_against_the_rubric(org, running_essay, essay_entries, judge_users):
    with pytest.raises(ValidationError) as error:
        score(judge_users[0], essay_entries[0], 101, 50)
    assert list(error.value.message_dict) == [f"c{criteria(running_essay)[0].pk}"]
    with pytest.raises(PermissionDenied):
        score(org.office, essay_entries[0], 50, 50)  # organisers are not judges


def test_judge_cannot_score_own_or_own_units_entry_refusal_recorded(
    org, running_essay, essay_entries
):
    author = judge_user(org.p_a2, "author_judge")
    colleague = org.officer_a1  # serves at station A1, like 甲文's author
    Judge.objects.create(contest=running_essay, person=org.p_a2)
    Judge.objects.create(contest=running_essay, person=colleague.person)
    with pytest.raises(ValidationError):
        score(author, essay_entries[1], 90, 90)  # 乙文 is their own
    with pytest.raises(ValidationError):
        score(colleague, essay_entries[0], 90, 90)  # 甲文 is from their unit
    refusals = list(Refusal.objects.order_by("at", "id").values_list("entry__title", "reason"))
    assert [title for title, _reason in refusals] == ["乙文", "甲文"]
    assert AuditEvent.objects.filter(code="contests.score.refused").count() == 2
    assert not Score.objects.exists()
    score(colleague, essay_entries[1], 90, 90)  # another unit's entry is fine


def test_judges_see_only_their_own_scores_until_closed(
    org, running_essay, essay_entries, judge_users
):
    _score_all(running_essay, essay_entries, judge_users)
    judge = judge_of(judge_users[0], running_essay)
    seen = queries.scores_for_viewer(judge_users[0], running_essay, judge)
    assert set(seen.values_list("judge_id", flat=True)) == {judge.pk}
    assert not queries.may_see_all_scores(judge_users[0], running_essay)
    assert queries.scores_for_viewer(org.viewer_b, running_essay, None).count() == 0
    assert queries.scores_for_viewer(org.office, running_essay, None).count() == 30
    actions.set_state(org.office, contest=running_essay, state=ContestState.CLOSED)
    assert queries.scores_for_viewer(judge_users[0], running_essay, judge).count() == 30
    with pytest.raises(ValidationError):
        score(judge_users[0], essay_entries[0], 1, 1)  # closed: no more scores


def test_awards_create_campaign_incentives_through_its_action(
    org, campaign, running_essay, essay_entries, judge_users
):
    _score_all(running_essay, essay_entries, judge_users)
    with pytest.raises(ValidationError):
        actions.give_awards(org.office, contest=running_essay)  # not closed yet
    actions.set_state(org.office, contest=running_essay, state=ContestState.CLOSED)
    awards = actions.give_awards(org.office, contest=running_essay)
    assert [(a.tier, a.entry.title, a.rank) for a in awards] == [
        ("first", "乙文", 1),
        ("second", "甲文", 2),
        ("third", "丙文", 3),
    ]
    incentives = Incentive.objects.order_by("id")
    assert [(i.unit, i.person, i.level.rank) for i in incentives] == [
        (org.station_a2, org.p_a2, 3),
        (org.station_a1, org.p_a1, 2),
    ]
    assert "乙文" in incentives[0].reason
    assert AuditEvent.objects.filter(code="campaigns.incentive.awarded").count() == 2
    assert Award.objects.get(entry__title="丙文").incentive is None
    with pytest.raises(ValidationError):
        actions.give_awards(org.office, contest=running_essay)  # once only
    with pytest.raises(PermissionDenied):
        actions.give_awards(org.liaison_a, contest=running_essay)


def test_awarded_prize_shows_on_the_units_page(
    org, login, running_essay, essay_entries, judge_users
):
    from django.urls import reverse

    _score_all(running_essay, essay_entries, judge_users)
    actions.set_state(org.office, contest=running_essay, state=ContestState.CLOSED)
    actions.give_awards(org.office, contest=running_essay)
    page = login(org.office).get(reverse("org:unit_detail", args=[org.station_a2.pk]))
    assert 'data-testid="incentives"' in page.content.decode()
    assert "乙文" in page.content.decode()
