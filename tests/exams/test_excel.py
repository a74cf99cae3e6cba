"""Excel export and the all-or-nothing import of questions."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from zhengdun.learning.exams.models import Question

# Column keys are accepted as headers in every language (labels depend on the translation).
HEADER = ["kind", "text", "option_a", "option_b", "option_c", "answer", "explanation", "chapter"]
HEADER += ["difficulty"]


def workbook(rows) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("bank.xlsx", buffer.getvalue())


GOOD = [
    ["single", "导入单选", "甲", "乙", "丙", "B", "", "第一章", "易"],
    ["multiple", "导入多选", "甲", "乙", "丙", "AC", "", "第一章", "中"],
    ["true_false", "导入判断", "", "", "", "错", "", "第二章", ""],
    ["fill", "导入填空", "", "", "", "二十四 | 24", "", "第二章", "难"],
]


def post(client, org, rows, dry_run=False):
    data = {"unit": org.city.pk, "file": workbook(rows)}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(reverse("exams:question_import"), data)


def test_import_creates_every_type_with_tags(org, login):
    response = post(login(org.office), org, GOOD)
    assert response.status_code == 302
    assert Question.objects.get(text="导入单选").answer == [1]
    assert Question.objects.get(text="导入多选").answer == [0, 2]
    assert Question.objects.get(text="导入判断").answer == [False]
    fill = Question.objects.get(text="导入填空")
    assert fill.answer == ["二十四", "24"]
    assert {(t.kind, t.name) for t in fill.tags.all()} == {
        ("chapter", "第二章"),
        ("difficulty", "难"),
    }


def test_one_bad_row_writes_nothing_and_each_problem_is_listed(org, login):
    rows = [
        *GOOD,
        ["single", "答案越界", "甲", "乙", "", "D", "", "", ""],
        ["true_false", "无法判断", "", "", "", "也许", "", "", ""],
        ["问答题", "未知题型", "", "", "", "x", "", "", ""],
        ["single", "导入单选", "甲", "乙", "", "A", "", "", ""],
    ]
    response = post(login(org.office), org, rows)
    assert response.status_code == 200
    assert not Question.objects.exists()
    page = response.content.decode()
    errors = response.context["outcome"].errors
    assert {e.row for e in errors} == {6, 7, 8, 9}
    assert "nothing was written" in page or "未写入" in page or "没有写入" in page or "4" in page


def test_dry_run_checks_without_writing(org, login):
    response = post(login(org.office), org, GOOD, dry_run=True)
    assert response.status_code == 200 and response.context["outcome"].created == 4
    assert not Question.objects.exists()


def test_a_question_already_in_the_bank_is_refused(org, login):
    client = login(org.office)
    post(client, org, GOOD)
    response = post(client, org, GOOD[:1])
    assert response.status_code == 200
    assert Question.objects.filter(text="导入单选").count() == 1


def _contents():
    return sorted(
        (q.kind, q.text, q.options, q.answer, sorted(t.name for t in q.tags.all()))
        for q in Question.objects.prefetch_related("tags")
    )


def test_export_round_trips_through_import(env, login):
    client = login(env.org.office)
    response = client.get(reverse("exams:question_export"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) == len(env.bank) + 1
    before = _contents()
    Question.objects.all().delete()
    upload = SimpleUploadedFile("again.xlsx", response.content)
    again = client.post(reverse("exams:question_import"), {"unit": env.org.city.pk, "file": upload})
    assert again.status_code == 302
    assert Question.objects.count() == len(env.bank)
    assert _contents() == before


def test_import_is_for_authors_only(org, login):
    assert login(org.leader_a).get(reverse("exams:question_import")).status_code == 404


def test_fill_in_answers_keep_their_commas_through_export_and_import(org, login):
    """、 and ； belong to an answer ("公正、文明"); only | (either width) separates answers."""
    from zhengdun.learning.exams import actions
    from zhengdun.learning.exams.actions import QuestionData

    actions.create_question(
        org.office,
        unit=org.city,
        data=QuestionData("fill", "核心价值观填空", [], ["公正、文明", "法治；诚信"]),
    )
    client = login(org.office)
    exported = client.get(reverse("exams:question_export")).content
    Question.objects.all().delete()
    upload = SimpleUploadedFile("again.xlsx", exported)
    again = client.post(reverse("exams:question_import"), {"unit": org.city.pk, "file": upload})
    assert again.status_code == 302
    assert Question.objects.get(text="核心价值观填空").answer == ["公正、文明", "法治；诚信"]
    response = post(
        client, org, [["fill", "全角竖线", "", "", "", "甲、乙｜丙", "", "一章、二章", ""]]
    )
    assert response.status_code == 302
    question = Question.objects.get(text="全角竖线")
    assert question.answer == ["甲、乙", "丙"]
    assert {t.name for t in question.tags.all()} == {"一章", "二章"}


def test_fill_in_answer_from_the_form_keeps_its_commas(org, login):
    client = login(org.office)
    response = client.post(
        reverse("exams:question_create"),
        {"unit": org.city.pk, "kind": "fill", "text": "表单填空", "answer": "公正、文明 | 法治"},
    )
    assert response.status_code == 302
    assert Question.objects.get(text="表单填空").answer == ["公正、文明", "法治"]
