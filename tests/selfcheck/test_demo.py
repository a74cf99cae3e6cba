"""The self-inspection demo: the article's 35-problem self-inspection, in progress today, loaded
idempotently through the actions.

The organisation and the demo are loaded once for the module, inside a transaction that is
rolled back at the end; each test runs in a savepoint inside it (the ``db`` fixture).
"""

from collections import Counter
from datetime import timedelta
from itertools import combinations
from types import SimpleNamespace
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from zhengdun.audit import chain
from zhengdun.audit.models import AuditEvent
from zhengdun.core.warnings import Colour
from zhengdun.notify.models import Notification
from zhengdun.org import demo as org_demo
from zhengdun.org import scope
from zhengdun.org.models import Grant, Person, PersonStatus, Unit
from zhengdun.org.roles import Role
from zhengdun.selfcheck import actions, demo, tally
from zhengdun.selfcheck.models import (
    Answer,
    Bucket,
    Catalogue,
    Item,
    LedgerTally,
    Measure,
    MeasureEvidence,
    MeasureState,
    Meeting,
    MeetingKind,
    Opinion,
    Report,
    ReportKind,
    ReportState,
    Round,
)
from zhengdun.selfcheck.permissions import SelfcheckPerm, may_edit

ARTICLE = [
    ("党建统领", ["思想政治不纯", "组织作风不纯", "道德品质不纯", "三观不正"]),
    ("队伍建设", ["管理缺位", "用人失察", "纪律松弛", "“三圈”不净"]),
    ("履职尽责", ["本领不硬", "在岗不为", "“三力”不强", "“三级”不满", "群众社会反映"]),
    ("外部反馈", ["巡视巡察反馈", "纪检监察审计发现"]),
]


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The demo organisation and the self-inspection demo, with the tally drift found just
    before the final colour refresh (which recounts, and so would hide drift left by the load)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            org_demo.load()
            admin = get_user_model().objects.get(username="admin")
            drift: list[dict] = []
            refresh = actions.refresh_measures

            def checked_refresh(round_, on):
                drift.append(tally.recount(round_.pk))
                return refresh(round_, on)

            with mock.patch.object(actions, "refresh_measures", checked_refresh):
                summary = demo.load(admin)
            yield SimpleNamespace(
                admin=admin,
                summary=summary,
                drift=drift,
                round=Round.objects.get(name=demo.ROUND),
            )
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def site(loaded, db):
    return loaded


def user(username):
    return get_user_model().objects.select_related("person").get(username=username)


def unit_report(site, code) -> Report:
    return Report.objects.select_related("round", "unit__parent").get(
        round=site.round, kind=ReportKind.UNIT, unit__code=code
    )


def person_report(site, username) -> Report:
    return Report.objects.select_related("round", "unit", "person").get(
        round=site.round, kind=ReportKind.PERSON, person__user__username=username
    )


def live_measures(site):
    return Measure.objects.filter(round=site.round, live=True)


def text_of(report: Report) -> str:
    parts = []
    for answer in report.answers.order_by("item__dimension__order", "item__order"):
        parts += [answer.description, answer.cause]
        parts += [measure.text for measure in answer.measures.order_by("id")]
    return "".join(parts)


def similarity(a: str, b: str, size: int = 4) -> float:
    """Jaccard similarity of the two texts' character shingles."""
    first = {a[i : i + size] for i in range(len(a) - size + 1)}
    second = {b[i : i + size] for i in range(len(b) - size + 1)}
    return len(first & second) / len(first | second) if first | second else 0.0


def test_loading_twice_changes_nothing(site):
    def snapshot():
        return {
            "counts": [
                model.objects.count()
                for model in (
                    Catalogue,
                    Item,
                    Round,
                    Report,
                    Answer,
                    Measure,
                    MeasureEvidence,
                    Meeting,
                    Opinion,
                    LedgerTally,
                    AuditEvent,
                    Notification,
                    get_user_model(),
                    Grant,
                )
            ],
            "reports": set(Report.objects.values_list("pk", "state", "version", "findings")),
            "measures": set(
                Measure.objects.values_list(
                    "pk", "state", "colour", "colour_since", "bucket", "progress", "live"
                )
            ),
            "tallies": set(LedgerTally.objects.values_list("unit", "item", "kind", "count")),
        }

    before = snapshot()
    assert demo.load(site.admin) == site.summary
    assert snapshot() == before


def test_catalogue_has_the_articles_35_items_in_its_4_dimensions(site):
    catalogue = site.round.catalogue
    assert (catalogue.name, catalogue.version) == (demo.CATALOGUE, 1)
    dimensions = list(catalogue.dimensions.order_by("order"))
    assert [dimension.name for dimension in dimensions] == [name for name, _ in ARTICLE]
    items = Item.objects.filter(dimension__catalogue=catalogue)
    assert items.count() == 35
    assert len(set(items.values_list("code", flat=True))) == 35
    for dimension, (_name, named) in zip(dimensions, ARTICLE, strict=True):
        titles = list(dimension.items.order_by("order").values_list("title", flat=True))
        assert titles[: len(named)] == named  # the article's problems first, in its order
    assert all(items.values_list("guidance", flat=True))
    assert set(items.values_list("applies_to", flat=True)) == {"unit", "person", "both"}


def test_a_round_is_in_progress_over_the_whole_bureau(site):
    today, round_ = timezone.localdate(), site.round
    assert round_.unit.code == "MS" and round_.for_units and round_.for_persons
    assert (today - round_.opened_on).days == 30
    assert (round_.due_date - today).days == 10
    reports = Report.objects.filter(round=round_)
    assert (
        reports.filter(kind=ReportKind.UNIT).count() == Unit.objects.filter(is_active=True).count()
    )
    assert (
        reports.filter(kind=ReportKind.PERSON).count()
        == Person.objects.filter(status=PersonStatus.ACTIVE).count()
    )


def test_reports_are_in_every_state_of_both_kinds(site):
    reports = Report.objects.filter(round=site.round)
    for kind in ReportKind.values:
        states = set(reports.filter(kind=kind).values_list("state", flat=True))
        assert states == set(ReportState.values), kind
    returned = reports.filter(state=ReportState.RETURNED)
    assert returned.count() == 2
    assert all(len(comment) > 20 for comment in returned.values_list("return_comment", flat=True))
    drafts = reports.filter(state=ReportState.DRAFT)
    assert drafts.filter(version=1).exists()  # not started
    assert drafts.filter(version__gt=1, answers__isnull=False).distinct().count() >= 4  # saved
    submitted = reports.filter(state=ReportState.SUBMITTED)
    assert submitted.filter(submitted_at__isnull=False, submitted_by__isnull=False).count() == (
        submitted.count()
    )
    assert submitted.count() >= 20


def test_the_ledger_has_measures_in_every_state_and_colour(site):
    today = timezone.localdate()
    measures = live_measures(site)
    assert set(measures.values_list("state", flat=True)) == set(MeasureState.values)
    assert set(measures.values_list("bucket", flat=True)) == set(Bucket.values)
    open_ = measures.filter(state__in=(MeasureState.OPEN, MeasureState.IN_PROGRESS))
    assert {Colour.RED, Colour.YELLOW, Colour.GREEN} <= set(open_.values_list("colour", flat=True))
    # Red both for being overdue and for being far behind; a measure open and never started.
    assert open_.filter(colour=Colour.RED, deadline__lt=today).exists()
    assert open_.filter(colour=Colour.RED, deadline__gte=today).exists()
    assert open_.filter(state=MeasureState.OPEN, colour=Colour.RED).exists()
    assert open_.filter(state=MeasureState.OPEN, colour=Colour.GREEN).exists()
    # Rejected and reopened: back in progress, with the reason.
    reopened = measures.get(rejection_reason__gt="")
    assert reopened.state == MeasureState.IN_PROGRESS and reopened.completed_on is None
    # Completed with evidence: a real PNG, checked and stored.
    evidence = MeasureEvidence.objects.filter(measure__round=site.round)
    assert evidence.filter(measure__state=MeasureState.COMPLETED).exists()
    assert evidence.filter(measure__state=MeasureState.VERIFIED).exists()
    for file in evidence:
        assert file.content_type == "image/png" and file.name.endswith(".png")
        with file.file.open("rb") as stored:
            assert stored.read(8) == b"\x89PNG\r\n\x1a\n"
    # Verified by someone other than who completed it; and the formalism cases for the office.
    for measure in measures.filter(state=MeasureState.VERIFIED):
        assert measure.verified_by_id != measure.completed_by_id
    assert measures.filter(deadline__isnull=True).exists()
    # Past the round: the formalism rule allows 90 days after the reports were due.
    assert measures.filter(deadline__gt=site.round.due_date + timedelta(days=90)).exists()
    assert measures.filter(state=MeasureState.VERIFIED, evidence__isnull=True).exists()


def test_stored_colours_are_todays(site):
    assert actions.refresh_measures(site.round, timezone.localdate()) == 0


def test_two_pairs_of_reports_are_copied_and_no_others(site):
    submitted = list(
        Report.objects.filter(round=site.round, state=ReportState.SUBMITTED).select_related(
            "unit", "person__user"
        )
    )
    texts = {report.pk: text_of(report) for report in submitted}

    def name(report):
        return report.person.user.username if report.person_id else report.unit.code

    copied = {
        frozenset((name(a), name(b)))
        for a, b in combinations(submitted, 2)
        if texts[a.pk] and texts[b.pk] and similarity(texts[a.pk], texts[b.pk]) > 0.5
    }
    assert copied == {frozenset(("RS-01", "RS-02")), frozenset(("leader_tf", "leader_kf"))}
    for first, second in (("RS-01", "RS-02"), ("leader_tf", "leader_kf")):
        texts = [
            text_of(unit_report(site, code) if "-" in code else person_report(site, code))
            for code in (first, second)
        ]
        assert texts[0] != texts[1]
        assert similarity(*texts) > 0.8


def test_one_unit_reports_nothing_found_on_every_item(site):
    submitted = Report.objects.filter(round=site.round, state=ReportState.SUBMITTED)
    nothing = list(submitted.filter(findings=0))
    assert [(report.kind, report.unit.code) for report in nothing] == [("unit", "DL")]
    report = nothing[0]
    answers = report.answers.all()
    assert answers.count() == actions.applicable_items(report).count()
    assert not answers.filter(found=True).exists()
    assert set(answers.values_list("description", flat=True)) == {demo.NOTHING}
    assert (
        not Answer.objects.filter(report__in=submitted.exclude(findings=0), found=True)
        .filter(measures__isnull=True)
        .exists()
    )


def test_leaders_report_before_their_units(site):
    leaders = {
        (grant.unit_id, grant.user_id) for grant in Grant.objects.filter(role=Role.UNIT_LEADER)
    }
    reports = Report.objects.filter(round=site.round)
    marked = set(
        reports.filter(kind=ReportKind.PERSON, is_leader=True).values_list(
            "person__user__username", flat=True
        )
    )
    assert marked == {"leader", *(demo.county_login(code) for code, _n, _s in org_demo.COUNTIES)}
    checked = 0
    for unit_report_ in reports.filter(kind=ReportKind.UNIT, state=ReportState.SUBMITTED):
        for unit_id, user_id in leaders:
            if unit_id != unit_report_.unit_id:
                continue
            own = reports.get(kind=ReportKind.PERSON, person__user_id=user_id)
            assert own.state == ReportState.SUBMITTED
            assert own.submitted_at <= unit_report_.submitted_at
            checked += 1
    assert checked >= 6  # 市局, 彭山, 仁寿, 丹棱, 天府新区, 经开区
    # 青神 lags behind: its leader has not submitted, so neither has the bureau.
    assert person_report(site, "leader_qs").state == ReportState.DRAFT
    assert unit_report(site, "QS").state == ReportState.DRAFT


def test_each_demo_login_has_something_to_do(site):
    # officer: an untouched personal draft, and a measure of their station to carry forward.
    own = person_report(site, "officer")
    assert own.state == ReportState.DRAFT and own.version == 1 and not own.answers.exists()
    assert live_measures(site).filter(owner__user__username="officer").exists()
    # leader: the city bureau leader reported first.
    assert person_report(site, "leader").state == ReportState.SUBMITTED
    assert unit_report(site, "MS").state == ReportState.SUBMITTED
    # liaison: 东坡's unit report is a draft they may finish and submit (its leader went first),
    # and their own report came back with comments.
    liaison = user("liaison")
    dongpo = unit_report(site, "DP")
    assert dongpo.state == ReportState.DRAFT and dongpo.answers.exists()
    assert may_edit(liaison, dongpo)
    actions.submit_report(liaison, report=dongpo)
    assert person_report(site, "liaison").state == ReportState.RETURNED
    # supervisor: completed measures to verify in 东坡 and 彭山; office: in the city bureau.
    for username, codes in (("supervisor", {"DP", "PS"}), ("office", {"MS"})):
        verifier = user(username)
        waiting = [
            measure
            for measure in live_measures(site)
            .filter(state=MeasureState.COMPLETED)
            .select_related("round", "unit", "owner")
            if measure.completed_by_id != verifier.pk
            and scope.can(verifier, SelfcheckPerm.VERIFY, measure.unit)
            and any(measure.unit.code.split("-")[0] == code for code in codes)
        ]
        assert {measure.unit.code.split("-")[0] for measure in waiting} == codes, username
        actions.verify_measure(verifier, measure=waiting[0])


def test_meetings_raise_a_finding_and_members_give_opinions(site):
    meetings = Meeting.objects.filter(round=site.round)
    kinds = set(meetings.values_list("kind", flat=True))
    assert {MeetingKind.DEPLOYMENT, MeetingKind.DEMOCRATIC_LIFE} <= kinds and len(kinds) == 4
    assert all(meeting.attendees.exists() for meeting in meetings)
    finding = Answer.objects.get(report__round=site.round, meeting__isnull=False)
    assert finding.meeting.kind == MeetingKind.DEMOCRATIC_LIFE
    assert finding.report.state == ReportState.SUBMITTED and finding.found
    assert finding.measures.filter(live=True).exists()
    opinions = Opinion.objects.filter(report=unit_report(site, "DP"))
    assert Counter(opinions.values_list("anonymous", flat=True)) == {True: 1, False: 1}


def test_tallies_have_not_drifted(site):
    assert site.drift == [{}]
    assert tally.recount(site.round.pk) == {}


def test_the_ledger_counts_from_the_tallies_what_a_count_finds(site):
    """Every filter the tallies can answer, for users with different scopes: the tallied count
    is the real one, and filters the tallies cannot answer get a real count."""
    from zhengdun.selfcheck import queries

    round_ = site.round
    items = list(Item.objects.filter(dimension__catalogue=round_.catalogue)[:3])
    counties = list(Unit.objects.filter(depth=2).order_by("path"))
    users = [site.admin, *(g.user for g in Grant.objects.filter(role=Role.UNIT_LEADER)[:3])]
    filter_sets = [
        {},
        {"bucket": Bucket.OVERDUE},
        {"colour": Colour.RED},
        {"item": items[0].pk},
        {"dimension": items[1].dimension_id, "bucket": Bucket.VERIFIED},
        *({"unit": county} for county in counties[:3]),
        {"unit": counties[0], "colour": Colour.YELLOW, "item": items[2].pk},
    ]
    compared = 0
    for who in users:
        for params in filter_sets:
            filters = queries.LedgerFilters(**params)
            tallied = queries.ledger_count(who, round_, filters)
            if tallied is None:  # a unit outside the user's scope
                continue
            assert tallied == queries.ledger(who, round_, filters).count(), (who, params)
            compared += 1
    assert compared > 20
    assert queries.ledger_count(site.admin, round_, queries.LedgerFilters(q="学习")) is None
    assert queries.ledger_count(site.admin, round_, queries.LedgerFilters(state="open")) is None


def test_audit_chain_verifies(site):
    checked, broken = chain.verify()
    assert broken is None
    assert checked > Measure.objects.count() + Report.objects.exclude(version=1).count()
