"""Guessing receipt codes is hopeless: failures are counted per code prefix and overall, and
past either limit even the right code is refused for a while. Floods of reports are refused."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.portal.conftest import REPORT, token_of, url
from zhengdun.integrity.portal import actions, receipts, throttle
from zhengdun.integrity.portal.models import PublicReport, RateCounter

NOW = timezone.make_aware(datetime(2026, 11, 27, 10, 5))


def wrong_code_like(code: str) -> str:
    """Same first group (same throttle bucket), different rest."""
    rest = receipts.new_code()[7:]
    while rest == code[7:]:
        rest = receipts.new_code()[7:]
    return code[:7] + rest


@pytest.mark.django_db
def test_after_five_wrong_codes_even_the_right_code_is_refused_for_a_while(
    client, send_report, open_status
):
    with time_machine.travel(NOW, tick=False):
        receipt = actions.submit_report(**REPORT)
        for _ in range(5):
            response = open_status(wrong_code_like(receipt.code))
            assert response.status_code == 400
            assert "No report has this code" in response.context["form"].errors["code"][0]
        refused = open_status(receipt.code)
        assert refused.status_code == 400
        message = refused.context["form"].non_field_errors()[0]
        # 02:05 UTC in the 15-minute window from 02:00: the five failures weigh fully until
        # 02:15, and less from then on.
        assert "Too many wrong codes" in message and "in 11 minutes" in message
        # Another reporter's code (another first group) still opens.
        other = actions.submit_report(**REPORT)
        assert open_status(other.code).status_code == 200
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        assert open_status(receipt.code).status_code == 400
    with time_machine.travel(NOW + timedelta(minutes=11), tick=False):
        assert open_status(receipt.code).status_code == 200


@pytest.mark.django_db
def test_overall_failures_pause_every_lookup(settings):
    settings.ZHENGDUN_PORTAL_LIMITS = {"lookup": (20, 3600)}
    with time_machine.travel(NOW, tick=False):
        receipt = actions.submit_report(**REPORT)
        for _ in range(20):
            with pytest.raises(actions.ValidationError):
                actions.open_report(code=receipts.new_code())
        with pytest.raises(actions.Throttled):
            actions.open_report(code=receipt.code)
    # The sliding window: 02:05 UTC falls in the window from 02:00; at 03:30 half of that
    # window's count still weighs.
    with time_machine.travel(NOW + timedelta(minutes=85), tick=False):
        assert throttle.estimate(throttle.limit("lookup")) == pytest.approx(20 * (1 - 30 / 60))
        assert actions.open_report(code=receipt.code) == receipt.report


@pytest.mark.django_db
def test_a_malformed_code_is_explained_and_not_counted(open_status):
    response = open_status("ABC-123")
    assert response.status_code == 400
    assert "28" in response.context["form"].errors["code"][0]
    assert not RateCounter.objects.exists()


@pytest.mark.django_db
def test_counters_keep_nothing_but_windows_and_counts():
    with time_machine.travel(NOW, tick=False), pytest.raises(actions.ValidationError):
        actions.open_report(code=receipts.new_code())
    fields = {f.name for f in RateCounter._meta.concrete_fields}
    assert fields == {"id", "scope", "window_start", "count"}
    # Window starts are whole windows, not the time of a look-up.
    assert all(counter.window_start.timestamp() % 900 == 0 for counter in RateCounter.objects.all())


@pytest.mark.django_db
def test_a_flood_of_reports_is_refused_with_a_clear_message(settings, client):
    settings.ZHENGDUN_PORTAL_LIMITS = {"submit": (3, 3600)}
    with time_machine.travel(NOW, tick=False):
        for _ in range(3):
            actions.submit_report(**REPORT)
        page = client.get(url("portal:new"))
        response = client.post(url("portal:new"), {**REPORT, "token": token_of(page)})
        assert response.status_code == 400
        assert "Too many reports" in response.context["form"].non_field_errors()[0]
        assert REPORT["what"] in response.content.decode()  # nothing typed is lost
        api = client.post("/api/v1/public/reports", REPORT, content_type="application/json")
        assert api.status_code == 429
    assert PublicReport.objects.count() == 3
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        actions.submit_report(**REPORT)


@pytest.mark.django_db
def test_the_api_status_is_throttled_like_the_page(client):
    with time_machine.travel(NOW, tick=False):
        receipt = actions.submit_report(**REPORT)
        for _ in range(5):
            response = client.post(
                "/api/v1/public/reports/status",
                {"receipt": wrong_code_like(receipt.code)},
                content_type="application/json",
            )
            assert response.status_code == 400
        response = client.post(
            "/api/v1/public/reports/status",
            {"receipt": receipt.formatted},
            content_type="application/json",
        )
        assert response.status_code == 429
        assert response.json()["detail"]


@pytest.mark.django_db
def test_the_daily_tick_purges_spent_windows():
    with time_machine.travel(NOW, tick=False), pytest.raises(actions.ValidationError):
        actions.open_report(code=receipts.new_code())
    assert RateCounter.objects.exists()
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        throttle.purge()
    assert not RateCounter.objects.exists()
