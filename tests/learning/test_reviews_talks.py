"""述学/评学/考学 and the three talks (三谈), with the copied-talk signal."""

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from tests.factories import PersonFactory, UserFactory
from zhengdun.learning import actions, queries, similar
from zhengdun.learning.exams.models import Attempt, Exam
from zhengdun.learning.permissions import get_talk_for_user
from zhengdun.notify.models import Notification
from zhengdun.selfcheck.models import SignalKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(org, leaders):
    return actions.create_review(
        org.office,
        unit=org.county_a,
        title="2026年一季度述学评学",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
    )


def test_only_the_leadership_writes_study_reports(org, leaders, review):
    with pytest.raises(PermissionDenied):
        actions.save_study_report(org.liaison_a, review=review, text="学习情况")
    report = actions.save_study_report(leaders.first, review=review, text="本季度学习党章十次")
    assert report.person == leaders.first.person


def test_rating_never_ones_own_and_once_each(org, leaders, review):
    report = actions.save_study_report(leaders.first, review=review, text="本季度学习党章十次")
    with pytest.raises(ValidationError):
        actions.rate_report(leaders.first, report=report, score=90)
    with pytest.raises(PermissionDenied):  # not a member of the leadership group
        actions.rate_report(org.liaison_a, report=report, score=90)
    with pytest.raises(ValidationError):
        actions.rate_report(leaders.second, report=report, score=101)
    actions.rate_report(leaders.second, report=report, score=88, comment="扎实")
    with pytest.raises(ValidationError) as error:
        actions.rate_report(leaders.second, report=report, score=70)
    assert error.value.message_dict["score"] == ["您已评议过该报告。"]
    with pytest.raises(ValidationError):  # rated: the report is final
        actions.save_study_report(leaders.first, review=review, text="改写")


def test_board_shows_average_and_exam_result(org, leaders, review):
    third = UserFactory(username="leader_a3")
    from tests.factories import GrantFactory

    GrantFactory(user=third, role="unit_leader", unit=org.county_a)
    PersonFactory(name="政委", unit=org.county_a, user=third)
    exam = Exam.objects.create(
        unit=org.county_a,
        unit_path=org.county_a.path,
        title="考学",
        opens_at=datetime(2026, 3, 1, tzinfo=UTC),
        closes_at=datetime(2026, 3, 2, tzinfo=UTC),
    )
    review.exam = exam
    review.save()
    report = actions.save_study_report(leaders.first, review=review, text="学习报告")
    actions.rate_report(leaders.second, report=report, score=80)
    actions.rate_report(third, report=report, score=91)
    Attempt.objects.create(
        exam=exam,
        person=leaders.first.person,
        unit=org.county_a,
        unit_path=org.county_a.path,
        state="submitted",
        started_at=exam.opens_at,
        deadline=exam.closes_at,
        percent=85,
        passed=True,
        score=85,
    )
    lines = {line.person.pk: line for line in queries.review_board(review)}
    first = lines[leaders.first.person.pk]
    assert (first.average, first.ratings, first.exam_passed) == (85.5, 2, True)
    assert lines[leaders.second.person.pk].report is None
    assert lines[leaders.second.person.pk].exam_passed is None


# Talks ------------------------------------------------------------------------------------------

TEXT = {
    "mission": "公安机关的使命任务是捍卫政治安全、维护社会安定、保障人民安宁，必须对党绝对忠诚。",
    "shortcomings": "自身存在理论学习不够深入、服务群众意识不强、执法规范化水平不高等问题。",
    "direction": "本岗位的突破口在于提升社区警务质效，努力方向是把矛盾纠纷化解在萌芽状态。",
}


@pytest.fixture
def talk_round(org):
    return actions.create_talk_round(
        org.office,
        unit=org.county_a,
        title="三谈",
        opens_on=date(2026, 3, 1),
        due_on=date(2026, 3, 31),
    )


def test_officer_writes_talks_leader_comments(org, talk_round):
    talk = actions.save_talk(org.officer_a1, round_=talk_round, **TEXT)
    with pytest.raises(ValidationError):
        actions.save_talk(org.officer_a1, round_=talk_round, **{**TEXT, "direction": ""})
    with pytest.raises(PermissionDenied):  # county B is not in the round
        actions.save_talk(org.outsider, round_=talk_round, **TEXT)
    with pytest.raises(PermissionDenied):  # the liaison does not comment
        actions.comment_talk(org.liaison_a, talk=talk, comment="好")
    with pytest.raises(Http404):
        get_talk_for_user(org.liaison_a, talk.pk)
    actions.comment_talk(org.leader_a, talk=talk, comment="认识深刻，措施具体")
    assert Notification.objects.filter(recipient=org.officer_a1).exists()
    with pytest.raises(ValidationError):  # commented: final
        actions.save_talk(org.officer_a1, round_=talk_round, **TEXT)


def test_completion_by_unit(org, talk_round):
    actions.save_talk(org.officer_a1, round_=talk_round, **TEXT)
    mate = UserFactory(username="mate")
    PersonFactory(name="同事", unit=org.station_a1, user=mate)
    talk = actions.save_talk(mate, round_=talk_round, **TEXT)
    actions.comment_talk(org.leader_a, talk=talk, comment="阅")
    rows = {row.unit.code: row for row in queries.talk_completion(talk_round, org.leader_a)}
    a1 = rows["A1"]
    # officer_a1, mate and 苏祠民警 serve at A1.
    assert (a1.people, a1.written, a1.commented, a1.missing) == (3, 2, 1, 1)
    assert rows["A2"].written == 0 and rows["A2"].missing == 1
    assert "B1" not in rows
    assert queries.talk_completion(talk_round, org.viewer_b) == []
    missing = {p.pk for p in queries.missing_people(org.leader_a, talk_round)}
    assert org.p_a1.pk in missing and org.officer_a1.person.pk not in missing


def test_copied_pairs_reuse_the_selfcheck_comparison():
    original = TEXT["mission"] + TEXT["shortcomings"] + TEXT["direction"]
    texts = {
        1: original,
        2: original.replace("社区警务", "治安管理"),
        3: "我认为新时代公安工作必须坚持人民至上，坚决打击各类违法犯罪，这是我们的根本职责所在。"
        "我的问题是调查研究不够，工作方法简单，今后要多下基层听取群众意见并加以改进。",
    }
    pairs = similar.copied_pairs(texts)
    assert [(a, b) for a, b, _s in pairs] == [(1, 2)]
    assert pairs[0][2] >= 0.6


def test_copied_talks_become_selfcheck_signals(org, talk_round, login):
    from zhengdun.selfcheck import formalism
    from zhengdun.selfcheck.models import Catalogue, Round, Signal

    catalogue = Catalogue.objects.create(name="目录", version=1)
    round_ = Round.objects.create(
        name="自查",
        catalogue=catalogue,
        unit=org.city,
        opened_on=date(2026, 3, 1),
        due_date=date(2026, 3, 31),
    )
    talk_round.selfcheck_round = round_
    talk_round.save()
    first = actions.save_talk(org.officer_a1, round_=talk_round, **TEXT)
    mate = UserFactory(username="mate2")
    PersonFactory(name="抄写者", unit=org.station_a2, user=mate)
    second = actions.save_talk(mate, round_=talk_round, **TEXT)
    formalism.run(round_)
    signal = Signal.objects.get(round=round_, kind=SignalKind.COPIED_TALK)
    assert sorted(signal.detail["talks"]) == sorted([first.pk, second.pk])
    assert signal.unit == org.county_a  # the lowest unit above both
    assert signal.detail["similarity"] == 1.0
    shown = queries.copied_talk_signals(org.leader_a, talk_round)
    assert [s.pk for s in shown] == [signal.pk]
    assert queries.copied_talk_signals(org.viewer_b, talk_round) == []
    # Listed with the round's other signals on the self-inspection page, under its own kind.
    page = login(org.office).get(f"/selfcheck/rounds/{round_.pk}/signals/?kind=copied_talk")
    body = page.content.decode()
    assert page.status_code == 200 and 'data-kind="copied_talk"' in body and "抄写者" in body
    round_page = login(org.leader_a).get(f"/learning/talks/rounds/{talk_round.pk}/")
    assert 'data-testid="copied-talks"' in round_page.content.decode()
