"""Demo data for supervision: the article's 突出全面“督”, at work on the day it loads.

The scorecard "督导评分表" (v1) quantifies the work in the article's 10 aspects. Five groups
(第一督导组 … 第五督导组) serve the campaign, each led by one of the 10 cadres retired from their
posts (退居二线) with another of them and one or two headquarters officers as members. The demo
login ``supervisor`` (督察支队, "第一督导组组员" in ``org.demo``) is a member of 第一督导组, which
covers 东坡 and 彭山 (where that login also holds its grants), so logging in as ``supervisor``
shows that group's units only. From the campaign's start the groups' assignments cover the 13
headquarters departments and the 8 county bureaus, each by exactly one group.

Two months of visits: the previous month (from the campaign's start if it began within it) and
the current month up to yesterday, resident stays of several days and single-day random checks
in all four "1+3" modes, the members present and notes; every group reached its 15 days last
month and visited each of its units, and this month all are on pace but 第四督导组. Most held
visits are scored. A few resident stays are planned later this month. 第一督导组 drew three of
东坡's stations and brigades last month (a units draw) and checked them at random, and drew
three officers of 苏祠派出所 for a check planned this week (a persons draw). The 六抓 checklist
is complete for every month before the current one, except 第三督导组's last month (4 of 6).
Follow-up orders (督办单) are in every state (issued, acknowledged, responded with a text file as
evidence, verified and closed, returned with a reason) and, while open, every colour (one
overdue and red, yellow, green); most come from visits, one from the office about a
self-inspection report, and one became a campaign task (``order_to_task``).

Everything is written through ``supervision.actions`` (and so audited), "in the past" with
their ``on=`` dates where the action takes one, in date order; ``refresh_orders`` then sets
every order's colour for today. Dates are relative to ``timezone.localdate()``: on the first
day of a month no group can be behind the current month's pace yet (no day of it has passed).

Loading is idempotent: the template is matched by name and version, the groups by campaign and
name (groups found are left as they are, with their visits, draws and orders).
"""

import math
import random
import zlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from zhengdun.campaigns.demo import NAME as CAMPAIGN
from zhengdun.campaigns.models import Campaign
from zhengdun.core import demo as module_demos
from zhengdun.org.models import Person, PersonStatus, Unit
from zhengdun.supervision import actions, rules
from zhengdun.supervision.models import (
    ChecklistEntry,
    Draw,
    DrawKind,
    Duty,
    Group,
    Member,
    Order,
    OrderSource,
    OrderState,
    Scorecard,
    ScoreTemplate,
    Visit,
    VisitKind,
    VisitMode,
)

TEMPLATE = "督导评分表"
WORKSTREAM = "突出全面“督”"

# (name, weight, maximum points, guidance): the article's 10 aspects; weights sum to 100.
ASPECTS = [
    ("教育引领", 10, 10, "学习教育组织开展、党委中心组学习、民警学习笔记和应知应会掌握情况。"),
    ("线索核查", 10, 10, "问题线索登记、分办、核查和反馈是否及时、到位。"),
    ("推进考核", 15, 10, "教育整顿任务推进、“三色预警”处置和考核落实情况。"),
    ("政策兑现", 10, 10, "从优待警、“三级激励”等政策兑现情况。"),
    ("督查督办", 10, 10, "督办单签收、整改、反馈是否按时，整改是否到位。"),
    ("意见反馈", 5, 5, "对督导组反馈意见的研究落实和向群众反馈情况。"),
    ("自查质量", 10, 10, "自查自省是否深入具体，措施及时限是否明确，有无走形式。"),
    ("整改进度", 15, 10, "整改台账措施推进、完成和验收情况。"),
    ("勤务纪律", 10, 10, "值班备勤、接处警、警容风纪和执法办案场所管理。"),
    ("群众满意度", 5, 5, "走访群众、回访报警人和窗口服务评价。"),
]
# What a group writes on an aspect scored low (under 75 %) or high (92 % and over).
LOW = {
    "教育引领": "部分民警学习笔记内容雷同，学习效果检验不够。",
    "线索核查": "个别线索核查超过时限，向举报人反馈不及时。",
    "推进考核": "部分任务进度滞后，“三色预警”红灯未及时处置。",
    "政策兑现": "从优待警措施落实不到位，民警休假安排不均衡。",
    "督查督办": "督办事项整改进度慢，反馈材料不完整。",
    "意见反馈": "对上次督导反馈意见研究落实不够。",
    "自查质量": "自查问题泛泛而谈，原因分析不深，措施缺少时限。",
    "整改进度": "整改措施推进缓慢，个别措施已超期。",
    "勤务纪律": "值班备勤记录不全，个别民警警容风纪不规范。",
    "群众满意度": "群众对窗口等候时间长反映较多。",
}
HIGH = {
    "教育引领": "学习教育形式多样，民警应知应会抽问全部合格。",
    "推进考核": "任务清单化推进，无红灯任务。",
    "整改进度": "整改台账规范，措施按时完成并销号。",
    "勤务纪律": "值班备勤严格规范，警容风纪良好。",
    "群众满意度": "走访群众评价较好。",
}

# The groups: name, the units in their care (codes), the headquarters departments their
# officers come from ("supervisor": the demo login). The ten retired cadres lead in pairs.
GROUPS = [
    ("第一督导组", ["DP", "PS", "MS-ZH", "MS-DW"], ["supervisor", "MS-DC"]),
    ("第二督导组", ["RS", "TF", "MS-ZZB", "MS-XZ"], ["MS-DC"]),
    ("第三督导组", ["HY", "DL", "MS-ZA", "MS-JJ"], ["MS-FZ", "MS-DC"]),
    ("第四督导组", ["QS", "KF", "MS-WA", "MS-TJ"], ["MS-JW"]),
    ("第五督导组", ["MS-DC", "MS-FZ", "MS-JW", "MS-BZ", "MS-KX"], ["MS-ZZB"]),
]
BEHIND = 3  # 第四督导组 is behind the pace this month
INCOMPLETE = 2  # 第三督导组 recorded 4 of the 六抓 last month
INCOMPLETE_DUTIES = (Duty.POLICY, Duty.FEEDBACK)  # the two it left out
UNITS_DRAW = ("DP", 3)  # 第一督导组 draws three of 东坡's stations and brigades
PERSONS_DRAW = ("DP-01", 3)  # and three officers of 苏祠派出所

RESIDENT_MODES = [VisitMode.POLITICAL, VisitMode.WORK, VisitMode.AFFAIRS, VisitMode.WORK]
RANDOM_MODES = [VisitMode.DUTY, VisitMode.WORK, VisitMode.AFFAIRS, VisitMode.POLITICAL]

RESIDENT_NOTES = {
    VisitMode.POLITICAL: [
        "入驻{unit}开展政治巡察，列席党委（支部）会议{a}次，查阅“三会一课”记录、党委理论"
        "学习中心组学习记录和教育整顿工作台账，与班子成员和民警个别谈话{b}人次。",
        "围绕落实全面从严治党主体责任，入驻{unit}查阅党建工作记录和干部选拔任用材料，"
        "个别谈话{b}人次，发放民主测评问卷{c}份，了解班子队伍思想状况。",
    ],
    VisitMode.WORK: [
        "入驻{unit}督导学习教育和自查自省，抽查民警学习笔记{c}本，组织应知应会测试，"
        "检查自查自省报告和整改台账，现场反馈意见{a}条。",
        "入驻{unit}督导教育整顿各项任务推进，逐项对照任务清单查看“三色预警”台账，"
        "听取工作汇报，现场反馈意见{a}条。",
    ],
    VisitMode.AFFAIRS: [
        "入驻{unit}开展政务督办，逐件核对督办事项办理情况，查看群众来信来访和12345"
        "热线工单办理记录{c}件，跟踪“两代表一委员”意见建议办理。",
    ],
}
# A random check: what the group did, and what it may have found (per mode).
RANDOM_NOTES = {
    VisitMode.DUTY: [
        "不打招呼随机督查{unit}，检查值班备勤、在岗在位和警容风纪。",
        "夜间随机督查{unit}值班在岗情况，抽查执法记录仪使用和值班记录。",
    ],
    VisitMode.WORK: ["随机抽查{unit}学习教育开展情况，现场抽问民警应知应会{a}人。"],
    VisitMode.AFFAIRS: [
        "随机督查{unit}督办事项和群众诉求办理，抽查办理记录{b}件，核对“大提速”办事时限。"
    ],
    VisitMode.POLITICAL: ["随机走访{unit}，与民警谈心谈话{a}人次，了解队伍思想动态和“三圈”情况。"],
}
SEEN = {
    VisitMode.DUTY: [
        "未发现明显问题。",
        "发现值班记录填写不规范，已当场指出。",
        "发现执法记录仪未按规定全程开启1起，已责令说明情况。",
        "个别民警警容风纪不规范，已当场纠正。",
    ],
    VisitMode.WORK: [
        "未发现明显问题。",
        "个别民警对应知应会内容掌握不熟，已要求单位负责人跟进补学。",
        "学习笔记有抄写现象，已要求重新撰写心得体会。",
    ],
    VisitMode.AFFAIRS: [
        "未发现明显问题。",
        "个别事项未按承诺时限办结，已反馈单位负责人。",
        "群众诉求回访记录不全，已要求补充完善。",
    ],
    VisitMode.POLITICAL: [
        "未发现明显问题。",
        "个别民警反映工作压力较大，已建议单位负责人谈心疏导。",
    ],
}
DRAWN_NOTE = "根据随机抽取结果，"
PLANNED_NOTE = "计划入驻{unit}，重点督导{what}。"
PLANNED_TOPICS = ["自查自省整改落实", "学习教育“回头看”", "督办单整改情况", "勤务改革推进情况"]
PERSONS_NOTE = "计划对随机抽取的{unit}民警{names}开展勤务督察和谈心谈话。"

DUTY_NOTES = {
    Duty.EDUCATION: "到{units}宣讲教育整顿政策，列席学习教育专题会议{a}次，抽查学习笔记{b}本。",
    Duty.CLUES: "接收并转办问题线索{a}条，督促有关单位核查，已反馈{c}条。",
    Duty.ASSESSMENT: "对{units}教育整顿任务推进情况逐项考核，通报滞后任务{a}项。",
    Duty.POLICY: "督促落实从优待警和“三级激励”政策，核查兑现情况{a}项。",
    Duty.FOLLOW_UP: "下发督办单并跟踪整改，对超期未办结事项约谈单位负责人{c}人次。",
    Duty.FEEDBACK: "向市局整顿办报送月度督导报告，向被督导单位书面反馈意见{b}条。",
}

SUMMARIES = [
    (90, "各项工作扎实有序，亮点突出，做法值得推广。"),
    (80, "教育整顿总体推进有力，个别方面存在差距，已现场反馈。"),
    (0, "问题较多，整改推进不力，列为下月重点督导对象。"),
]


@dataclass(frozen=True)
class Plan:
    """A follow-up order and what becomes of it (days from today, kept in order and between
    the day it is issued and today). ``group`` None: the office's. ``early``: issued after the
    group's first stay in the unit last month (room for the story), else after its last."""

    group: int | None
    unit: str
    state: str
    deadline: int
    problem: str
    requirement: str
    source: str = OrderSource.VISIT
    early: bool = True
    issued: int = -10  # the office's orders
    acknowledged: int | None = None
    responded: int | None = None
    response: str = ""
    evidence: str = ""  # a text file of that name
    verified: int | None = None
    returned: tuple[int, str] | None = None
    task: bool = False


ORDERS = [
    Plan(
        0,
        "DP",
        OrderState.CLOSED,
        -8,
        "东坡区分局部分派出所民警学习笔记内容雷同，应知应会测试有6名民警不合格。",
        "逐本检查学习笔记，雷同的责令重写；组织不合格民警补学补考，整改情况书面报送督导组。",
        acknowledged=-20,
        responded=-12,
        response="已逐本检查学习笔记，9本雷同笔记责令重写；6名民警补考全部合格，情况已通报全局。",
        verified=-9,
    ),
    Plan(
        0,
        "PS",
        OrderState.RESPONDED,
        4,
        "彭山区分局执法办案管理中心视频监控存在死角，涉案财物保管室出入登记不全。",
        "完成办案区监控改造，规范保管室出入登记，报送整改前后对比情况。",
        acknowledged=-15,
        responded=-2,
        response="办案区新增监控点位4个，实现全覆盖；保管室出入登记已规范，每月自查一次。",
        evidence="整改情况说明.txt",
    ),
    Plan(
        0,
        "DP",
        OrderState.ACKNOWLEDGED,
        -2,
        "苏祠派出所户籍窗口被12345热线投诉2次，投诉件未逐件回访。",
        "对投诉件逐件回访，落实窗口服务规范，回访记录报送督导组。",
        early=False,
        acknowledged=-5,
    ),
    Plan(
        1,
        "RS",
        OrderState.RETURNED,
        5,
        "仁寿县公安局“扁平化+网格化”勤务改革推进缓慢，所队内设层级整合方案尚未印发。",
        "制定所队层级整合时间表并印发方案，每周调度一次改革进度。",
        acknowledged=-18,
        responded=-9,
        response="已召开党委会专题研究勤务改革，正在制定所队层级整合方案。",
        returned=(-7, "只报送了会议情况，未见印发的方案和时间表，请落实后重新报送。"),
    ),
    Plan(
        1,
        "TF",
        OrderState.ACKNOWLEDGED,
        20,
        "“两代表一委员”座谈会上提出的企业服务、交通秩序等5条意见建议，办理反馈不及时。",
        "逐条明确责任部门和时限，办理结果书面反馈提出人，并纳入教育整顿任务跟踪。",
        early=False,
        acknowledged=-1,
        task=True,
    ),
    Plan(
        2,
        "HY",
        OrderState.CLOSED,
        -6,
        "柳江景区旅游旺季报警后出警慢，群众反映景区交通拥堵。",
        "制定旅游旺季景区治安交通保障方案，增设临时警务站。",
        acknowledged=-22,
        responded=-14,
        response="保障方案已印发，柳江景区临时警务站已启用，旺季平均到场时间缩短至8分钟。",
        verified=-11,
    ),
    Plan(
        2,
        "DL",
        OrderState.ISSUED,
        3,
        "丹棱县公安局自查自省各项均填报“未发现问题”，查摆不深不实。",
        "对照35个具体问题重新查摆，班子成员带头深挖问题根源，重新报送自查自省报告。",
        early=False,
    ),
    Plan(
        3,
        "QS",
        OrderState.ISSUED,
        14,
        "青神县公安局自查自省推进不力，分局自查进度落后于全市。",
        "倒排工期，明确完成时限，每周向督导组报告一次进度。",
        early=False,
    ),
    Plan(
        3,
        "KF",
        OrderState.CLOSED,
        -4,
        "眉山经济开发区分局企业办事需到多个窗口往返，“一站式”服务没有落地。",
        "设立企业服务专窗，实行“一窗受理、内部流转”。",
        acknowledged=-19,
        responded=-10,
        response="企业服务专窗已于本月启用，实行一窗受理、内部流转，办理时限压缩一半。",
        verified=-6,
    ),
    Plan(
        4,
        "MS-BZ",
        OrderState.CLOSED,
        -5,
        "警务保障处经费报销审核把关不严，2笔报销手续不全。",
        "补齐报销手续，修订经费报销审核流程。",
        acknowledged=-16,
        responded=-11,
        response="2笔报销手续已补齐，经费报销审核流程修订稿已印发执行。",
        verified=-8,
    ),
    Plan(
        4,
        "MS-KX",
        OrderState.ISSUED,
        15,
        "科技信息化支队信息采集录入质量不高，部分数据重复录入、字段缺失。",
        "开展数据质量专项清理，建立数据质量通报制度。",
        early=False,
    ),
    Plan(
        None,
        "HY",
        OrderState.ACKNOWLEDGED,
        2,
        "洪雅县公安局自查自省报告查摆问题不具体，“组织作风不纯”一项只写了“存在不足”，"
        "已被退回重报。",
        "写明具体事例、原因分析和整改时限，重新报送自查自省报告。",
        source=OrderSource.SELFCHECK,
        issued=-10,
        acknowledged=-9,
    ),
]


def evidence_text(name: str) -> str:
    """The evidence file's text: a short written account."""
    return (
        f"{name.removesuffix('.txt')}\n\n"
        "一、整改措施：对照督办要求逐项整改，明确责任人和完成时限。\n"
        "二、完成情况：各项措施均已完成，相关记录已归档备查。\n"
        "三、长效机制：纳入日常检查，每月自查一次。\n"
    )


@dataclass
class Slot:
    """A visit to log: ``unit`` None until the units draw decides it."""

    group: int
    start: date
    end: date
    resident: bool
    mode: str = ""
    unit: Unit | None = None
    planned: bool = False
    draw: str = ""  # "units" or "persons"
    visit: Visit | None = None
    present: list[Person] = field(default_factory=list)
    notes: str = ""


def schedule(rng: random.Random, first: date, last: date, total: int, units: int) -> list:
    """Visits filling exactly ``total`` distinct days from ``first`` to ``last`` without
    overlapping: about one day in five single-day random checks, the rest resident stays of
    two days or more, as many as the units (and one more) when the days allow; in a seeded
    order, with the free days spread between them. Returns (first, last, resident) triples."""
    span = (last - first).days + 1
    total = max(0, min(total, span))
    if total == 0:
        return []
    randoms = total // 5
    rest = total - randoms
    if rest < 2:
        randoms, rest = total, 0
    stays = min(rest // 2, max(units, rest // 3)) if rest else 0
    lengths = [rest // stays + (1 if i < rest % stays else 0) for i in range(stays)] if rest else []
    for _turn in range(stays):
        i, j = rng.randrange(stays), rng.randrange(stays)
        if i != j and lengths[i] > 2 and lengths[j] < 5:
            lengths[i] -= 1
            lengths[j] += 1
    items = [(length, True) for length in lengths] + [(1, False)] * randoms
    rng.shuffle(items)
    resident = next((n for n, item in enumerate(items) if item[1]), None)
    if resident:
        items[0], items[resident] = items[resident], items[0]
    free = span - total
    cuts = sorted(rng.randint(0, free) for _item in items)
    gaps = [cuts[0]] + [b - a for a, b in pairwise(cuts)]
    result, day = [], first
    for (length, is_resident), gap in zip(items, gaps, strict=True):
        day += timedelta(days=gap)
        result.append((day, day + timedelta(days=length - 1), is_resident))
        day += timedelta(days=length)
    return result


class _Loader:
    def __init__(self, today: date, campaign: Campaign):
        self.today = today
        self.campaign = campaign
        self.units = {unit.code: unit for unit in Unit.objects.all()}
        self.by_pk = {unit.pk: unit for unit in self.units.values()}
        users = get_user_model().objects.select_related("person")
        self.office = users.get(username="office")
        self.users = {user.username: user for user in users.filter(person__isnull=False)}
        self.groups: list[Group] = []
        self.members: list[list[Person]] = []
        self.slots: list[Slot] = []
        self.events: list[tuple[date, int, int, object, tuple]] = []
        self.draws: dict[str, Draw] = {}
        self.orders: dict[int, Order] = {}
        self.template: ScoreTemplate | None = None
        self.aspects: list = []
        self.counter = {"random": 0, "resident": 0}

    # Who acts --------------------------------------------------------------------------------

    def actor(self, group: int | None):
        """第一督导组 enters its own work (the ``supervisor`` login); the office enters the
        other groups' (their members have no logins)."""
        if group == 0:
            return self.users["supervisor"]
        return self.office

    def answerer(self, unit: Unit):
        """Who answers an order: 东坡's liaison, a county bureau's leader (the self-inspection
        demo's ``leader_xx`` logins), else the city bureau's leader."""
        code = unit.code.split("-")[0] if unit.code != "MS" else "MS"
        if code == "DP" and "liaison" in self.users:
            return self.users["liaison"]
        return self.users.get(f"leader_{code.lower()}") or self.users["leader"]

    def contact(self, unit: Unit) -> Person | None:
        person = getattr(self.answerer(unit), "person", None)
        if person is not None and person.unit.path.startswith(unit.path):
            return person
        return (
            Person.objects.filter(unit=unit, status=PersonStatus.ACTIVE, position="负责人")
            .order_by("police_number")
            .first()
        )

    # Structure -------------------------------------------------------------------------------

    def build(self) -> None:
        """The groups, their members and their assignments from the campaign's start."""
        cadres = list(
            Person.objects.filter(status=PersonStatus.RETIRED_FROM_POST).order_by("police_number")
        )
        taken = {person.pk for person in cadres}
        start = self.campaign.start_date
        for index, (name, codes, officers) in enumerate(GROUPS):
            members = [(cadre, n == 0) for n, cadre in enumerate(cadres[2 * index : 2 * index + 2])]
            for source in officers:
                if source in self.users:
                    person = self.users[source].person
                else:
                    person = (
                        Person.objects.filter(
                            unit=self.units[source],
                            status=PersonStatus.ACTIVE,
                            user__isnull=True,
                        )
                        .exclude(position="负责人")
                        .exclude(pk__in=taken)
                        .order_by("police_number")
                        .first()
                    )
                if person is not None:
                    taken.add(person.pk)
                    members.append((person, False))
            cared = [self.units[code] for code in codes]
            group = actions.create_group(
                self.office,
                campaign=self.campaign,
                name=name,
                members=members,
                note="由退居二线的原部门正职干部任组长，会同机关民警，负责督导"
                + "、".join(unit.display_name for unit in cared)
                + "的教育整顿工作。",
            )
            for unit in cared:
                actions.assign(self.office, group=group, unit=unit, starts_on=start)
            self.groups.append(group)
            self.members.append([person for person, _leader in members])
        self.template = actions.create_score_template(
            self.office,
            name=TEMPLATE,
            unit=self.campaign.unit,
            aspects=[
                {"name": name, "weight": weight, "max_points": most, "guidance": guidance}
                for name, weight, most, guidance in ASPECTS
            ],
        )
        self.aspects = list(self.template.aspects.all())

    # The plan --------------------------------------------------------------------------------

    def queue(self, day: date, rank: int, action, *args) -> None:
        self.events.append((day, rank, len(self.events), action, args))

    def cared(self, group: int) -> list[Unit]:
        return [self.units[code] for code in GROUPS[group][1]]

    def spot_units(self, group: int) -> list[Unit]:
        """Where random checks go: the county bureaus' stations and brigades, the departments."""
        spots = []
        for unit in self.cared(group):
            below = [
                other
                for other in self.units.values()
                if other.parent_id == unit.pk and other.is_active
            ]
            spots += sorted(below, key=lambda u: u.path) or [unit]
        return spots

    def plan_visits(self) -> None:
        today = self.today
        month = rules.month_of(today)
        previous = rules.month_of(month - timedelta(days=1))
        start = self.campaign.start_date
        for index in range(len(GROUPS)):
            rng = random.Random(zlib.crc32(GROUPS[index][0].encode()))
            units = self.cared(index)
            # Last month: every group reached its minimum.
            first, last = max(previous, start), rules.month_end(previous)
            wanted = 16 + (index * 3) % 4
            self.plant_month(index, rng, first, last, wanted, units, rotation=index)
            # This month up to yesterday: on pace, but for one group.
            first, last = max(month, start), today - timedelta(days=1)
            elapsed = (last - first).days + 1
            if elapsed > 0:
                if index == BEHIND:
                    wanted = elapsed // 4
                else:
                    wanted = min(elapsed, math.ceil(elapsed * 0.6) + index % 2)
                self.plant_month(index, rng, first, last, wanted, units, rotation=index + 2)
            # Planned stays later this month (the group behind has not planned yet).
            if index != BEHIND:
                end = rules.month_end(month)
                begin = min(today + timedelta(days=1 + index), end)
                unit = units[(index + 1) % len(units)]
                self.slots.append(
                    Slot(
                        index,
                        begin,
                        min(begin + timedelta(days=2), end),
                        True,
                        mode=VisitMode.WORK,
                        unit=unit,
                        planned=True,
                        notes=PLANNED_NOTE.format(
                            unit=self.label(unit), what=PLANNED_TOPICS[index % len(PLANNED_TOPICS)]
                        ),
                    )
                )
        # The units draw: 第一督导组's last three random checks of last month.
        randoms = [
            slot
            for slot in self.slots
            if slot.group == 0 and not slot.resident and slot.start < month and not slot.planned
        ][-UNITS_DRAW[1] :]
        for slot in randoms:
            slot.draw, slot.unit = "units", None
        if randoms:
            drawn = randoms[0].start - timedelta(days=1)
            last = rules.month_end(previous)
            self.queue(drawn - timedelta(days=1), 0, self.seal, "units", drawn, last)
            self.queue(drawn, 1, self.make, "units", drawn)
        # The persons draw: sealed yesterday, made today, for a check planned this week.
        end = rules.month_end(month)
        check = min(today + timedelta(days=2), end)
        week = today + timedelta(days=6)
        self.queue(today - timedelta(days=1), 0, self.seal, "persons", today, week)
        self.queue(today, 1, self.make, "persons", today)
        self.slots.append(
            Slot(
                0,
                check,
                check,
                False,
                mode=VisitMode.DUTY,
                unit=self.units[PERSONS_DRAW[0]],
                planned=True,
                draw="persons",
            )
        )
        for slot in self.slots:
            self.queue(slot.start if slot.planned else slot.end, 2, self.log, slot)

    def plant_month(self, group, rng, first, last, wanted, units, *, rotation) -> None:
        spots = self.spot_units(group)
        stays = 0
        for begin, end, resident in schedule(rng, first, last, wanted, len(units)):
            if resident:
                unit = units[(stays + rotation) % len(units)]
                stays += 1
                modes = RESIDENT_MODES
            else:
                unit = rng.choice(spots)
                modes = RANDOM_MODES
            kind = "resident" if resident else "random"
            mode = modes[self.counter[kind] % len(modes)]
            self.counter[kind] += 1
            self.slots.append(Slot(group, begin, end, resident, mode=mode, unit=unit))

    def label(self, unit: Unit) -> str:
        """A station or brigade is named with its county bureau: 东坡区分局苏祠派出所."""
        parent = self.by_pk.get(unit.parent_id)
        if parent is not None and parent.parent_id is not None:
            return f"{parent.display_name}{unit.name}"
        return unit.display_name

    def plan_orders(self) -> None:
        for number, plan in enumerate(ORDERS):
            if plan.group is None:
                issued = max(self.today + timedelta(days=plan.issued), self.campaign.start_date)
                slot = None
            else:
                slot = self.order_visit(plan)
                if slot is None:
                    continue
                issued = slot.end
            days = [issued]

            def later(offset: int, days=days) -> date:
                day = min(max(self.today + timedelta(days=offset), days[-1]), self.today)
                days.append(day)
                return day

            self.queue(issued, 4, self.issue, number, plan, slot, issued)
            if plan.acknowledged is not None:
                self.queue(later(plan.acknowledged), 5, self.acknowledge, number, days[-1])
            if plan.responded is not None:
                self.queue(later(plan.responded), 6, self.respond, number, plan, days[-1])
            if plan.verified is not None:
                self.queue(later(plan.verified), 7, self.verify, number, plan, days[-1])
            if plan.returned is not None:
                self.queue(later(plan.returned[0]), 7, self.send_back, number, plan, days[-1])
            if plan.task:
                self.queue(self.today, 9, self.to_task, number)

    def order_visit(self, plan: Plan) -> Slot | None:
        """The group's held resident stay in the unit the order follows."""
        stays = [
            slot
            for slot in self.slots
            if slot.group == plan.group
            and slot.resident
            and not slot.planned
            and slot.unit.code == plan.unit
        ]
        if not stays:
            return None
        return stays[0] if plan.early else stays[-1]

    def plan_duties(self) -> None:
        month = rules.month_of(self.today)
        first = rules.month_of(self.campaign.start_date)
        while first <= month:
            current = first == month
            day = self.today if current else rules.month_end(first)
            for index in range(len(GROUPS)):
                duties = list(Duty)
                if current:
                    # This month so far: the two every group does first.
                    if self.today.day < 3:
                        continue
                    duties = [Duty.EDUCATION, Duty.FOLLOW_UP][: 1 + index % 2]
                elif index == INCOMPLETE and rules.next_month(first) == month:
                    duties = [duty for duty in duties if duty not in INCOMPLETE_DUTIES]
                for duty in duties:
                    self.queue(day, 8, self.duty, index, first, duty)
            first = rules.next_month(first)

    def play(self) -> None:
        for _day, _rank, _seq, action, args in sorted(self.events, key=lambda e: e[:3]):
            action(*args)

    # Draws -----------------------------------------------------------------------------------

    def seal(self, kind: str, start: date, end: date) -> None:
        """Seal a draw for ``start`` to ``end`` the day before it is made."""
        code, count = UNITS_DRAW if kind == "units" else PERSONS_DRAW
        self.draws[kind] = actions.seal_draw(
            self.actor(0),
            campaign=self.campaign,
            kind=DrawKind.UNITS if kind == "units" else DrawKind.PERSONS,
            unit=self.units[code],
            period_start=start,
            period_end=end,
            count=count,
            group=self.groups[0],
            on=min(start - timedelta(days=1), self.today),
        )

    def make(self, kind: str, on: date) -> None:
        draw = actions.make_draw(self.actor(0), draw=self.draws[kind], on=on)
        self.draws[kind] = draw
        if kind == "units":
            picked = [self.by_pk[pk] for pk, _name in draw.result]
            slots = [slot for slot in self.slots if slot.draw == "units"]
            for slot, unit in zip(slots, picked, strict=False):
                slot.unit = unit

    # Visits and scores -----------------------------------------------------------------------

    def log(self, slot: Slot) -> None:
        if slot.unit is None:
            return  # the draw picked fewer units than there were checks
        index = slot.group
        rng = random.Random(zlib.crc32(f"{slot.group}{slot.start}{slot.unit.code}".encode()))
        # The leader and some of the others; whoever enters the visit was there.
        leader, *others = self.members[index]
        company = 1
        if slot.resident:
            company = len(others) - (1 if len(others) > 1 and rng.random() < 0.4 else 0)
        present = [leader, *rng.sample(others, min(company, len(others)))]
        person = getattr(self.actor(index), "person", None)
        if person in others and person not in present:
            present[-1] = person
        draw = self.draws.get(slot.draw) if slot.draw else None
        if slot.notes:
            notes = slot.notes
        elif slot.draw == "persons":
            names = "、".join(name for _pk, name in draw.result)
            notes = PERSONS_NOTE.format(unit=self.label(slot.unit), names=names)
        else:
            variants = (RESIDENT_NOTES if slot.resident else RANDOM_NOTES)[slot.mode]
            notes = rng.choice(variants).format(
                unit=self.label(slot.unit),
                a=rng.randint(2, 6),
                b=rng.randint(6, 18),
                c=rng.randint(12, 40),
            )
            if not slot.resident:
                notes += rng.choice(SEEN[slot.mode])
            if slot.draw:
                notes = DRAWN_NOTE + notes
        slot.visit = actions.log_visit(
            self.actor(index),
            group=self.groups[index],
            unit=slot.unit,
            start_date=slot.start,
            end_date=slot.end,
            mode=slot.mode,
            kind=VisitKind.RESIDENT if slot.resident else VisitKind.RANDOM,
            present=present,
            notes=notes,
            planned=slot.planned,
            draw=draw,
        )
        # Most visits held are scored the day they end.
        if not slot.planned and rng.random() < 0.85:
            self.score(slot, rng)

    def score(self, slot: Slot, rng: random.Random) -> None:
        base = 0.72 + (zlib.crc32(slot.unit.code.encode()) % 22) / 100
        points, remarks = {}, {}
        for aspect in self.aspects:
            share = min(1.0, max(0.4, base + rng.uniform(-0.14, 0.1)))
            value = (Decimal(aspect.max_points) * Decimal(str(share)) * 2).quantize(
                Decimal("1"), rounding=ROUND_HALF_UP
            ) / 2
            points[aspect.pk] = value
            if share < 0.75:
                remarks[aspect.pk] = LOW[aspect.name]
            elif share >= 0.92 and aspect.name in HIGH and rng.random() < 0.5:
                remarks[aspect.pk] = HIGH[aspect.name]
        total = rules.score_total(
            (aspect.weight, aspect.max_points, points[aspect.pk]) for aspect in self.aspects
        )
        summary = next(text for floor, text in SUMMARIES if total >= floor)
        actions.score_visit(
            self.actor(slot.group),
            visit=slot.visit,
            template=self.template,
            points=points,
            remarks=remarks,
            summary=summary,
        )

    # Orders ----------------------------------------------------------------------------------

    def issue(self, number: int, plan: Plan, slot: Slot | None, issued: date) -> None:
        unit = self.units[plan.unit]
        if plan.state == OrderState.CLOSED:
            deadline = max(issued + timedelta(days=15), self.today + timedelta(days=plan.deadline))
        else:
            deadline = max(issued, self.today + timedelta(days=plan.deadline))
        self.orders[number] = actions.issue_order(
            self.actor(plan.group),
            campaign=self.campaign,
            unit=unit,
            problem=plan.problem,
            requirement=plan.requirement,
            deadline=deadline,
            source=plan.source,
            group=self.groups[plan.group] if plan.group is not None else None,
            visit=slot.visit if slot is not None else None,
            contact=self.contact(unit),
            on=issued,
        )

    def acknowledge(self, number: int, on: date) -> None:
        order = self.orders[number]
        self.orders[number] = actions.acknowledge_order(
            self.answerer(order.unit), order=order, on=on
        )

    def respond(self, number: int, plan: Plan, on: date) -> None:
        order = self.orders[number]
        files = []
        if plan.evidence:
            text = evidence_text(plan.evidence).encode()
            files.append(SimpleUploadedFile(plan.evidence, text, "text/plain"))
        self.orders[number] = actions.respond_order(
            self.answerer(order.unit), order=order, response=plan.response, files=files, on=on
        )

    def verify(self, number: int, plan: Plan, on: date) -> None:
        self.orders[number] = actions.verify_order(
            self.actor(plan.group), order=self.orders[number], on=on
        )

    def send_back(self, number: int, plan: Plan, on: date) -> None:
        self.orders[number] = actions.return_order(
            self.actor(plan.group), order=self.orders[number], reason=plan.returned[1], on=on
        )

    def to_task(self, number: int) -> None:
        workstream = self.campaign.workstreams.filter(name=WORKSTREAM).first()
        if workstream is None:
            return
        self.orders[number] = actions.order_to_task(
            self.office, order=self.orders[number], workstream=workstream
        )

    # 六抓 ------------------------------------------------------------------------------------

    def duty(self, index: int, month: date, duty: str) -> None:
        rng = random.Random(zlib.crc32(f"{index}{month}{duty}".encode()))
        units = "、".join(unit.display_name for unit in self.cared(index)[:2]) + "等单位"
        actions.record_duty(
            self.actor(index),
            group=self.groups[index],
            month=month,
            duty=duty,
            note=DUTY_NOTES[duty].format(
                units=units, a=rng.randint(2, 6), b=rng.randint(8, 30), c=rng.randint(1, 4)
            ),
        )


@transaction.atomic
def load(admin) -> dict[str, object]:
    """Load the supervision groups and their work (idempotent); return counts."""
    today = timezone.localdate()
    campaign = Campaign.objects.select_related("unit").filter(name=CAMPAIGN).first()
    if campaign is None:
        return {}
    if not Group.objects.filter(campaign=campaign, name=GROUPS[0][0]).exists():
        loader = _Loader(today, campaign)
        loader.build()
        loader.plan_visits()
        loader.plan_orders()
        loader.plan_duties()
        loader.play()
    actions.refresh_orders(today)
    groups = Group.objects.filter(campaign=campaign)
    visits = Visit.objects.filter(group__campaign=campaign)
    orders = Order.objects.filter(campaign=campaign)
    return {
        "groups": groups.count(),
        "members": Member.objects.filter(group__campaign=campaign).count(),
        "visits held": visits.filter(planned=False).count(),
        "visits planned": visits.filter(planned=True).count(),
        "scorecards": Scorecard.objects.filter(visit__group__campaign=campaign).count(),
        "draws": Draw.objects.filter(campaign=campaign).count(),
        "六抓 entries": ChecklistEntry.objects.filter(group__campaign=campaign).count(),
        "orders": orders.count(),
        "orders open": orders.exclude(state=OrderState.CLOSED).count(),
    }


module_demos.register("supervision", load)
