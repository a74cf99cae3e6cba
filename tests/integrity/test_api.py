"""The clue API: GET/POST /clues, GET/PATCH /clues/{id}, POST /clues/{id}/conclude; 404 for
anyone outside the need-to-know, on every operation."""

from tests.integrity.conftest import TODAY
from zhengdun.integrity import actions
from zhengdun.integrity.models import Clue


def post(client, url, data):
    return client.post(url, data=data, content_type="application/json")


def test_list_shows_only_need_to_know_and_no_content(people, triaged, login):
    response = login(people.handler).get("/api/v1/clues")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["items"][0]["number"] == triaged.number
    assert "summary" not in body["items"][0]
    assert login(people.desk).get("/api/v1/clues").json()["count"] == 0
    assert login(people.org.leader_a).get("/api/v1/clues").status_code == 404
    assert login(people.org.admin).get("/api/v1/clues").status_code in (200, 404)
    assert login(people.org.admin).get("/api/v1/clues").json().get("count", 0) == 0


def test_register_read_patch_and_conclude(people, login):
    org = people.org
    head = login(people.head)
    created = post(
        head,
        "/api/v1/clues",
        {
            "source": "letter",
            "received_on": TODAY.isoformat(),
            "category": "work",
            "summary": "来信反映凤鸣派出所值班民警脱岗。",
            "subject_person_ids": [org.p_b1.pk],
            "reporter_name": "孙八",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["named_reporter"] is True and "孙八" not in created.content.decode()
    assert body["subject_persons"] == [{"id": org.p_b1.pk, "name": org.p_b1.name}]
    clue = Clue.objects.get(pk=body["id"])
    patched = head.patch(
        f"/api/v1/clues/{clue.pk}",
        data={"category": "masses", "version": body["version"]},
        content_type="application/json",
    )
    assert patched.status_code == 200 and patched.json()["category"] == "masses"
    stale = head.patch(
        f"/api/v1/clues/{clue.pk}",
        data={"category": "work", "version": body["version"]},
        content_type="application/json",
    )
    assert stale.status_code == 409
    early = post(
        head, f"/api/v1/clues/{clue.pk}/conclude", {"disposition": "unfounded", "conclusion": "x"}
    )
    assert early.status_code == 400 and early.json()["detail"]
    actions.triage(people.head, clue=clue, mode="verify", lead=people.handler, on=TODAY)
    actions.start_verification(people.handler, clue=clue, on=TODAY)
    member = post(
        login(people.helper),
        f"/api/v1/clues/{clue.pk}/conclude",
        {"disposition": "unfounded", "conclusion": "x"},
    )
    assert member.status_code == 404  # not a handler of this clue at all
    done = post(
        login(people.handler),
        f"/api/v1/clues/{clue.pk}/conclude",
        {"disposition": "admonishment", "conclusion": "诫勉谈话。"},
    )
    assert done.status_code == 200
    assert done.json()["state"] == "concluded" and done.json()["disposition"] == "admonishment"


def test_staff_registering_learn_only_the_number(people, login):
    response = post(
        login(people.desk),
        "/api/v1/clues",
        {
            "source": "hotline",
            "received_on": TODAY.isoformat(),
            "category": "other",
            "summary": "来电。",
        },
    )
    assert response.status_code == 202 and set(response.json()) == {"number"}


def test_others_cannot_register(people, login):
    response = post(
        login(people.org.office),
        "/api/v1/clues",
        {
            "source": "hotline",
            "received_on": TODAY.isoformat(),
            "category": "other",
            "summary": "x",
        },
    )
    assert response.status_code == 404


def test_a_handler_may_not_patch_but_the_lead_may(people, triaged, login):
    member = login(people.helper).patch(
        f"/api/v1/clues/{triaged.pk}", data={"category": "work"}, content_type="application/json"
    )
    assert member.status_code == 403
    lead = login(people.handler).patch(
        f"/api/v1/clues/{triaged.pk}", data={"category": "work"}, content_type="application/json"
    )
    assert lead.status_code == 200


def test_the_clue_operations_are_in_the_openapi_schema(people, login):
    schema = login(people.head).get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/clues"])
    assert {"get", "patch"} <= set(paths["/api/v1/clues/{clue_id}"])
    assert "post" in paths["/api/v1/clues/{clue_id}/conclude"]


def test_the_list_issues_a_bounded_number_of_queries(people, login, django_assert_max_num_queries):
    from tests.integrity.conftest import register

    client = login(people.handler)

    def grow(count):
        for _ in range(count):
            clue = register(people.desk, people.org)
            actions.triage(people.head, clue=clue, mode="verify", lead=people.handler, on=TODAY)

    grow(2)
    client.get("/api/v1/clues")
    with django_assert_max_num_queries(12) as few:
        assert client.get("/api/v1/clues").json()["count"] == 2
    grow(25)
    with django_assert_max_num_queries(12) as many:
        assert client.get("/api/v1/clues").json()["count"] == 27
    assert len(many.captured_queries) == len(few.captured_queries)
