"""Time the campaign overview and the task list on a city-sized campaign: 5,000 units six levels
deep, 20,000 people and 1,000,000 tasks.

    .venv/bin/python benchmarks/campaign_scale.py                            # SQLite
    scripts/with-postgres.sh .venv/bin/python benchmarks/campaign_scale.py   # PostgreSQL 15
    .venv/bin/python benchmarks/campaign_scale.py --tasks 50000 --units 500 --reps 10   # quick

It migrates an empty database, builds the tree with org_scale's builder, one campaign on the root
with nine workstreams and the tasks (bulk_create, whole decomposition families with correct
unit_path/branch/root and colours assessed for today), builds the tallies with
``tally.recount``, runs ANALYZE, checks that each user sees exactly their subtree's tasks, then
times full pages through the test Client (p50/p95 in milliseconds) and the DB part of each list,
prints the query plans of the slowest lists and finally runs the daily ``colours`` job. It
always uses a temporary ZHENGDUN_DATA_DIR (and, without ZHENGDUN_DATABASE_URL, SQLite in it) and
refuses a database that already holds units.
"""

import argparse
import logging
import os
import platform
import random
import shutil
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

import org_scale
from org_scale import Result, pad, time_runs, width

# Milliseconds at p95 for a full request (issue 3, "Done means").
TARGETS = {"overview": 100.0, "list": 50.0}

WORKSTREAMS = {
    "初心革命": "政治轮训 主题党日 英模事迹宣讲 重温入警誓词 红色教育基地参观 党史学习专题会"
    " 警示教育大会 公安夜校 主题征文 读书班 廉政家访 谈心谈话",
    "勤务革命": "勤务模式改革 警力下沉 巡逻防控调整 接处警流程优化 网格化巡防 社区警务室建设"
    " 弹性勤务试点 岗位互换情景体验日 警保联控 值班备勤制度修订 联勤联动演练 夜间巡防专项",
    "数据革命": "数据治理专项 警务数据清洗 智慧平台建设 视频监控联网 数据共享目录 大数据研判中心"
    " 移动警务终端推广 一标三实采集 数据质量考核 信息系统整合 数据安全检查 警情分析周报",
    "效率革命": "一站式办理 网上办事大厅 办证时限压缩 群众满意度回访 最多跑一次 窗口服务改进"
    " 跨区域通办 公布举报电话信箱 群众来信办理 办事指南更新 预约服务上线 服务评价系统",
    "本领革命": "公安网校 实战化练兵 岗位大练兵 应知应会手册 执法资格考试 体能达标测试 射击训练"
    " 法律知识竞赛 警务技能比武 案例研讨 新警入职培训 专家授课",
    "突出实": "为民办实事 走访企业 矛盾纠纷排查化解 积案清理 信访化解 电梯口视频制作 宣传展板"
    " 网站专栏 警营开放日 安全防范宣传 帮扶困难群众 校园安全巡查",
    "突出严": "执法突出问题整治 案件质量评查 执法档案核查 警车专项整治 酒驾醉驾专项 内务规范检查"
    " 纪律作风督查 枪支弹药清查 涉案财物清理 请销假制度落实 值班纪律抽查 办案区规范化",
    "突出督": "专项督察 明察暗访 督办台账 问题整改回头看 通报讲评 执法监督检查 督察下访"
    " 两代表一委员座谈会 群众评议警风 整改销号 督导组进驻 约谈提醒",
    "突出深": "顽瘴痼疾整治 案件倒查 线索核查 自查自纠 组织处理 以案促改 专项调研 长效机制建设"
    " 制度废改立 典型案例剖析 问题清单梳理 深化改革试点",
}
SEARCH = "公安夜校"  # one of 108 task items: about 1 task in 100
# States of the tasks (planned, started, completed, cancelled), in per cent.
STATE_WEIGHTS = (35, 30, 30, 5)
CITY_SHARE = 0.1  # top-level tasks held by the city bureau itself; the rest by the counties
FAMILY = 10  # mean budget of shares below a top-level task (some is lost at the leaves)
DEEP_PAGE = 200


@dataclass
class Scenario:
    kind: str  # "overview" or "list"
    user: str
    label: str
    params: dict
    page: Result | None = None
    db: Result | None = None
    expected: int | None = None  # for the list: the count the page must show
    extra: dict = field(default_factory=dict)

    @property
    def url_params(self) -> str:
        return urlencode(self.params)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=5000, help="units in the tree (>= 50)")
    parser.add_argument("--people", type=int, default=20_000, help="people spread over them")
    parser.add_argument("--tasks", type=int, default=1_000_000, help="tasks in the campaign")
    parser.add_argument("--reps", type=int, default=50, help="timed runs per scenario")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs before timing")
    parser.add_argument(
        "--budget", type=float, default=40, help="seconds per scenario before --reps is cut"
    )
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--plans", type=int, default=4, help="EXPLAIN the N slowest lists")
    parser.add_argument("--no-jobs", action="store_true", help="skip the daily colours job")
    parser.add_argument(
        "--keep", action="store_true", help="keep the data dir (and its SQLite file) at the end"
    )
    parser.add_argument(
        "--reuse",
        metavar="DIR",
        help="time again what a --keep run left in DIR (SQLite), without building",
    )
    args = parser.parse_args(argv)
    if args.units < 50:
        parser.error("--units must be at least 50 to make a six-level tree")
    if min(args.people, args.tasks, args.reps) < 1 or args.warmup < 0 or args.plans < 0:
        parser.error("--people, --tasks and --reps must be positive")
    return args


# --- building the data ---------------------------------------------------------------------


def build_campaign(office, root, today: date):
    from zhengdun.campaigns import actions
    from zhengdun.campaigns.models import Campaign, CampaignStatus

    start = today - timedelta(days=150)
    campaign = actions.create_campaign(
        office,
        unit=root,
        name="队伍教育整顿",
        start_date=start,
        end_date=today + timedelta(days=240),
        workstreams=list(WORKSTREAMS),
        phases=[
            {"name": name, "start_date": start + timedelta(a), "end_date": start + timedelta(b)}
            for name, a, b in (("学习教育", 0, 120), ("查纠整改", 121, 300), ("总结提升", 301, 390))
        ],
    )
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.ACTIVE)
    campaign.refresh_from_db()
    return campaign


def task_dates(state: str, today: date, rng: random.Random):
    """(start, due, progress, completed_on) plausible for a task in ``state`` on ``today``."""
    from zhengdun.campaigns.models import TaskState
    from zhengdun.campaigns.warnings import expected_progress

    day = timedelta(days=1)
    if state == TaskState.PLANNED:
        # Mostly not due to start yet; some should have started already (they turn yellow/red).
        offset = rng.randint(1, 90) if rng.random() < 0.7 else -rng.randint(0, 30)
        start = today + offset * day
        return start, start + rng.randint(20, 120) * day, 0, None
    if state == TaskState.STARTED:
        start = today - rng.randint(1, 120) * day
        due = max(start + 7 * day, today + rng.randint(-15, 120) * day)
        expected = expected_progress(start, due, today)
        progress = min(99, max(0, round(rng.gauss(expected, 15))))
        return start, due, progress, None
    if state == TaskState.COMPLETED:
        start = today - rng.randint(20, 150) * day
        due = start + rng.randint(14, 120) * day
        done = start + round((due - start).days * rng.uniform(0.4, 1.15)) * day
        return start, due, 100, min(done, today)
    start = today + rng.randint(-120, 60) * day
    return start, start + rng.randint(14, 120) * day, rng.randint(0, 50), None


def build_tasks(total, levels, campaign, leads_by_unit, today, rng) -> Counter:
    """Bulk-create ``total`` tasks as decomposition families: a top-level task at the city bureau
    or a county bureau, its shares handed down to subunits, theirs further down. Primary keys are
    assigned here, so parent and root are known before the insert. Returns statistics."""
    from django.db import connection, transaction

    from zhengdun.campaigns.models import Task, TaskState
    from zhengdun.campaigns.warnings import Thresholds, assess
    from zhengdun.org.models import PATH_STEP

    thresholds = Thresholds.of(campaign)
    workstreams = list(campaign.workstreams.order_by("order"))
    items = {ws.pk: WORKSTREAMS[ws.name].split() for ws in workstreams}
    children: defaultdict[int, list] = defaultdict(list)
    for level in levels[1:]:
        for unit in level:
            children[unit.parent_id].append(unit)
    city, counties = levels[0][0], levels[1]
    states = [TaskState.PLANNED, TaskState.STARTED, TaskState.COMPLETED, TaskState.CANCELLED]
    stats: Counter = Counter()
    batch: list[Task] = []
    next_id = 1

    def flush() -> None:
        with transaction.atomic():
            Task.objects.bulk_create(batch, batch_size=2000)
        batch.clear()

    def make(unit, parent: Task | None, workstream_id: int, title: str) -> Task:
        nonlocal next_id
        state = rng.choices(states, STATE_WEIGHTS)[0]
        start, due, progress, done = task_dates(state, today, rng)
        colour, _reason = assess(
            state=state,
            progress=progress,
            start=start,
            due=due,
            completed_on=done,
            today=today,
            thresholds=thresholds,
        )
        people = leads_by_unit.get(unit.pk)
        target = rng.choice((None, None, 5, 10, 20, 50))
        task = Task(
            id=next_id,
            campaign_id=campaign.pk,
            workstream_id=workstream_id,
            parent_id=parent.pk if parent else None,
            root_id=parent.root_id if parent else next_id,
            unit_id=unit.pk,
            unit_path=unit.path,
            branch=unit.path[: 2 * PATH_STEP],
            lead_id=rng.choice(people) if people and rng.random() < 0.9 else None,
            title=title,
            start_date=start,
            due_date=due,
            quantity_target=target,
            measure="次" if target else "",
            quantity_done=(target * progress // 100) if target else 0,
            weight=rng.choice((1, 1, 1, 2, 3)),
            state=state,
            progress=progress,
            completed_on=done,
            colour=colour,
            colour_since=today - timedelta(days=rng.randint(0, 14)),
        )
        next_id += 1
        batch.append(task)
        stats[f"depth {unit.depth}"] += 1
        stats[state] += 1
        if state in (TaskState.PLANNED, TaskState.STARTED):
            stats[f"open {colour}"] += 1
        return task

    def hand_down(task: Task, unit, budget: int) -> None:
        """Split ``budget`` shares among a few subunits of ``unit``, recursively."""
        below = children.get(unit.pk)
        if budget <= 0 or not below:
            return
        k = min(budget, len(below), rng.randint(2, 5))
        split = [0] * k
        for _ in range(budget - k):
            split[rng.randrange(k)] += 1
        for subunit, share in zip(rng.sample(below, k), split, strict=True):
            hand_down(make(subunit, task, task.workstream_id, task.title), subunit, share)

    while next_id <= total:
        unit = city if rng.random() < CITY_SHARE else rng.choice(counties)
        workstream = rng.choice(workstreams)
        title = rng.choice(items[workstream.pk])
        budget = min(total - next_id, rng.randint(0, 2 * FAMILY))
        stats["top-level"] += 1
        hand_down(make(unit, None, workstream.pk, title), unit, budget)
        if len(batch) >= 20_000:
            flush()
    if batch:
        flush()
    # Later inserts (the app's own) must not collide with the ids given here.
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Task]):
            cursor.execute(sql)
    return stats


# --- measuring -----------------------------------------------------------------------------


def measure(
    name: str, group: str, fn: Callable[[], object], reps: int, warmup: int, describe, budget
):
    value, queries, samples = time_runs(fn, reps, warmup, budget)
    result = Result(name, group, samples, queries, describe(value))
    mark = "  SLOW" if group in TARGETS and result.p95 > TARGETS[group] else ""
    print(
        f"  {pad(name, 56)} p50 {result.p50:8.2f}  p95 {result.p95:8.2f} ms  "
        f"({len(samples)} runs){mark}",
        flush=True,
    )
    return result


def print_table(scenarios: list[Scenario]) -> None:
    headers = (
        "scenario",
        "user",
        "queries",
        "runs",
        "result",
        "page p50",
        "page p95",
        "DB p50",
        "DB p95",
        "p95 target",
    )
    rows = []
    for s in scenarios:
        target = TARGETS.get(s.kind)
        mark = f"≤ {target:.0f}" + (" SLOW" if s.page.p95 > target else "") if target else ""
        rows.append(
            (
                s.label,
                s.user,
                f"{s.page.queries} / {s.db.queries}",
                f"{len(s.page.samples)} / {len(s.db.samples)}",
                s.db.result,
                f"{s.page.p50:.1f}",
                f"{s.page.p95:.1f}",
                f"{s.db.p50:.1f}",
                f"{s.db.p95:.1f}",
                mark,
            )
        )
    widths = [max(width(h), *(width(row[i]) for row in rows)) for i, h in enumerate(headers)]
    right = {2, 3, 5, 6, 7, 8}

    def line(cells) -> str:
        return "| " + " | ".join(pad(c, widths[i], i in right) for i, c in enumerate(cells)) + " |"

    print(line(headers))
    rule = ("-" * (w + 1) + (":" if i in right else "-") for i, w in enumerate(widths))
    print("|" + "|".join(rule) + "|")
    for row in rows:
        print(line(row))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    data_dir = org_scale.setup_django(args.reuse)
    try:
        return run(args)
    finally:
        if args.keep or args.reuse:
            print(f"Data kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


def build(args: argparse.Namespace, rng: random.Random, today: date, timings: dict):
    """Units, people, the three users, the campaign and its tasks, tallies and statistics; or
    an exit status if the code under test is broken."""
    from django.db import close_old_connections, transaction
    from django.test import Client

    from zhengdun.campaigns import tally
    from zhengdun.org.models import Person
    from zhengdun.org.roles import Role

    def timed(label: str, fn: Callable[[], object]):
        began = time.perf_counter()
        value = fn()
        timings[label] = time.perf_counter() - began
        print(f"  {label}: {timings[label]:.1f} s", flush=True)
        return value

    print("Building")

    def units():
        with transaction.atomic():
            return org_scale.build_units(args.units)

    levels = timed("units", units)
    all_units = [unit for level in levels for unit in level]

    def people():
        with transaction.atomic():
            org_scale.build_people(args.people, all_units, rng)

    timed("people", people)
    root, county = levels[0][0], levels[1][0]
    division = next(u for u in levels[2] if u.parent_id == county.pk)
    station = next(u for u in levels[3] if u.path.startswith(division.path))
    users = {
        "office": org_scale.make_user("bench-office", Role.OFFICE, root),
        "county": org_scale.make_user("bench-county", Role.UNIT_LEADER, county),
        "station": org_scale.make_user("bench-station", Role.OFFICER, station),
    }
    campaign = build_campaign(users["office"], root, today)
    # Fail now rather than after the long load if the code under test is broken.
    for label, user in users.items():
        client = Client()
        client.force_login(user, backend="zhengdun.accounts.backends.ZhengdunBackend")
        for url in (f"/campaigns/{campaign.pk}/", f"/campaigns/{campaign.pk}/tasks/"):
            status = client.get(url).status_code
            close_old_connections()
            if status != 200:
                print(f"{url} answers {status} to the {label} user before any task; stopping.")
                return 3
    leads_by_unit: defaultdict[int, list[int]] = defaultdict(list)
    for pk, unit_id in Person.objects.filter(status="active").values_list("pk", "unit_id"):
        leads_by_unit[unit_id].append(pk)
    stats = timed(
        "tasks", lambda: build_tasks(args.tasks, levels, campaign, leads_by_unit, today, rng)
    )
    timed("tallies (first recount)", lambda: tally.recount(campaign.pk))
    timed("ANALYZE", org_scale.analyze)
    recount_samples = []
    for _ in range(3):
        began = time.perf_counter()
        drift = tally.recount(campaign.pk)
        recount_samples.append(time.perf_counter() - began)
        if drift:
            print(f"A recount right after the first one found drift: {drift!r:.300}; stopping.")
            return 3
    timings["recount"] = min(recount_samples)
    print(
        "  recount (daily drift check, no drift): "
        + ", ".join(f"{s:.1f}" for s in recount_samples)
        + " s"
    )
    org_scale.analyze()

    return levels, users, campaign, stats


def existing_build():
    """What build() returns, read back from a database that a --keep run left."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from zhengdun.campaigns.models import OPEN_STATES, Campaign, Task
    from zhengdun.org.models import Unit

    depths = sorted(set(Unit.objects.values_list("depth", flat=True)))
    levels = [list(Unit.objects.filter(depth=depth).order_by("pk")) for depth in depths]
    users = {
        label: get_user_model().objects.get(username=f"bench-{label}")
        for label in ("office", "county", "station")
    }
    campaign = Campaign.objects.get()
    tasks = Task.objects.filter(campaign=campaign)
    stats: Counter = Counter()
    for state, n in tasks.values_list("state").annotate(n=Count("id")).order_by():
        stats[state] = n
    for colour, n in (
        tasks.filter(state__in=OPEN_STATES).values_list("colour").annotate(n=Count("id")).order_by()
    ):
        stats[f"open {colour}"] = n
    for depth, n in tasks.values_list("unit__depth").annotate(n=Count("id")).order_by():
        stats[f"depth {depth}"] = n
    stats["top-level"] = tasks.filter(parent=None).count()
    return levels, users, campaign, stats


def run(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import close_old_connections, connection
    from django.test import Client, RequestFactory
    from django.test.utils import CaptureQueriesContext

    from zhengdun.campaigns import actions, jobs, queries, tally, views
    from zhengdun.campaigns.models import OPEN_STATES, Colour, Task, TaskTally
    from zhengdun.core.pagination import paginate
    from zhengdun.org.models import Person, Unit

    rng = random.Random(args.seed)
    print(f"Database: {org_scale.database_description()} ({connection.vendor})")
    print(
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f} at start"
    )

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    setup_seconds = time.perf_counter() - started
    timings: dict[str, float] = {}
    today = actions.today()
    if args.reuse:
        if not Task.objects.exists():
            print(f"{args.reuse} holds no tasks to time again.")
            return 2
        levels, users, campaign, stats = existing_build()
        # Migrations since the build may have added kinds of tally, or replaced indexes.
        drift = tally.recount(campaign.pk)
        org_scale.analyze()
        print(f"Reusing the tasks built by an earlier run ({len(drift):,} tally rows recounted)")
    elif Unit.objects.exists() or Task.objects.exists():
        print("This database already holds data; the benchmark needs an empty one.")
        return 2
    else:
        built = build(args, rng, today, timings)
        if isinstance(built, int):
            return built
        levels, users, campaign, stats = built
    root, county = levels[0][0], levels[1][0]
    other_county = levels[1][1]
    division = next(u for u in levels[2] if u.parent_id == county.pk)
    station = next(u for u in levels[3] if u.path.startswith(division.path))
    clients = {}
    for label, user in users.items():
        clients[label] = Client()
        clients[label].force_login(user, backend="zhengdun.accounts.backends.ZhengdunBackend")

    total = Task.objects.count()
    tallies = TaskTally.objects.count()
    open_total = stats["planned"] + stats["started"]
    depth_counts = Counter(Unit.objects.values_list("depth", flat=True))
    print(
        f"\nBuilt {Unit.objects.count():,} units ("
        + ", ".join(f"depth {d}: {depth_counts[d]:,}" for d in sorted(depth_counts))
        + f"), {Person.objects.count():,} people, {total:,} tasks, {tallies:,} tally rows"
    )
    print(
        f"Tasks: {stats['top-level']:,} top-level ({100 * stats['top-level'] / total:.1f} %); "
        + ", ".join(f"{k} {stats[k]:,}" for k in sorted(stats) if k.startswith("depth"))
    )
    print(
        "States: "
        + ", ".join(
            f"{s} {100 * stats[s] / total:.1f} %"
            for s in ("planned", "started", "completed", "cancelled")
        )
        + "; open tasks by colour: "
        + ", ".join(
            f"{c} {100 * stats['open ' + c] / max(open_total, 1):.1f} %"
            for c in ("red", "yellow", "green")
        )
    )
    print(
        f"Build: migrate + collectstatic {setup_seconds:.1f} s, "
        + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items())
    )

    # --- scope checks: the numbers below mean nothing if the scoping is wrong ---------------
    tops = {"office": root, "county": county, "station": station}
    factory = RequestFactory()

    def filters_for(user, params):
        request = factory.get("/", params)
        request.user = user
        return views._filters(request, campaign)[1], request

    for label, user in users.items():
        expected = Task.objects.filter(
            campaign=campaign, unit_path__startswith=tops[label].path
        ).count()
        visible = queries.tasks_visible_to(user, campaign).count()
        tallied = queries.count_from_tallies(user, campaign, queries.TaskFilters())
        red = Task.objects.filter(
            campaign=campaign,
            unit_path__startswith=tops[label].path,
            state__in=OPEN_STATES,
            colour=Colour.RED,
        ).count()
        red_tallied = queries.count_from_tallies(
            user, campaign, queries.TaskFilters(colour=Colour.RED)
        )
        fortnight = {"due_from": today, "due_to": today + timedelta(days=13)}
        due = Task.objects.filter(
            campaign=campaign,
            unit_path__startswith=tops[label].path,
            state__in=OPEN_STATES,
            due_date__range=(fortnight["due_from"], fortnight["due_to"]),
        ).count()
        # None below the top two levels: those lists count their rows.
        due_tallied = queries.count_from_tallies(
            user, campaign, queries.TaskFilters(state="open", **fortnight)
        )
        summary = queries.overview(user, campaign, tops[label])
        print(
            f"  {label} sees {visible:,} tasks (tallies: {tallied:,}; red {red_tallied:,}; "
            f"due in 14 days {due_tallied}; overview total {summary.totals['total']:,})"
        )
        if not (
            visible == tallied == expected == summary.totals["total"]
            and red == red_tallied
            and due_tallied in (None, due)
        ):
            print(
                f"Scope or tallies wrong: {expected:,} tasks, {red:,} red, {due:,} due in 14 days"
                " expected; stopping."
            )
            return 3
    logging.getLogger("django.request").setLevel(logging.ERROR)  # the expected 404s below
    for url in (
        f"/campaigns/{campaign.pk}/tasks/?unit={other_county.pk}",
        f"/campaigns/{campaign.pk}/?unit={other_county.pk}",
    ):
        status = clients["county"].get(url).status_code
        close_old_connections()
        if status != 404:
            print(f"The county user got {status} for {url} (another county); stopping.")
            return 3
    print("  the county user gets 404 for another county's list and overview")

    # --- the scenarios ------------------------------------------------------------------------
    ws = campaign.workstreams.order_by("order").first()
    due = {"due_from": today.isoformat(), "due_to": (today + timedelta(days=13)).isoformat()}
    deep = {"page": str(DEEP_PAGE)}
    scenarios = [
        # The floor: middleware, session, scope, page shell and an empty task table.
        Scenario("shell", "station", "my tasks, none (page shell)", {}),
        Scenario("overview", "office", "overview, root", {}),
        Scenario("overview", "office", "overview, unit=county", {"unit": county.pk}),
        Scenario("overview", "office", "overview, unit=station", {"unit": station.pk}),
        Scenario("overview", "county", "overview (its county)", {}),
        Scenario("overview", "station", "overview (its station)", {}),
    ]
    list_cases = [
        ("office", "default", {}),
        ("office", f"default, page {DEEP_PAGE}", deep),
        ("office", "state=open", {"state": "open"}),
        ("office", f"state=open, page {DEEP_PAGE}", {"state": "open", **deep}),
        ("office", "state=completed", {"state": "completed"}),
        ("office", "colour=red", {"colour": "red"}),
        ("office", "workstream", {"workstream": ws.pk}),
        ("office", "due in 14 days", due),
        ("office", f"q={SEARCH}", {"q": SEARCH}),
        ("office", "unit=county", {"unit": county.pk}),
        ("office", "unit=county, colour=red", {"unit": county.pk, "colour": "red"}),
        ("office", "unit=county, workstream", {"unit": county.pk, "workstream": ws.pk}),
        ("office", "unit=division, state=open", {"unit": division.pk, "state": "open"}),
        ("office", "unit=station", {"unit": station.pk}),
        ("county", "default", {}),
        ("county", f"default, page {DEEP_PAGE}", deep),
        ("county", "state=open", {"state": "open"}),
        ("county", "colour=red", {"colour": "red"}),
        ("county", "workstream", {"workstream": ws.pk}),
        ("county", "due in 14 days", due),
        ("county", f"q={SEARCH}", {"q": SEARCH}),
        ("county", "unit=division", {"unit": division.pk}),
        ("station", "default", {}),
        ("station", "colour=red", {"colour": "red"}),
        ("station", f"q={SEARCH}", {"q": SEARCH}),
    ]
    scenarios += [Scenario("list", user, f"list, {label}", p) for user, label, p in list_cases]

    def get(client, url, expect: int | None = None) -> Callable[[], object]:
        def fetch():
            response = client.get(url)
            # As a server does at the end of each request (CONN_MAX_AGE 0 on SQLite).
            close_old_connections()
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
            return response

        return fetch

    def describe_response(response) -> str:
        return f"{response.status_code}, {len(response.content) // 1024} KiB"

    def list_db(user, params) -> Callable[[], object]:
        """What task_list asks the database for: the count (tallies or COUNT) and the page."""
        filters, request = filters_for(user, params)
        tasks = queries.tasks_visible_to(user, campaign, filters)

        def fetch():
            count = queries.count_from_tallies(user, campaign, filters)
            page = paginate(request, queries.counted(tasks, count))
            return page, list(page.object_list)

        return fetch

    def describe_page(value) -> str:
        page, rows = value
        return f"{page.paginator.count:,} total, p. {page.number}, {len(rows)} rows"

    print(
        f"\nTiming: {args.reps} runs per scenario after {args.warmup} warm-up runs "
        f"(page size {settings.ZHENGDUN_PAGE_SIZE}); load average {os.getloadavg()[0]:.2f}"
    )
    for s in scenarios:
        user = users[s.user]
        name = f"{s.label} ({s.user})"
        if s.kind == "shell":
            url = "/campaigns/mine/"
            db = lambda user=user: list(queries.my_tasks(user)[:25])  # noqa: E731
            describe_db = lambda rows: f"{len(rows)} rows"  # noqa: E731
        elif s.kind == "overview":
            url = f"/campaigns/{campaign.pk}/" + (f"?{s.url_params}" if s.params else "")
            unit = Unit.objects.get(pk=s.params["unit"]) if s.params else tops[s.user]
            db = lambda user=user, unit=unit: queries.overview(user, campaign, unit)  # noqa: E731
            describe_db = lambda o: f"{o.totals['total']:,} tasks, {len(o.by_unit)} subunits"  # noqa: E731
        else:
            url = f"/campaigns/{campaign.pk}/tasks/" + (f"?{s.url_params}" if s.params else "")
            db = list_db(user, s.params)
            describe_db = describe_page
        s.page = measure(
            "GET " + name, s.kind, get(clients[s.user], url), args.reps, args.warmup,
            describe_response, args.budget,
        )  # fmt: skip
        s.db = measure("  DB " + name, "", db, args.reps, args.warmup, describe_db, args.budget)
        if s.kind == "list":
            # The page must show the same count as the DB part (scoping through the stack).
            content = get(clients[s.user], url)().content.decode()
            count = db()[0].paginator.count
            if str(count) not in content and f"{count:,}" not in content:
                print(f"The page {url} does not show the count {count}; stopping.")
                return 3

    print(
        f"\nResults: {org_scale.database_description()}, {args.units:,} units, "
        f"{args.people:,} people, {total:,} tasks, {tallies:,} tally rows "
        f"(load average {os.getloadavg()[0]:.2f}, {os.getloadavg()[1]:.2f} over 5 min)\n"
    )
    print_table(scenarios)
    slow = [s for s in scenarios if s.kind in TARGETS and s.page.p95 > TARGETS[s.kind]]
    print(
        f"\nTargets (p95, full page): overview ≤ {TARGETS['overview']:.0f} ms, list ≤ "
        f"{TARGETS['list']:.0f} ms. "
        + (f"{len(slow)} scenario(s) over target." if slow else "All within target.")
    )

    if args.plans:
        lists = sorted((s for s in scenarios if s.kind == "list"), key=lambda s: -s.db.p95)
        print(f"\nQuery plans of the {args.plans} slowest lists (DB part)")
        for s in lists[: args.plans]:
            with CaptureQueriesContext(connection) as captured:
                list_db(users[s.user], s.params)()
            for query in captured.captured_queries:
                print(f"\n-- {s.label} ({s.user}), {s.db.p95:.1f} ms at p95:\n   {query['sql']}")
                for plan_line in org_scale.explain(query["sql"]):
                    print("   " + plan_line)

    if not (args.no_jobs or args.reuse):  # the job changes colours: a kept build stays as built
        print("\nDaily tick: campaigns.jobs.colours (recount with drift check, then colours)")
        for label, day in (("today", today), ("tomorrow", today + timedelta(days=1))):
            began = time.perf_counter()
            changed = jobs.colours(day)
            seconds = time.perf_counter() - began
            print(f"  colours({label}): {seconds:.1f} s, {changed:,} tasks changed colour")
        drift = tally.recount(campaign.pk)
        print(f"  recount afterwards: {len(drift)} rows of drift")
    print(f"\nLoad average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
