"""Demo data for campaigns: the Meishan campaign of the source article, alive on the day it loads.

The campaign started 45 days before "today" (``timezone.localdate()``) and runs 75 days more. Its
nine workstreams are the five self-revolutions and the four emphases of the article, each with
tasks taken from its text, decomposed from the city bureau to the county bureaus and on to some
stations (and once straight to stations, skipping a level: 点对点指挥), with leads drawn from the
people of each unit.

Everything is written through ``campaigns.actions`` (and so audited), "in the past" with their
``on=`` argument: tasks are created before they start, decomposed the day after, started and
reported on a few earlier days, completed (on time or late) or cancelled, in date order; then
``refresh_colours`` sets every stored colour for today. The plan is tuned so that red, yellow
and green all show at city, county and station level. Progress reports carry the day they
pretend to be written on.

Loading is idempotent: the campaign is matched by name, workstreams by name, and each top-level
task by title and unit (a tree found is left as it is, with its subtasks and history);
incentives are matched by level, unit, task and reason.
"""

import zlib
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from zhengdun.campaigns import actions
from zhengdun.campaigns.models import (
    Campaign,
    CampaignStatus,
    Colour,
    Incentive,
    IncentiveSide,
    ProgressUpdate,
    Task,
    Workstream,
)
from zhengdun.core import demo as module_demos
from zhengdun.org.models import Person, PersonStatus, Unit

NAME = "眉山市公安机关“坚持政治建警 全面从严治警”教育整顿"
DESCRIPTION = (
    "眉山作为全省教育整顿的试点市，坚持问题导向、效果导向、民意导向，从内部政治巡察、"
    "风险隐患评估、队伍日常管理、公安工作评价、违规违纪违法案件查办等多个方面入手，"
    "突出“实、严、督、深”4个关键字，纵深推进教育整顿，确保取得实效。"
)
# Days from today: the demo always looks under way.
START, END = -45, 75
PHASES = [("学习教育", START, -16), ("查纠整改", -15, 45), ("总结提升", 46, END)]
LEVELS = {
    IncentiveSide.REWARD: ["通报表扬", "嘉奖", "记功"],
    IncentiveSide.SANCTION: ["提醒", "约谈", "问责"],
}
PUBLICITY = "突出工作“实”"
WORKSTREAMS = [
    (
        "初心革命",
        "在全市公安系统开展“大学习”活动，完善党委中心组“述学、评学、考学”制度；开展"
        "“忠诚廉洁担当为民”主题演讲比赛和情景式换位思考辩论赛。",
    ),
    (
        "勤务革命",
        "推动市、县（区）两级公安机关“大部门”改革，按“决策、执行、监督、保障”四大板块构架；"
        "按“扁平化+网格化”思路整合内设层级，实现精准化的点对点指挥。",
    ),
    (
        "数据革命",
        "加强数字公安建设，建立培训、考核、奖励等措施，提升信息采集、网上比对、综合研判本领；"
        "开展眉山公安分节点建设、汇聚、处理，上传全市数据资源。",
    ),
    (
        "效率革命",
        "开展“大提速”活动，全面运用“三色预警”“三级激励”；统筹推进政务督办、工作督导和"
        "勤务督察“1+3”巡察模式，巡察工作任务量化。",
    ),
    (
        "本领革命",
        "开设公安大讲坛，定期举办培训班；按照实战大练兵方案开展比武竞赛和日常练兵；开展"
        "“大比拼”“五个活动”，营造“比、学、赶、超”的浓厚氛围。",
    ),
    (
        PUBLICITY,
        "层层分解具体任务。截至目前，已经启动公安夜校、公安网校、主题征文等5项，完成网站专栏、"
        "宣传展板、应知应会手册、电梯口视频制作、公布举报电话信箱等7项，正在策划举办政治轮训、"
        "岗位互换情景体验日、警营开放日、“两代表一委员”座谈会等11项。",
    ),
    (
        "突出要求“严”",
        "迅速开展自查自省，从党建统领、队伍建设、履职尽责、外部反馈四个方面深入查纠问题，"
        "对照35个具体问题查摆，拉出措施及时限，严防“灯下黑”。",
    ),
    (
        "突出全面“督”",
        "统筹推进“1+3”巡察模式；选派10名退居二线的原部门正职干部和机关民警成立5个督导组，"
        "每月不少于15天分组督导市局机关和8个分县局，督查任务量化到10个具体方面，落实“六抓”要求。",
    ),
    (
        "突出整顿“深”",
        "落实“三学三谈三比”总要求，把教育整顿与锤炼队伍、提升能力、服务群众有机结合起来。",
    ),
]


@dataclass
class Plan:
    """One task of the demo and what has happened to it by today (days relative to today).

    A share (subtask) leaves ``title``, ``start`` and ``due`` empty to take its parent's. An
    open leaf reports ``q`` (of its target) or ``p`` percent; ``started`` starts it without
    progress; ``done`` completes it on that day; ``cancelled`` is (day, reason).
    """

    title: str
    unit: str
    start: int | None = None
    due: int | None = None
    lead: str = ""  # unit code whose people give the lead (default: the task's own unit)
    target: int | None = None
    measure: str = ""
    weight: int = 1
    p: int = 0
    q: int = 0
    started: bool = False
    done: int | None = None
    cancelled: tuple[int, str] | None = None
    notes: tuple[str, ...] = ()
    description: str = ""
    shares: tuple["Plan", ...] = field(default_factory=tuple)


def task(title: str, unit: str, start: int, due: int, **fields) -> Plan:
    return Plan(title=title, unit=unit, start=start, due=due, **fields)


def share(unit: str, target: int | None = None, *shares: Plan, **fields) -> Plan:
    return Plan(title="", unit=unit, target=target, shares=shares, **fields)


# The five self-revolutions ------------------------------------------------------------------

CHUXIN = [
    task(
        "开展“大学习”活动",
        "MS",
        -45,
        30,
        lead="MS-ZZB",
        target=48,
        measure="场",
        description="在全市公安系统开展“大学习”活动，各分县局组织集中学习不少于6场。",
        notes=(
            "制定学习计划，下发学习书目，组织第一轮集中学习",
            "累计组织集中学习{q}{m}，开展学习心得交流",
            "累计组织集中学习{q}{m}，评选优秀学习笔记",
        ),
        shares=(
            share(
                "DP",
                6,
                share("DP-01", 2, due=-3, done=-6),
                share("DP-02", 2, due=-3, done=-1),
                share("DP-03", 1, due=-3, p=30, notes=("已完成学习筹备，集中学习尚未组织",)),
                share("DP-04", 1, due=-3, done=-4),
            ),
            share("PS", 6, q=4),
            share("RS", 6, q=5),
            share("HY", 6, q=2),
            share("DL", 6, q=4),
            share("QS", 6, q=1),
            share("TF", 6, q=3),
            share("KF", 6, q=4),
        ),
    ),
    task(
        "完善党委中心组“述学、评学、考学”制度",
        "MS",
        -45,
        -10,
        lead="MS-DW",
        done=-6,
        description="完善市局党委中心组“述学、评学、考学”制度，并组织首次述学评学。",
        notes=("制度初稿已征求班子成员意见",),
    ),
    task(
        "开展“忠诚廉洁担当为民”主题演讲比赛",
        "MS",
        -40,
        10,
        lead="MS-ZZB",
        description="各分县局先组织选拔赛，再由市局举办全市决赛。",
        shares=(
            share("DP", due=-5, done=-12),
            share("PS", due=-5, done=-8),
            share("RS", due=-5, done=-3),
            share("HY", due=-5, done=-6),
            share("DL", due=-5, done=-9),
            share("QS", due=-5, done=-2),
            share("TF", due=-5, done=-7),
            share("KF", due=-5, p=60, notes=("选手已确定，比赛场地尚在协调",)),
        ),
    ),
    task("举办“忠诚廉洁担当为民”主题演讲比赛全市决赛", "MS", 5, 15, lead="MS-ZZB"),
    task(
        "开展情景式换位思考辩论赛",
        "MS",
        -10,
        20,
        lead="MS-ZZB",
        p=15,
        description="以“假如我是案件受害者、到公安机关办事群众或交通事故当事人”为题开展辩论。",
        notes=("确定辩题，各单位组队报名",),
    ),
]

QINWU = [
    task(
        "推进市局机关“大部门”改革",
        "MS-ZZB",
        -45,
        45,
        p=45,
        description="按照“决策、执行、监督、保障”四大板块构架，全面梳理现行体制体系存在的问题。",
        notes=("梳理机关各部门职能交叉问题清单", "形成四大板块构架方案初稿，报党委审议"),
    ),
    task(
        "推进分县局“大部门”改革",
        "MS",
        -40,
        40,
        lead="MS-ZZB",
        notes=("成立改革工作专班，梳理现行机构职能", "形成内设机构整合方案，征求民警意见"),
        shares=(
            share("DP", p=55),
            share("PS", p=45),
            share("RS", p=60),
            share("HY", p=30),
            share("DL", p=50),
            share("QS", p=15),
            share("TF", p=40),
            share(
                "KF",
                p=10,
                cancelled=(-20, "开发区分局机构规格调整，改革方案由市局另行部署。"),
            ),
        ),
    ),
    task(
        "按“扁平化+网格化”思路划分社区警务网格",
        "MS",
        -35,
        25,
        lead="MS-ZH",
        target=42,
        measure="个",
        description="在东坡、仁寿、彭山、洪雅先行试点，整合部门内设层级，划分社区警务网格。",
        notes=("完成辖区摸底，制定网格划分方案", "累计划定警务网格{q}{m}，落实网格民警"),
        shares=(
            share(
                "DP",
                16,
                share("DP-01", 5, done=-3),
                share("DP-02", 4, q=3),
                share("DP-03", 4, q=1),
                share("DP-04", 3, q=2),
            ),
            share("RS", 12, done=-6),
            share("PS", 8, q=5),
            share("HY", 6, q=2),
        ),
    ),
    task(
        "建设派出所点对点指挥调度终端",
        "MS",
        -30,
        30,
        lead="MS-ZH",
        target=4,
        measure="套",
        description="指挥中心直接调度试点派出所，在指挥体系化、合成化上下功夫。",
        notes=("完成设备选型和现场勘查", "终端安装调试，开展联调演练"),
        shares=(
            share("DP-01", 1, due=10, done=-4),
            share("PS-01", 1, due=10, p=80),
            share("RS-01", 1, due=10, p=50),
            share("HY-01", 1, due=10, p=20),
        ),
    ),
]

SHUJU = [
    task(
        "开展信息采集、网上比对、综合研判应用培训",
        "MS",
        -40,
        35,
        lead="MS-KX",
        target=10,
        measure="期",
        description="提升全警掌握信息采集、网上比对、综合研判等应用本领和技能。",
        notes=("制定培训计划，确定授课教官", "累计举办培训{q}{m}，组织结业测试"),
        shares=(
            share("DP", 2, q=1),
            share("RS", 2, done=-2),
            share("PS", 1, done=-10),
            share("HY", 1, done=-5),
            share("DL", 1, started=True),
            share("QS", 1, done=-1),
            share("TF", 1, p=40),
            share("KF", 1, done=-15),
        ),
    ),
    task("建立数字公安应用培训、考核、奖励措施", "MS-KX", -45, -20, done=-22),
    task(
        "开展眉山公安大数据分节点建设",
        "MS-KX",
        -30,
        40,
        p=10,
        description="依据省厅大数据中心建设，开展眉山公安分节点建设、汇聚、处理。",
        notes=("完成分节点建设方案，机房改造待立项",),
    ),
    task(
        "汇聚上传全市数据资源",
        "MS-KX",
        -20,
        40,
        target=96,
        measure="类",
        q=28,
        notes=("编制数据资源目录", "累计汇聚上传数据资源{q}{m}"),
    ),
]

XIAOLV = [
    task(
        "开展“大提速”活动，压缩办事时限",
        "MS",
        -40,
        30,
        lead="MS-DC",
        target=80,
        measure="项",
        description="切实改进工作作风，提高工作效能，各分县局压缩办事时限事项不少于10项。",
        notes=("梳理办事事项清单", "累计压缩办事时限事项{q}{m}"),
        shares=(
            share("DP", 10, q=7),
            share("PS", 10, q=6),
            share("RS", 10, q=8),
            share("HY", 10, q=4),
            share("DL", 10, q=6),
            share("QS", 10, q=3),
            share("TF", 10, q=5),
            share("KF", 10, done=-2),
        ),
    ),
    task("全面运用“三色预警”“三级激励”机制", "MS-ZZB", -45, -25, done=-27),
    task(
        "推行政务督办、工作督导、勤务督察“1+3”巡察模式",
        "MS-DC",
        -40,
        35,
        target=9,
        measure="个单位",
        q=4,
        description="入驻巡察与随机督查结合，巡察市局机关和8个分县局。",
        notes=("完成入驻巡察{q}{m}", "完成入驻巡察{q}{m}，反馈问题清单"),
    ),
    task("巡察工作任务量化", "MS-DC", -40, -20, done=-16),
]

BENLING = [
    task(
        "开设公安大讲坛",
        "MS-ZZB",
        -35,
        60,
        target=8,
        measure="讲",
        q=3,
        notes=("邀请专家举办第{q}讲",),
    ),
    task(
        "定期举办业务培训班",
        "MS-ZZB",
        -30,
        60,
        target=16,
        measure="期",
        q=6,
        notes=("制定培训计划", "累计举办培训班{q}{m}"),
    ),
    task("按实战大练兵方案科学设定训练科目", "MS-TJ", -45, -30, done=-31),
    task(
        "开展比武竞赛和日常练兵",
        "MS-TJ",
        -30,
        45,
        target=3,
        measure="场",
        q=1,
        notes=("举办第{q}场全市比武竞赛",),
    ),
    task(
        "开展“大比拼”活动",
        "MS",
        -20,
        50,
        lead="MS-ZZB",
        target=5,
        measure="项",
        q=1,
        description="举行知识竞赛和征文比赛、专题组织生活会、考察学习、成果评选、先进培树等“五个活动”。",
        notes=("完成知识竞赛初赛",),
    ),
]

# The emphases ------------------------------------------------------------------------------

# The items the article counts (5 started, 7 completed, 11 being planned), in the workstream of
# the section that counts them (突出工作“实”). None is decomposed, so the workstream's summary
# reads exactly 5 / 7 / 11.
SHI = [
    # Started.
    task("开办公安夜校", "MS-ZZB", -20, 50, p=30, notes=("首期夜校开课", "已开课{p}%课时")),
    task("开办公安网校", "MS-KX", -25, 35, p=25, notes=("网校平台上线试运行",)),
    task(
        "开展“忠诚 干净 担当”主题征文",
        "MS-ZZB",
        -15,
        15,
        p=40,
        notes=("下发征文通知", "收到征文稿件，组织初评"),
    ),
    task(
        "编发教育整顿工作简报",
        "MS-ZZB",
        -40,
        70,
        target=20,
        measure="期",
        q=7,
        notes=("编发简报第{q}期",),
    ),
    task(
        "开展英模先进事迹巡回宣讲",
        "MS-ZZB",
        -10,
        20,
        p=5,
        notes=("确定宣讲人员，宣讲稿尚在修改",),
    ),
    # Completed.
    task("开设教育整顿网站专栏", "MS-KX", -45, -38, done=-40),
    task("制作教育整顿宣传展板", "MS-ZZB", -44, -35, done=-36),
    task("编印教育整顿应知应会手册", "MS-ZZB", -44, -30, done=-27),
    task("电梯口视频制作", "MS-ZZB", -40, -30, done=-31),
    task("公布举报电话和信箱", "MS-JW", -45, -40, done=-42),
    task("召开教育整顿动员部署大会", "MS-DW", -45, -44, done=-44),
    task("开通微信公众号教育整顿专栏", "MS-ZZB", -42, -30, done=-25),
    # Being planned.
    task("开展政治轮训", "MS-ZZB", 5, 45),
    task("举办岗位互换情景体验日", "MS-ZZB", 10, 25),
    task("举办警营开放日", "MS-ZZB", 15, 30),
    task("召开“两代表一委员”座谈会", "MS-DW", 7, 20),
    task("举办英模先进事迹报告会", "MS-ZZB", 20, 35),
    task("召开警示教育大会", "MS-JW", 3, 12),
    task("组织参观廉政教育基地", "MS-JW", 12, 30),
    task("召开家庭助廉座谈会", "MS-JW", 25, 40),
    task("举行重温入警誓词仪式", "MS-ZZB", -4, 26),
    task("召开离退休老民警座谈会", "MS-DW", 30, 45),
    task("举办教育整顿成果展", "MS-ZZB", 50, 70),
]

YAN = [
    task(
        "对照35个具体问题开展自查自省",
        "MS",
        -30,
        15,
        lead="MS-JW",
        description="从党建统领、队伍建设、履职尽责、外部反馈四个方面入手，深入查纠问题，严防“灯下黑”。",
        notes=(
            "召开部署会，下发35个具体问题清单",
            "民警逐项对照查摆，已完成{p}%",
            "汇总查摆问题，形成问题清单",
        ),
        shares=(
            share(
                "DP",
                None,
                share("DP-01", due=5, p=90),
                share("DP-02", due=5, p=70),
                share("DP-03", due=5, done=-2),
                share("DP-04", due=5, p=40),
                due=10,
            ),
            share("RS", due=10, p=80),
            share("PS", due=10, p=80),
            share("HY", due=10, p=60),
            share("DL", due=10, p=75),
            share("QS", due=10, p=30),
            share("TF", due=10, p=70),
            share("KF", due=10, done=-1),
        ),
    ),
    task(
        "召开部署推进会、专题学习会、民主生活会、座谈交流会",
        "MS",
        -40,
        -5,
        lead="MS-DW",
        target=16,
        measure="场",
        description="市局机关各党组织各召开4场，领导干部带头查摆问题，主动征求意见。",
        notes=("召开部署推进会", "累计召开{q}{m}"),
        shares=(
            share("MS-ZZB", 4, done=-12),
            share("MS-XZ", 4, done=-3),
            share("MS-JJ", 4, q=3),
            share("MS-DC", 4, done=-10),
        ),
    ),
    task(
        "领导干部带头查摆问题、征求意见",
        "MS-DW",
        -35,
        10,
        p=70,
        notes=("发放征求意见表", "汇总意见建议，班子成员逐一认领"),
    ),
    task(
        "对照清单拉出整改措施及时限",
        "MS",
        2,
        45,
        lead="MS-JW",
        description="认真总结分析，对照清单报告，拉出措施及时限，建立整改台账。",
        shares=tuple(share(code) for code in ("DP", "PS", "RS", "HY", "DL", "QS", "TF", "KF")),
    ),
    task("开展杜绝“护短”“遮丑”“走形式”专项检查", "MS-DC", 10, 40),
]

DU = [
    task("组建5个教育整顿督导组", "MS-DC", -45, -38, target=5, measure="个", done=-39),
    task(
        "督导组分组督导市局机关和8个分县局",
        "MS-DC",
        -38,
        60,
        target=300,
        measure="组·天",
        q=100,
        description="5个督导组每月不少于15天分组督导。",
        notes=("累计督导{q}{m}",),
    ),
    task(
        "督查工作任务量化到10个具体方面", "MS-DC", -40, -25, target=10, measure="个方面", done=-21
    ),
    task(
        "落实“六抓”要求，督导反馈问题整改销号",
        "MS-DC",
        -25,
        20,
        target=64,
        measure="个问题",
        q=35,
        description="抓好教育引领、线索核查、推进考核、政策兑现、督查督办、意见反馈。",
        notes=("收到督导反馈问题清单，逐项制定措施", "累计整改销号{q}{m}"),
    ),
    task("党委班子成员分工联系指导机关各部门和分县局", "MS-DW", -45, -40, done=-41),
]

SHEN = [
    task(
        "“三学”：学党章党纪党规、法律法规和发展战略部署",
        "MS",
        -30,
        30,
        lead="MS-ZZB",
        notes=("制定“三学”计划", "完成学习专题{p}%"),
        shares=(
            share("DP", weight=3, p=55),
            share("RS", weight=3, p=45),
            share("PS", weight=2, p=50),
            share("HY", weight=2, p=55),
            share("DL", p=35),
            share("QS", p=30),
            share("TF", p=50),
            share("KF", p=60),
        ),
    ),
    task(
        "“三谈”：开展谈心谈话",
        "MS",
        -20,
        40,
        lead="MS-ZZB",
        target=800,
        measure="人次",
        description="谈初心使命和公安工作认识，谈短板差距和自身问题，谈突破口和努力方向。",
        notes=("制定谈心谈话计划", "累计谈心谈话{q}{m}"),
        shares=(
            share("DP", 150, q=47),
            share("PS", 100, q=40),
            share("RS", 150, q=45),
            share("HY", 100, q=20),
            share("DL", 80, q=30),
            share("QS", 80, q=10),
            share("TF", 70, q=25),
            share("KF", 70, q=30),
        ),
    ),
    task("“三比”：比忠诚担当、比拼搏奋进、比工作绩效", "MS", 46, 70, lead="MS-ZZB"),
    task("总结提炼可复制可推广的经验", "MS-ZZB", 50, 75),
]

PLAN = {
    "初心革命": CHUXIN,
    "勤务革命": QINWU,
    "数据革命": SHUJU,
    "效率革命": XIAOLV,
    "本领革命": BENLING,
    PUBLICITY: SHI,
    "突出要求“严”": YAN,
    "突出全面“督”": DU,
    "突出整顿“深”": SHEN,
}

# (side, rank, unit, task title, task unit, to the task's lead?, reason, day)
AWARDS = [
    (
        IncentiveSide.REWARD,
        1,
        "DP",
        "开展“忠诚廉洁担当为民”主题演讲比赛",
        "DP",
        False,
        "东坡区分局提前一周完成演讲比赛选拔赛，组织规范，效果突出，予以通报表扬。",
        -10,
    ),
    (
        IncentiveSide.REWARD,
        2,
        "MS-ZZB",
        "电梯口视频制作",
        "MS-ZZB",
        True,
        "电梯口教育整顿视频提前完成制作并在全市公安机关播放，反响良好。",
        -25,
    ),
    (
        IncentiveSide.REWARD,
        1,
        "KF",
        "开展“大提速”活动，压缩办事时限",
        "KF",
        False,
        "经济开发区分局提前完成“大提速”压缩时限任务，10项办事时限平均压缩40%。",
        -1,
    ),
    (
        IncentiveSide.REWARD,
        2,
        "DP-01",
        "按“扁平化+网格化”思路划分社区警务网格",
        "DP-01",
        True,
        "率先完成社区警务网格划分，网格民警全部到位，经验在全市推广。",
        0,
    ),
    (
        IncentiveSide.SANCTION,
        2,
        "QS",
        "对照35个具体问题开展自查自省",
        "QS",
        True,
        "自查自省进度严重滞后（红色预警），约谈分管负责人，要求三日内报送赶进度措施。",
        0,
    ),
    (
        IncentiveSide.SANCTION,
        1,
        "DP-04",
        "对照35个具体问题开展自查自省",
        "DP-04",
        True,
        "自查自省进度滞后于计划，提醒任务负责人加快进度。",
        0,
    ),
]


class _Loader:
    def __init__(self, admin, today: date):
        self.admin = admin
        self.today = today
        self.units = {unit.code: unit for unit in Unit.objects.all()}
        self.people: dict[str, list[Person]] = {}
        self.events: list[tuple[int, int, int, object]] = []

    def day(self, offset: int) -> date:
        return self.today + timedelta(days=offset)

    def lead(self, code: str, salt: str) -> Person | None:
        if code not in self.people:
            self.people[code] = list(
                Person.objects.filter(unit=self.units[code], status=PersonStatus.ACTIVE).order_by(
                    "police_number"
                )
            )
        people = self.people[code]
        if not people:
            return None
        return people[zlib.crc32(salt.encode()) % len(people)]

    # Campaign --------------------------------------------------------------------------------

    def campaign(self) -> Campaign:
        campaign = Campaign.objects.filter(name=NAME).first()
        if campaign is None:
            campaign = actions.create_campaign(
                self.admin,
                unit=self.units["MS"],
                name=NAME,
                description=DESCRIPTION,
                start_date=self.day(START),
                end_date=self.day(END),
                phases=[
                    {"name": name, "start_date": self.day(start), "end_date": self.day(end)}
                    for name, start, end in PHASES
                ],
            )
        if campaign.status != CampaignStatus.ACTIVE:
            actions.update_campaign(
                self.admin,
                campaign=campaign,
                version=campaign.version,
                status=CampaignStatus.ACTIVE,
            )
        names = {(level.side, level.rank): level.name for level in campaign.incentive_levels.all()}
        wanted = {
            (str(side), rank): name
            for side, levels in LEVELS.items()
            for rank, name in enumerate(levels, start=1)
        }
        if names != wanted:
            actions.set_incentive_levels(
                self.admin, campaign=campaign, names={str(k): v for k, v in LEVELS.items()}
            )
        existing = set(campaign.workstreams.values_list("name", flat=True))
        for order, (name, description) in enumerate(WORKSTREAMS):
            if name not in existing:
                actions.save_workstream(
                    self.admin,
                    campaign=campaign,
                    name=name,
                    description=description,
                    order=order,
                )
        return campaign

    # Tasks -----------------------------------------------------------------------------------

    def plant(self, campaign: Campaign, workstream: Workstream, plan: Plan) -> None:
        """Create a top-level task and its decomposition on the days they were planned, and
        queue what happened to them afterwards."""
        created = max(min(plan.start, 0) - 2, START - 2)
        top = actions.create_task(
            self.admin,
            campaign=campaign,
            workstream=workstream,
            unit=self.units[plan.unit],
            title=plan.title,
            description=plan.description,
            lead=self.lead(plan.lead or plan.unit, plan.title),
            start_date=self.day(plan.start),
            due_date=self.day(plan.due),
            quantity_target=plan.target,
            measure=plan.measure,
            weight=plan.weight,
            on=self.day(created),
        )
        self.grow(top, plan, created + 1, depth=0, notes=plan.notes)

    def grow(self, task: Task, plan: Plan, on: int, *, depth: int, notes: tuple) -> None:
        """Decompose the task on day ``on`` as planned (recursively), or queue a leaf's
        start, reports, completion or cancellation."""
        start = (task.start_date - self.today).days
        if plan.shares:
            shares = [
                {
                    "unit": self.units[item.unit],
                    "title": item.title,
                    "description": item.description,
                    "lead": self.lead(item.unit, plan.title or task.title),
                    "start_date": self.day(item.start) if item.start is not None else None,
                    "due_date": self.day(item.due) if item.due is not None else None,
                    "quantity_target": item.target,
                    "weight": item.weight,
                }
                for item in plan.shares
            ]
            children = actions.decompose_task(
                self.admin, task=task, shares=shares, on=self.day(min(on, 0))
            )
            for child, item in zip(children, plan.shares, strict=True):
                self.grow(child, item, on + 1, depth=depth + 1, notes=item.notes or notes)
            if plan.done is not None:
                self.queue(plan.done, 10 - depth, self.complete, task, plan.done)
            return
        due = (task.due_date - self.today).days
        last = plan.done
        if last is None:
            last = plan.cancelled[0] - 1 if plan.cancelled else min(-1 - task.pk % 3, due)
        last = max(last, start + 1)
        if plan.done is None:
            steps = self.steps(task, start, last, plan.p, plan.q, most=2 if depth == 0 else 1)
        elif task.quantity_target:
            steps = [(plan.done, None, task.quantity_target)]
            notes = ("已完成全部{q}{m}，相关资料已归档",)
        elif depth == 0:
            steps = [(start + (plan.done - start) // 2, 60, None)]
        else:
            steps = []  # a completed share without a quantity: completed, no report
        if not steps and plan.started and start < 0:
            self.queue(start + 1, 0, self.start, task, start + 1)
        for number, (day, progress, quantity) in enumerate(steps):
            note = notes[min(number, len(notes) - 1)] if notes else ""
            self.queue(day, 0, self.report, task, day, progress, quantity, note)
        if plan.done is not None:
            self.queue(plan.done, 10 - depth, self.complete, task, plan.done)
        if plan.cancelled:
            self.queue(plan.cancelled[0], 1, self.cancel, task, *plan.cancelled)

    @staticmethod
    def steps(task: Task, start: int, last: int, progress: int, quantity: int, most: int) -> list:
        """Up to ``most`` reports, evenly spread from the start to ``last``, reaching the plan."""
        by_quantity = bool(task.quantity_target and quantity)
        final = round(100 * quantity / task.quantity_target) if by_quantity else progress
        if final <= 0:
            return []
        count = 1 if final <= 50 else most
        if by_quantity:
            count = min(count, quantity)
        steps = []
        for number in range(1, count + 1):
            day = start + round((last - start) * number / count)
            if by_quantity:
                done = round(quantity * number / count)
                steps.append((day, None, done))
            else:
                steps.append((day, round(progress * number / count), None))
        return steps

    def queue(self, day: int, rank: int, action, *args) -> None:
        self.events.append((day, rank, len(self.events), (action, args)))

    def start(self, task: Task, day: int) -> None:
        actions.start_task(self.admin, task=self.fresh(task), on=self.day(day))

    def report(self, task, day, progress, quantity, note) -> None:
        if quantity is not None:
            shown = min(100, round(100 * quantity / task.quantity_target))
        else:
            shown = progress
        if not note or ("{q}" in note and quantity is None):
            note = "累计完成{q}{m}" if quantity is not None else "按计划推进，已完成{p}%"
        actions.report_progress(
            self.admin,
            task=task,  # the action reads the task afresh
            progress=progress,
            quantity_done=quantity,
            narrative=note.format(q=quantity, m=task.measure, p=shown),
            on=self.day(day),
        )

    def complete(self, task: Task, day: int) -> None:
        actions.complete_task(
            self.admin, task=self.fresh(task), completed_on=self.day(day), on=self.day(day)
        )

    def cancel(self, task: Task, day: int, reason: str) -> None:
        actions.cancel_task(self.admin, task=self.fresh(task), reason=reason, on=self.day(day))

    @staticmethod
    def fresh(task: Task) -> Task:
        return Task.objects.select_related("campaign", "unit", "parent").get(pk=task.pk)

    def play(self) -> None:
        for _day, _rank, _seq, (action, args) in sorted(self.events, key=lambda e: e[:3]):
            action(*args)

    # Incentives ------------------------------------------------------------------------------

    def awards(self, campaign: Campaign) -> int:
        levels = {(level.side, level.rank): level for level in campaign.incentive_levels.all()}
        made = 0
        for side, rank, unit_code, title, task_unit, to_lead, reason, day in AWARDS:
            level, unit = levels[(side, rank)], self.units[unit_code]
            task = Task.objects.filter(
                campaign=campaign, title=title, unit=self.units[task_unit]
            ).first()
            if (
                task is None
                or Incentive.objects.filter(
                    level=level, unit=unit, task=task, reason=reason
                ).exists()
            ):
                continue
            if side == IncentiveSide.SANCTION and task.colour != Colour.RED:
                continue
            actions.award(
                self.admin,
                level=level,
                unit=unit,
                person=task.lead if to_lead else None,
                task=task,
                reason=reason,
                awarded_on=self.day(day),
            )
            made += 1
        return made


@transaction.atomic
def load(admin) -> dict[str, int]:
    """Load the article's campaign (idempotent); return counts for the demo command."""
    today = timezone.localdate()
    loader = _Loader(admin, today)
    campaign = loader.campaign()
    workstreams = {stream.name: stream for stream in campaign.workstreams.all()}
    existing = set(
        Task.objects.filter(campaign=campaign, parent=None).values_list("title", "unit__code")
    )
    for name, plans in PLAN.items():
        for plan in plans:
            if (plan.title, plan.unit) not in existing:
                loader.plant(campaign, workstreams[name], plan)
    loader.play()
    actions.refresh_colours(campaign, today)
    loader.awards(campaign)
    return {
        "tasks": Task.objects.filter(campaign=campaign).count(),
        "progress reports": ProgressUpdate.objects.filter(task__campaign=campaign).count(),
        "incentives": Incentive.objects.filter(level__campaign=campaign).count(),
    }


module_demos.register("campaigns", load)
