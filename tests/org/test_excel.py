import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from zhengdun.audit.models import AuditEvent
from zhengdun.org.models import Person, Unit


def workbook(rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("import.xlsx", buffer.getvalue())


def upload(client, kind, rows, dry_run=False):
    data = {"kind": kind, "file": workbook(rows)}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(reverse("org:import"), data)


def test_template_has_the_columns_and_instructions(org, login):
    response = login(org.office).get(reverse("org:import_template", args=["people"]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    header = [cell.value for cell in book.worksheets[0][1]]
    assert header[0].rstrip("*") == "Police number" or "警号" in header[0]
    assert len(book.worksheets) == 2


def test_valid_units_file_is_imported_in_any_row_order(org, login):
    client = login(org.office)
    rows = [
        ["code", "name", "kind", "parent_code", "sector"],
        ["A3-T", "巡逻中队", "team", "A3", ""],  # its parent comes later in the file
        ["A3", "太和派出所", "station", "A", ""],
        ["DEPT", "政治部（新）", "department", "CITY", "decision"],  # an update
    ]
    response = upload(client, "units", rows)
    outcome = response.context["outcome"]
    assert outcome.errors == []
    assert outcome.committed
    assert (outcome.created, outcome.updated) == (2, 1)
    team = Unit.objects.get(code="A3-T")
    assert team.parent.code == "A3"
    assert team.path.startswith(org.county_a.path)
    assert Unit.objects.get(code="DEPT").name == "政治部（新）"
    assert AuditEvent.objects.filter(code="org.import.committed").count() == 1


def test_headers_and_choices_in_chinese_are_understood(org, login):
    client = login(org.office)
    rows = [
        ["代码*", "名称*", "类别*", "上级单位代码"],
        ["A4", "象耳派出所", "派出所", "A"],
    ]
    response = upload(client, "units", rows)
    assert response.context["outcome"].committed, response.context["outcome"].errors
    assert Unit.objects.get(code="A4").kind == "station"


def test_one_bad_row_saves_nothing_and_every_problem_is_listed(org, login):
    client = login(org.office)
    units_before = Unit.objects.count()
    events_before = AuditEvent.objects.count()
    rows = [
        ["code", "name", "kind", "parent_code"],
        ["A5", "好的一行", "station", "A"],
        ["A6", "", "station", "A"],  # no name
        ["A7", "坏类型", "planet", "A"],  # unknown kind
        ["A8", "上级不存在", "station", "NOPE"],
        ["A9", "上级看不到", "station", "B"],  # exists, but outside the importer's scope? no
        ["A1", "改名", "station", "A"],
    ]
    response = upload(client, "units", rows)
    outcome = response.context["outcome"]
    rows_with_errors = sorted({error.row for error in outcome.errors})
    assert rows_with_errors == [3, 4, 5]
    assert not outcome.committed
    assert Unit.objects.count() == units_before
    assert not Unit.objects.filter(code="A5").exists()
    assert Unit.objects.get(code="A1").name == "苏祠派出所"
    assert AuditEvent.objects.count() == events_before
    html = response.content.decode()
    assert "NOPE" in html


def test_a_county_importer_cannot_reach_outside_their_subtree(org, login):
    from tests.factories import GrantFactory

    GrantFactory(user=org.liaison_a, role="office", unit=org.county_a)
    client = login(org.liaison_a)
    rows = [
        ["code", "name", "kind", "parent_code"],
        ["B7", "越权", "station", "B"],
    ]
    outcome = upload(client, "units", rows).context["outcome"]
    assert [error.row for error in outcome.errors] == [2]
    assert not Unit.objects.filter(code="B7").exists()


def test_people_import_creates_updates_and_rejects_duplicates(org, login):
    client = login(org.office)
    rows = [
        ["police_number", "name", "unit_code", "position", "status"],
        ["700001", "赵一", "A1", "民警", ""],
        [org.p_a2.police_number, org.p_a2.name, "A1", "副所长", "退居二线"],
        ["700001", "赵一重复", "A1", "", ""],
    ]
    outcome = upload(client, "people", rows).context["outcome"]
    assert [error.row for error in outcome.errors] == [4]
    assert not Person.objects.filter(police_number="700001").exists()
    outcome = upload(client, "people", rows[:3]).context["outcome"]
    assert outcome.committed, outcome.errors
    moved = Person.objects.get(pk=org.p_a2.pk)
    assert moved.unit_id == org.station_a1.pk
    assert moved.status == "retired_from_post"
    assert moved.position == "副所长"


def test_dry_run_checks_without_saving(org, login):
    client = login(org.office)
    rows = [["code", "name", "kind", "parent_code"], ["A5", "试试", "station", "A"]]
    outcome = upload(client, "units", rows, dry_run=True).context["outcome"]
    assert outcome.errors == [] and not outcome.committed and outcome.created == 1
    assert not Unit.objects.filter(code="A5").exists()


def test_a_file_that_is_not_a_workbook_gets_a_clear_message(org, login):
    client = login(org.office)
    response = client.post(
        reverse("org:import"),
        {"kind": "units", "file": SimpleUploadedFile("x.xlsx", b"name,code\n")},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    response = upload(client, "units", [["name only"], ["x"]])
    assert response.context["form"].errors["file"]


def test_export_round_trips_through_import(org, login):
    client = login(org.office)
    response = client.get(reverse("org:export", args=["units"]))
    book = load_workbook(io.BytesIO(response.content))
    rows = [[cell.value for cell in row] for row in book.worksheets[0].iter_rows()]
    assert len(rows) == Unit.objects.count() + 1
    outcome = upload(client, "units", rows).context["outcome"]
    assert outcome.committed, outcome.errors
    assert outcome.unchanged == Unit.objects.count()


def test_export_is_scoped_and_neutralises_formulas(org, login):
    from zhengdun.org import actions

    actions.update_person(
        org.office, person=org.p_a1, version=org.p_a1.version, position="=HYPERLINK(1)"
    )
    response = login(org.leader_a).get(reverse("org:export", args=["people"]))
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    numbers = {row[0].value for row in sheet.iter_rows(min_row=2)}
    assert org.p_b1.police_number not in numbers
    assert org.p_a1.police_number in numbers
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    formula = next(cell for cell in cells if cell.value == "=HYPERLINK(1)")
    assert formula.data_type == "s"


def test_a_code_repeated_in_the_file_is_an_error(org, login):
    rows = [
        ["code", "name", "kind", "parent_code"],
        ["A5", "第一次", "station", "A"],
        ["A5", "第二次", "station", "A"],
    ]
    outcome = upload(login(org.office), "units", rows).context["outcome"]
    assert [(error.row, error.message) for error in outcome.errors] == [(3, "该值与第 2 行重复。")]
    assert not Unit.objects.filter(code="A5").exists()
