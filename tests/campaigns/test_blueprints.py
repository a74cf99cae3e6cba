"""Campaign templates (可复制可推广): save, export, import and start for a new period."""

import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from tests.campaigns.conftest import TODAY
from tests.factories import GrantFactory, UserFactory
from zhengdun.audit.models import AuditEvent
from zhengdun.campaigns import actions, blueprints
from zhengdun.campaigns.models import Campaign, CampaignTemplate, Task

NEW_START = date(2027, 11, 1)
SHIFT = NEW_START - date(2026, 11, 1)


def json_file(document, name="template.json"):
    if not isinstance(document, bytes):
        document = json.dumps(document, ensure_ascii=False).encode("utf-8")
    return SimpleUploadedFile(name, document, content_type="application/json")


@pytest.fixture
def planned(org, campaign, make_task):
    """A campaign with custom thresholds, renamed levels, two phases and a task tree:
    city → (county A → station A1, county B), plus a cancelled task that must not travel."""
    actions.update_campaign(
        org.office, campaign=campaign, version=campaign.version, red_behind=40, yellow_days=5
    )
    campaign.refresh_from_db()
    actions.save_workstream(
        org.office,
        campaign=campaign,
        workstream=campaign.workstreams.get(name="本领革命"),
        name="本领革命",
        description="练兵比武",
    )
    actions.set_phases(
        org.office,
        campaign=campaign,
        phases=[
            {"name": "学习教育", "start_date": date(2026, 11, 1), "end_date": date(2026, 11, 30)},
            {"name": "查纠整改", "start_date": date(2026, 12, 1), "end_date": date(2027, 1, 15)},
        ],
    )
    actions.set_incentive_levels(
        org.office,
        campaign=campaign,
        names={"reward": ["通报表扬", "嘉奖", "记功"], "sanction": ["提醒", "约谈", "问责"]},
    )
    top = make_task(title="全市轮训", quantity_target=10, measure="场", due=date(2026, 12, 20))
    county_a, _county_b = actions.decompose_task(
        org.office,
        task=top,
        shares=[
            {"unit": org.county_a, "quantity_target": 6, "weight": 3, "title": "东坡轮训"},
            {"unit": org.county_b, "quantity_target": 4, "title": "彭山轮训"},
        ],
        on=TODAY,
    )
    actions.decompose_task(
        org.liaison_a,
        task=county_a,
        shares=[{"unit": org.station_a1, "quantity_target": 2, "due_date": date(2026, 12, 10)}],
        on=TODAY,
    )
    actions.report_progress(org.liaison_a, task=county_a.children.get(), progress=50, on=TODAY)
    cancelled = make_task(org.county_b, title="取消的任务")
    actions.cancel_task(org.office, task=cancelled, reason="合并", on=TODAY)
    return campaign


def tree(campaign):
    """The campaign's task tree as comparable tuples (dates relative to the start)."""
    start = campaign.start_date
    return sorted(
        (
            task.title,
            task.unit.code,
            task.parent.title if task.parent else None,
            task.workstream.name,
            (task.start_date - start).days,
            (task.due_date - start).days,
            task.quantity_target,
            task.measure,
            task.weight,
        )
        for task in Task.objects.filter(campaign=campaign)
        .exclude(state="cancelled")
        .select_related("unit", "parent", "workstream")
    )


def test_round_trip_recreates_the_campaign_for_a_new_period(org, planned):
    template = blueprints.save_blueprint(org.office, campaign=planned, name="教育整顿模板")
    assert [task["unit"] for task in template.data["tasks"]] == ["CITY", "A", "B", "A1"]
    assert AuditEvent.objects.filter(code="campaigns.template.saved").count() == 1

    exported = blueprints.export_blueprint(template)
    document = json.loads(exported)
    assert document["format"] == blueprints.FORMAT and document["version"] == 1
    assert document["name"] == "教育整顿模板"

    imported = blueprints.import_blueprint(org.office, file=json_file(exported))
    assert imported.pk != template.pk and imported.name == "教育整顿模板"
    assert imported.data == template.data
    assert AuditEvent.objects.filter(code="campaigns.template.imported").count() == 1

    copy = blueprints.start_from_blueprint(
        org.office, template=imported, unit=org.city, start_date=NEW_START, name="第二轮整顿"
    )
    assert copy.name == "第二轮整顿" and copy.unit == org.city
    assert (copy.start_date, copy.end_date) == (NEW_START, planned.end_date + SHIFT)
    assert (copy.red_behind, copy.yellow_behind, copy.yellow_days) == (40, 10, 5)
    assert [(w.name, w.description) for w in copy.workstreams.all()] == [
        (w.name, w.description) for w in planned.workstreams.all()
    ]
    assert [(p.name, p.start_date, p.end_date) for p in copy.phases.all()] == [
        (p.name, p.start_date + SHIFT, p.end_date + SHIFT) for p in planned.phases.all()
    ]
    assert [(lv.side, lv.rank, lv.name) for lv in copy.incentive_levels.all()] == [
        (lv.side, lv.rank, lv.name) for lv in planned.incentive_levels.all()
    ]
    assert tree(copy) == tree(planned)
    assert len(tree(copy)) == 4
    # A new period starts afresh: every task planned, nothing done.
    assert set(copy.tasks.values_list("state", "progress", "quantity_done")) == {("planned", 0, 0)}
    station = copy.tasks.get(unit=org.station_a1)
    assert station.root == copy.tasks.get(parent=None)
    assert AuditEvent.objects.filter(
        code="campaigns.campaign.from_template", object_id=str(copy.pk)
    ).exists()


def test_a_unit_code_missing_under_the_new_unit_creates_nothing(org, planned):
    template = blueprints.save_blueprint(org.office, campaign=planned, name="模板")
    counts = (Campaign.objects.count(), Task.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as error:
        blueprints.start_from_blueprint(
            org.office, template=template, unit=org.county_a, start_date=NEW_START, name="东坡"
        )
    message = " ".join(error.value.message_dict["unit"])
    for code in ("CITY", "B"):
        assert code in message
    assert "A1" not in message
    assert (Campaign.objects.count(), Task.objects.count(), AuditEvent.objects.count()) == counts


def test_a_task_that_no_longer_fits_stops_the_whole_start(org, planned):
    template = blueprints.save_blueprint(org.office, campaign=planned, name="模板")
    data = template.data
    data["tasks"][1]["due"] = data["tasks"][0]["due"] + 5  # a share due after its parent
    template.data = data
    template.save()
    campaigns = Campaign.objects.count()
    with pytest.raises(ValidationError) as error:
        blueprints.start_from_blueprint(
            org.office, template=template, unit=org.city, start_date=NEW_START, name="新一轮"
        )
    assert "T2" in " ".join(error.value.messages)
    assert Campaign.objects.count() == campaigns


def valid_document(org, planned):
    template = blueprints.save_blueprint(org.office, campaign=planned, name="模板")
    return json.loads(blueprints.export_blueprint(template))


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda d: d.update(format="something-else"), "not a campaign template"),
        (lambda d: d.update(version=2), "2"),
        (lambda d: d.pop("phases"), "phases"),
        (lambda d: d.update(colour="red"), "colour"),
        (lambda d: d["campaign"].update(red_behind=True), "campaign.red_behind"),
        (lambda d: d["campaign"].update(yellow_behind=90), "campaign.yellow_behind"),
        (lambda d: d["tasks"][0].update(parent="T4"), "tasks[1] (T1).parent"),
        (lambda d: d["tasks"][1].update(workstream="无此板块"), "tasks[2] (T2).workstream"),
        (lambda d: d["tasks"][2].update(due=-30), "tasks[3] (T3).due"),
        (lambda d: d["tasks"][3].update(key="T1"), "tasks[4] (T1).key"),
        (lambda d: d["phases"][0].update(end="2026-11-30"), "phases[1].end"),
        (lambda d: d["incentive_levels"].update(reward=["一", "二"]), "incentive_levels.reward"),
        (lambda d: d["extensions"].update(scorecards={}), "scorecards"),
        (lambda d: d["workstreams"].append(d["workstreams"][0]), "workstreams[3].name"),
    ],
)
def test_a_damaged_file_is_refused_with_where_and_nothing_is_saved(org, planned, damage, expected):
    document = valid_document(org, planned)
    damage(document)
    before = (CampaignTemplate.objects.count(), AuditEvent.objects.count())
    with translation.override("en"), pytest.raises(ValidationError) as error:
        blueprints.import_blueprint(org.office, file=json_file(document))
    assert expected in " ".join(error.value.messages)
    assert (CampaignTemplate.objects.count(), AuditEvent.objects.count()) == before


def test_every_problem_of_a_file_is_listed_at_once(org, planned):
    document = valid_document(org, planned)
    document["tasks"][0]["title"] = ""
    document["tasks"][1]["weight"] = 0
    document["phases"][0]["name"] = 3
    with pytest.raises(ValidationError) as error:
        blueprints.import_blueprint(org.office, file=json_file(document))
    assert len(error.value.messages) == 3


@pytest.mark.parametrize("content", [b"\xff\xfe not text", b"{not json", b"[]"])
def test_a_file_that_is_not_a_template_gets_a_clear_message(org, content):
    with pytest.raises(ValidationError) as error:
        blueprints.import_blueprint(org.office, file=json_file(content))
    assert error.value.messages
    assert not CampaignTemplate.objects.exists()


@pytest.fixture
def scorecards():
    """A later module's data, registered as a template extension for one test."""
    loaded = []
    blueprints.register_extension(
        "scorecards",
        lambda campaign: {"aspects": ["政治建设", "作风建设"], "campaign": campaign.name},
        lambda campaign, data: loaded.append((campaign, data)),
    )
    yield loaded
    blueprints.unregister_extension("scorecards")


def test_registered_extensions_travel_with_the_template(org, planned, scorecards):
    template = blueprints.save_blueprint(org.office, campaign=planned, name="模板")
    assert template.data["extensions"] == {
        "scorecards": {"aspects": ["政治建设", "作风建设"], "campaign": planned.name}
    }
    imported = blueprints.import_blueprint(
        org.office, file=json_file(blueprints.export_blueprint(template))
    )
    copy = blueprints.start_from_blueprint(
        org.office, template=imported, unit=org.city, start_date=NEW_START, name="新一轮"
    )
    assert scorecards == [(copy, {"aspects": ["政治建设", "作风建设"], "campaign": planned.name})]


def test_no_extension_is_registered_yet():
    assert blueprints.extensions() == {}


def test_liaisons_cannot_save_import_or_start_templates(org, planned):
    template = blueprints.save_blueprint(org.office, campaign=planned, name="模板")
    with pytest.raises(PermissionDenied):
        blueprints.save_blueprint(org.liaison_a, campaign=planned, name="越权")
    with pytest.raises(PermissionDenied):
        blueprints.import_blueprint(
            org.liaison_a, file=json_file(blueprints.export_blueprint(template))
        )
    with pytest.raises(PermissionDenied):
        blueprints.start_from_blueprint(
            org.liaison_a, template=template, unit=org.county_a, start_date=NEW_START, name="越权"
        )
    assert CampaignTemplate.objects.count() == 1


def test_a_county_office_starts_a_county_template_on_its_own_county(org, campaign, make_task):
    county_office = UserFactory(username="county_office")
    GrantFactory(user=county_office, role="office", unit=org.county_a)
    county_campaign = actions.create_campaign(
        county_office,
        unit=org.county_a,
        name="东坡整顿",
        start_date=date(2026, 11, 1),
        end_date=date(2026, 12, 31),
        workstreams=["效率革命"],
    )
    actions.create_task(
        county_office,
        campaign=county_campaign,
        workstream=county_campaign.workstreams.get(),
        unit=org.station_a2,
        title="通惠自查",
        start_date=date(2026, 11, 3),
        due_date=date(2026, 11, 30),
        on=TODAY,
    )
    template = blueprints.save_blueprint(county_office, campaign=county_campaign, name="东坡模板")
    # Templates are shared with every planner, but a county office plans only its county.
    assert template in blueprints.templates_visible_to(org.office)
    with pytest.raises(PermissionDenied):
        blueprints.save_blueprint(county_office, campaign=campaign, name="越权")
    copy = blueprints.start_from_blueprint(
        county_office, template=template, unit=org.county_a, start_date=NEW_START, name="二轮"
    )
    task = copy.tasks.get()
    assert (task.unit, task.start_date) == (org.station_a2, NEW_START + timedelta(days=2))


# Pages -------------------------------------------------------------------------------------


def test_pages_save_list_export_import_and_start(org, planned, login):
    client = login(org.office)
    response = client.get(reverse("campaigns:template_save", args=[planned.pk]))
    assert response.status_code == 200
    response = client.post(
        reverse("campaigns:template_save", args=[planned.pk]), {"name": "页面模板"}
    )
    assert response.status_code == 302
    template = CampaignTemplate.objects.get(name="页面模板")

    response = client.get(reverse("campaigns:template_list"))
    assert response.status_code == 200
    assert "页面模板" in response.content.decode()

    exported = client.get(reverse("campaigns:template_export", args=[template.pk]))
    assert exported.status_code == 200 and exported["Content-Type"].startswith("application/json")
    assert "attachment" in exported["Content-Disposition"]

    response = client.post(
        reverse("campaigns:template_import"), {"file": json_file(exported.content)}
    )
    assert response.status_code == 302
    assert CampaignTemplate.objects.filter(name="页面模板").count() == 2

    url = reverse("campaigns:template_start", args=[template.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["summary"].tasks == 4
    response = client.post(
        url, {"name": "页面新一轮", "unit": org.city.pk, "start_date": NEW_START.isoformat()}
    )
    assert response.status_code == 302
    copy = Campaign.objects.get(name="页面新一轮")
    assert response["Location"] == reverse("campaigns:overview", args=[copy.pk])
    assert copy.tasks.count() == 4


def test_start_page_lists_missing_codes_and_creates_nothing(org, planned, login):
    template = blueprints.save_blueprint(org.office, campaign=planned, name="模板")
    campaigns = Campaign.objects.count()
    response = login(org.office).post(
        reverse("campaigns:template_start", args=[template.pk]),
        {"name": "彭山", "unit": org.county_b.pk, "start_date": NEW_START.isoformat()},
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["unit"])
    assert "A1" in errors and "CITY" in errors
    assert Campaign.objects.count() == campaigns


def test_import_page_lists_the_problems_of_a_bad_file(org, login):
    response = login(org.office).post(
        reverse("campaigns:template_import"), {"file": json_file({"format": "x"})}
    )
    assert response.status_code == 200
    assert response.context["import_form"].errors
    assert not CampaignTemplate.objects.exists()


def test_template_pages_are_not_found_for_those_who_do_not_plan(org, planned, login):
    template = blueprints.save_blueprint(org.office, campaign=planned, name="模板")
    urls = [
        reverse("campaigns:template_list"),
        reverse("campaigns:template_import"),
        reverse("campaigns:template_start", args=[template.pk]),
        reverse("campaigns:template_export", args=[template.pk]),
        reverse("campaigns:template_save", args=[planned.pk]),
    ]
    for user in (org.liaison_a, org.leader_a, org.viewer_b, org.outsider):
        client = login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
        response = client.post(
            reverse("campaigns:template_start", args=[template.pk]),
            {"name": "越权", "unit": org.county_a.pk, "start_date": NEW_START.isoformat()},
        )
        assert response.status_code == 404
    assert not Campaign.objects.filter(name="越权").exists()


def test_a_missing_template_is_not_found(org, login):
    client = login(org.office)
    assert client.get(reverse("campaigns:template_start", args=[999])).status_code == 404
    assert client.get(reverse("campaigns:template_export", args=[999])).status_code == 404
