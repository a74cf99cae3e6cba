"""Excel export, printable ledger rows and import of a campaign's task plan.

Export and the ledger share one ``task_rows()`` generator (the filtered tasks the viewer may
see, streamed); the import validates every row through ``actions.create_task`` and commits all
rows or none through ``core.excel.run_import``.
"""

from collections.abc import Iterable, Iterator
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhengdun.audit.codes import Code
from zhengdun.audit.log import record
from zhengdun.campaigns import actions, queries
from zhengdun.campaigns.models import Campaign, Colour, Task, TaskState
from zhengdun.campaigns.permissions import CampaignPerm
from zhengdun.campaigns.warnings import annotate
from zhengdun.core.excel import Column, ImportOutcome, Row, RowError, parse_date, run_import
from zhengdun.org import scope
from zhengdun.org.models import Person, PersonStatus, Unit
from zhengdun.org.roles import Perm

# Export ------------------------------------------------------------------------------------

TASK_COLUMNS = [
    Column("title", gettext_lazy("Task"), width=40),
    Column("workstream", gettext_lazy("Workstream"), width=16),
    Column("unit", gettext_lazy("Unit"), width=24),
    Column("unit_code", gettext_lazy("Unit code"), width=12),
    Column("lead", gettext_lazy("Lead"), width=12),
    Column("start", gettext_lazy("Start"), width=12),
    Column("due", gettext_lazy("Due"), width=12),
    Column("state", gettext_lazy("State"), width=10),
    Column("progress", gettext_lazy("Progress (%)"), width=10),
    Column("quantity", gettext_lazy("Quantity done/target"), width=14),
    Column("measure", gettext_lazy("Unit of measure"), width=10),
    Column("colour", gettext_lazy("Warning"), width=8),
    Column("reason", gettext_lazy("Reason"), width=30),
    Column("completed_on", gettext_lazy("Completed on"), width=12),
    Column("days_to_complete", gettext_lazy("Days to complete"), width=10),
]

COLOUR_LABELS = {
    Colour.RED: Colour.RED.label,
    Colour.YELLOW: Colour.YELLOW.label,
    Colour.GREEN: Colour.GREEN.label,
    Colour.NONE: "",
}


def task_row(task: Task, today: date) -> dict:
    """One task as export/ledger cells, with its live warning colour and reason in words."""
    annotate(task, today)
    colour = task.live_colour
    quantity = ""
    if task.quantity_target is not None:
        quantity = f"{task.quantity_done}/{task.quantity_target}"
    return {
        "pk": task.pk,
        "title": task.title,
        "workstream": task.workstream.name,
        "unit": task.unit.name,
        "unit_code": task.unit.code,
        "lead": task.lead.name if task.lead else "",
        "start": task.start_date,
        "due": task.due_date,
        "state": task.get_state_display(),
        "progress": task.progress,
        "quantity": quantity,
        "measure": task.measure,
        "colour": str(COLOUR_LABELS[colour]),
        "colour_code": colour,
        "reason": task.reason,
        "completed_on": task.completed_on,
        "days_to_complete": task.days_to_complete,
    }


def task_rows(
    user,
    campaign: Campaign,
    filters: queries.TaskFilters,
    *,
    today: date,
    limit: int | None = None,
) -> Iterator[dict]:
    """The tasks of a filtered list the user may see, as rows, streamed in due order."""
    tasks = queries.tasks_visible_to(user, campaign, filters)
    if limit is not None:
        tasks = tasks[:limit]
    for task in tasks.iterator(chunk_size=2000):
        task.campaign = campaign  # the thresholds, without a query per row
        yield task_row(task, today)


# Import ------------------------------------------------------------------------------------

IMPORT_STATES = (
    (TaskState.PLANNED.value, TaskState.PLANNED.label),
    (TaskState.STARTED.value, TaskState.STARTED.label),
)


def import_columns(campaign: Campaign) -> list[Column]:
    """The columns of a task plan for ``campaign`` (its workstreams are the accepted values)."""
    workstreams = tuple(
        (name, name) for name in campaign.workstreams.values_list("name", flat=True)
    )
    return [
        Column(
            "key",
            gettext_lazy("Row key"),
            required=True,
            help=gettext_lazy("Any short text, unique in this file, that other rows may refer to."),
            width=8,
        ),
        Column(
            "parent_key",
            gettext_lazy("Parent row key"),
            help=gettext_lazy(
                "The key of another row in this file: this task is a share of that one, handed "
                "to a unit below it. Leave empty for a top-level task."
            ),
            width=10,
        ),
        Column("title", gettext_lazy("Title"), required=True, width=40),
        Column(
            "workstream",
            gettext_lazy("Workstream"),
            help=gettext_lazy(
                "Required for a top-level task; a share belongs to its parent's workstream."
            ),
            choices=workstreams,
            width=16,
        ),
        Column(
            "unit_code",
            gettext_lazy("Unit code"),
            required=True,
            help=gettext_lazy("The owning unit, which must take part in the campaign."),
            width=12,
        ),
        Column(
            "lead",
            gettext_lazy("Lead police number"),
            help=gettext_lazy("Optional; someone serving in the owning unit's bureau."),
            width=12,
        ),
        Column(
            "start",
            gettext_lazy("Start"),
            required=True,
            help=gettext_lazy("An Excel date, or text as YYYY-MM-DD."),
            width=12,
        ),
        Column(
            "due",
            gettext_lazy("Due"),
            required=True,
            help=gettext_lazy(
                "An Excel date, or text as YYYY-MM-DD; a share is due by its parent."
            ),
            width=12,
        ),
        Column(
            "quantity_target",
            gettext_lazy("Quantity target"),
            help=gettext_lazy("Optional whole number; the shares of a task cannot exceed it."),
            width=10,
        ),
        Column(
            "measure",
            gettext_lazy("Unit of measure"),
            help=gettext_lazy("e.g. sessions, people, items"),
            width=10,
        ),
        Column(
            "weight", gettext_lazy("Weight"), help=gettext_lazy("1 to 100; 1 if empty."), width=8
        ),
        Column(
            "state",
            gettext_lazy("State"),
            help=gettext_lazy("Planned if empty."),
            choices=IMPORT_STATES,
            width=10,
        ),
    ]


# Error field names of create_task -> import column keys.
IMPORT_ALIASES = {
    "unit": "unit_code",
    "parent": "parent_key",
    "start_date": "start",
    "due_date": "due",
}


def _whole(value: str, field: str, *, low: int, high: int | None = None) -> int | None:
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or number < low or (high is not None and number > high):
        if high is None:
            message = _("Enter a whole number of at least %(low)d.") % {"low": low}
        else:
            message = _("Enter a whole number from %(low)d to %(high)d.") % {
                "low": low,
                "high": high,
            }
        raise ValidationError({field: message})
    return number


def _order_parents_first(all_keys: set[str], label: str):
    """Order rows so that a parent comes before its shares. A parent key found nowhere in the
    file, or a chain of parent keys that loops, is an error on the row (``label`` names the
    column). A row whose parent row has problems of its own stays in the list, so that its own
    cells are still checked."""

    def order(rows: list[Row], outcome: ImportOutcome) -> list[Row]:
        by_key = {cells["key"]: (number, cells) for number, cells in rows}
        ordered: list[Row] = []
        placed: set[str] = set()
        looped: set[str] = set()
        for number, cells in rows:
            parent = cells.get("parent_key", "")
            if parent and parent not in all_keys:
                message = _("No row in this file has the key “%(key)s”.") % {"key": parent}
                outcome.errors.append(RowError(number, label, message))
        for _number, cells in rows:
            if cells["key"] in placed:
                continue
            # Walk up to the first ancestor already placed (or not in the list), then place
            # the chain top down.
            chain = [cells["key"]]
            parent = cells.get("parent_key", "")
            while parent and parent in by_key and parent not in placed:
                if parent in chain:
                    cycle = chain[chain.index(parent) :]
                    loop = " → ".join([*cycle, parent])
                    for member in cycle:
                        looped.add(member)
                        message = _("The parent keys go round in a loop: %(loop)s.") % {
                            "loop": loop
                        }
                        outcome.errors.append(RowError(by_key[member][0], label, message))
                    chain = chain[: chain.index(parent)]
                    placed.update(cycle)
                    break
                chain.append(parent)
                parent = by_key[parent][1].get("parent_key", "")
            for member in reversed(chain):
                placed.add(member)
                ordered.append(by_key[member])
        return ordered

    return order


class _TaskPlan:
    """The state of one import: units, people and workstreams looked up once, and the tasks
    created so far by row key (a share finds its parent there)."""

    def __init__(self, actor, campaign: Campaign, *, on: date):
        self.actor = actor
        self.campaign = campaign
        self.on = on
        self.workstreams = {ws.name: ws for ws in campaign.workstreams.all()}
        self.units: dict[str, Unit | None] = {}
        self.people: dict[str, Person | None] = {}
        self.created: dict[str, Task] = {}

    def unit(self, code: str) -> Unit | None:
        if code not in self.units:
            self.units[code] = Unit.objects.filter(
                scope.prefix_q("path", self.campaign.unit.path), code=code, is_active=True
            ).first()
        return self.units[code]

    def person(self, number: str) -> Person | None:
        if number not in self.people:
            self.people[number] = (
                Person.objects.filter(
                    scope.within(self.actor, Perm.VIEW_ORG),
                    police_number=number,
                    status=PersonStatus.ACTIVE,
                )
                .select_related("unit")
                .first()
            )
        return self.people[number]

    def fields(self, cells: dict) -> dict:
        """The row's cells as create_task arguments; every problem of the row at once."""
        errors: dict[str, str] = {}
        unit = self.unit(cells["unit_code"])
        if unit is None:
            errors["unit_code"] = _(
                "No unit with the code %(code)s takes part in this campaign."
            ) % {"code": cells["unit_code"]}
        lead = None
        if cells.get("lead"):
            lead = self.person(cells["lead"])
            if lead is None:
                errors["lead"] = _(
                    "No serving officer with the police number %(number)s in your scope."
                ) % {"number": cells["lead"]}
        dates = {}
        for key in ("start", "due"):
            dates[key] = parse_date(cells[key])
            if dates[key] is None:
                errors[key] = _("Enter a date as YYYY-MM-DD.")
        numbers = {}
        for key, low, high in (("quantity_target", 1, 10**9), ("weight", 1, 100)):
            try:
                numbers[key] = _whole(cells.get(key, ""), key, low=low, high=high)
            except ValidationError as error:
                errors.update({name: messages[0] for name, messages in error.message_dict.items()})
        workstream = None
        name = cells.get("workstream", "")
        parent_key = cells.get("parent_key", "")
        if name:
            workstream = self.workstreams.get(name)
        elif not parent_key:
            errors["workstream"] = _("Choose the workstream of a top-level task.")
        parent = self.created.get(parent_key) if parent_key else None
        if parent is not None and workstream is not None and workstream.pk != parent.workstream_id:
            errors["workstream"] = _("A share belongs to its parent's workstream (%(name)s).") % {
                "name": parent.workstream.name
            }
        if errors:
            raise ValidationError(errors)
        return {
            "campaign": self.campaign,
            "workstream": workstream if parent is None else parent.workstream,
            "unit": unit,
            "parent": parent,
            "title": cells["title"],
            "lead": lead,
            "start_date": dates["start"],
            "due_date": dates["due"],
            "quantity_target": numbers["quantity_target"],
            "measure": cells.get("measure", ""),
            "weight": numbers["weight"] or 1,
            "state": cells.get("state") or TaskState.PLANNED,
        }

    def apply(self, cells: dict) -> str:
        fields = self.fields(cells)
        parent_key = cells.get("parent_key", "")
        if parent_key and fields["parent"] is None:
            # The parent row has problems of its own (listed there); this row's cells are
            # fine as far as they can be checked without it.
            return "unchanged"
        task = actions.create_task(self.actor, on=self.on, **fields)
        self.created[cells["key"]] = task
        return "created"


def import_tasks(
    actor, *, campaign: Campaign, rows: Iterable[Row], dry_run: bool = False, on: date | None = None
) -> ImportOutcome:
    """Create a campaign's task plan from spreadsheet rows, all rows or none.

    Each row creates a task through ``actions.create_task``; a row with a parent key creates a
    share of that row's task. One summary event is audited on commit.
    """
    if not scope.can(actor, CampaignPerm.PLAN, campaign.unit):
        raise PermissionDenied
    rows = list(rows)
    all_keys = {cells.get("key", "") for _number, cells in rows} - {""}
    columns = import_columns(campaign)
    label = next(str(column.label) for column in columns if column.key == "parent_key")
    plan = _TaskPlan(actor, campaign, on=on or actions.today())
    return run_import(
        rows,
        columns,
        key="key",
        order=_order_parents_first(all_keys, label),
        apply_row=plan.apply,
        aliases=IMPORT_ALIASES,
        dry_run=dry_run,
        on_commit=lambda outcome: _record_import(actor, campaign, outcome),
    )


def _record_import(actor, campaign: Campaign, outcome: ImportOutcome) -> None:
    record(
        actor=actor,
        code=Code.TASKS_IMPORTED,
        obj=campaign,
        unit=campaign.unit,
        changes={"created": outcome.created},
    )
