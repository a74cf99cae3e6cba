"""Scorecard templates through the page: the office writes the next version from the last one;
a bad line is named and nothing typed is lost; others get not found."""

from django.urls import reverse

from zhengdun.supervision.models import ScoreTemplate


def test_the_office_saves_a_new_version_from_the_last(org, template, login):
    client = login(org.office)
    page = client.get(reverse("supervision:score_template_new"))
    assert page.status_code == 200
    assert "教育引导 | 10 | 10" in page.content.decode()
    lines = "教育引导 | 20 | 10 | 看学习记录\n线索核查｜80｜10"
    saved = client.post(
        reverse("supervision:score_template_new"), {"name": "督导评分表", "aspects": lines}
    )
    assert saved.status_code == 302
    newest = ScoreTemplate.objects.get(name="督导评分表", version=2)
    assert [(a.name, a.weight, a.max_points, a.guidance) for a in newest.aspects.all()] == [
        ("教育引导", 20, 10, "看学习记录"),
        ("线索核查", 80, 10, ""),
    ]
    assert template.aspects.count() == 10  # the old version is kept as it was
    listed = client.get(reverse("supervision:score_templates")).content.decode()
    assert "v2" in listed and "v1" in listed


def test_a_bad_line_is_named_and_the_text_kept(org, template, login):
    client = login(org.office)
    text = "教育引导 | 二十 | 10\n线索核查"
    page = client.post(
        reverse("supervision:score_template_new"), {"name": "督导评分表", "aspects": text}
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert "二十" in body and "线索核查" in body
    assert len(page.context["form"].errors["aspects"]) == 2
    assert ScoreTemplate.objects.count() == 1


def test_only_the_office_reaches_the_templates(org, sup, template, login):
    for user in (sup.sup_a, org.liaison_a, org.officer_a1):
        client = login(user)
        assert client.get(reverse("supervision:score_templates")).status_code == 404
        assert client.get(reverse("supervision:score_template_new")).status_code == 404
