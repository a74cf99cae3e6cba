"""Excel export, the printable ledger and the Excel import of a task plan."""

import io
from datetime import date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from tests.campaigns.conftest import TODAY
from zhengdun.audit.models import AuditEvent
from zhengdun.campaigns import actions, views_excel
from zhengdun.campaigns.excel import TASK_COLUMNS
from zhengdun.campaigns.models import Task, TaskState
from zhengdun.core.excel import parse_date

HEADER = ["key", "parent_key", "title", "workstream", "unit_code", "lead", "start", "due",
          "quantity_target", "measure", "weight", "state"]  # fmt: skip


def workbook(rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("plan.xlsx", buffer.getvalue())


def upload(client, campaign, rows, dry_run=False):
    data = {"file": workbook([HEADER, *rows])}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(reverse("campaigns:task_import", args=[campaign.pk]), data)


def sheet_rows(response):
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    return [[cell.value for cell in row] for row in book.worksheets[0].iter_rows()]


@pytest.fixture
def spread(org, campaign, make_task):
    """Tasks at the city, in both counties and at a station of county A."""
    return {
        "city": make_task(org.city, title="市局统筹", quantity_target=10, measure="场"),
        "a": make_task(org.county_a, title="东坡自查", lead=org.p_a1),
        "a1": make_task(org.station_a1, title="苏祠整改", due=date(2026, 11, 20)),
        "b": make_task(org.county_b, title="彭山自查"),
    }


# Export ------------------------------------------------------------------------------------


def test_export_has_every_column_and_the_office_sees_every_task(org, campaign, spread, login):
    actions.complete_task(org.office, task=spread["b"], completed_on=date(2026, 11, 10), on=TODAY)
    url = reverse("campaigns:task_export", args=[campaign.pk])
    # Without filters the list (and so its export) holds the open tasks; state= is every task.
    open_rows = sheet_rows(login(org.office).get(url))
    assert len(open_rows) == 4  # the header and three open tasks
    rows = sheet_rows(login(org.office).get(url, {"state": ""}))
    with translation.override("zh-hans"):
        assert rows[0] == [column.heading() for column in TASK_COLUMNS]
    by_title = {
        row[0]: dict(zip([c.key for c in TASK_COLUMNS], row, strict=True)) for row in rows[1:]
    }
    assert set(by_title) == {"市局统筹", "东坡自查", "苏祠整改", "彭山自查"}
    city = by_title["市局统筹"]
    assert (city["workstream"], city["unit"], city["unit_code"]) == (
        "效率革命",
        "测试市公安局",
        "CITY",
    )
    assert city["quantity"] == "0/10" and city["measure"] == "场" and city["progress"] == 0
    assert city["start"].date() == date(2026, 11, 1) and city["due"].date() == date(2026, 12, 1)
    assert city["colour"] and city["reason"]
    assert by_title["东坡自查"]["lead"] == org.p_a1.name
    done = by_title["彭山自查"]
    assert done["completed_on"].date() == date(2026, 11, 10)
    assert done["days_to_complete"] == 9
    assert done["progress"] == 100


def test_a_county_liaisons_export_holds_only_their_county(org, campaign, spread, login):
    rows = sheet_rows(
        login(org.liaison_a).get(reverse("campaigns:task_export", args=[campaign.pk]))
    )
    assert sorted(row[0] for row in rows[1:]) == sorted(["东坡自查", "苏祠整改"])


def test_export_applies_the_list_filters(org, campaign, spread, login):
    other = campaign.workstreams.get(name="本领革命")
    actions.create_task(
        org.office,
        campaign=campaign,
        workstream=other,
        unit=org.county_a,
        title="东坡练兵",
        start_date=date(2026, 11, 1),
        due_date=date(2026, 12, 1),
        on=TODAY,
    )
    client = login(org.office)
    url = reverse("campaigns:task_export", args=[campaign.pk])
    rows = sheet_rows(client.get(url, {"workstream": other.pk}))
    assert [row[0] for row in rows[1:]] == ["东坡练兵"]
    rows = sheet_rows(client.get(url, {"unit": org.county_a.pk, "q": "自查"}))
    assert [row[0] for row in rows[1:]] == ["东坡自查"]
    rows = sheet_rows(client.get(url, {"due_to": "2026-11-25"}))
    assert [row[0] for row in rows[1:]] == ["苏祠整改"]


def test_export_of_a_unit_outside_the_scope_is_not_found(org, campaign, spread, login):
    url = reverse("campaigns:task_export", args=[campaign.pk])
    assert login(org.liaison_a).get(url, {"unit": org.county_b.pk}).status_code == 404


# Ledger ------------------------------------------------------------------------------------


def test_ledger_lists_the_filtered_rows_under_a_header(org, campaign, spread, login):
    client = login(org.liaison_a)
    response = client.get(
        reverse("campaigns:task_ledger", args=[campaign.pk]), {"unit": org.station_a1.pk}
    )
    assert response.status_code == 200
    assert [row["title"] for row in response.context["rows"]] == ["苏祠整改"]
    assert not response.context["capped"]
    html = response.content.decode()
    assert campaign.name in html and org.station_a1.name in html
    assert "彭山自查" not in html and "东坡自查" not in html
    assert "data-print" in html and "<script" not in html.split("</head>")[1]


def test_ledger_is_capped_with_a_notice(org, campaign, spread, login, monkeypatch):
    monkeypatch.setattr(views_excel, "LEDGER_LIMIT", 3)
    response = login(org.office).get(reverse("campaigns:task_ledger", args=[campaign.pk]))
    assert len(response.context["rows"]) == 3
    assert response.context["capped"] and response.context["total"] == 4
    assert 'data-testid="ledger-capped"' in response.content.decode()


def test_ledger_queries_do_not_grow_with_the_tasks(
    org, campaign, make_task, login, django_assert_max_num_queries
):
    for number in range(5):
        make_task(org.station_a1, title=f"任务{number}", lead=org.p_a1)
    client = login(org.liaison_a)
    url = reverse("campaigns:task_ledger", args=[campaign.pk])
    with django_assert_max_num_queries(15) as small:
        assert len(client.get(url).context["rows"]) == 5
    for number in range(5, 50):
        make_task(org.station_a2, title=f"任务{number}", lead=org.p_a2)
    with django_assert_max_num_queries(15) as large:
        assert len(client.get(url).context["rows"]) == 50
    assert len(large.captured_queries) == len(small.captured_queries)


# Import ------------------------------------------------------------------------------------


def test_template_lists_the_import_columns(org, campaign, login):
    response = login(org.office).get(reverse("campaigns:task_template", args=[campaign.pk]))
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.worksheets[0][1]) == len(HEADER)
    notes = " ".join(str(cell.value) for row in book.worksheets[1].iter_rows() for cell in row)
    assert "效率革命" in notes and "本领革命" in notes


def test_a_plan_with_shares_is_imported_parents_first(org, campaign, login):
    before = AuditEvent.objects.filter(code="campaigns.task.imported").count()
    rows = [
        # Shares come before their parent in the file.
        ["2", "1", "东坡分解", "", "A", "", "2026-11-05", "2026-11-25", 6, "", 2, ""],
        [
            "3",
            "2",
            "苏祠落实",
            "",
            "A1",
            org.p_a1.police_number,
            "2026-11-05",
            "2026-11-20",
            4,
            "",
            "",
            "Started",
        ],
        [
            "1",
            "",
            "全市轮训",
            "效率革命",
            "CITY",
            "",
            datetime(2026, 11, 1),
            "2026/12/1",
            10,
            "场",
            "",
            "planned",
        ],
        ["4", "", "练兵比武", "本领革命", "B", "", "2026-11-01", "2026-12-31", "", "", "", ""],
    ]
    outcome = upload(login(org.office), campaign, rows).context["outcome"]
    assert outcome.errors == [] and outcome.committed and outcome.created == 4
    city = Task.objects.get(title="全市轮训")
    county = Task.objects.get(title="东坡分解")
    station = Task.objects.get(title="苏祠落实")
    assert (city.start_date, city.due_date, city.quantity_target, city.measure) == (
        date(2026, 11, 1),
        date(2026, 12, 1),
        10,
        "场",
    )
    assert county.parent == city and county.unit == org.county_a and county.weight == 2
    assert county.workstream == city.workstream
    assert station.parent == county and station.root_id == city.pk
    assert station.lead == org.p_a1 and station.state == TaskState.STARTED
    assert county.state == TaskState.STARTED  # rolled up from the started share
    assert Task.objects.get(title="练兵比武").workstream.name == "本领革命"
    imported = AuditEvent.objects.filter(code="campaigns.task.imported")
    assert imported.count() == before + 1
    assert imported.last().changes["created"] == 4


def test_one_bad_row_saves_nothing_and_every_bad_row_is_listed(org, campaign, login):
    tasks_before = Task.objects.count()
    events_before = AuditEvent.objects.count()
    rows = [
        ["1", "", "好的一行", "效率革命", "CITY", "", "2026-11-01", "2026-12-01", "", "", "", ""],
        ["2", "", "", "效率革命", "CITY", "", "2026-11-01", "2026-12-01", "", "", "", ""],
        ["3", "", "无此工作", "不存在", "CITY", "", "2026-11-01", "2026-12-01", "", "", "", ""],
        ["4", "", "无此单位", "效率革命", "NOPE", "", "2026-11-01", "2026-12-01", "", "", "", ""],
        ["5", "", "日期坏了", "效率革命", "A", "", "十一月", "2026-10-01", "x", "", 500, ""],
        ["6", "1", "超期分解", "", "A", "", "2026-11-01", "2027-01-01", "", "", "", ""],
        [
            "7",
            "",
            "状态不对",
            "效率革命",
            "A",
            "",
            "2026-11-01",
            "2026-12-01",
            "",
            "",
            "",
            "完成了",
        ],
        ["8", "", "没有工作", "", "A", "", "2026-11-01", "2026-12-01", "", "", "", ""],
        ["9", "", "警号不对", "效率革命", "A", "000", "2026-11-01", "2026-12-01", "", "", "", ""],
    ]
    response = upload(login(org.office), campaign, rows)
    outcome = response.context["outcome"]
    assert not outcome.committed
    assert sorted({error.row for error in outcome.errors}) == [3, 4, 5, 6, 7, 8, 9, 10]
    # Row 6 has a problem in each of its date, quantity and weight cells.
    assert len([error for error in outcome.errors if error.row == 6]) == 3
    assert Task.objects.count() == tasks_before
    assert AuditEvent.objects.count() == events_before
    html = response.content.decode()
    assert "NOPE" in html and 'data-testid="import-errors"' in html


def test_dry_run_checks_without_saving(org, campaign, login):
    rows = [
        ["1", "", "试一试", "效率革命", "CITY", "", "2026-11-01", "2026-12-01", 10, "场", "", ""],
        ["2", "1", "分一分", "", "A", "", "2026-11-01", "2026-12-01", 5, "", "", ""],
    ]
    events_before = AuditEvent.objects.count()
    outcome = upload(login(org.office), campaign, rows, dry_run=True).context["outcome"]
    assert outcome.errors == [] and not outcome.committed and outcome.created == 2
    assert not Task.objects.filter(title__in=["试一试", "分一分"]).exists()
    assert AuditEvent.objects.count() == events_before


def test_missing_and_looping_parent_keys_are_errors(org, campaign, login):
    rows = [
        ["1", "9", "上级不存在", "", "A", "", "2026-11-01", "2026-12-01", "", "", "", ""],
        ["2", "3", "循环甲", "", "A", "", "2026-11-01", "2026-12-01", "", "", "", ""],
        ["3", "2", "循环乙", "", "A1", "", "2026-11-01", "2026-12-01", "", "", "", ""],
        ["4", "4", "自己", "", "A", "", "2026-11-01", "2026-12-01", "", "", "", ""],
        ["5", "", "正常", "效率革命", "A", "", "2026-11-01", "2026-12-01", "", "", "", ""],
    ]
    outcome = upload(login(org.office), campaign, rows).context["outcome"]
    assert sorted(error.row for error in outcome.errors) == [2, 3, 4, 5]
    assert "9" in outcome.errors[0].message
    assert not outcome.committed
    assert not Task.objects.filter(title="正常").exists()


def test_shares_beyond_the_parents_target_are_refused(org, campaign, login):
    rows = [
        ["1", "", "总数", "效率革命", "CITY", "", "2026-11-01", "2026-12-01", 10, "场", "", ""],
        ["2", "1", "甲", "", "A", "", "2026-11-01", "2026-12-01", 6, "", "", ""],
        ["3", "1", "乙", "", "B", "", "2026-11-01", "2026-12-01", 6, "", "", ""],
    ]
    outcome = upload(login(org.office), campaign, rows).context["outcome"]
    assert [error.row for error in outcome.errors] == [4]
    assert not Task.objects.filter(title="总数").exists()


def test_a_repeated_key_is_an_error(org, campaign, login):
    rows = [
        ["1", "", "甲", "效率革命", "A", "", "2026-11-01", "2026-12-01", "", "", "", ""],
        ["1", "", "乙", "效率革命", "B", "", "2026-11-01", "2026-12-01", "", "", "", ""],
    ]
    outcome = upload(login(org.office), campaign, rows).context["outcome"]
    assert [error.row for error in outcome.errors] == [3]


def test_a_file_that_is_not_a_workbook_gets_a_clear_message(org, campaign, login):
    client = login(org.office)
    assert client.get(reverse("campaigns:task_import", args=[campaign.pk])).status_code == 200
    response = client.post(
        reverse("campaigns:task_import", args=[campaign.pk]),
        {"file": SimpleUploadedFile("plan.xlsx", b"title,due\n")},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert Task.objects.count() == 0


def test_liaisons_and_viewers_cannot_import(org, campaign, login):
    for user in (org.liaison_a, org.viewer_b, org.outsider):
        client = login(user)
        assert client.get(reverse("campaigns:task_import", args=[campaign.pk])).status_code == 404
        assert client.get(reverse("campaigns:task_template", args=[campaign.pk])).status_code == 404
        rows = [["1", "", "越权", "效率革命", "A", "", "2026-11-01", "2026-12-01", "", "", "", ""]]
        assert upload(client, campaign, rows).status_code == 404
    assert not Task.objects.filter(title="越权").exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-05", date(2026, 11, 5)),
        ("2026-11-05 00:00:00", date(2026, 11, 5)),
        ("2026/11/5", date(2026, 11, 5)),
        ("2026年11月5日", date(2026, 11, 5)),
        ("46331", date(2026, 11, 5)),
        ("2026-02-30", None),
        ("soon", None),
        ("²", None),
        ("4633²", None),
        ("２０２６年１１月５日", date(2026, 11, 5)),
    ],
)
def test_dates_are_read_from_excel_dates_serials_and_text(text, expected):
    assert parse_date(text) == expected
