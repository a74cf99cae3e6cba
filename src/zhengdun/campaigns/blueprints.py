"""Campaign templates (可复制可推广): save a campaign's plan, carry it as one JSON file, and
start it again for a new period.

A template holds the workstreams, the phases and the task plan with dates as offsets in days
from the campaign's start, units by code, the decomposition (each task's parent key), the
warning thresholds and the incentive level names. Later modules register an extension so that
their part of a campaign (problem catalogues, scorecards) travels with it.

Every function here that writes takes the acting user first, checks permission, validates and
writes and audits in one transaction, like the actions in ``actions.py``.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from zhengdun.audit.codes import Code
from zhengdun.audit.log import record
from zhengdun.campaigns import actions
from zhengdun.campaigns.models import (
    Campaign,
    CampaignTemplate,
    IncentiveSide,
    Task,
    TaskState,
)
from zhengdun.campaigns.permissions import CampaignPerm
from zhengdun.core.errors import messages_of
from zhengdun.core.ids import id_or_404
from zhengdun.org import scope
from zhengdun.org.models import Unit

FORMAT = "zhengdun.campaign-template"
VERSION = 1
# Offsets and durations are bounded so that a damaged file cannot ask for dates past year 9999.
MAX_DAYS = 3660

# Extensions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Extension:
    """A module's part of a campaign: ``export(campaign)`` returns JSON-able data saved in the
    template; ``load(campaign, data)`` re-creates it on a campaign started from the template,
    inside the same transaction (raise ValidationError to refuse)."""

    name: str
    export: Callable[[Campaign], Any]
    load: Callable[[Campaign, Any], None]


_extensions: dict[str, Extension] = {}


def register_extension(
    name: str,
    export_fn: Callable[[Campaign], Any],
    import_fn: Callable[[Campaign, Any], None],
) -> None:
    """Let a module's data travel with campaign templates (call from its AppConfig.ready)."""
    _extensions[name] = Extension(name, export_fn, import_fn)


def unregister_extension(name: str) -> None:
    _extensions.pop(name, None)


def extensions() -> dict[str, Extension]:
    return dict(_extensions)


# Gates -------------------------------------------------------------------------------------


def templates_visible_to(user) -> QuerySet[CampaignTemplate]:
    """Templates are shared: anyone who plans campaigns somewhere sees all of them."""
    if not scope.holds(user, CampaignPerm.PLAN):
        return CampaignTemplate.objects.none()
    return CampaignTemplate.objects.select_related("created_by").order_by("-created_at", "-id")


def get_template_for_user(user, pk) -> CampaignTemplate:
    template = templates_visible_to(user).filter(pk=id_or_404(pk)).first()
    if template is None:
        raise Http404
    return template


# Saving ------------------------------------------------------------------------------------


def _offset(day: date, start: date) -> int:
    return (day - start).days


def blueprint_of(campaign: Campaign) -> dict:
    """The campaign's plan as template data (no name: the template carries its own)."""
    start = campaign.start_date
    workstreams = list(campaign.workstreams.order_by("order", "id"))
    names = {workstream.pk: workstream.name for workstream in workstreams}
    # Parents are created before their shares, so ordering by id puts parents first. A
    # cancelled task leaves the plan with everything below it.
    tasks = (
        Task.objects.filter(campaign=campaign)
        .select_related("unit")
        .order_by("id")
        .only(
            "id",
            "parent_id",
            "state",
            "title",
            "description",
            "workstream_id",
            "unit__code",
            "start_date",
            "due_date",
            "quantity_target",
            "measure",
            "weight",
        )
    )
    keys: dict[int, str] = {}
    plan = []
    for task in tasks.iterator(chunk_size=2000):
        if task.state == TaskState.CANCELLED:
            continue
        if task.parent_id is not None and task.parent_id not in keys:
            continue
        keys[task.pk] = f"T{len(keys) + 1}"
        plan.append(
            {
                "key": keys[task.pk],
                "parent": keys.get(task.parent_id) if task.parent_id else None,
                "title": task.title,
                "description": task.description,
                "workstream": names[task.workstream_id],
                "unit": task.unit.code,
                "start": _offset(task.start_date, start),
                "due": _offset(task.due_date, start),
                "quantity_target": task.quantity_target,
                "measure": task.measure,
                "weight": task.weight,
            }
        )
    levels = {side: ["", "", ""] for side in IncentiveSide.values}
    for level in campaign.incentive_levels.all():
        if level.side in levels and 1 <= level.rank <= 3:
            levels[level.side][level.rank - 1] = level.name
    extension_data = {name: ext.export(campaign) for name, ext in sorted(_extensions.items())}
    json.dumps(extension_data)  # a module that returns something JSON cannot hold fails here
    return {
        "format": FORMAT,
        "version": VERSION,
        "campaign": {
            "name": campaign.name,
            "description": campaign.description,
            "unit": campaign.unit.code,
            "duration_days": _offset(campaign.end_date, start),
            **{name: getattr(campaign, name) for name in actions.THRESHOLD_FIELDS},
        },
        "workstreams": [
            {"name": workstream.name, "description": workstream.description}
            for workstream in workstreams
        ],
        "phases": [
            {
                "name": phase.name,
                "start": _offset(phase.start_date, start),
                "end": _offset(phase.end_date, start),
            }
            for phase in campaign.phases.order_by("order", "start_date")
        ],
        "incentive_levels": levels,
        "tasks": plan,
        "extensions": extension_data,
    }


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter a name.")})
    if len(name) > 120:
        raise ValidationError({"name": _("Use at most 120 characters.")})
    return name


def save_blueprint(actor, *, campaign: Campaign, name: str) -> CampaignTemplate:
    """Save the campaign's plan as a template for reuse."""
    if not scope.can(actor, CampaignPerm.PLAN, campaign.unit):
        raise PermissionDenied
    name = _clean_name(name)
    with transaction.atomic():
        data = blueprint_of(campaign)
        template = CampaignTemplate.objects.create(
            name=name, description=campaign.description, data=data, created_by=actor
        )
        record(
            actor=actor,
            code=Code.TEMPLATE_SAVED,
            obj=template,
            unit=campaign.unit,
            changes={
                "name": name,
                "campaign": campaign,
                "workstreams": len(data["workstreams"]),
                "tasks": len(data["tasks"]),
            },
        )
    return template


# The file ----------------------------------------------------------------------------------


def export_blueprint(template: CampaignTemplate) -> bytes:
    """The template as one UTF-8 JSON file."""
    document = {
        "format": FORMAT,
        "version": template.data.get("version", VERSION),
        "name": template.name,
        "description": template.description,
        **{key: value for key, value in template.data.items() if key not in ("format", "version")},
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


class _Checker:
    """Strict structural check of template data, collecting every problem with where it is."""

    def __init__(self):
        self.problems: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}" if where else message)

    def keys(self, value, where: str, required: set[str], optional: set[str] = frozenset()) -> bool:
        if not isinstance(value, dict):
            self.fail(where, _("expected an object"))
            return False
        missing = sorted(required - set(value))
        unknown = sorted(set(value) - required - set(optional))
        if missing:
            self.fail(where, _("missing %(keys)s") % {"keys": ", ".join(missing)})
        if unknown:
            self.fail(where, _("unknown %(keys)s") % {"keys": ", ".join(unknown)})
        return not missing

    def text(self, value, where: str, *, limit: int, blank: bool = False) -> bool:
        if not isinstance(value, str):
            self.fail(where, _("expected text"))
            return False
        if not blank and not value.strip():
            self.fail(where, _("must not be empty"))
            return False
        if len(value) > limit:
            self.fail(where, _("at most %(n)d characters") % {"n": limit})
            return False
        return True

    def whole(self, value, where: str, *, low: int, high: int, null: bool = False) -> bool:
        if value is None and null:
            return True
        # bool is an int in Python, but true/false in the file is a mistake.
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(where, _("expected a whole number"))
            return False
        if not low <= value <= high:
            self.fail(
                where, _("expected a number from %(low)d to %(high)d") % {"low": low, "high": high}
            )
            return False
        return True

    def items(self, value, where: str) -> list:
        if not isinstance(value, list):
            self.fail(where, _("expected a list"))
            return []
        return value


TEMPLATE_KEYS = {
    "format",
    "version",
    "campaign",
    "workstreams",
    "phases",
    "incentive_levels",
    "tasks",
    "extensions",
}
CAMPAIGN_KEYS = {"name", "description", "unit", "duration_days", *actions.THRESHOLD_FIELDS}
TASK_KEYS = {
    "key",
    "parent",
    "title",
    "description",
    "workstream",
    "unit",
    "start",
    "due",
    "quantity_target",
    "measure",
    "weight",
}


def check_blueprint(data, *, file_keys: set[str] = frozenset()) -> None:
    """Raise a ValidationError listing every structural problem of template data.

    ``file_keys`` are further top-level keys allowed (the file's name and description).
    """
    check = _Checker()
    if not check.keys(data, "", TEMPLATE_KEYS, file_keys):
        raise ValidationError(check.problems)
    if data["format"] != FORMAT:
        raise ValidationError(_("This is not a campaign template file."))
    if data["version"] != VERSION:
        raise ValidationError(
            _("This file has template format version %(found)s; this system reads %(version)d.")
            % {"found": data["version"], "version": VERSION}
        )
    campaign = data["campaign"]
    if check.keys(campaign, "campaign", CAMPAIGN_KEYS):
        check.text(campaign["name"], "campaign.name", limit=120)
        check.text(campaign["description"], "campaign.description", limit=10000, blank=True)
        check.text(campaign["unit"], "campaign.unit", limit=32)
        check.whole(campaign["duration_days"], "campaign.duration_days", low=0, high=MAX_DAYS)
        low = {"escalate_days": 1}
        ok = all(
            check.whole(campaign[name], f"campaign.{name}", low=low.get(name, 0), high=100)
            for name in actions.THRESHOLD_FIELDS
        )
        if ok and campaign["yellow_behind"] > campaign["red_behind"]:
            check.fail("campaign.yellow_behind", _("cannot exceed red_behind"))
    streams = set()
    for index, workstream in enumerate(check.items(data["workstreams"], "workstreams")):
        where = f"workstreams[{index + 1}]"
        if check.keys(workstream, where, {"name", "description"}) and check.text(
            workstream["name"], f"{where}.name", limit=60
        ):
            if workstream["name"].strip() in streams:
                check.fail(f"{where}.name", _("repeats an earlier workstream"))
            streams.add(workstream["name"].strip())
            check.text(workstream["description"], f"{where}.description", limit=10000, blank=True)
    for index, phase in enumerate(check.items(data["phases"], "phases")):
        where = f"phases[{index + 1}]"
        if check.keys(phase, where, {"name", "start", "end"}):
            check.text(phase["name"], f"{where}.name", limit=60)
            if (
                check.whole(phase["start"], f"{where}.start", low=-MAX_DAYS, high=MAX_DAYS)
                and check.whole(phase["end"], f"{where}.end", low=-MAX_DAYS, high=MAX_DAYS)
                and phase["end"] < phase["start"]
            ):
                check.fail(f"{where}.end", _("is before the start"))
    levels = data["incentive_levels"]
    if check.keys(levels, "incentive_levels", set(IncentiveSide.values)):
        for side in IncentiveSide.values:
            names = check.items(levels[side], f"incentive_levels.{side}")
            if len(names) != 3:
                check.fail(f"incentive_levels.{side}", _("expected three names"))
            for rank, name in enumerate(names, start=1):
                check.text(name, f"incentive_levels.{side}[{rank}]", limit=30)
    _check_tasks(check, data["tasks"], streams)
    found = data["extensions"]
    if isinstance(found, dict):
        unknown = sorted(set(found) - set(_extensions))
        if unknown:
            check.fail(
                "extensions",
                _("data for modules this system does not have: %(names)s")
                % {"names": ", ".join(unknown)},
            )
    else:
        check.fail("extensions", _("expected an object"))
    if check.problems:
        raise ValidationError(check.problems)


def _check_tasks(check: _Checker, tasks, streams: set[str]) -> None:
    seen: dict[str, dict] = {}
    for index, task in enumerate(check.items(tasks, "tasks")):
        where = f"tasks[{index + 1}]"
        if not check.keys(task, where, TASK_KEYS):
            continue
        if not check.text(task["key"], f"{where}.key", limit=20):
            continue
        where = f"tasks[{index + 1}] ({task['key']})"
        if task["key"] in seen:
            check.fail(f"{where}.key", _("repeats an earlier task's key"))
        parent = task["parent"]
        if parent is not None and parent not in seen:
            check.fail(f"{where}.parent", _("must be the key of an earlier task"))
            parent = None
        check.text(task["title"], f"{where}.title", limit=200)
        check.text(task["description"], f"{where}.description", limit=10000, blank=True)
        if check.text(task["workstream"], f"{where}.workstream", limit=60):
            if task["workstream"].strip() not in streams:
                check.fail(f"{where}.workstream", _("is not one of the template's workstreams"))
            elif parent is not None and task["workstream"] != seen[parent].get("workstream"):
                check.fail(f"{where}.workstream", _("differs from its parent's"))
        check.text(task["unit"], f"{where}.unit", limit=32)
        dates = check.whole(task["start"], f"{where}.start", low=-MAX_DAYS, high=MAX_DAYS)
        dates = check.whole(task["due"], f"{where}.due", low=-MAX_DAYS, high=MAX_DAYS) and dates
        if dates and task["due"] < task["start"]:
            check.fail(f"{where}.due", _("is before the start"))
        check.whole(
            task["quantity_target"], f"{where}.quantity_target", low=1, high=10**9, null=True
        )
        check.text(task["measure"], f"{where}.measure", limit=20, blank=True)
        check.whole(task["weight"], f"{where}.weight", low=1, high=100)
        seen.setdefault(task["key"], task)


def _read_json(file) -> Any:
    if file.size > settings.IMPORT_MAX_BYTES:
        raise ValidationError(
            _("The file is too large (at most %(mb)d MB).")
            % {"mb": settings.IMPORT_MAX_BYTES // (1024 * 1024)}
        )
    raw = file.read()
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ValidationError(_("The file is not UTF-8 text: it is not a template file.")) from None
    except json.JSONDecodeError as error:
        raise ValidationError(
            _("The file is not valid JSON (line %(line)d, column %(column)d): %(problem)s.")
            % {"line": error.lineno, "column": error.colno, "problem": error.msg}
        ) from None


def import_blueprint(actor, *, file) -> CampaignTemplate:
    """Store a template from an exported file. The file is checked strictly; on any problem
    a ValidationError lists them all and nothing is written."""
    if not scope.holds(actor, CampaignPerm.PLAN):
        raise PermissionDenied
    document = _read_json(file)
    check_blueprint(document, file_keys={"name", "description"})
    name = document.get("name", document["campaign"]["name"])
    description = document.get("description", "")
    problems = []
    if not isinstance(name, str) or not name.strip() or len(name) > 120:
        problems.append(_("name: expected text of 1 to 120 characters"))
    if not isinstance(description, str):
        problems.append(_("description: expected text"))
    if problems:
        raise ValidationError(problems)
    data = {key: value for key, value in document.items() if key not in ("name", "description")}
    with transaction.atomic():
        template = CampaignTemplate.objects.create(
            name=name.strip(), description=description, data=data, created_by=actor
        )
        record(
            actor=actor,
            code=Code.TEMPLATE_IMPORTED,
            obj=template,
            changes={
                "name": template.name,
                "file": getattr(file, "name", ""),
                "workstreams": len(data["workstreams"]),
                "tasks": len(data["tasks"]),
            },
        )
    return template


# Starting ----------------------------------------------------------------------------------


@dataclass
class Summary:
    """What a template holds, for the page that starts a campaign from it."""

    duration_days: int
    workstreams: list[str]
    phases: list[dict]
    tasks: int
    top_tasks: int
    unit_codes: list[str]
    extensions: list[str]


def summary_of(template: CampaignTemplate) -> Summary:
    data = template.data
    tasks = data.get("tasks", [])
    return Summary(
        duration_days=data["campaign"]["duration_days"],
        workstreams=[workstream["name"] for workstream in data.get("workstreams", [])],
        phases=data.get("phases", []),
        tasks=len(tasks),
        top_tasks=sum(1 for task in tasks if task["parent"] is None),
        unit_codes=sorted({task["unit"] for task in tasks}),
        extensions=sorted(data.get("extensions", {})),
    )


def _shifted(start: date, days: int) -> date:
    return start + timedelta(days=days)


def start_from_blueprint(
    actor, *, template: CampaignTemplate, unit: Unit, start_date: date, name: str
) -> Campaign:
    """Create a campaign from a template for a new period: the same workstreams, phases,
    thresholds, incentive levels and task tree, dates shifted to ``start_date``, tasks on the
    units of the same codes under ``unit``. A code missing there is an error listing every
    missing code; nothing is created unless everything is."""
    if not scope.can(actor, CampaignPerm.PLAN, unit):
        raise PermissionDenied
    data = template.data
    check_blueprint(data)
    name = _clean_name(name)
    codes = sorted({task["unit"].strip() for task in data["tasks"]})
    units = {
        found.code: found
        for found in Unit.objects.filter(
            scope.prefix_q("path", unit.path), code__in=codes, is_active=True
        )
    }
    missing = [code for code in codes if code not in units]
    if missing:
        raise ValidationError(
            {
                "unit": _(
                    "These unit codes of the template do not exist under %(unit)s: %(codes)s."
                )
                % {"unit": unit.name, "codes": "、".join(missing)}
            }
        )
    campaign_data = data["campaign"]
    on = actions.today()
    with transaction.atomic():
        campaign = actions.create_campaign(
            actor,
            unit=unit,
            name=name,
            description=campaign_data["description"],
            start_date=start_date,
            end_date=_shifted(start_date, campaign_data["duration_days"]),
            **{field: campaign_data[field] for field in actions.THRESHOLD_FIELDS},
        )
        for order, workstream in enumerate(data["workstreams"]):
            actions.save_workstream(
                actor,
                campaign=campaign,
                name=workstream["name"],
                description=workstream["description"],
                order=order,
            )
        if data["phases"]:
            actions.set_phases(
                actor,
                campaign=campaign,
                phases=[
                    {
                        "name": phase["name"],
                        "start_date": _shifted(start_date, phase["start"]),
                        "end_date": _shifted(start_date, phase["end"]),
                    }
                    for phase in data["phases"]
                ],
            )
        actions.set_incentive_levels(actor, campaign=campaign, names=data["incentive_levels"])
        streams = {workstream.name: workstream for workstream in campaign.workstreams.all()}
        created: dict[str, Task] = {}
        for task in data["tasks"]:
            try:
                created[task["key"]] = actions.create_task(
                    actor,
                    campaign=campaign,
                    workstream=streams[task["workstream"].strip()],
                    unit=units[task["unit"].strip()],
                    parent=created[task["parent"]] if task["parent"] else None,
                    title=task["title"],
                    description=task["description"],
                    start_date=_shifted(start_date, task["start"]),
                    due_date=_shifted(start_date, task["due"]),
                    quantity_target=task["quantity_target"],
                    measure=task["measure"],
                    weight=task["weight"],
                    on=on,
                )
            except ValidationError as error:
                messages = [m for found in messages_of(error).values() for m in found]
                raise ValidationError(
                    [
                        _("Task %(key)s “%(title)s”: %(problem)s")
                        % {"key": task["key"], "title": task["title"], "problem": message}
                        for message in messages
                    ]
                ) from None
        for extension_name, payload in data["extensions"].items():
            _extensions[extension_name].load(campaign, payload)
        record(
            actor=actor,
            code=Code.CAMPAIGN_FROM_TEMPLATE,
            obj=campaign,
            unit=unit,
            changes={
                "template": template.name,
                "template_id": template.pk,
                "start_date": start_date,
                "tasks": len(created),
                "extensions": sorted(data["extensions"]),
            },
        )
    return campaign
