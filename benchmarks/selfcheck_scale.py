"""Time the rectification ledger, the heat map and the formalism detectors on a city-sized
self-inspection round: 5,000 units six levels deep, 100,000 officers with a personal report each
(plus a report per unit) and 300,000 rectification measures.

    .venv/bin/python benchmarks/selfcheck_scale.py                            # SQLite
    scripts/with-postgres.sh .venv/bin/python benchmarks/selfcheck_scale.py   # PostgreSQL 15
    .venv/bin/python benchmarks/selfcheck_scale.py --units 500 --people 10000 --measures 30000 \\
        --copies 30 --reps 10                                                 # quick

It migrates an empty database, builds the tree with org_scale's builder, opens one round over the
whole bureau with the demo's 35-item catalogue (``actions.open_round``: a draft report for every
unit and officer), then writes the reports' answers and measures with ``bulk_create``: varied
Chinese texts composed from a phrase bank, a few hundred deliberately copied reports, report
states, measure states, deadlines, colours and buckets as ``actions`` sets them, evidence for most
closed measures. It builds the tallies with ``tally.recount``, runs ANALYZE, checks the scope of
the ledger, then times (p50/p95 in milliseconds): (a) the ledger page filtered to a county and
the heat map through the test Client, with the DB part of the ledger alone; (b) the
near-duplicate job over every report from scratch, then incrementally; (c) the other detectors
and the whole tick job. It prints the query plans of the slow queries. It always uses a
temporary ZHENGDUN_DATA_DIR (and, without ZHENGDUN_DATABASE_URL, SQLite in it) and refuses a
database that already holds units.
"""

import argparse
import logging
import os
import platform
import random
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import org_scale
from org_scale import Result, pad, time_runs, width

# Milliseconds at p95 for a full request (issue 4, "Done means"); seconds for the job.
TARGETS = {"ledger": 50.0}
DUPLICATE_JOB_SECONDS = 60.0

# --- the phrase bank -------------------------------------------------------------------------
# A finding is "<who><problem>，<how it shows>，<instance>。", its cause "<root>，<aggravating>。",
# each measure "<action><object>，<rhythm>，<who answers for it><check>。". The instance carries
# numbers, months and places, as real reports do, so two reports rarely say the same thing.


def bank(phrases: str) -> tuple[str, ...]:
    return tuple(phrases.split())


WHO = bank(
    "本单位部分民警 个别民警 少数班子成员 所内部分辅警 本人 本所个别同志 部分中层干部 "
    "少数年轻民警 个别老民警 部分社区民警 值班民警中有人 个别窗口工作人员 本队少数同志 "
    "部分党员民警 个别科所队负责人 少数执法办案民警"
)
PROBLEMS = bank(
    "理想信念不够坚定 政治理论学习不深不实 宗旨意识有所淡化 纪律作风存在松弛现象 "
    "担当作为不够 执法规范化意识不强 服务群众的主动性不够 工作标准不高 创新意识不足 "
    "廉洁自律意识有所弱化 落实请示报告制度不严 组织生活质量不高 保密意识淡薄 "
    "本领恐慌问题较为突出 基层基础工作不扎实 对分管工作督促检查不够 执行工作纪律打折扣 "
    "政治敏锐性和鉴别力不强 对群众诉求回应不及时 办案质量不高"
)
SHOWS = bank(
    "学习笔记照抄照搬 参加集中学习时迟到早退 接处警时态度生硬 执法记录仪未全程开启 "
    "案件材料装订不规范 值班期间脱岗离岗 对群众来电推诿扯皮 警车私用现象时有发生 "
    "台账资料补记补写 会议精神传达不及时 谈心谈话流于形式 考勤打卡由他人代替 "
    "涉案财物登记不全 讯问笔录存在复制粘贴 网上办案平台录入滞后 工作群内发布不当言论 "
    "对辅警管理失之于宽 下访走访次数不足 调解纠纷敷衍了事 对上级部署研究不深"
)
PLACES = bank(
    "东坡片区 彭山片区 仁寿片区 洪雅片区 丹棱片区 青神片区 高新区 天府新区 城区巡逻 "
    "交通卡口 户籍窗口 出入境窗口 办案中心 看守所 社区警务室 校园周边 农贸市场 车站广场 "
    "工业园区 景区周边"
)
SOURCES = bank(
    "群众来信 12345热线 督察通报 执法检查 案件评查 民主评议 巡察反馈 审计检查 网上舆情 回访"
)
ROOTS = bank(
    "思想上重视不够 政治站位不高 学习教育抓得不紧 制度执行不严 监督管理宽松软 "
    "责任传导层层递减 自我要求放松 对新形势新任务研究不深 考核机制不健全 "
    "教育培训针对性不强 日常管理存在盲区 以会议落实会议 对苗头性问题失察 "
    "抓班子带队伍办法不多 工作作风不够扎实"
)
AGGRAVATING = bank(
    "满足于完成上级交办任务 存在“差不多”思想 把主要精力放在业务工作上 怕得罪人不愿较真 "
    "对制度规定学得不深 缺乏常态化的督促检查 奖惩措施落实不到位 老问题反复出现未引起警觉 "
    "对年轻民警传帮带不够 工作压力大导致心态浮躁 对群众反映的问题研究不深 考核结果运用不充分"
)
ACTIONS = bank(
    "建立 完善 修订 落实 开展 组织 推行 健全 严格执行 坚持 深化 规范 强化 细化 实行 "
    "制定 清理 排查 整改 恢复"
)
OBJECTS = bank(
    "集中学习制度 学习笔记检查评比 执法记录仪使用管理规定 值班备勤制度 警车使用登记制度 "
    "案件质量评查机制 谈心谈话台账 群众回访制度 接处警规范 窗口服务评价机制 辅警管理办法 "
    "涉案财物管理台账 考勤管理制度 请销假制度 保密工作检查 警示教育活动 岗位练兵计划 "
    "网上办案流程 矛盾纠纷排查机制 廉政风险防控清单 党支部“三会一课” 民主评议制度 "
    "专项督察 案例剖析会 业务知识测试"
)
RHYTHMS = bank(
    "每周检查一次 每月通报一次 每季度评比一次 每半月讲评一次 每天上下班点名 随机抽查 "
    "纳入月度绩效考核 实行销号管理 建立问题清单 限期整改到位"
)
ANSWERS_FOR = bank(
    "由所长牵头 由教导员负责 由分管领导负责 由警务保障室负责 由法制员把关 由支部书记负责 "
    "由各中队长负责 由督察人员负责 由本人负责 由政工干部负责"
)
CHECKS = bank(
    "并建立整改台账 并公开整改结果 并接受群众监督 并形成长效机制 并报上级备案 "
    "并开展回头看 并纳入年终考评 并留存佐证材料"
)
UNIT_WORDS = ("本单位", "本所", "本队", "本局", "我所", "我队")

# Report states, per cent: submitted, draft, returned.
REPORT_STATES = (("submitted", 93), ("draft", 4), ("returned", 3))
# Findings per submitted personal report: 0 (nothing found) to 4.
PERSON_FINDINGS = (20, 30, 27, 15, 8)
UNIT_FINDINGS = (3, 8, 12, 16, 18, 16, 12, 9, 6)  # 0 to 8 for a unit report
# Live measures' states, per cent.
MEASURE_STATES = (("open", 30), ("in_progress", 35), ("completed", 15), ("verified", 20))
NO_DEADLINE, LATE_DEADLINE = 0.02, 0.03  # shares of measures (formalism signals)
EVIDENCE = 0.85  # share of closed measures with an evidence file
LEADER_DEPTH = 5  # leaders (a unit_leader grant and a person) for every unit down to this depth


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=5000, help="units in the tree (>= 50)")
    parser.add_argument("--people", type=int, default=100_000, help="officers, each reporting")
    parser.add_argument("--measures", type=int, default=300_000, help="rectification measures")
    parser.add_argument("--copies", type=int, default=300, help="reports copied from another")
    parser.add_argument("--reps", type=int, default=50, help="timed runs per page scenario")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs before timing")
    parser.add_argument(
        "--budget", type=float, default=30, help="seconds per scenario before --reps is cut"
    )
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--no-plans", action="store_true", help="skip the EXPLAIN output")
    args = parser.parse_args(argv)
    if args.units < 50:
        parser.error("--units must be at least 50 to make a six-level tree")
    if min(args.people, args.measures, args.reps) < 1 or args.warmup < 0 or args.copies < 0:
        parser.error("--people, --measures and --reps must be positive")
    return args


# --- texts ---------------------------------------------------------------------------------


def finding_text(rng: random.Random) -> tuple[str, str]:
    instance = rng.choice(
        (
            f"今年{rng.randint(1, 12)}月以来在{rng.choice(PLACES)}共发现{rng.randint(2, 30)}次",
            f"经{rng.choice(SOURCES)}反映{rng.randint(1, 12)}起，涉及{rng.choice(PLACES)}",
            f"在{rng.choice(PLACES)}的{rng.randint(2, 40)}份台账中有{rng.randint(1, 9)}份存在问题",
            f"近{rng.randint(2, 6)}个月{rng.choice(SOURCES)}中被点名{rng.randint(1, 5)}次",
        )
    )
    shows = rng.sample(SHOWS, 2)
    description = f"{rng.choice(WHO)}{rng.choice(PROBLEMS)}，{shows[0]}、{shows[1]}，{instance}。"
    cause = f"{rng.choice(ROOTS)}，{rng.choice(AGGRAVATING)}。"
    return description, cause


def measure_text(rng: random.Random) -> str:
    return (
        f"{rng.choice(ACTIONS)}{rng.choice(OBJECTS)}，{rng.choice(RHYTHMS)}，"
        f"{rng.choice(ANSWERS_FOR)}{rng.choice(CHECKS)}。"
    )


def copy_of(text: str, rng: random.Random) -> str:
    """What copying a neighbour's report looks like: the unit's name and a number changed."""
    for word in UNIT_WORDS:
        text = text.replace(word, rng.choice(UNIT_WORDS))
    digits = [i for i, char in enumerate(text) if char.isdigit()]
    if digits:
        i = rng.choice(digits)
        text = text[:i] + str(rng.randint(0, 9)) + text[i + 1 :]
    return text


# --- building the data ---------------------------------------------------------------------


def build_leaders(levels, rng: random.Random) -> int:
    """A unit_leader grant, with a login linked to one of its officers, on every unit down to
    LEADER_DEPTH, so that the round marks their personal reports as leaders'."""
    from django.contrib.auth import get_user_model

    from zhengdun.org.models import Grant, Person

    people: dict[int, int] = {}
    for pk, unit_id in Person.objects.order_by("id").values_list("pk", "unit_id"):
        people.setdefault(unit_id, pk)
    units = [unit for level in levels[:LEADER_DEPTH] for unit in level if unit.pk in people]
    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"lead-{unit.code}", password="!") for unit in units], batch_size=1000
    )
    Grant.objects.bulk_create(
        [
            Grant(user=user, role="unit_leader", unit=unit)
            for user, unit in zip(users, units, strict=True)
        ],
        batch_size=1000,
    )
    persons = [
        Person(pk=people[unit.pk], user=user) for user, unit in zip(users, units, strict=True)
    ]
    Person.objects.bulk_update(persons, ["user"], batch_size=1000)
    return len(units)


def plan_findings(reports, rng: random.Random) -> list[tuple[str, int]]:
    """(state, number of findings) for each report."""
    states = [s for s, _w in REPORT_STATES]
    weights = [w for _s, w in REPORT_STATES]
    plan = []
    for _pk, kind, *_rest in reports:
        state = rng.choices(states, weights)[0]
        table = UNIT_FINDINGS if kind == "unit" else PERSON_FINDINGS
        findings = rng.choices(range(len(table)), table)[0]
        if state == "draft" and rng.random() < 0.5:
            findings = 0  # a draft not started yet
        plan.append((state, findings))
    return plan


def spread(measures: int, findings: int, rng: random.Random) -> list[int]:
    """Measures per finding: at least one each, the rest at random."""
    if findings > measures:
        raise SystemExit(f"{findings:,} findings need at least as many measures; use --measures")
    per_finding = [1] * findings
    for _ in range(measures - findings):
        per_finding[rng.randrange(findings)] += 1
    return per_finding


def build_round(args, office, root, levels, today, rng: random.Random) -> tuple:
    """Open the round (every unit and officer gets a draft), then write the answers, measures,
    evidence and report states in batches. Returns (round, stats, injected copy pairs)."""
    from django.db import transaction
    from django.utils import timezone

    from zhengdun.org.models import Person
    from zhengdun.selfcheck import actions, demo, tally
    from zhengdun.selfcheck.models import (
        Answer,
        AppliesTo,
        Item,
        Measure,
        MeasureEvidence,
        Report,
        ReportKind,
    )

    catalogue = demo.catalogue(office)
    round_ = actions.open_round(
        office,
        name="教育整顿自查自省（压力测试）",
        catalogue=catalogue,
        unit=root,
        due_date=today - timedelta(days=10),
        opened_on=today - timedelta(days=40),
    )
    items = list(Item.objects.filter(dimension__catalogue=catalogue).order_by("id"))
    for_kind = {
        ReportKind.UNIT: [i for i in items if i.applies_to in (AppliesTo.BOTH, AppliesTo.UNIT)],
        ReportKind.PERSON: [i for i in items if i.applies_to in (AppliesTo.BOTH, AppliesTo.PERSON)],
    }
    owners: dict[int, list[int]] = {}
    for pk, unit_id in Person.objects.values_list("pk", "unit_id"):
        owners.setdefault(unit_id, []).append(pk)
    reports = list(
        Report.objects.filter(round=round_)
        .order_by("id")
        .values_list("pk", "kind", "unit_id", "unit_path", "branch", "person_id")
    )
    plan = plan_findings(reports, rng)
    # Copies: a report (source) and a later one that copies it, both submitted with findings.
    eligible = [i for i, (state, n) in enumerate(plan) if state == "submitted" and n]
    chosen = rng.sample(eligible, min(2 * args.copies, len(eligible) - len(eligible) % 2))
    copies = {}
    for source, copier in zip(chosen[0::2], chosen[1::2], strict=True):
        source, copier = min(source, copier), max(source, copier)
        copies[copier] = source
        plan[copier] = (plan[copier][0], plan[source][1])
    sources = set(copies.values())
    # The copies repeat their sources' measures: the total goes over --measures by that much.
    own = sum(n for i, (_s, n) in enumerate(plan) if i not in copies)
    per_finding = spread(args.measures, own, rng)
    kept: dict[int, list] = {}  # source index -> its findings (item, description, cause, measures)
    stats: Counter = Counter()
    thresholds_round = round_
    finding_no = 0
    states = [s for s, _w in MEASURE_STATES]
    weights = [w for _s, w in MEASURE_STATES]
    late_from = round_.due_date + timedelta(days=91)
    batch = 4000
    for start in range(0, len(reports), batch):
        answers, measure_specs = [], []
        for index in range(start, min(start + batch, len(reports))):
            pk, kind, unit_id, path, branch, person_id = reports[index]
            state, count = plan[index]
            if index in copies:
                findings = [
                    (item, copy_of(d, rng), copy_of(c, rng), [copy_of(m, rng) for m in ms])
                    for item, d, c, ms in kept[copies[index]]
                ]
                stats["copied reports"] += 1
            else:
                findings = []
                for item in rng.sample(for_kind[kind], count):
                    description, cause = finding_text(rng)
                    n = per_finding[finding_no]
                    findings.append(
                        (item, description, cause, [measure_text(rng) for _ in range(n)])
                    )
                    finding_no += 1
            if index in sources:
                kept[index] = findings
            for item, description, cause, texts in findings:
                answers.append(
                    Answer(
                        report_id=pk, item=item, found=True, description=description, cause=cause
                    )
                )
                measure_specs.append(
                    (pk, kind, unit_id, path, branch, person_id, state, item, texts)
                )
        with transaction.atomic():
            Answer.objects.bulk_create(answers, batch_size=2000)
            rows = []
            for answer, spec in zip(answers, measure_specs, strict=True):
                pk, kind, unit_id, path, branch, person_id, state, item, texts = spec
                for text in texts:
                    live = state == "submitted"
                    m_state = rng.choices(states, weights)[0] if live else "open"
                    roll = rng.random()
                    if roll < NO_DEADLINE:
                        deadline = None
                    elif roll < NO_DEADLINE + LATE_DEADLINE:
                        deadline = late_from + timedelta(days=rng.randint(0, 200))
                    else:
                        deadline = today + timedelta(days=rng.randint(-30, 80))
                    start_date = today - timedelta(days=rng.randint(10, 35))
                    progress = {"open": 0, "in_progress": rng.randint(5, 95)}.get(m_state, 100)
                    completed_on = (
                        today - timedelta(days=rng.randint(0, 9))
                        if m_state in ("completed", "verified")
                        else None
                    )
                    people = owners.get(unit_id)
                    measure = Measure(
                        answer_id=answer.pk,
                        round_id=round_.pk,
                        item=item,
                        unit_id=unit_id,
                        unit_path=path,
                        branch=branch,
                        text=text,
                        owner_id=person_id
                        if kind == "person"
                        else (rng.choice(people) if people else None),
                        start_date=start_date,
                        deadline=deadline,
                        state=m_state,
                        progress=progress,
                        completed_on=completed_on,
                        verified_on=today if m_state == "verified" else None,
                        live=live,
                    )
                    measure.round = thresholds_round
                    actions._refresh(measure, today)
                    rows.append(measure)
                    stats[f"measures {m_state}" if live else "measures in drafts"] += 1
                    stats[f"bucket {measure.bucket}"] += live
                    if live and m_state in ("open", "in_progress"):
                        stats[f"open {measure.colour}"] += 1
            Measure.objects.bulk_create(rows, batch_size=2000)
            evidence = [
                MeasureEvidence(
                    measure_id=m.pk,
                    file=f"selfcheck/bench/{m.pk}.pdf",
                    name="整改佐证.pdf",
                    size=20480,
                    content_type="application/pdf",
                    sha256="0" * 64,
                )
                for m in rows
                if m.state in ("completed", "verified") and rng.random() < EVIDENCE
            ]
            MeasureEvidence.objects.bulk_create(evidence, batch_size=2000)
        stats["answers"] += len(answers)
        stats["measures"] += len(rows)
        stats["evidence"] += len(evidence)
    # Report states and findings, grouped so that a few UPDATEs do it.
    groups: dict[tuple[str, int], list[int]] = {}
    for (pk, *_rest), (state, count) in zip(reports, plan, strict=True):
        groups.setdefault((state, count if state == "submitted" else 0), []).append(pk)
        stats[f"reports {state}"] += 1
    submitted_at = timezone.now() - timedelta(days=12)
    with transaction.atomic():
        for (state, count), pks in groups.items():
            for chunk in range(0, len(pks), 20_000):
                Report.objects.filter(pk__in=pks[chunk : chunk + 20_000]).update(
                    state=state,
                    findings=count,
                    submitted_at=submitted_at if state == "submitted" else None,
                    return_comment="请补充原因分析" if state == "returned" else "",
                )
    tally.recount(round_.pk)
    pairs = [(reports[s][0], reports[c][0]) for c, s in copies.items()]
    return round_, stats, pairs


# --- measuring -----------------------------------------------------------------------------


def measure(name: str, group: str, fn: Callable[[], object], args, describe=str) -> Result:
    value, queries, samples = time_runs(fn, args.reps, args.warmup, args.budget)
    result = Result(name, group, samples, queries, describe(value))
    mark = "  SLOW" if group in TARGETS and result.p95 > TARGETS[group] else ""
    print(
        f"  {pad(name, 58)} p50 {result.p50:8.2f}  p95 {result.p95:8.2f} ms  "
        f"({len(samples)} runs){mark}",
        flush=True,
    )
    return result


def print_table(results: list[Result]) -> None:
    headers = ("scenario", "queries", "runs", "result", "p50 ms", "p95 ms", "p95 target")
    rows = []
    for r in results:
        target = TARGETS.get(r.group)
        mark = f"≤ {target:.0f}" + (" SLOW" if r.p95 > target else "") if target else ""
        rows.append(
            (r.name, str(r.queries), str(len(r.samples)), r.result, f"{r.p50:.1f}",
             f"{r.p95:.1f}", mark)
        )  # fmt: skip
    widths = [max(width(h), *(width(row[i]) for row in rows)) for i, h in enumerate(headers)]
    right = {1, 2, 4, 5}

    def line(cells) -> str:
        return "| " + " | ".join(pad(c, widths[i], i in right) for i, c in enumerate(cells)) + " |"

    print(line(headers))
    print(
        "|"
        + "|".join("-" * (w + 1) + (":" if i in right else "-") for i, w in enumerate(widths))
        + "|"
    )
    for row in rows:
        print(line(row))


def timed_once(label: str, fn: Callable[[], object], seconds: dict) -> object:
    began = time.perf_counter()
    value = fn()
    seconds[label] = time.perf_counter() - began
    print(f"  {label}: {seconds[label]:.2f} s", flush=True)
    return value


def print_plans(title: str, fn: Callable[[], object]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    for query in captured.captured_queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        print(f"\n-- {title} ({float(query['time']) * 1000:.1f} ms):\n   {sql[:600]}")
        for plan_line in org_scale.explain(sql):
            print("   " + plan_line)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    data_dir = org_scale.setup_django()
    try:
        return run(args)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def run(args: argparse.Namespace) -> int:
    from django.core.management import call_command
    from django.db import close_old_connections, connection, transaction
    from django.test import Client, RequestFactory

    from zhengdun.core.pagination import IdsFirst, paginate
    from zhengdun.org.models import Person, Unit
    from zhengdun.org.roles import Role
    from zhengdun.selfcheck import actions, formalism, queries
    from zhengdun.selfcheck.jobs import formalism_signals
    from zhengdun.selfcheck.models import (
        Answer,
        Measure,
        Report,
        ReportBand,
        ReportState,
        Signal,
    )

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
    if Unit.objects.exists() or Report.objects.exists():
        print("This database already holds data; the benchmark needs an empty one.")
        return 2

    build: dict[str, float] = {}
    today = actions.today()
    print("Building")

    def units():
        with transaction.atomic():
            return org_scale.build_units(args.units)

    levels = timed_once("units", units, build)
    all_units = [unit for level in levels for unit in level]

    def people():
        with transaction.atomic():
            org_scale.build_people(args.people, all_units, rng)
            Person.objects.update(status="active")  # every officer reports

    timed_once("people", people, build)
    leaders = timed_once("leaders (grants and logins)", lambda: build_leaders(levels, rng), build)
    root, county = levels[0][0], levels[1][0]
    other_county = levels[1][1]
    office = org_scale.make_user("bench-office", Role.OFFICE, root)
    county_user = org_scale.make_user("bench-county", Role.UNIT_LEADER, county)
    round_, stats, injected = timed_once(
        "round, answers, measures, evidence, tallies",
        lambda: build_round(args, office, root, levels, today, rng),
        build,
    )
    timed_once("ANALYZE", org_scale.analyze, build)
    reports = Report.objects.filter(round=round_)
    print(
        f"\nBuilt {Unit.objects.count():,} units, {Person.objects.count():,} officers "
        f"({leaders:,} leaders), {reports.count():,} reports "
        f"({reports.filter(kind='unit').count():,} unit reports), "
        f"{stats['answers']:,} findings, {stats['measures']:,} measures, "
        f"{stats['evidence']:,} evidence files, {stats['copied reports']} copied reports"
    )
    print(
        "Reports: "
        + ", ".join(f"{k[8:]} {v:,}" for k, v in sorted(stats.items()) if k.startswith("reports "))
    )
    print(
        "Measures: "
        + ", ".join(f"{k[9:]} {v:,}" for k, v in sorted(stats.items()) if k.startswith("measures "))
    )
    open_total = sum(v for k, v in stats.items() if k.startswith("open "))
    buckets = {k[7:]: v for k, v in sorted(stats.items()) if k.startswith("bucket ")}
    colours = {
        k[5:]: 100 * v / max(open_total, 1)
        for k, v in sorted(stats.items())
        if k.startswith("open ")
    }
    print(
        "Buckets: " + ", ".join(f"{k} {v:,}" for k, v in buckets.items())
        + "; open measures by colour: " + ", ".join(f"{k} {v:.1f} %" for k, v in colours.items())
    )  # fmt: skip
    print(
        f"Build: migrate + collectstatic {setup_seconds:.1f} s, "
        + ", ".join(f"{k} {v:.1f} s" for k, v in build.items())
    )

    # --- scope checks ------------------------------------------------------------------------
    factory = RequestFactory()
    users = {"office": office, "county": county_user}
    county_measures = Measure.objects.filter(
        round=round_, live=True, unit_path__startswith=county.path
    ).count()
    for label, user in users.items():
        in_county = queries.LedgerFilters(unit=county)
        seen = queries.ledger(user, round_, in_county).count()
        tallied = queries.ledger_count(user, round_, in_county)
        print(
            f"  {label} sees {seen:,} live measures in the county ({county_measures:,} there, "
            f"{tallied:,} by the tallies)"
        )
        if not seen == tallied == county_measures:
            print("Scope is wrong; stopping.")
            return 3
    if queries.ledger(county_user, round_, queries.LedgerFilters(unit=other_county)).exists():
        print("The county user sees another county's measures; stopping.")
        return 3
    clients = {}
    for label, user in users.items():
        clients[label] = Client()
        clients[label].force_login(user, backend="zhengdun.accounts.backends.ZhengdunBackend")
    logging.getLogger("django.request").setLevel(logging.ERROR)

    def get(client, url) -> Callable[[], object]:
        def fetch():
            response = client.get(url)
            close_old_connections()  # as a server does at the end of each request
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
            return response

        return fetch

    def describe_response(response) -> str:
        return f"{response.status_code}, {len(response.content) // 1024} KiB"

    def ledger_db(user, unit) -> Callable[[], object]:
        request = factory.get("/selfcheck/ledger/")

        filters = queries.LedgerFilters(unit=unit)

        def fetch():  # what the ledger view asks the database for
            ledger = queries.ledger(user, round_, filters)
            page = paginate(request, IdsFirst(ledger, queries.ledger_count(user, round_, filters)))
            return page, list(page.object_list)

        return fetch

    def describe_page(value) -> str:
        page, rows = value
        return f"{page.paginator.count:,} total, {len(rows)} rows"

    # --- (a) pages ---------------------------------------------------------------------------
    results: list[Result] = []
    print(
        f"\n(a) Pages: up to {args.reps} runs after {args.warmup} warm-up runs "
        f"(load average {os.getloadavg()[0]:.2f})"
    )
    ledger_url = f"/selfcheck/ledger/?round={round_.pk}&unit={county.pk}"
    for label in ("office", "county"):
        results.append(
            measure(f"GET ledger, unit=county ({label})", "ledger",
                    get(clients[label], ledger_url), args, describe_response)
        )  # fmt: skip
        results.append(
            measure(f"  DB ledger, unit=county ({label})", "",
                    ledger_db(users[label], county), args, describe_page)
        )  # fmt: skip
    results.append(
        measure("GET ledger, whole round (office)", "",
                get(clients["office"], f"/selfcheck/ledger/?round={round_.pk}"), args,
                describe_response)
    )  # fmt: skip
    results.append(
        measure("  DB ledger, whole round (office)", "", ledger_db(office, None), args,
                describe_page)
    )  # fmt: skip
    for label, suffix in (("city", ""), ("county", f"?unit={county.pk}")):
        results.append(
            measure(f"GET heat map, {label} (office)", "",
                    get(clients["office"], f"/selfcheck/rounds/{round_.pk}/heat-map/{suffix}"),
                    args, describe_response)
        )  # fmt: skip

    # --- (b) the near-duplicate job ------------------------------------------------------------
    print(f"\n(b) Near-duplicate job (load average {os.getloadavg()[0]:.2f})")
    job: dict[str, float] = {}
    outcome = formalism.Outcome()
    timed_once("bands from scratch", lambda: formalism.refresh_bands(round_, outcome), job)
    pairs = timed_once(
        "candidates + exact similarity + passages",
        lambda: list(formalism.copied_text(round_, outcome)),
        job,
    )
    scratch = job["bands from scratch"] + job["candidates + exact similarity + passages"]
    bands = ReportBand.objects.filter(round=round_).count()
    print(
        f"  from scratch: {scratch:.1f} s (target ≤ {DUPLICATE_JOB_SECONDS:.0f} s"
        f"{', SLOW' if scratch > DUPLICATE_JOB_SECONDS else ''}); {outcome.reports:,} submitted "
        f"reports read, {outcome.banded:,} banded ({bands:,} band rows), {outcome.candidates:,} "
        f"candidate pairs ({outcome.compared:,} compared exactly), {outcome.crowded:,} crowded "
        f"band values, {len(pairs):,} pairs reported"
    )
    found = {(s.report_id, s.other_report_id) for s in pairs}
    texts = formalism.report_texts(sorted({pk for pair in injected for pk in pair}))
    truly = [
        (a, b)
        for a, b in injected
        if formalism.jaccard(
            formalism.shingles(formalism.normalise(texts[a])),
            formalism.shingles(formalism.normalise(texts[b])),
        )
        >= formalism.THRESHOLD
        and len(formalism.normalise(texts[a])) >= formalism.MIN_CHARS
    ]
    hits = sum(1 for pair in truly if pair in found)
    others = len(found - set(injected))
    print(
        f"  recall: {hits} of the {len(truly)} injected copies at least "
        f"{formalism.THRESHOLD:.0%} alike ({len(injected)} injected); {others} other pairs "
        "reported"
    )
    for signal in pairs[:2]:
        print(f"    e.g. {signal.detail['similarity']:.2f}: {signal.detail['passage'][:60]}")
    incremental = formalism.Outcome()
    timed_once(
        "incremental, nothing changed: bands",
        lambda: formalism.refresh_bands(round_, incremental),
        job,
    )
    print(f"    {incremental.rebanded} reports re-banded")
    changed_ids = list(
        reports.filter(state=ReportState.SUBMITTED, findings__gt=0)
        .order_by("?")
        .values_list("pk", flat=True)[: max(1, reports.count() // 100)]
    )
    with transaction.atomic():
        for pk in changed_ids:
            Answer.objects.filter(report_id=pk).update(cause="经再次对照检查，补充原因分析。")
    incremental = formalism.Outcome()
    timed_once(
        f"incremental, {len(changed_ids):,} reports changed: bands",
        lambda: formalism.refresh_bands(round_, incremental),
        job,
    )
    print(f"    {incremental.rebanded} reports re-banded")
    timed_once(
        "incremental: candidates + similarity", lambda: list(formalism.copied_text(round_)), job
    )

    # --- (c) the other detectors and the tick job --------------------------------------------
    print(f"\n(c) Other detectors (load average {os.getloadavg()[0]:.2f})")
    detectors: dict[str, float] = {}
    counts = {}
    for name, detector in (
        ("nothing_found", formalism.nothing_found),
        ("deadlines", formalism.deadlines),
        ("no_evidence", formalism.no_evidence),
        ("leaders_low", formalism.leaders_low),
    ):
        counts[name] = len(timed_once(name, lambda d=detector: list(d(round_)), detectors))
        print(f"    {counts[name]:,} signals")
    tick: dict[str, float] = {}
    timed_once("tick job selfcheck.3_formalism (first: replaces the signals)",
               lambda: formalism_signals(today), tick)  # fmt: skip
    timed_once("tick job again (nothing changed)", lambda: formalism_signals(today), tick)
    by_kind = Counter(Signal.objects.filter(round=round_).values_list("kind", flat=True))
    print("    signals: " + ", ".join(f"{k} {v:,}" for k, v in sorted(by_kind.items())))
    results.append(
        measure("GET signals page (office)", "",
                get(clients["office"], f"/selfcheck/rounds/{round_.pk}/signals/"), args,
                describe_response)
    )  # fmt: skip
    results.append(
        measure("GET signals, copied text (office)", "",
                get(clients["office"],
                    f"/selfcheck/rounds/{round_.pk}/signals/?kind=copied_text"), args,
                describe_response)
    )  # fmt: skip

    print(
        f"\nResults: {org_scale.database_description()}, {args.units:,} units, "
        f"{args.people:,} officers, {stats['measures']:,} measures "
        f"(load average {' '.join(f'{x:.2f}' for x in os.getloadavg())})\n"
    )
    print_table(results)
    slow = [r for r in results if r.group in TARGETS and r.p95 > TARGETS[r.group]]
    print(
        f"\nTargets: ledger page p95 ≤ {TARGETS['ledger']:.0f} ms"
        + (f" ({len(slow)} over)" if slow else " (met)")
        + f"; near-duplicate job from scratch {scratch:.1f} s ≤ {DUPLICATE_JOB_SECONDS:.0f} s"
        + (" (missed)" if scratch > DUPLICATE_JOB_SECONDS else " (met)")
    )
    print("Jobs (s): " + ", ".join(f"{k} {v:.2f}" for k, v in {**job, **detectors, **tick}.items()))

    if not args.no_plans:
        print("\nQuery plans")
        print_plans("ledger, unit=county (office)", ledger_db(office, county))
        print_plans("ledger, unit=county (county)", ledger_db(county_user, county))
        print_plans("candidate pairs", lambda: formalism.candidate_pairs(round_))
        print_plans("nothing found", lambda: list(formalism.nothing_found(round_)))
        print_plans("deadlines", lambda: list(formalism.deadlines(round_)))
        print_plans("no evidence", lambda: list(formalism.no_evidence(round_)))
        print_plans("leaders", lambda: list(formalism.leaders_low(round_)))
    print(f"\nLoad average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
