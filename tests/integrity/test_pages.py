"""The pages: the list (need-to-know rows, bounded queries), registering from each channel, the
clue's page and its buttons, statistics with small counts hidden outside the need-to-know."""

import pytest
from django.urls import reverse

from tests.integrity.conftest import TODAY, register
from zhengdun.integrity import actions
from zhengdun.integrity.models import Clue


def test_list_queries_do_not_grow_with_the_clues(people, login, django_assert_max_num_queries):
    org = people.org
    client = login(people.handler)
    url = reverse("integrity:clue_list")

    def grow(count):
        for _ in range(count):
            clue = register(people.desk, org)
            actions.triage(people.head, clue=clue, mode="verify", lead=people.handler, on=TODAY)

    grow(2)
    client.get(url)
    with django_assert_max_num_queries(16) as small:
        assert client.get(url).status_code == 200
    grow(30)
    with django_assert_max_num_queries(16) as large:
        response = client.get(url, {"state": "triaged"})
        assert response.status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
    assert Clue.objects.order_by("-id").first().number in response.content.decode()


@pytest.mark.parametrize(
    "source", ["hotline", "letter", "visit", "supervision", "selfcheck", "audit", "transfer"]
)
def test_registering_from_each_channel(people, login, source):
    client = login(people.desk)
    form = client.get(reverse("integrity:clue_create"), {"source": source})
    assert form.status_code == 200
    response = client.post(
        reverse("integrity:clue_create"),
        {
            "source": source,
            "received_on": TODAY.isoformat(),
            "category": "masses",
            "summary": "反映民警执法态度粗暴。",
            "subject_persons": people.org.p_b1.police_number,
            "subject_units": "B1",
            "reporter_name": "",
        },
    )
    # The desk does not see what it registered: back to the list with the number.
    assert response.status_code == 302 and response["Location"] == reverse("integrity:clue_list")
    clue = Clue.objects.get()
    assert clue.source == source and list(clue.subject_units.all()) == [people.org.station_b1]


def test_a_bad_registration_keeps_what_was_typed(people, login):
    response = login(people.desk).post(
        reverse("integrity:clue_create"),
        {
            "source": "letter",
            "received_on": TODAY.isoformat(),
            "category": "work",
            "summary": "来信内容保留",
            "subject_persons": "NOPE1",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and "NOPE1" in html and "来信内容保留" in html
    assert not Clue.objects.exists()


def test_registering_is_not_there_for_others(people, login):
    assert login(people.org.office).get(reverse("integrity:clue_create")).status_code == 404
    assert login(people.handler).get(reverse("integrity:clue_create")).status_code == 404


def test_the_head_triages_on_the_page_and_a_chain_leader_is_refused(people, clue, login):
    client = login(people.head)
    page = client.get(reverse("integrity:clue_detail", args=[clue.pk]))
    assert 'data-testid="triage"' in page.content.decode()
    refused = client.post(
        reverse("integrity:clue_action", args=[clue.pk, "triage"]),
        {"mode": "verify", "lead": "leader_a", "members": ""},
    )
    assert refused.status_code == 400
    assert "东坡分局" in refused.content.decode()
    done = client.post(
        reverse("integrity:clue_action", args=[clue.pk, "triage"]),
        {"mode": "verify", "lead": "handler", "members": "helper"},
    )
    assert done.status_code == 302
    clue.refresh_from_db()
    assert clue.state == "triaged"


def test_a_handler_verifies_and_concludes_on_the_page(people, triaged, login):
    client = login(people.handler)
    url = lambda action: reverse("integrity:clue_action", args=[triaged.pk, action])  # noqa: E731
    assert client.post(url("start")).status_code == 302
    assert client.post(url("entry"), {"kind": "note", "text": "走访了解。"}).status_code == 302
    wrong = client.post(url("archive"))
    assert wrong.status_code == 403  # sees the clue, may not archive it
    done = client.post(url("conclude"), {"disposition": "criticism", "conclusion": "批评教育。"})
    assert done.status_code == 302
    triaged.refresh_from_db()
    assert triaged.state == "concluded" and triaged.disposition == "criticism"
    page = client.get(reverse("integrity:clue_detail", args=[triaged.pk])).content.decode()
    assert "批评教育" in page
    again = client.post(url("conclude"), {"disposition": "criticism", "conclusion": "x"})
    assert again.status_code == 400


def test_duplicates_show_on_the_page(people, triaged, login):
    org = people.org
    twin = register(
        people.desk,
        org,
        subject_persons=[],
        summary="群众来电反映苏祠派出所民警在办理户籍业务时收受好处费，要求加快办理手续。",
    )
    same_person = register(people.desk, org, summary="另一件事：反映该民警酒后驾车。")
    page = login(people.head).get(reverse("integrity:clue_detail", args=[triaged.pk]))
    html = page.content.decode()
    assert twin.number in html and same_person.number in html
    # The handler sees only duplicates within their own need-to-know.
    page = login(people.handler).get(reverse("integrity:clue_detail", args=[triaged.pk]))
    assert twin.number not in page.content.decode()


def test_statistics_full_for_the_head_and_suppressed_for_the_office(people, login):
    org = people.org
    for _ in range(4):
        register(people.desk, org, source="hotline")
    register(people.desk, org, source="letter")
    head = login(people.head).get(reverse("integrity:statistics"))
    html = head.content.decode()
    assert head.status_code == 200 and 'data-testid="suppressed"' not in html
    office = login(org.office).get(reverse("integrity:statistics"))
    html = office.content.decode()
    assert office.status_code == 200 and 'data-testid="suppressed"' in html
    assert "&lt;3" in html
    assert login(people.handler).get(reverse("integrity:statistics")).status_code == 404
    # A year that is not a whole number is a filter left out.
    for not_a_year in ("abc", "²", "٢٠٢٦", "-2026", "9" * 25):
        page = login(people.head).get(reverse("integrity:statistics"), {"year": not_a_year})
        assert page.status_code == 200 and page.context["year"] == ""
    from zhengdun.integrity.queries import statistics

    by_source = statistics(org.office, suppress=True)[0]
    counts = dict(by_source.rows)
    assert 4 in counts.values()
    assert all(count is None or count >= 3 for count in counts.values())
    assert by_source.total == 5


def test_the_head_removes_a_handler_on_the_page(people, triaged, login):
    client = login(people.head)
    url = reverse("integrity:clue_action", args=[triaged.pk, "remove"])
    bad = client.post(url, {"user": "nobody"})
    assert bad.status_code == 400 and "nobody" in bad.content.decode()
    assert client.post(url, {"user": "helper"}).status_code == 302
    assert (
        login(people.helper).get(reverse("integrity:clue_detail", args=[triaged.pk])).status_code
        == 404
    )
    # A handler may not remove anyone.
    assert login(people.handler).post(url, {"user": "handler"}).status_code == 403


def test_the_nav_entry_shows_for_inspectors(people, login):
    link = f'href="{reverse("integrity:clue_list")}"'
    assert link in login(people.head).get(reverse("core:home")).content.decode()
    assert link not in login(people.org.office).get(reverse("core:home")).content.decode()


def test_the_head_manages_a_case_on_its_page(people, triaged, login):
    actions.start_verification(people.handler, clue=triaged, on=TODAY)
    case = actions.open_case(
        people.head, clue=triaged, summary="立案。", handlers=[(people.helper, "lead")]
    )
    url = reverse("integrity:case_detail", args=[case.pk])
    client = login(people.head)
    refused = client.post(url, {"lead": "leader_a", "members": ""})
    assert refused.status_code == 400 and "东坡分局" in refused.content.decode()
    assert client.post(url, {"lead": "handler", "members": ""}).status_code == 302
    assert client.post(url, {"state": "transferred"}).status_code == 302
    case.refresh_from_db()
    assert case.state == "transferred"
    assert login(people.handler).post(url, {"state": "closed"}).status_code == 403
    assert login(people.helper).get(url).status_code == 404
