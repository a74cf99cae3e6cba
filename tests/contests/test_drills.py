"""Drills: results graded by the standard, pass rates rolled up the tree on crafted data,
people not yet tested, scope of recording and reading, skills competitions, Excel import."""

import io
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from tests.contests.conftest import ON
from zhengdun.core.excel import read_rows
from zhengdun.learning.contests import actions, excel, queries
from zhengdun.learning.contests.models import Measure, Result


def test_result_is_graded_when_recorded(org, run_subject):
    result, created = actions.record_result(
        org.office, subject=run_subject, person=org.p_a1, value="780", tested_on=ON
    )
    assert created and result.passed and result.excellent
    result, created = actions.record_result(
        org.office, subject=run_subject, person=org.p_a1, value="900.5", tested_on=ON
    )
    assert not created and not result.passed and not result.excellent
    assert Result.objects.count() == 1


def test_changing_the_standard_grades_results_again(org, plan, law_subject):
    actions.record_result(
        org.office, subject=law_subject, person=org.p_a1, value="62", tested_on=ON
    )
    actions.save_subject(
        org.office,
        plan=plan,
        subject=law_subject,
        name="法律知识",
        measure=Measure.SCORE,
        direction="higher",
        pass_mark="65",
        category="law",
    )
    assert not Result.objects.get().passed


def test_bad_standard_and_bad_values_are_refused(org, plan, run_subject):
    with pytest.raises(ValidationError) as error:
        actions.save_subject(
            org.office,
            plan=plan,
            name="射击",
            measure=Measure.SCORE,
            direction="higher",
            pass_mark="60",
            excellent_mark="50",
        )
    assert "excellent_mark" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        actions.record_result(
            org.office, subject=run_subject, person=org.p_a1, value="快", tested_on=ON
        )
    assert "value" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        actions.record_result(
            org.office,
            subject=run_subject,
            person=org.p_a1,
            value="800",
            tested_on=date(2027, 3, 1),
        )
    assert "tested_on" in error.value.message_dict


def _crafted(org, run_subject, law_subject):
    record = actions.record_result
    record(org.office, subject=run_subject, person=org.p_a1, value="850", tested_on=ON)  # pass
    record(org.office, subject=run_subject, person=org.p_team, value="950", tested_on=ON)  # fail
    record(org.office, subject=run_subject, person=org.p_a2, value="780", tested_on=ON)  # excellent
    record(org.office, subject=run_subject, person=org.p_b1, value="900", tested_on=ON)  # at mark
    record(org.office, subject=law_subject, person=org.p_a1, value="59.5", tested_on=ON)  # fail
    record(org.office, subject=law_subject, person=org.p_a2, value="60", tested_on=ON)  # at mark


def test_pass_rates_by_unit_rolled_up(org, plan, run_subject, law_subject):
    _crafted(org, run_subject, law_subject)
    subjects = [run_subject, law_subject]
    rows = {row.unit.code: row for row in queries.unit_rates(plan, org.city, subjects)}
    county_a = rows["A"]
    # leader, liaison and officer personas + 苏祠, 社区, 通惠 民警: six people, two subjects.
    assert (county_a.people, county_a.expected) == (6, 12)
    assert (county_a.total.tested, county_a.total.passed, county_a.total.excellent) == (5, 3, 1)
    assert county_a.total.pass_rate == 60.0
    assert county_a.untested == 7
    assert county_a.by_subject[run_subject.pk].passed == 2
    assert county_a.by_subject[law_subject.pk].pass_rate == 50.0
    assert (rows["B"].total.tested, rows["B"].total.pass_rate) == (1, 100.0)
    assert rows["DEPT"].total.tested == 0 and rows["DEPT"].total.pass_rate is None
    # One level down: station A1 counts its team.
    below = {row.unit.code: row for row in queries.unit_rates(plan, org.county_a, subjects)}
    assert (below["A1"].total.tested, below["A1"].total.passed) == (3, 1)
    assert below["A"].own and below["A"].people == 2  # the county's own leader and liaison


def test_untested_people_listed_in_scope(org, plan, run_subject, law_subject):
    _crafted(org, run_subject, law_subject)
    names = {p.name for p in queries.untested_people(org.liaison_a, plan, law_subject)}
    assert names == {"leader_a警官", "liaison_a警官", "officer_a1警官", "社区民警"}


def test_liaison_records_own_county_only(org, run_subject):
    actions.record_result(
        org.liaison_a, subject=run_subject, person=org.p_a2, value="800", tested_on=ON
    )
    with pytest.raises(PermissionDenied):
        actions.record_result(
            org.liaison_a, subject=run_subject, person=org.p_b1, value="800", tested_on=ON
        )
    with pytest.raises(PermissionDenied):
        actions.record_result(
            org.officer_a1, subject=run_subject, person=org.p_a1, value="800", tested_on=ON
        )


def test_liaison_never_sees_another_countys_results(org, plan, run_subject, law_subject):
    _crafted(org, run_subject, law_subject)
    seen = {r.person.name for r in queries.result_list(org.liaison_a, plan)}
    assert "凤鸣民警" not in seen and "苏祠民警" in seen
    assert {r.person.name for r in queries.result_list(org.viewer_b, plan)} == {"凤鸣民警"}
    rates = queries.subject_rates(org.liaison_a, plan)
    assert rates[run_subject.pk].tested == 3


# Skills competitions ----------------------------------------------------------------------


def test_competition_and_unit_ranking_with_ties(org, plan):
    shoot = actions.create_competition(
        org.office, plan=plan, name="手枪速射", held_on=ON, points="7,5,3,2,1"
    )
    entries = [
        (org.county_a, org.p_a1, "92"),
        (org.county_a, org.p_a2, "88"),
        (org.county_b, org.p_b1, "92"),
        (org.dept, org.p_dept, "70"),
    ]
    for unit, person, value in entries:
        actions.add_competition_entry(
            org.office, competition=shoot, unit=unit, person=person, value=value
        )
    ranked = queries.competition_ranking(shoot)
    assert [(r.place, r.item.name, r.points) for r in ranked] == [
        (1, "苏祠民警", D(6)),
        (1, "凤鸣民警", D(6)),
        (3, "通惠民警", D(3)),
        (4, "部门民警", D(2)),
    ]
    run = actions.create_competition(
        org.office,
        plan=plan,
        name="障碍跑",
        held_on=ON,
        points=[4, 2],
        measure="seconds",
        direction="lower",
    )
    actions.add_competition_entry(
        org.office, competition=run, unit=org.county_b, person=org.p_b1, value="61.2"
    )
    actions.add_competition_entry(
        org.office, competition=run, unit=org.station_a1, person=org.p_a1, value="59.8"
    )
    units = queries.unit_ranking(plan)
    # County A: 6 + 3 + 4 = 13; county B: 6 + 2 = 8; department: 2.
    assert [(s.place, s.unit.code, s.points) for s in units] == [
        (1, "A", D(13)),
        (2, "B", D(8)),
        (3, "DEPT", D(2)),
    ]


def test_equal_unit_totals_share_a_place(org, plan):
    duel = actions.create_competition(
        org.office, plan=plan, name="擒敌", held_on=ON, points=[5, 3], kind="team"
    )
    actions.add_competition_entry(
        org.office, competition=duel, unit=org.county_a, name="东坡队", value="8"
    )
    actions.add_competition_entry(
        org.office, competition=duel, unit=org.county_b, name="彭山队", value="8"
    )
    units = queries.unit_ranking(plan)
    # The department did not enter: it is not ranked.
    assert [(s.place, s.unit.code, s.points) for s in units] == [(1, "A", D(4)), (1, "B", D(4))]


# Excel import -------------------------------------------------------------------------------


def _upload(rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("results.xlsx", buffer.getvalue())


def test_import_all_or_nothing_with_row_messages(org, plan, run_subject, law_subject):
    header = ["警号", "姓名", "测试日期", "3000米跑", "法律知识"]
    rows = [
        header,
        [org.p_a1.police_number, "苏祠民警", "2026-11-20", 850, 75],
        [org.p_b1.police_number, "凤鸣民警", "2026-11-20", 800, 80],  # another county
        [org.p_a2.police_number, "通惠民警", "2026-11-20", "快", 75],  # not a number
    ]
    upload = _upload(rows)
    outcome = excel.import_results(
        org.liaison_a, plan, list(read_rows(upload, excel.columns(plan)))
    )
    assert not outcome.committed
    assert [(e.row, e.column) for e in outcome.errors] == [(3, "警号"), (4, "3000米跑")]
    assert Result.objects.count() == 0


def test_import_commits_when_every_row_is_good(org, plan, run_subject, law_subject):
    rows = [
        ["police_number", f"s{run_subject.pk}", f"s{law_subject.pk}", "tested_on"],
        [org.p_a1.police_number, 850, 75, "2026-11-20"],
        [org.p_a2.police_number, 990, "", "2026-11-21"],
    ]
    outcome = excel.import_results(
        org.liaison_a, plan, list(read_rows(_upload(rows), excel.columns(plan)))
    )
    assert outcome.committed and outcome.created == 2
    assert Result.objects.filter(passed=False).count() == 1
    assert Result.objects.count() == 3


def test_template_lists_the_recordable_people(org, plan, run_subject):
    actions.record_result(
        org.office, subject=run_subject, person=org.p_a1, value="850", tested_on=ON
    )
    rows = list(excel.template_rows(org.liaison_a, plan))
    assert {r["name"] for r in rows} >= {"苏祠民警", "通惠民警"}
    assert "凤鸣民警" not in {r["name"] for r in rows}
    assert next(r for r in rows if r["name"] == "苏祠民警")[f"s{run_subject.pk}"] == "850"
