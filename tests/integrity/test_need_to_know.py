"""Need-to-know: only the discipline head and the assigned handlers see a clue; nobody sees a
clue about themselves; the chain of command, subjects and reporters are refused as handlers;
anything hidden answers 404, like anything missing."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import GrantFactory, UserFactory
from tests.integrity.conftest import TODAY, register
from zhengdun.audit.models import AuditEvent
from zhengdun.integrity import actions
from zhengdun.integrity.permissions import clues_visible_to, conflict, is_head


def visible(user):
    return set(clues_visible_to(user).values_list("pk", flat=True))


def test_the_head_is_an_inspector_on_the_root(people):
    org = people.org
    assert is_head(people.head)
    assert not is_head(people.desk)  # an inspector below the root registers, sees nothing
    assert not is_head(org.admin)  # a superuser is not a head by being one
    assert not is_head(org.office)
    boss = UserFactory(username="boss", is_superuser=True)
    GrantFactory(user=boss, role="inspector", unit=org.city)
    assert is_head(boss)


def test_only_the_head_and_handlers_see_a_clue(people, triaged):
    org = people.org
    assert visible(people.head) == {triaged.pk}
    assert visible(people.handler) == {triaged.pk}
    assert visible(people.helper) == {triaged.pk}
    for outsider in (
        org.admin,
        org.office,
        org.leader_a,
        org.liaison_a,
        org.viewer_b,
        org.outsider,
        people.desk,
    ):
        assert visible(outsider) == set(), outsider


def test_the_subject_never_sees_their_clue_even_as_head(people):
    org = people.org
    # The head is the subject of one clue: they do not see that one.
    about_head = register(people.desk, org, subject_persons=[people.head.person])
    other = register(people.desk, org)
    assert visible(people.head) == {other.pk}
    assert about_head.pk not in visible(people.head)


def test_a_handler_named_a_subject_later_loses_sight(people, triaged):
    # Naming a current handler as a subject is refused with a clear message...
    with pytest.raises(ValidationError) as refused:
        actions.update_clue(
            people.head,
            clue=triaged,
            subject_persons=[people.subject.person, people.helper.person],
        )
    assert "helper同志" in str(refused.value)
    # ... and once removed as handler and named, they never see it again.
    actions.remove_handler(people.head, clue=triaged, user=people.helper)
    actions.update_clue(
        people.head, clue=triaged, subject_persons=[people.subject.person, people.helper.person]
    )
    assert visible(people.helper) == set()


def test_the_chain_of_command_is_refused_as_handler(people, clue):
    org = people.org
    message = conflict(clue, org.leader_a)
    assert "东坡分局" in message
    with pytest.raises(ValidationError) as refused:
        actions.triage(people.head, clue=clue, mode="verify", lead=org.leader_a, on=TODAY)
    assert "东坡分局" in str(refused.value)
    assert visible(org.leader_a) == set()
    # The refusal is on the record (clue's own log), naming no reason.
    refusal = AuditEvent.objects.get(code="integrity.handler.refused")
    assert refusal.object_repr == clue.number and refusal.unit_id is None


def test_a_leader_above_the_unit_concerned_is_refused_too(people):
    org = people.org
    city_leader = UserFactory(username="city_leader")
    GrantFactory(user=city_leader, role="unit_leader", unit=org.city)
    clue = register(people.desk, org, subject_persons=[], subject_units=[org.team_a1])
    assert conflict(clue, city_leader)
    assert conflict(clue, org.leader_a)
    assert conflict(clue, people.handler) is None


def test_the_subject_is_refused_as_handler(people, clue):
    message = conflict(clue, people.subject)
    assert message and "officer_a1" in message


def test_the_reporter_is_refused_as_handler_without_being_named(people):
    org = people.org
    clue = register(
        people.desk,
        org,
        source="visit",
        reporter_name="举报人",
        reporter_person=people.handler.person,
    )
    message = conflict(clue, people.handler)
    assert message and "举报" not in message
    with pytest.raises(ValidationError):
        actions.triage(people.head, clue=clue, mode="verify", lead=people.handler, on=TODAY)


@pytest.mark.parametrize("who", ["admin", "office", "leader_a", "outsider", "desk", "subject"])
def test_hidden_clue_pages_are_404_like_missing_ones(people, triaged, login, who):
    org = people.org
    user = getattr(people, who, None) or getattr(org, who)
    client = login(user)
    for name in ("clue_detail", "clue_log", "clue_reporter"):
        hidden = client.get(reverse(f"integrity:{name}", args=[triaged.pk]))
        missing = client.get(reverse(f"integrity:{name}", args=[999999]))
        assert hidden.status_code == missing.status_code == 404
        assert hidden.content == missing.content
    posted = client.post(reverse("integrity:clue_action", args=[triaged.pk, "conclude"]))
    assert posted.status_code == 404
    api = client.get(f"/api/v1/clues/{triaged.pk}")
    assert api.status_code == 404
    assert api.json() == client.get("/api/v1/clues/999999").json()
    patch = client.patch(
        f"/api/v1/clues/{triaged.pk}", data={"summary": "x"}, content_type="application/json"
    )
    assert patch.status_code == 404
    conclude = client.post(
        f"/api/v1/clues/{triaged.pk}/conclude",
        data={"disposition": "unfounded", "conclusion": "x"},
        content_type="application/json",
    )
    assert conclude.status_code == 404
    # No read was recorded for them.
    assert not AuditEvent.objects.filter(code="integrity.clue.read", actor_id=user.pk).exists()


def test_the_list_shows_only_need_to_know_rows(people, triaged, login):
    org = people.org
    other = register(people.desk, org, subject_persons=[org.p_b1])
    response = login(people.handler).get(reverse("integrity:clue_list"))
    html = response.content.decode()
    assert triaged.number in html and other.number not in html
    # The desk registers clues but sees none of them.
    response = login(people.desk).get(reverse("integrity:clue_list"))
    assert response.status_code == 200
    assert triaged.number not in response.content.decode()
    # The list is not there at all for those with nothing to do with clues.
    assert login(org.leader_a).get(reverse("integrity:clue_list")).status_code == 404
