"""The formalism detectors (走形式, 护短, 遮丑) on crafted data, and the signals page."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.factories import GrantFactory, PersonFactory, UserFactory
from tests.selfcheck.conftest import OPENED
from zhengdun.notify import tick
from zhengdun.selfcheck import actions, formalism
from zhengdun.selfcheck.jobs import formalism_signals
from zhengdun.selfcheck.models import (
    Answer,
    Measure,
    MeasureState,
    Report,
    ReportBand,
    ReportKind,
    ReportState,
    Signal,
    SignalKind,
)

STUDY = (
    "本单位部分民警理想信念不够坚定，政治理论学习流于形式，学习笔记照抄照搬，心得体会空洞无物。",
    "主要原因是党委对思想政治建设重视不够，学习制度落实不严，督促检查不到位。",
    "建立每周集中学习制度，由支部书记带头讲党课，每月开展一次学习笔记检查评比。",
)
# The same text with a few words changed: what copying from a neighbour looks like.
STUDY_COPY = (
    "本所少数民警理想信念不够坚定，政治理论学习流于形式，学习笔记照抄照搬，心得体会空洞无物。",
    "主要原因是党委对思想政治建设重视不够，学习制度落实不严，督促检查不到位。",
    "建立每周集中学习制度，由支部书记带头讲党课，每季度开展一次学习笔记检查评比。",
)
SERVICE = (
    "窗口服务人员态度生硬，群众办事多次往返，办证时限超过承诺时限，群众满意度测评排名靠后。",
    "服务意识淡薄，考核机制不健全，对窗口人员的日常管理失之于宽。",
    "推行一次性告知制度，设立服务评价器，每月通报窗口服务情况并纳入绩效考核。",
)
# Shares a sentence with STUDY (the cause) but is otherwise a different report.
STUDY_OTHER = (
    "个别民警参加政治轮训不积极，以工作忙为由多次缺席专题学习，学习积分排名靠后。",
    "主要原因是党委对思想政治建设重视不够，学习制度落实不严，督促检查不到位。",
    "把政治轮训参训情况纳入年度考核，缺课必须补学，由所长逐一谈话提醒。",
)


def craft(report, texts=(), *, findings=None, deadline=date(2026, 12, 20), state=None):
    """A submitted report written straight into the tables: one finding with ``texts``
    (description, cause, measure), or none."""
    if texts:
        description, cause, measure = texts
        answer = Answer.objects.create(
            report=report,
            item=report.round.catalogue.dimensions.get(code="1").items.get(code="1.1"),
            found=True,
            description=description,
            cause=cause,
        )
        Measure.objects.create(
            answer=answer,
            round=report.round,
            item=answer.item,
            unit=report.unit,
            unit_path=report.unit_path,
            branch=report.branch,
            text=measure,
            start_date=OPENED,
            deadline=deadline,
            live=True,
            state=state or MeasureState.OPEN,
        )
    Report.objects.filter(pk=report.pk).update(
        state=ReportState.SUBMITTED,
        submitted_at=timezone.now(),
        findings=1 if texts and findings is None else (findings or 0),
    )
    report.refresh_from_db()
    return report


def signals(round_, kind):
    return list(Signal.objects.filter(round=round_, kind=kind).order_by("id"))


def personal(round_, person):
    return Report.objects.get(round=round_, kind=ReportKind.PERSON, person=person)


def finding(item, measures):
    return {
        "item": item,
        "found": True,
        "description": "学习笔记照抄照搬",
        "cause": "重视不够",
        "measures": measures,
    }


# Nothing found ------------------------------------------------------------------------------


def test_a_report_with_nothing_found_is_signalled(org, round_, person_report, item):
    empty = person_report(org.officer_a1)
    actions.submit_report(org.officer_a1, report=empty, on=OPENED)
    leader = person_report(org.leader_a)
    actions.save_report(
        org.leader_a,
        report=leader,
        version=leader.version,
        answers=[finding(item("1.1"), [{"text": "整改", "deadline": date(2026, 12, 1)}])],
    )
    actions.submit_report(org.leader_a, report=leader, on=OPENED)
    formalism.run(round_)
    flagged = signals(round_, SignalKind.NOTHING_FOUND)
    assert [signal.report_id for signal in flagged] == [empty.pk]
    assert flagged[0].unit == org.station_a1 and flagged[0].unit_path == org.station_a1.path
    assert flagged[0].score == 1 and flagged[0].detail == {"report_kind": "person", "leader": False}


def test_a_draft_with_nothing_found_is_not_signalled(org, round_):
    formalism.run(round_)
    assert not Signal.objects.filter(round=round_).exists()


# Copied text -------------------------------------------------------------------------------


def test_copied_text_is_signalled_with_the_shared_passage(org, round_, unit_report):
    a = craft(personal(round_, org.p_a1), STUDY)
    b = craft(personal(round_, org.p_b1), STUDY_COPY)
    c = craft(personal(round_, org.p_a2), SERVICE)
    d = craft(unit_report(org.station_a2), STUDY_OTHER)
    outcome = formalism.run(round_)
    assert outcome.banded == 4 and outcome.rebanded == 4
    [pair] = signals(round_, SignalKind.COPIED_TEXT)
    assert {pair.report_id, pair.other_report_id} == {a.pk, b.pk}
    # The pair spans two counties: it belongs to the city, where both sides can be seen.
    assert pair.unit == org.city and pair.unit_path == org.city.path
    assert pair.detail["similarity"] >= formalism.THRESHOLD
    assert pair.score == pair.detail["similarity"]
    assert "理想信念不够坚定，政治理论学习流于形式" in pair.detail["passage"]
    # True negatives: a different report, and one sharing a single sentence.
    assert c.pk not in (pair.report_id, pair.other_report_id)
    assert d.pk not in (pair.report_id, pair.other_report_id)


def test_signatures_estimate_similarity_before_texts_are_compared(org, round_, unit_report):
    a = craft(personal(round_, org.p_a1), STUDY)
    b = craft(personal(round_, org.p_b1), STUDY_COPY)
    c = craft(personal(round_, org.p_a2), SERVICE)
    d = craft(unit_report(org.station_a2), STUDY_OTHER)
    formalism.refresh_bands(round_)
    minhashes = {
        report.pk: bytes(report.minhash)
        for report in Report.objects.filter(pk__in=[a.pk, b.pk, c.pk, d.pk])
    }
    assert {len(value) for value in minhashes.values()} == {4 * formalism.BANDS * formalism.ROWS}
    pairs = [(a.pk, b.pk, 1), (a.pk, c.pk, 1), (a.pk, d.pk, 1), (a.pk, a.pk, 1)]
    copy, other, one_sentence, same = formalism.estimates(pairs, minhashes)
    assert same == 1.0 and copy >= formalism.ESTIMATE_FLOOR
    assert other < formalism.ESTIMATE_FLOOR and one_sentence < formalism.ESTIMATE_FLOOR
    # Without a signature (bands from an older version) a pair is compared exactly.
    [missing] = formalism.estimates([(a.pk, c.pk, 1)], {**minhashes, c.pk: b""})
    assert missing == 1.0


def test_only_pairs_alike_by_their_signatures_are_compared_exactly(org, round_, monkeypatch):
    craft(personal(round_, org.p_a1), STUDY)
    craft(personal(round_, org.p_b1), STUDY_COPY)
    craft(personal(round_, org.p_a2), STUDY_OTHER)

    # Every pair a candidate, as chance band collisions make them at scale.
    def every_pair(round_, outcome=None):
        ids = sorted(Report.objects.exclude(minhash=b"").values_list("pk", flat=True))
        return [(x, y, 1) for x in ids for y in ids if x < y]

    monkeypatch.setattr(formalism, "candidate_pairs", every_pair)
    outcome = formalism.run(round_)
    assert outcome.compared == 1
    assert len(signals(round_, SignalKind.COPIED_TEXT)) == 1


def test_copies_within_a_county_belong_to_the_county(org, round_, unit_report):
    craft(personal(round_, org.p_a1), STUDY)
    craft(unit_report(org.station_a2), STUDY_COPY)
    formalism.run(round_)
    [pair] = signals(round_, SignalKind.COPIED_TEXT)
    assert pair.unit == org.county_a


def test_short_texts_are_not_compared(org, round_):
    short = ("学习不够", "重视不够", "加强学习")
    craft(personal(round_, org.p_a1), short)
    craft(personal(round_, org.p_b1), short)
    outcome = formalism.run(round_)
    assert outcome.rebanded == 2 and outcome.banded == 0
    assert not ReportBand.objects.exists()
    assert not signals(round_, SignalKind.COPIED_TEXT)


def test_a_band_shared_by_too_many_reports_is_boilerplate(org, round_, monkeypatch):
    craft(personal(round_, org.p_a1), STUDY)
    craft(personal(round_, org.p_b1), STUDY)
    craft(personal(round_, org.p_a2), STUDY)
    monkeypatch.setattr(formalism, "MAX_BUCKET", 2)
    outcome = formalism.run(round_)
    assert outcome.crowded == formalism.BANDS
    assert not signals(round_, SignalKind.COPIED_TEXT)
    monkeypatch.setattr(formalism, "MAX_BUCKET", 50)
    formalism.run(round_)
    assert len(signals(round_, SignalKind.COPIED_TEXT)) == 3


def test_unchanged_reports_keep_their_bands(org, round_):
    a = craft(personal(round_, org.p_a1), STUDY)
    b = craft(personal(round_, org.p_b1), STUDY_COPY)
    formalism.run(round_)
    a.refresh_from_db()
    bands_a = list(ReportBand.objects.filter(report=a).order_by("band").values_list("pk", "value"))
    bands_b = list(ReportBand.objects.filter(report=b).order_by("band").values_list("pk", "value"))
    assert len(bands_a) == formalism.BANDS and len(a.text_hash) == 32
    outcome = formalism.run(round_)
    assert outcome.reports == 2 and outcome.rebanded == 0
    assert list(
        ReportBand.objects.filter(report=a).order_by("band").values_list("pk", "value")
    ) == (bands_a)
    # b's text changes: only b is banded again, and the pair is gone.
    Answer.objects.filter(report=b).update(description=SERVICE[0], cause=SERVICE[1])
    Measure.objects.filter(answer__report=b).update(text=SERVICE[2])
    outcome = formalism.run(round_)
    assert outcome.rebanded == 1
    assert list(
        ReportBand.objects.filter(report=a).order_by("band").values_list("pk", "value")
    ) == (bands_a)
    new_b = list(ReportBand.objects.filter(report=b).order_by("band").values_list("pk", "value"))
    assert {pk for pk, _v in new_b}.isdisjoint(pk for pk, _v in bands_b)
    assert not signals(round_, SignalKind.COPIED_TEXT)


def test_a_returned_report_leaves_the_comparison(org, round_, person_report, item):
    a = craft(personal(round_, org.p_a1), STUDY)
    mine = person_report(org.officer_a1)
    craft(mine, STUDY_COPY)
    formalism.run(round_)
    assert len(signals(round_, SignalKind.COPIED_TEXT)) == 1
    actions.return_report(org.leader_a, report=Report.objects.get(pk=mine.pk), comment="照抄")
    outcome = formalism.run(round_)
    assert outcome.dropped == 1
    assert not ReportBand.objects.filter(report=mine).exists()
    assert Report.objects.get(pk=mine.pk).text_hash == ""
    assert ReportBand.objects.filter(report=a).count() == formalism.BANDS
    assert not signals(round_, SignalKind.COPIED_TEXT)


# Deadlines and evidence --------------------------------------------------------------------


def test_measures_without_a_deadline_or_beyond_the_round(org, round_):
    limit = round_.due_date + timedelta(days=formalism.LATE_DAYS)
    none = craft(personal(round_, org.p_a1), STUDY, deadline=None)
    late = craft(personal(round_, org.p_a2), SERVICE, deadline=limit + timedelta(days=10))
    edge = craft(personal(round_, org.p_b1), STUDY_OTHER, deadline=limit)
    formalism.run(round_)
    [missing] = signals(round_, SignalKind.NO_DEADLINE)
    assert missing.measure == Measure.objects.get(answer__report=none)
    [beyond] = signals(round_, SignalKind.LATE_DEADLINE)
    assert beyond.measure == Measure.objects.get(answer__report=late)
    assert beyond.detail == {"deadline": "2027-03-10", "limit": "2027-02-28", "days": 10}
    assert beyond.score == 10 and beyond.unit == org.station_a2
    flagged = {signal.measure_id for signal in Signal.objects.filter(round=round_)}
    assert Measure.objects.get(answer__report=edge).pk not in flagged


def test_a_draft_measure_is_not_signalled(org, round_, person_report, item):
    report = person_report(org.officer_a1)
    actions.save_report(
        org.officer_a1,
        report=report,
        version=report.version,
        answers=[finding(item("1.1"), [{"text": "整改", "deadline": None}])],
    )
    formalism.run(round_)
    assert not signals(round_, SignalKind.NO_DEADLINE)


def test_measures_closed_without_evidence(org, round_, person_report, item):
    report = person_report(org.officer_a1)
    measures = [{"text": text, "deadline": date(2026, 12, 20)} for text in ("甲", "乙", "丙")]
    actions.save_report(
        org.officer_a1,
        report=report,
        version=report.version,
        answers=[finding(item("1.1"), measures)],
    )
    actions.submit_report(org.officer_a1, report=report, on=OPENED)
    bare, proven, open_ = Measure.objects.filter(answer__report=report).order_by("text")[:3]
    assert (bare.text, proven.text, open_.text) == ("丙", "乙", "甲")
    actions.complete_measure(org.officer_a1, measure=bare, note="已整改")
    actions.verify_measure(org.leader_a, measure=Measure.objects.get(pk=bare.pk))
    upload = SimpleUploadedFile("整改报告.txt", "整改完成".encode(), content_type="text/plain")
    actions.complete_measure(org.officer_a1, measure=proven, note="已整改", files=[upload])
    formalism.run(round_)
    [flagged] = signals(round_, SignalKind.NO_EVIDENCE)
    assert flagged.measure_id == bare.pk
    assert flagged.score == 2 and flagged.detail == {"state": "verified"}


# Leaders -----------------------------------------------------------------------------------


@pytest.fixture
def county_a_findings(org, round_):
    """Submit county A's personal reports (the leader's aside) with the given findings."""

    def submit(*counts):
        others = (
            Report.objects.filter(
                round=round_, kind=ReportKind.PERSON, unit_path__startswith=org.county_a.path
            )
            .exclude(person__user=org.leader_a)
            .order_by("id")
        )
        assert others.count() >= len(counts)
        for report, count in zip(others, counts, strict=False):
            Report.objects.filter(pk=report.pk).update(state=ReportState.SUBMITTED, findings=count)

    return submit


def leader_with(org, round_, findings):
    report = personal(round_, org.leader_a.person)
    assert report.is_leader
    Report.objects.filter(pk=report.pk).update(state=ReportState.SUBMITTED, findings=findings)
    return report


def test_a_leader_below_the_unit_average_is_signalled(org, round_, county_a_findings):
    county_a_findings(3, 2, 4, 3, 3)  # average 3
    leader = leader_with(org, round_, 1)
    formalism.run(round_)
    [low] = signals(round_, SignalKind.LEADER_LOW)
    assert low.report_id == leader.pk and low.unit == org.county_a
    assert low.detail == {"findings": 1, "average": 3.0, "compared": 5}
    assert low.score == 2.0


def test_a_leader_at_the_average_is_not_signalled(org, round_, county_a_findings):
    county_a_findings(3, 2, 4, 3, 3)
    leader_with(org, round_, 3)
    formalism.run(round_)
    assert not signals(round_, SignalKind.LEADER_LOW)


def test_a_leader_with_too_few_to_compare_is_not_signalled(org, round_, county_a_findings):
    county_a_findings(3, 2, 4, 3)  # four others: fewer than MIN_COMPARE
    leader_with(org, round_, 0)
    formalism.run(round_)
    assert not signals(round_, SignalKind.LEADER_LOW)


# Running -----------------------------------------------------------------------------------


def snapshot(round_):
    return sorted(
        Signal.objects.filter(round=round_).values_list(
            "kind",
            "report_id",
            "other_report_id",
            "measure_id",
            "unit_id",
            "unit_path",
            "score",
            "detail",
            "found_at",
        ),
        key=repr,
    )


@pytest.fixture
def flagged_round(org, round_, unit_report):
    craft(personal(round_, org.p_a1), STUDY, deadline=None)
    craft(personal(round_, org.p_b1), STUDY_COPY, state=MeasureState.COMPLETED)
    craft(unit_report(org.county_b))
    return round_


def test_running_twice_gives_the_same_signals(flagged_round):
    first = formalism.run(flagged_round)
    assert first.signals == {
        "copied_text": 1,
        "no_deadline": 1,
        "no_evidence": 1,
        "nothing_found": 1,
    }
    before = snapshot(flagged_round)
    formalism.run(flagged_round)
    assert snapshot(flagged_round) == before


def test_a_fixed_problem_drops_its_signal(org, flagged_round):
    formalism.run(flagged_round)
    Measure.objects.filter(deadline__isnull=True).update(deadline=date(2026, 12, 31))
    outcome = formalism.run(flagged_round)
    assert SignalKind.NO_DEADLINE not in outcome.signals
    assert not signals(flagged_round, SignalKind.NO_DEADLINE)


def test_the_tick_runs_the_detectors_on_open_rounds(org, flagged_round):
    assert tick.jobs()["selfcheck.3_formalism"] is formalism_signals
    assert formalism_signals(OPENED - timedelta(days=1)) == 0  # not open yet that day
    assert not Signal.objects.exists()
    assert formalism_signals(OPENED) == 0
    assert Signal.objects.filter(round=flagged_round).count() == 4


# The page ----------------------------------------------------------------------------------


def county_office(org):
    user = UserFactory(username="office_b")
    GrantFactory(user=user, role="office", unit=org.county_b)
    PersonFactory(name="彭山整顿办", unit=org.county_b, user=user)
    return user


def test_the_office_sees_the_signals_of_its_scope(org, flagged_round, login):
    formalism.run(flagged_round)
    url = reverse("selfcheck:signals", args=[flagged_round.pk])
    page = login(org.office).get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert body.count("<tr data-kind=") == 4
    assert "理想信念不够坚定" in body  # the shared passage
    assert reverse("selfcheck:measure_detail", args=[Measure.objects.first().pk]) in body
    # Only the county B part of the round for the county B office: not the pair across counties.
    page = login(county_office(org)).get(url)
    assert page.status_code == 200
    kinds = [row.kind for row in page.context["rows"]]
    assert sorted(kinds) == ["no_evidence", "nothing_found"]
    assert all(row.unit_path.startswith(org.county_b.path) for row in page.context["rows"])


def test_the_signals_filter_by_kind_and_unit(org, flagged_round, login):
    formalism.run(flagged_round)
    client = login(org.office)
    url = reverse("selfcheck:signals", args=[flagged_round.pk])
    rows = client.get(url, {"kind": "no_deadline"}).context["rows"]
    assert [row.kind for row in rows] == ["no_deadline"]
    rows = client.get(url, {"unit": org.county_a.pk}).context["rows"]
    assert [row.kind for row in rows] == ["no_deadline"]
    assert client.get(url, {"unit": "x"}).status_code == 404
    for not_an_id in ("²", "٣", "-1", "9" * 25):
        assert client.get(url, {"unit": not_an_id}).status_code == 404


@pytest.mark.parametrize("who", ["leader_a", "officer_a1", "viewer_b", "outsider"])
def test_only_the_office_opens_the_signals(org, flagged_round, login, who):
    url = reverse("selfcheck:signals", args=[flagged_round.pk])
    assert login(getattr(org, who)).get(url).status_code == 404


def test_a_county_office_cannot_filter_to_another_county(org, flagged_round, login):
    url = reverse("selfcheck:signals", args=[flagged_round.pk])
    assert login(county_office(org)).get(url, {"unit": org.county_a.pk}).status_code == 404


def test_the_round_links_to_its_signals_for_the_office_only(org, flagged_round, login):
    url = reverse("selfcheck:round_detail", args=[flagged_round.pk])
    link = reverse("selfcheck:signals", args=[flagged_round.pk])
    assert link in login(org.office).get(url).content.decode()
    assert link not in login(org.leader_a).get(url).content.decode()


def test_the_signals_page_costs_the_same_queries_for_more_signals(
    org, flagged_round, login, django_assert_max_num_queries
):
    formalism.run(flagged_round)
    client = login(org.office)
    url = reverse("selfcheck:signals", args=[flagged_round.pk])
    client.get(url)
    with django_assert_max_num_queries(16) as few:
        client.get(url)
    for person in (org.p_team, org.p_a2, org.p_dept):
        craft(personal(flagged_round, person), SERVICE, deadline=None)
    formalism.run(flagged_round)
    with django_assert_max_num_queries(16) as many:
        response = client.get(url)
    assert len(response.context["rows"]) > 4
    assert len(many.captured_queries) == len(few.captured_queries)
