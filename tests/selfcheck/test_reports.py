from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.selfcheck.conftest import OPENED
from zhengdun.audit.models import AuditEvent
from zhengdun.selfcheck import actions, tally
from zhengdun.selfcheck.models import (
    LedgerTally,
    Measure,
    MeasureState,
    Report,
    ReportKind,
    ReportState,
)


def finding(item, description="发现问题", measures=None, found=True):
    return {
        "item": item,
        "found": found,
        "description": description,
        "cause": "原因分析",
        "measures": measures
        if measures is not None
        else [{"text": "整改措施", "deadline": date(2026, 12, 20)}],
    }


def test_opening_a_round_gives_every_unit_and_officer_a_draft(org, round_):
    units = Report.objects.filter(round=round_, kind=ReportKind.UNIT)
    people = Report.objects.filter(round=round_, kind=ReportKind.PERSON)
    assert units.count() == 8
    assert people.count() == 11  # six personas and five officers
    assert people.get(person__user=org.leader_a).is_leader
    assert not people.get(person__user=org.liaison_a).is_leader
    assert AuditEvent.objects.filter(code="selfcheck.round.opened").count() == 1


def test_a_person_writes_and_submits_their_own_report(org, person_report, item):
    report = person_report(org.officer_a1)
    actions.save_report(
        org.officer_a1, report=report, version=report.version, answers=[finding(item("1.1"))]
    )
    measure = Measure.objects.get(answer__report=report)
    assert not measure.live and measure.owner.user == org.officer_a1
    actions.submit_report(org.officer_a1, report=report, on=OPENED)
    report.refresh_from_db()
    measure.refresh_from_db()
    assert report.state == ReportState.SUBMITTED and report.findings == 1
    assert measure.live
    with pytest.raises(ValidationError):
        actions.save_report(org.officer_a1, report=report, version=report.version, answers=[])


def test_nobody_else_writes_a_personal_report(org, person_report, item):
    report = person_report(org.officer_a1)
    with pytest.raises(PermissionDenied):
        actions.save_report(org.leader_a, report=report, version=report.version, answers=[])


def test_a_finding_needs_a_description_and_a_measure(org, person_report, item):
    report = person_report(org.officer_a1)
    with pytest.raises(ValidationError):
        actions.save_report(
            org.officer_a1,
            report=report,
            version=report.version,
            answers=[finding(item("1.1"), description="")],
        )
    actions.save_report(
        org.officer_a1,
        report=report,
        version=report.version,
        answers=[finding(item("1.1"), measures=[])],
    )
    with pytest.raises(ValidationError):
        actions.submit_report(org.officer_a1, report=report)


def test_a_unit_item_is_not_on_a_personal_report(org, person_report, item):
    report = person_report(org.officer_a1)
    with pytest.raises(ValidationError):
        actions.save_report(
            org.officer_a1, report=report, version=report.version, answers=[finding(item("2.1"))]
        )


def test_the_unit_reports_after_its_leader(org, unit_report, person_report, item):
    report = unit_report(org.county_a)
    actions.save_report(
        org.liaison_a, report=report, version=report.version, answers=[finding(item("2.1"))]
    )
    with pytest.raises(ValidationError) as error:
        actions.submit_report(org.liaison_a, report=report)
    assert "leader_a" in str(error.value)
    leader = person_report(org.leader_a)
    actions.submit_report(org.leader_a, report=leader)
    actions.submit_report(org.liaison_a, report=report, on=OPENED)
    assert Report.objects.get(pk=report.pk).state == ReportState.SUBMITTED


def test_the_superior_returns_a_report_with_comments(org, unit_report, person_report, item):
    leader = person_report(org.leader_a)
    actions.submit_report(org.leader_a, report=leader)
    report = unit_report(org.station_a1)
    actions.save_report(
        org.liaison_a, report=report, version=report.version, answers=[finding(item("1.2"))]
    )
    actions.submit_report(org.liaison_a, report=report, on=OPENED)
    assert LedgerTally.objects.filter(unit=org.city, kind="finding").get().count == 1
    with pytest.raises(PermissionDenied):
        actions.return_report(org.officer_a1, report=report, comment="x")
    with pytest.raises(ValidationError):
        actions.return_report(org.leader_a, report=report, comment="")
    actions.return_report(org.leader_a, report=report, comment="原因分析不深")
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED and report.return_comment == "原因分析不深"
    assert not Measure.objects.filter(answer__report=report, live=True).exists()
    assert LedgerTally.objects.get(unit=org.city, kind="finding").count == 0
    # Revised and submitted again.
    actions.save_report(
        org.liaison_a,
        report=report,
        version=report.version,
        answers=[finding(item("1.2"), "更深的分析")],
    )
    actions.submit_report(org.liaison_a, report=report, on=OPENED)
    assert tally.recount(report.round_id) == {}


def test_a_person_cannot_return_their_own_report(org, person_report):
    report = person_report(org.leader_a)
    actions.submit_report(org.leader_a, report=report)
    with pytest.raises(PermissionDenied):
        actions.return_report(org.leader_a, report=report, comment="x")
    actions.return_report(org.office, report=report, comment="请补充")


@pytest.fixture
def live_measure(org, person_report, item):
    report = person_report(org.officer_a1)
    actions.save_report(
        org.officer_a1, report=report, version=report.version, answers=[finding(item("2.2"))]
    )
    actions.submit_report(org.officer_a1, report=report, on=OPENED)
    return Measure.objects.select_related("round", "unit", "owner").get(answer__report=report)


def test_verify_needs_someone_other_than_who_completed(org, live_measure):
    with pytest.raises(ValidationError):
        actions.complete_measure(org.officer_a1, measure=live_measure, note="")
    actions.complete_measure(
        org.officer_a1, measure=live_measure, note="已整改", on=date(2026, 11, 20)
    )
    live_measure.refresh_from_db()
    assert live_measure.state == MeasureState.COMPLETED and live_measure.bucket == "completed"
    with pytest.raises(PermissionDenied):
        actions.verify_measure(org.officer_a1, measure=live_measure)
    actions.verify_measure(org.leader_a, measure=live_measure)
    live_measure.refresh_from_db()
    assert live_measure.state == MeasureState.VERIFIED and live_measure.verified_by == org.leader_a


def test_the_completer_cannot_verify_even_with_the_right(org, live_measure):
    actions.complete_measure(org.liaison_a, measure=live_measure, note="统一整改")
    from zhengdun.org.models import Grant

    Grant.objects.create(user=org.liaison_a, role="unit_leader", unit=org.station_a1)
    from zhengdun.org import scope

    scope.forget(org.liaison_a)
    with pytest.raises(ValidationError):
        actions.verify_measure(org.liaison_a, measure=live_measure)


def test_a_rejection_needs_a_reason_and_reopens(org, live_measure):
    actions.complete_measure(org.officer_a1, measure=live_measure, note="已整改")
    with pytest.raises(ValidationError):
        actions.reject_measure(org.leader_a, measure=live_measure, reason=" ")
    actions.reject_measure(org.leader_a, measure=live_measure, reason="佐证不足")
    live_measure.refresh_from_db()
    assert live_measure.state == MeasureState.IN_PROGRESS
    assert live_measure.rejection_reason == "佐证不足"
    from zhengdun.notify.models import Notification

    assert Notification.objects.filter(
        kind="selfcheck.measure.rejected", recipient=org.officer_a1
    ).exists()


def test_an_overdue_measure_turns_red(org, live_measure):
    assert live_measure.colour == "green"
    changed = actions.refresh_measures(live_measure.round, date(2026, 12, 22))
    live_measure.refresh_from_db()
    assert changed == 1
    assert (live_measure.colour, live_measure.bucket) == ("red", "overdue")
    assert LedgerTally.objects.get(unit=org.city, kind="overdue").count == 1
