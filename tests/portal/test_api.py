"""The public API: a report without an account, its receipt once; the status and messages with
the receipt in the body, never in the URL."""

import pytest

from tests.portal.conftest import REPORT
from zhengdun.integrity.portal import actions, receipts
from zhengdun.integrity.portal.models import PublicMessage, PublicReport, ReportStatus


def post(client, path, body):
    return client.post(f"/api/v1/public{path}", body, content_type="application/json")


@pytest.mark.django_db
def test_a_report_through_the_api_returns_the_receipt_once(client):
    response = post(client, "/reports", REPORT)
    assert response.status_code == 201
    body = response.json()
    code = receipts.normalize(body["receipt"])
    assert code and body["receipt_groups"] == receipts.groups(code)
    assert body["status"] == "received" and body["advice"]
    assert not response.cookies
    report = PublicReport.objects.get()
    assert report.what == REPORT["what"]


@pytest.mark.django_db
def test_invalid_reports_are_explained(client):
    response = post(client, "/reports", {**REPORT, "category": "nonsense", "what": " "})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"category", "what"}
    assert post(client, "/reports", {"what": "x"}).status_code == 422
    assert not PublicReport.objects.exists()


@pytest.mark.django_db
def test_status_and_messages_with_the_receipt_in_the_body(client, org):
    receipt = actions.submit_report(**REPORT)
    actions.reply(actor=org.office, report=receipt.report, body="已收到，正在核查")
    actions.set_status(actor=org.office, report=receipt.report, status=ReportStatus.ACKNOWLEDGED)
    response = post(client, "/reports/status", {"receipt": receipt.formatted})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "acknowledged"
    assert [m["body"] for m in body["messages"]] == ["已收到，正在核查"]
    assert body["messages"][0]["sender"] == "handler"
    written = post(client, "/reports/messages", {"receipt": receipt.code, "body": "谢谢"})
    assert written.status_code == 201
    assert [m["sender"] for m in written.json()["messages"]] == ["handler", "reporter"]
    assert PublicMessage.objects.count() == 2


@pytest.mark.django_db
def test_a_wrong_or_malformed_receipt_is_refused_alike(client):
    actions.submit_report(**REPORT)
    wrong = post(client, "/reports/status", {"receipt": receipts.new_code()})
    malformed = post(client, "/reports/status", {"receipt": "123"})
    assert wrong.status_code == malformed.status_code == 400
    assert "receipt" not in client.get("/api/v1/public/reports/status").content.decode()


def test_the_public_operations_need_no_account_and_ask_for_none():
    from zhengdun.api import api
    from zhengdun.integrity.portal.api import router

    assert any(mounted is router for _prefix, mounted in api._routers)
    open_paths = {
        path
        for path, path_view in router.path_operations.items()
        for operation in path_view.operations
        if operation.auth_callbacks == [] and operation.auth_param is None
    }
    assert open_paths == {"/reports", "/reports/status", "/reports/messages"}
    schema = api.get_openapi_schema()
    for path in open_paths:
        assert "security" not in schema["paths"][f"/api/v1/public{path}"]["post"]
