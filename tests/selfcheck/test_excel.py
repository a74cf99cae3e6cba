"""Excel export of the rectification ledger and Excel import of a self-inspection report."""

import io
from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from tests.selfcheck.conftest import OPENED
from zhengdun.audit.models import AuditEvent
from zhengdun.selfcheck import actions
from zhengdun.selfcheck.excel import IMPORT_COLUMNS, LEDGER_COLUMNS, import_report, parse_found
from zhengdun.selfcheck.models import Measure, ReportState

KEYS = [column.key for column in LEDGER_COLUMNS]
HEADER = [column.key for column in IMPORT_COLUMNS]
DEADLINE = date(2026, 12, 20)


def finding(item, description, measures, cause="原因分析"):
    return {
        "item": item,
        "found": True,
        "description": description,
        "cause": cause,
        "measures": measures,
    }


def file_report(actor, report, answers):
    actions.save_report(actor, report=report, version=report.version, answers=answers, on=OPENED)
    actions.submit_report(actor, report=report, on=OPENED)


@pytest.fixture
def ledger(org, item, unit_report, person_report):
    """Submitted reports: station A1 (two findings, three measures), station B1 (one), and
    officer A1's personal report (one finding only they and their leaders may read)."""
    file_report(
        org.liaison_a,
        unit_report(org.station_a1),
        [
            finding(
                item("1.1"),
                "苏祠学习流于形式",
                [
                    {"text": "建立学习台账", "owner": org.p_a1, "deadline": DEADLINE},
                    {"text": '=HYPERLINK("http://x")', "owner": None, "deadline": None},
                ],
            ),
            finding(
                item("2.1"),
                "苏祠管理缺位",
                [{"text": "落实谈心谈话", "owner": org.p_team, "deadline": date(2026, 11, 25)}],
            ),
        ],
    )
    file_report(
        org.admin,
        unit_report(org.station_b1),
        [finding(item("2.2"), "凤鸣纪律松弛", [{"text": "严肃考勤", "deadline": DEADLINE}])],
    )
    file_report(
        org.officer_a1,
        person_report(org.officer_a1),
        [
            finding(
                item("1.1"),
                "个人理论学习不深",
                [{"text": "每周自学两次", "deadline": DEADLINE}],
                cause="个人原因",
            )
        ],
    )


def export(client, **params):
    response = client.get(reverse("selfcheck:ledger_export"), params)
    assert response.status_code == 200, response.status_code
    return load_workbook(io.BytesIO(response.content)).worksheets[0]


def body(sheet) -> list[dict]:
    return [
        dict(zip(KEYS, row, strict=True)) for row in sheet.iter_rows(min_row=3, values_only=True)
    ]


# Export ------------------------------------------------------------------------------------


def test_export_is_the_paper_ledger_with_a_title_row(org, round_, ledger, login):
    sheet = export(login(org.office), round=round_.pk)
    title = sheet["A1"].value
    assert round_.name in title and org.city.name in title
    assert actions.today().isoformat() in title
    assert [str(r) for r in sheet.merged_cells.ranges] == [f"A1:{chr(64 + len(KEYS))}1"]
    with translation.override("zh-hans"):
        assert [cell.value for cell in sheet[2]] == [column.heading() for column in LEDGER_COLUMNS]
    assert sheet.freeze_panes == "A3"
    assert sheet.column_dimensions["G"].width == 36
    assert sheet["G3"].alignment.wrap_text
    rows = body(sheet)
    assert [row["no"] for row in rows] == [1, 2, 3, 4, 5]
    by_measure = {row["measure"]: row for row in rows}
    first = by_measure["建立学习台账"]
    assert first["unit"] == org.station_a1.name
    assert first["dimension"] == "党建统领" and first["item"] == "1.1 思想政治不纯"
    assert first["finding"] == "苏祠学习流于形式" and first["cause"] == "原因分析"
    assert first["owner"] == org.p_a1.name
    assert first["deadline"].date() == DEADLINE
    assert first["progress"] == 0 and first["colour"] and first["reason"]
    # No deadline: no colour, and the reason says why.
    assert by_measure['=HYPERLINK("http://x")']["colour"] is None


def test_text_that_looks_like_a_formula_stays_text(org, round_, ledger, login):
    round_.name = "=cmd|' /C calc'!A0"
    round_.save()
    sheet = export(login(org.office), round=round_.pk)
    assert sheet["A1"].data_type == "s"
    cells = [row for row in sheet.iter_rows(min_row=3) if row[6].value.startswith("=")]
    assert len(cells) == 1 and cells[0][6].data_type == "s"


def test_verification_shows_who_verified_or_why_it_was_rejected(org, round_, ledger, login):
    measures = {m.text: m for m in Measure.objects.filter(round=round_)}
    for text in ("建立学习台账", "落实谈心谈话"):
        actions.complete_measure(org.liaison_a, measure=measures[text], note="已完成", on=OPENED)
    actions.verify_measure(org.office, measure=measures["建立学习台账"], on=date(2026, 11, 10))
    actions.reject_measure(org.office, measure=measures["落实谈心谈话"], reason="证据不足")
    rows = {row["measure"]: row for row in body(export(login(org.office), round=round_.pk))}
    verified = rows["建立学习台账"]
    assert "2026-11-10" in verified["verification"] and "office警官" in verified["verification"]
    assert verified["completed_on"].date() == OPENED
    assert "证据不足" in rows["落实谈心谈话"]["verification"]
    assert rows["严肃考勤"]["verification"] is None


def test_a_county_liaisons_export_holds_only_their_county(org, round_, ledger, login):
    sheet = export(login(org.liaison_a), round=round_.pk)
    assert org.county_a.name in sheet["A1"].value
    rows = body(sheet)
    assert len(rows) == 4
    assert {row["unit"] for row in rows} == {org.station_a1.name}
    assert "严肃考勤" not in {row["measure"] for row in rows}


def test_a_personal_finding_is_blank_for_whoever_may_not_read_the_report(
    org, round_, ledger, login
):
    def personal(user):
        rows = body(export(login(user), round=round_.pk))
        return next(row for row in rows if row["measure"] == "每周自学两次")

    # The liaison and the office see the measure in the ledger, not the officer's finding.
    for user in (org.liaison_a, org.office):
        row = personal(user)
        assert row["finding"] is None and row["cause"] is None
        assert row["owner"] == "officer_a1警官"
    # The leader above the officer may read it.
    row = personal(org.leader_a)
    assert row["finding"] == "个人理论学习不深" and row["cause"] == "个人原因"


def test_export_applies_the_ledger_filters(org, round_, ledger, item, login):
    client = login(org.office)
    rows = body(export(client, round=round_.pk, item=item("2.2").pk))
    assert [row["measure"] for row in rows] == ["严肃考勤"]
    sheet = export(client, round=round_.pk, unit=org.station_b1.pk)
    assert org.station_b1.name in sheet["A1"].value
    assert [row["measure"] for row in body(sheet)] == ["严肃考勤"]
    rows = body(export(client, round=round_.pk, q="谈心"))
    assert [row["measure"] for row in rows] == ["落实谈心谈话"]


def test_export_of_a_unit_outside_the_scope_is_not_found(org, round_, ledger, login):
    url = reverse("selfcheck:ledger_export")
    client = login(org.liaison_a)
    assert client.get(url, {"round": round_.pk, "unit": org.county_b.pk}).status_code == 404
    # Without selfcheck.view (an officer) there is no ledger to export.
    assert login(org.officer_a1).get(url, {"round": round_.pk}).status_code == 404


def test_the_ledger_page_links_to_the_export_with_its_filters(org, round_, ledger, item, login):
    response = login(org.office).get(
        reverse("selfcheck:ledger"), {"round": round_.pk, "item": item("2.2").pk, "page": 1}
    )
    html = response.content.decode()
    start = html.index('data-testid="ledger-export"')
    link = html[html.rindex("<a", 0, start) : start]
    assert reverse("selfcheck:ledger_export") in link
    assert f"round={round_.pk}" in link and f"item={item('2.2').pk}" in link
    assert "page=" not in link


def test_export_queries_do_not_grow_with_the_measures(
    org, round_, ledger, item, unit_report, login
):
    client = login(org.leader_a)

    def count():
        with CaptureQueriesContext(connection) as queries:
            export(client, round=round_.pk)
        return len(queries.captured_queries)

    small = count()
    file_report(
        org.liaison_a,
        unit_report(org.station_a2),
        [
            finding(
                item("1.2"),
                "通惠作风问题",
                [{"text": f"措施{n}", "owner": org.p_a2, "deadline": DEADLINE} for n in range(20)],
            )
        ],
    )
    assert count() == small


# Import ------------------------------------------------------------------------------------


def workbook(rows, header=HEADER):
    book = Workbook()
    sheet = book.active
    for row in [header, *rows]:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("report.xlsx", buffer.getvalue())


def upload(client, report, rows=None, *, file=None, version=None, **flags):
    data = {
        "file": file or workbook(rows),
        "version": report.version if version is None else version,
    }
    data.update({name: "on" for name, value in flags.items() if value})
    return client.post(reverse("selfcheck:report_import", args=[report.pk]), data)


GOOD = [
    ["1.1", "是", "学习流于形式", "重业务轻学习", "建立学习台账", "", "2026-12-20"],
    ["1.1", "", "", "", "每月专题学习", "", "2026/12/31"],
    ["2.1", "否", "", "", "", "", ""],
]


def test_one_bad_row_writes_nothing_and_every_bad_row_is_listed(org, unit_report, login):
    report = unit_report(org.station_a1)
    events = AuditEvent.objects.count()
    rows = [
        ["1.1", "是", "学习流于形式", "", "建立学习台账", org.p_a1.police_number, "2026-12-20"],
        ["9.9", "是", "无此问题", "", "", "", ""],  # 3: unknown item
        ["2.3", "是", "个人问题", "", "", "", ""],  # 4: a personal item in a unit report
        ["1.2", "是", "", "", "", "", ""],  # 5: found without what
        ["2.2", "否", "", "", "无的放矢", "", ""],  # 6: a measure without a finding
        ["1.1", "", "", "", "措施二", "000000", ""],  # 7: unknown police number
        ["1.1", "", "", "", "措施三", org.p_b1.police_number, ""],  # 8: outside the bureau
        ["1.1", "", "", "", "措施四", "", "2026-13-40"],  # 9: not a date
        ["1.1", "", "", "", "措施五", "", "2026-10-01"],  # 10: before the round opened
        ["2.1", "也许", "", "", "", "", ""],  # 11: found is neither yes nor no
        ["1.1", "", "另一种说法", "", "措施六", "", ""],  # 12: a second, different finding
        ["", "是", "没有编号", "", "", "", ""],  # 13: no item code
    ]
    response = upload(login(org.liaison_a), report, rows)
    assert response.status_code == 200
    result = response.context["result"]
    assert not result.committed
    by_row = {}
    for error in result.errors:
        by_row.setdefault(error.row, []).append(error.column)
    assert sorted(by_row) == list(range(3, 14))
    labels = {column.key: str(column.label) for column in IMPORT_COLUMNS}
    assert by_row[3] == by_row[4] == [labels["item"]]
    assert by_row[5] == [labels["description"]]
    assert by_row[6] == [labels["measure"]]
    assert by_row[7] == by_row[8] == [labels["owner"]]
    assert by_row[9] == by_row[10] == [labels["deadline"]]
    assert by_row[11] == [labels["found"]]
    assert by_row[12] == [labels["description"]]
    assert by_row[13] == [labels["item"]]
    assert not report.answers.exists() and not Measure.objects.filter(answer__report=report)
    assert AuditEvent.objects.count() == events
    report.refresh_from_db()
    assert report.version == 1
    html = response.content.decode()
    assert 'data-testid="import-errors"' in html and "9.9" in html


def test_a_valid_file_is_saved_through_save_report_and_audited(org, unit_report, item, login):
    report = unit_report(org.station_a1)
    rows = [[*GOOD[0][:5], org.p_a1.police_number, GOOD[0][6]], *GOOD[1:]]
    response = upload(login(org.liaison_a), report, rows)
    assert response.status_code == 302
    assert response.url == reverse("selfcheck:report_detail", args=[report.pk])
    answer = report.answers.get()
    assert (answer.item, answer.found, answer.description, answer.cause) == (
        item("1.1"),
        True,
        "学习流于形式",
        "重业务轻学习",
    )
    measures = list(answer.measures.order_by("pk"))
    assert [(m.text, m.owner, m.deadline) for m in measures] == [
        ("建立学习台账", org.p_a1, date(2026, 12, 20)),
        ("每月专题学习", None, date(2026, 12, 31)),
    ]
    assert not any(m.live for m in measures)
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT and report.version == 2
    event = AuditEvent.objects.get(code="selfcheck.report.imported")
    assert event.object_id == str(report.pk) and event.actor_id == org.liaison_a.pk
    assert event.changes == {"rows": 3, "findings": 1, "measures": 2}
    assert AuditEvent.objects.filter(code="selfcheck.report.saved").count() == 1


def test_dry_run_checks_without_saving(org, unit_report, login):
    report = unit_report(org.station_a1)
    events = AuditEvent.objects.count()
    response = upload(login(org.liaison_a), report, GOOD, dry_run=True)
    assert response.status_code == 200
    result = response.context["result"]
    assert not result.errors and not result.committed
    assert (result.findings, result.measures) == (1, 2)
    assert not report.answers.exists()
    assert AuditEvent.objects.count() == events
    report.refresh_from_db()
    assert report.version == 1
    assert 'data-testid="import-outcome"' in response.content.decode()


def test_submit_after_import_locks_the_report_and_fills_the_ledger(org, unit_report, login):
    report = unit_report(org.station_a1)
    response = upload(login(org.liaison_a), report, GOOD, submit=True)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED and report.findings == 1
    assert Measure.objects.filter(answer__report=report, live=True).count() == 2


def test_a_dry_run_tells_whether_the_report_could_be_submitted(org, unit_report, login):
    report = unit_report(org.station_a1)
    result = upload(login(org.liaison_a), report, GOOD, dry_run=True, submit=True).context["result"]
    assert result.submitted and not result.committed
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT and not report.answers.exists()


def test_an_import_the_rules_refuse_to_submit_stays_a_draft(org, unit_report, login):
    # County A's leader has not submitted their personal report: the unit cannot submit yet.
    report = unit_report(org.county_a)
    client = login(org.liaison_a)
    response = upload(client, report, GOOD, submit=True)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT and report.answers.count() == 1
    page = client.get(response.url).content.decode()
    assert "leader_a警官" in page


def test_items_left_out_of_the_file_keep_their_answers(org, unit_report, item, login):
    report = unit_report(org.station_a1)
    actions.save_report(
        org.liaison_a,
        report=report,
        version=report.version,
        answers=[finding(item("2.2"), "原有问题", [{"text": "原有措施", "deadline": DEADLINE}])],
    )
    report.refresh_from_db()
    assert upload(login(org.liaison_a), report, GOOD).status_code == 302
    answers = {a.item.code: a for a in report.answers.select_related("item")}
    assert set(answers) == {"1.1", "2.2"}
    assert [m.text for m in answers["2.2"].measures.all()] == ["原有措施"]


def test_a_report_saved_meanwhile_is_not_overwritten(org, unit_report, item, login):
    report = unit_report(org.station_a1)
    stale = report.version
    actions.save_report(
        org.leader_a,
        report=report,
        version=report.version,
        answers=[finding(item("2.2"), "别人刚保存", [])],
    )
    report.refresh_from_db()
    response = upload(login(org.liaison_a), report, GOOD, version=stale)
    result = response.context["result"]
    assert not result.committed and [error.row for error in result.errors] == [0]
    assert [a.description for a in report.answers.all()] == ["别人刚保存"]


def test_a_personal_report_is_imported_by_its_person(org, person_report, item, login):
    report = person_report(org.officer_a1)
    own = org.officer_a1.person.police_number
    client = login(org.officer_a1)
    rows = [
        ["2.1", "是", "单位事项", "", "", "", ""],  # a unit-only item
        ["1.1", "是", "理论学习不深", "", "自学", org.p_a1.police_number, "2026-12-20"],
    ]
    errors = upload(client, report, rows).context["result"].errors
    assert [error.row for error in errors] == [2, 3]
    rows = [["1.1", "1", "理论学习不深", "", "自学", own, "2026-12-20"], GOOD[1]]
    assert upload(client, report, rows).status_code == 302
    measures = Measure.objects.filter(answer__report=report).order_by("pk")
    assert [(m.text, m.owner) for m in measures] == [
        ("自学", org.officer_a1.person),
        ("每月专题学习", org.officer_a1.person),
    ]


def test_an_officer_cannot_import_a_unit_report(org, unit_report, login):
    client = login(org.officer_a1)
    # Their own unit's report they may read (to comment on it), not write: 403.
    own = unit_report(org.station_a1)
    # Another county's report they may not even see: 404.
    other = unit_report(org.station_b1)
    for report, status in ((own, 403), (other, 404)):
        for name in ("report_import", "report_template"):
            url = reverse(f"selfcheck:{name}", args=[report.pk])
            assert client.get(url).status_code == status
        assert upload(client, report, GOOD).status_code == status
        assert not report.answers.exists()


def test_a_leader_reads_but_does_not_import_a_personal_report(org, person_report, login):
    report = person_report(org.officer_a1)
    assert upload(login(org.leader_a), report, GOOD).status_code == 403
    # The liaison may not even see it.
    assert upload(login(org.liaison_a), report, GOOD).status_code == 404
    assert not report.answers.exists()


def test_a_submitted_report_refuses_import(org, unit_report, login):
    report = unit_report(org.station_a1)
    actions.submit_report(org.liaison_a, report=report, on=OPENED)
    client = login(org.liaison_a)
    url = reverse("selfcheck:report_import", args=[report.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == reverse("selfcheck:report_detail", args=[report.pk])
    report.refresh_from_db()
    assert upload(client, report, GOOD).status_code == 302
    assert not report.answers.exists()
    with pytest.raises(ValidationError):
        import_report(org.liaison_a, report=report, version=report.version, rows=[])
    detail = client.get(reverse("selfcheck:report_detail", args=[report.pk])).content.decode()
    assert url not in detail


def test_the_report_page_offers_the_import_to_its_editors(org, unit_report, login):
    report = unit_report(org.station_a1)
    url = reverse("selfcheck:report_import", args=[report.pk])
    detail = reverse("selfcheck:report_detail", args=[report.pk])
    assert url in login(org.liaison_a).get(detail).content.decode()
    assert url not in login(org.office).get(detail).content.decode()


def test_a_file_that_is_not_a_workbook_gets_a_clear_message(org, unit_report, login):
    report = unit_report(org.station_a1)
    response = upload(
        login(org.liaison_a), report, file=SimpleUploadedFile("report.xlsx", b"not a zip")
    )
    assert response.status_code == 200 and response.context["form"].errors["file"]


def test_round_trip_through_the_template(org, unit_report, item, login):
    report = unit_report(org.station_a1)
    actions.save_report(
        org.liaison_a,
        report=report,
        version=report.version,
        answers=[
            finding(
                item("1.2"),
                "作风漂浮",
                [{"text": "改进作风", "owner": org.p_team, "deadline": DEADLINE}],
            )
        ],
    )
    report.refresh_from_db()
    client = login(org.liaison_a)
    response = client.get(reverse("selfcheck:report_template", args=[report.pk]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(min_row=2))
    # Every item a unit is asked about, the saved finding filled in.
    assert [row[0].value for row in rows] == ["1.1", "1.2", "2.1", "2.2"]
    assert rows[1][3].value == "作风漂浮" and rows[1][5].value == "改进作风"
    assert rows[1][6].value == org.p_team.police_number
    assert rows[1][7].value.date() == DEADLINE
    assert book.worksheets[1].max_row == 1 + 8  # the instructions: a line per column
    # Fill in 1.1 with two measures; leave 1.2 as saved.
    first = rows[0]
    first[2].value = "是"
    first[3].value = "学习流于形式"
    first[5].value = "建立学习台账"
    first[6].value = org.p_a1.police_number
    first[7].value = datetime(2026, 12, 1)
    sheet.append(["1.1", None, None, None, None, "每月专题学习", None, date(2026, 12, 15)])
    buffer = io.BytesIO()
    book.save(buffer)
    response = upload(client, report, file=SimpleUploadedFile("filled.xlsx", buffer.getvalue()))
    assert response.status_code == 302, response.context["result"].errors
    answers = {
        a.item.code: a for a in report.answers.select_related("item").prefetch_related("measures")
    }
    assert set(answers) == {"1.1", "1.2"}
    assert answers["1.1"].description == "学习流于形式"
    assert [(m.text, m.owner, m.deadline) for m in answers["1.1"].measures.order_by("pk")] == [
        ("建立学习台账", org.p_a1, date(2026, 12, 1)),
        ("每月专题学习", None, date(2026, 12, 15)),
    ]
    assert [(m.text, m.owner) for m in answers["1.2"].measures.all()] == [("改进作风", org.p_team)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("是", True), ("否", False), ("yes", True), ("No", False), ("1", True), ("0", False),
     ("", False), ("也许", None)],
)  # fmt: skip
def test_found_is_read_in_either_language_or_as_a_number(text, expected):
    assert parse_found(text) is expected
