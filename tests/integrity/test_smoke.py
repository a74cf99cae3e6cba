from django.urls import reverse

from tests.integrity.conftest import TODAY
from zhengdun.integrity import actions


def test_head_walks_a_clue_through(people, triaged, login):
    clue = actions.add_entry(
        people.handler, clue=triaged, kind="note", text="调取了业务登记记录。", on=TODAY
    ).clue
    clue.refresh_from_db()
    assert clue.state == "verifying"
    response = login(people.handler).get(reverse("integrity:clue_detail", args=[clue.pk]))
    assert response.status_code == 200
    assert "收受好处费" in response.content.decode()
    response = login(people.head).get(reverse("integrity:clue_list"))
    assert clue.number in response.content.decode()
