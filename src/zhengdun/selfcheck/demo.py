"""Demo data for self-inspection: the article's 自查自省 (突出要求“严”), in progress today.

The catalogue "教育整顿自查自省问题清单" (v1) has the article's four dimensions and 35 items: the
problems it names (思想政治不纯 … 纪检监察审计发现) completed with plausible ones. A round over the
whole bureau opened 30 days before "today" (``timezone.localdate()``) and is due in 10 days.

Personal reports can only be written by their own person, so each county bureau's 负责人 gets a
demo login (``leader_dp`` … ``leader_kf``, password ``DEMO_PASSWORD``, demo mode only) and a
unit_leader grant on the bureau, before the round opens (their reports are marked as leaders').
They go first: every unit report is submitted after its leaders' personal reports.

By today the round holds reports in every state (untouched and saved drafts, submitted, returned
with comments), a ledger with measures in every state (open, in progress, completed with a PNG
as evidence, verified, rejected and reopened) and every colour, two copied unit reports (仁寿's
文林 and 怀仁 stations) and two copied personal reports (the 天府新区 and 经开区 leaders), a unit
that found nothing on any item (丹棱), meetings, one of whose problems became a finding, and
opinions on 东坡's draft (one anonymous). The demo logins have something to do: ``officer``
has an untouched draft and a measure to work on, ``liaison`` can finish and submit 东坡's unit
report (its leader has reported) and revise a returned personal report, ``supervisor`` has
completed measures to verify in 东坡 and 彭山, ``office`` in the city bureau.

Everything is written through ``selfcheck.actions`` (and so audited), "in the past" with their
``on=`` dates, in date order; ``refresh_measures`` then sets every stored colour for today.

Loading is idempotent: logins are matched by user name, the catalogue by name and version, and
the round by name (a round found is left as it is).
"""

import struct
import zlib
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from zhengdun.accounts.actions import create_account
from zhengdun.core import demo as module_demos
from zhengdun.org import actions as org_actions
from zhengdun.org.demo import COUNTIES, DEMO_PASSWORD
from zhengdun.org.models import Grant, Person, PersonStatus, Unit
from zhengdun.org.roles import Role
from zhengdun.selfcheck import actions, formalism
from zhengdun.selfcheck.models import (
    AppliesTo,
    Catalogue,
    Item,
    Measure,
    MeasureState,
    MeetingKind,
    Report,
    ReportKind,
    ReportState,
    Round,
)

CATALOGUE = "教育整顿自查自省问题清单"
ROUND = "眉山市公安机关教育整顿自查自省（第一轮）"
OPENED, DUE = -30, 10  # days from today
NOTHING = "经自查，未发现此类问题。"

BOTH, UNIT, PERSON = AppliesTo.BOTH, AppliesTo.UNIT, AppliesTo.PERSON

# (dimension, [(code, title, applies to, guidance)]): the four dimensions of the article, the
# problems it names first in each, then plausible ones to 35.
DIMENSIONS = [
    (
        "党建统领",
        [
            (
                "1.1",
                "思想政治不纯",
                BOTH,
                "理想信念动摇，对党不忠诚不老实，政治意识淡薄；在重大政治问题上立场不坚定，"
                "妄议中央大政方针，搞团团伙伙。",
            ),
            (
                "1.2",
                "组织作风不纯",
                UNIT,
                "党组织软弱涣散，“三会一课”、组织生活会流于形式，民主集中制执行不到位，"
                "批评与自我批评辣味不足。",
            ),
            (
                "1.3",
                "道德品质不纯",
                PERSON,
                "违背社会公德、职业道德、家庭美德，生活作风不检点，言行失范损害公安形象。",
            ),
            (
                "1.4",
                "三观不正",
                PERSON,
                "世界观、人生观、价值观扭曲，拜金主义、享乐主义、极端个人主义思想抬头。",
            ),
            (
                "1.5",
                "落实全面从严治党主体责任不力",
                UNIT,
                "党委（党支部）管党治警责任压得不实，“一岗双责”落实不到位，压力层层递减。",
            ),
            (
                "1.6",
                "政治理论学习不深不实",
                BOTH,
                "学习习近平新时代中国特色社会主义思想和党章党纪党规走过场，"
                "“述学、评学、考学”不落实，学用脱节。",
            ),
            (
                "1.7",
                "意识形态工作责任制落实不到位",
                UNIT,
                "对网络言论、警营文化阵地管理不严，对错误思潮和言论不敢亮剑。",
            ),
            (
                "1.8",
                "党员先锋模范作用发挥不够",
                PERSON,
                "党员民警身份意识淡薄，急难险重任务面前冲不上、顶不住。",
            ),
            (
                "1.9",
                "执行请示报告制度不严格",
                BOTH,
                "重大事项不请示、不报告，个人有关事项报告不如实、不及时。",
            ),
        ],
    ),
    (
        "队伍建设",
        [
            (
                "2.1",
                "管理缺位",
                BOTH,
                "对民警八小时以外活动失管失控，谈心谈话、家访等日常管理制度不落实，"
                "对队伍思想动态掌握不准。",
            ),
            (
                "2.2",
                "用人失察",
                UNIT,
                "选人用人把关不严，“带病提拔”“带病上岗”，干部考察失真失实。",
            ),
            (
                "2.3",
                "纪律松弛",
                BOTH,
                "有令不行、有禁不止，违反公安部“五条禁令”、工作纪律、值班备勤和警容风纪规定。",
            ),
            (
                "2.4",
                "“三圈”不净",
                PERSON,
                "生活圈、交往圈、娱乐圈不清不净，与涉黑涉恶、涉赌涉毒人员及利益相关人员不当交往。",
            ),
            (
                "2.5",
                "辅警和临聘人员管理不规范",
                UNIT,
                "辅警招录、使用、考核不规范，辅警超范围从事执法活动，“只用不管”。",
            ),
            (
                "2.6",
                "违规经商办企业、参与借贷",
                PERSON,
                "本人或亲属违规经商办企业、入股分红、参与民间借贷，充当“保护伞”。",
            ),
            (
                "2.7",
                "违反中央八项规定精神",
                BOTH,
                "公款吃喝、违规收受礼品礼金、违规使用公车，“四风”问题隐形变异。",
            ),
            (
                "2.8",
                "警务保障和经费使用不规范",
                UNIT,
                "违规使用经费，报销手续不全，装备和涉案财物管理混乱。",
            ),
            (
                "2.9",
                "从优待警和心理关爱落实不到位",
                UNIT,
                "民警心理压力疏导不够，休假、体检、帮扶等从优待警政策落实不到位。",
            ),
        ],
    ),
    (
        "履职尽责",
        [
            (
                "3.1",
                "本领不硬",
                BOTH,
                "执法办案和信息化应用本领不足，不会运用信息采集、网上比对、综合研判，"
                "实战能力与岗位要求有差距。",
            ),
            (
                "3.2",
                "在岗不为",
                BOTH,
                "慢作为、不作为、乱作为，推诿扯皮，“门难进、脸难看、事难办”。",
            ),
            (
                "3.3",
                "“三力”不强",
                BOTH,
                "政治判断力、政治领悟力、政治执行力不强，对上级部署理解不深、落实打折扣。",
            ),
            (
                "3.4",
                "“三级”不满",
                UNIT,
                "在市、县（区）、基层所队三级考核评价和群众满意度测评中排名靠后，"
                "“三色预警”任务长期亮红灯。",
            ),
            (
                "3.5",
                "群众社会反映",
                BOTH,
                "群众来信来访、12345热线、网络舆情反映的执法不公、态度生硬、吃拿卡要等问题。",
            ),
            (
                "3.6",
                "执法不规范",
                BOTH,
                "有案不立、压案不查、有罪不究，违规插手经济纠纷，趋利性执法，办案超期。",
            ),
            (
                "3.7",
                "接处警和窗口服务不规范",
                UNIT,
                "接警不及时、处警不到位，窗口服务推诿刁难、群众排长队。",
            ),
            (
                "3.8",
                "“大提速”落实不力",
                UNIT,
                "压缩办事时限不到位，审批环节多、办事效率低，工作作风拖沓。",
            ),
            (
                "3.9",
                "执法监督和案件审核把关不严",
                UNIT,
                "法制审核流于形式，执法过错责任追究不到位，案件评查发现问题整改不彻底。",
            ),
            (
                "3.10",
                "安全防范和风险隐患排查不到位",
                UNIT,
                "枪支弹药、涉案财物、执法办案场所安全管理存在隐患，风险评估不落实。",
            ),
        ],
    ),
    (
        "外部反馈",
        [
            (
                "4.1",
                "巡视巡察反馈",
                UNIT,
                "中央和省委巡视、市委巡察反馈问题整改不到位、不彻底，甚至虚假整改。",
            ),
            (
                "4.2",
                "纪检监察审计发现",
                UNIT,
                "纪检监察机关、审计部门发现的问题和移交的问题线索整改不到位。",
            ),
            (
                "4.3",
                "教育整顿督导反馈",
                UNIT,
                "上级和市局教育整顿督导组督导反馈的问题，“六抓”要求落实不到位。",
            ),
            (
                "4.4",
                "执法检查和执法质量考评发现",
                UNIT,
                "上级公安机关执法检查、案件评查、执法质量考评中发现的问题。",
            ),
            (
                "4.5",
                "信访举报反映的问题",
                BOTH,
                "举报电话、信箱和来信来访反映的民警违纪违法问题及线索办理情况。",
            ),
            (
                "4.6",
                "“两代表一委员”和社会各界意见建议",
                UNIT,
                "人大代表、政协委员、党代表和社会各界提出的意见建议办理反馈不到位。",
            ),
            (
                "4.7",
                "新闻媒体和网络舆情曝光的问题",
                BOTH,
                "新闻媒体曝光、网络舆情反映的问题，处置和整改不及时。",
            ),
        ],
    ),
]


# The plan -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class M:
    """A measure and what happens to it (days from today). ``owner``: a login or a unit code
    whose people give the owner (default: the person, or the reporting unit's people); ``by``:
    who reports progress and completes it (default: the report's writer)."""

    text: str
    deadline: int | None
    owner: str = ""
    by: str = ""
    progress: tuple[tuple[int, int], ...] = ()
    completed: int | None = None
    done: str = "已按措施完成整改，相关制度、记录已归档。"
    evidence: str = ""  # a file name: a PNG is attached
    verified: tuple[int, str] | None = None  # (day, login)
    rejected: tuple[int, str, str] | None = None  # (day, login, reason)


@dataclass(frozen=True)
class F:
    item: str
    description: str
    cause: str
    measures: tuple[M, ...]


@dataclass(frozen=True)
class R:
    """A report: a login's personal report (``person``) or a unit's (``unit``, written by
    ``by``), saved and submitted on those days, perhaps returned (day, login, comment)."""

    person: str = ""
    unit: str = ""
    by: str = ""
    saved: int | None = None
    submitted: int | None = None
    returned: tuple[int, str, str] | None = None
    findings: tuple[F, ...] = ()
    nothing: bool = False  # every item answered "nothing found"

    @property
    def writer(self) -> str:
        return self.by or self.person


def county_login(code: str) -> str:
    return f"leader_{code.lower()}"


PERSONAL = [
    R(
        person="leader",
        saved=-28,
        submitted=-27,
        findings=(
            F(
                "1.6",
                "作为局党委书记，带头学习习近平新时代中国特色社会主义思想还满足于参加中心组"
                "集中学习，自学时间得不到保证，联系眉山公安实际研究思考不够，“述学、评学、"
                "考学”的带头作用发挥不充分。",
                "忙于日常事务，把理论学习当作“软任务”，没有真正摆在首位。",
                (
                    M(
                        "每月至少参加一次党委中心组专题学习并作重点发言，每季度撰写一篇理论"
                        "学习体会",
                        9,
                        progress=((-12, 40), (-3, 70)),
                    ),
                ),
            ),
            F(
                "3.3",
                "对省厅教育整顿部署的领悟有时停留在会议传达层面，推动“大部门”改革中对个别"
                "分县局落实打折扣的问题督促不及时。",
                "政治站位还不够高，抓落实的韧劲不足，对“上热中温下冷”的现象纠正不及时。",
                (
                    M(
                        "建立党委班子成员分工联系分县局推进台账，每半月听取一次改革和教育整顿"
                        "推进情况汇报",
                        -3,
                        progress=((-15, 50),),
                        completed=-4,
                        done="推进台账已建立，已听取两轮汇报并印发会议纪要。",
                        evidence="推进台账.png",
                        verified=(-2, "office"),
                    ),
                ),
            ),
        ),
    ),
    R(
        person="office",
        saved=-25,
        submitted=-24,
        findings=(
            F(
                "3.2",
                "统筹教育整顿日常工作中，对各分县局报送材料的审核偏重格式和时间，对内容"
                "质量把关不严，个别材料“以文件落实文件”的问题未及时指出。",
                "求稳怕乱，担心影响进度，对基层“走形式”的苗头不敢较真碰硬。",
                (
                    M(
                        "建立报送材料质量评查机制，每周抽查2个单位的材料并通报评查结果",
                        6,
                        progress=((-10, 50), (-2, 65)),
                    ),
                ),
            ),
            F(
                "2.3",
                "个别时候上班时间处理私人事务，节假日值班期间有短时离岗现象。",
                "纪律意识有所松懈，认为机关工作“小节无碍”，自我要求不严。",
                (
                    M(
                        "严格执行考勤和值班制度，主动接受科室同志监督",
                        -10,
                        completed=-12,
                        done="已向科室作出书面承诺，考勤和值班记录无异常。",
                        verified=(-9, "leader"),
                    ),
                ),
            ),
        ),
    ),
    R(
        person="inspector",
        saved=-24,
        submitted=-23,
        findings=(
            F(
                "1.9",
                "个人有关事项报告中，对配偶名下一处车位的变更情况未及时补充报告。",
                "对个人有关事项报告的严肃性认识不足，存在“小事不报”的侥幸心理。",
                (
                    M(
                        "向组织补充报告个人有关事项，并对照规定逐项自查",
                        -15,
                        completed=-18,
                        done="已向市局政治部补充报告，并对照规定完成逐项自查。",
                        evidence="补充报告回执.png",
                        verified=(-16, "leader"),
                    ),
                ),
            ),
            F(
                "4.5",
                "对举报电话、信箱受理的问题线索，个别件办理超过规定时限，回复举报人不及时。",
                "线索多、人手紧，跟踪督办机制不健全，没有做到件件有着落。",
                (
                    M(
                        "建立信访举报线索办理台账，实行“三色”时限管理，超期件由组长督办",
                        3,
                        progress=((-6, 50),),
                    ),
                ),
            ),
        ),
    ),
    R(
        person="supervisor",
        saved=-5,
        findings=(
            F(
                "3.1",
                "对新修订的执法规范和督察业务学得不深，开展现场督察时发现问题的能力不足。",
                "退居二线后学习新知识的主动性下降。",
                (M("参加市局督察业务轮训，系统学习执法规范", 10),),
            ),
        ),
    ),
    R(
        person="liaison",
        saved=-19,
        submitted=-18,
        returned=(
            -16,
            county_login("DP"),
            "原因分析停留在“学习不够、要求不严”层面，请结合联络员岗位实际深挖思想根源，"
            "并把整改措施细化到时间节点。",
        ),
        findings=(
            F(
                "3.2",
                "作为分局教育整顿联络员，对所队报送的材料“收发”多、指导少，对个别所队进度"
                "滞后的情况提醒不及时。",
                "学习不够，要求不严。",
                (M("每周到一个所队了解教育整顿推进情况", 5),),
            ),
        ),
    ),
    R(
        person=county_login("DP"),
        saved=-23,
        submitted=-22,
        findings=(
            F(
                "2.1",
                "对分局民警八小时以外的活动掌握不全面，谈心谈话常以工作布置代替思想交流，"
                "对个别民警家庭困难和思想波动了解不及时。",
                "重业务轻队伍，管理手段停留在开会、发文层面，没有沉下去。",
                (
                    M(
                        "班子成员每月与分管部门民警逐人谈心谈话一次并建立台账",
                        8,
                        progress=((-14, 30), (-4, 60)),
                    ),
                ),
            ),
            F(
                "3.5",
                "12345热线反映苏祠派出所户籍窗口排队时间长、解释政策不耐心，分局督促整改不够有力。",
                "对窗口服务问题重视不够，把群众反映当作个别现象，没有举一反三。",
                (
                    M(
                        "牵头制定户籍窗口服务规范，推行错时延时服务",
                        -5,
                        completed=-6,
                        done="窗口服务规范已印发，三个户籍窗口实行错时延时服务。",
                        evidence="窗口服务规范.png",
                        verified=(-4, "supervisor"),
                    ),
                ),
            ),
        ),
    ),
    R(
        person=county_login("PS"),
        saved=-22,
        submitted=-21,
        findings=(
            F(
                "2.7",
                "到基层所队调研时，有接受所队安排工作餐、标准把关不严的情况。",
                "对中央八项规定精神的长期性认识不足，觉得“吃顿便饭”无伤大雅。",
                (
                    M(
                        "严格执行公务接待规定，下基层调研一律在所队食堂按标准就餐并交伙食费",
                        -12,
                        completed=-14,
                        done="已补交伙食费，调研就餐登记表按月公示。",
                        evidence="伙食费缴费凭证.png",
                        verified=(-11, "supervisor"),
                    ),
                ),
            ),
            F(
                "3.1",
                "对大数据研判平台运用不熟练，研判指导侦查破案主要依赖专业民警。",
                "本领恐慌意识不强，满足于过去的工作经验。",
                (
                    M(
                        "参加市局数据革命专题培训，每月带头开展一次合成研判",
                        20,
                        progress=((-8, 45),),
                    ),
                ),
            ),
        ),
    ),
    R(
        person=county_login("RS"),
        saved=-21,
        submitted=-20,
        findings=(
            F(
                "3.3",
                "对“扁平化+网格化”勤务改革的意义领会不深，推动所队整合内设层级时顾虑多、步子小。",
                "担心改革影响队伍稳定，政治执行力不强。",
                (
                    M(
                        "制定所队层级整合时间表，每周调度一次改革进度",
                        -1,
                        progress=((-10, 50),),
                    ),
                ),
            ),
        ),
    ),
    R(
        person=county_login("HY"),
        saved=-20,
        submitted=-19,
        findings=(
            F(
                "3.2",
                "对柳江景区旅游旺季的治安管理研究部署不够，群众反映景区交通拥堵、报警后出警慢。",
                "思想上有“旺季年年如此”的惯性，主动作为不够。",
                (
                    M(
                        "制定旅游旺季景区治安交通保障方案，增设临时警务站",
                        4,
                        completed=-5,
                        done="保障方案已印发，柳江景区临时警务站已启用。",
                        evidence="临时警务站.png",
                    ),
                ),
            ),
        ),
    ),
    R(
        person=county_login("DL"),
        saved=-20,
        submitted=-19,
        findings=(
            F(
                "2.3",
                "对机关民警上下班考勤检查不经常，节假日值班有“挂名”现象。",
                "抓纪律作风“宽松软”，碍于情面不愿得罪人。",
                (
                    M(
                        "每月组织一次纪律作风明察暗访并通报结果",
                        9,
                        progress=((-9, 60),),
                    ),
                ),
            ),
        ),
    ),
    R(
        person=county_login("QS"),
        saved=-6,
        findings=(
            F(
                "3.2",
                "自查自省启动后组织推进不力，分局自查进度落后于全市。",
                "",
                (),
            ),
        ),
    ),
]

# The 天府新区 leader's report, and the 经开区 leader's, copied from it with a few words changed.
_TF_LEADER = (
    F(
        "1.6",
        "理论学习满足于读文件、记笔记，系统学、深入学不够，运用党的创新理论指导新区公安"
        "工作的能力不强，学习成果转化不明显。",
        "对理论学习的重要性认识不到位，工作忙时首先压缩学习时间，学用脱节。",
        (
            M(
                "制定个人年度学习计划，每周集中自学不少于4小时并撰写学习笔记",
                9,
                progress=((-6, 60),),
            ),
        ),
    ),
    F(
        "3.1",
        "对新区产业发展带来的新型经济犯罪研究不深，运用大数据开展综合研判的本领不足，"
        "指导基层破案的办法不多。",
        "知识更新跟不上形势变化，本领恐慌意识不强，满足于老经验、老办法。",
        (
            M(
                "参加经济犯罪侦查和数据研判专题培训，每月带队开展一次案例复盘",
                8,
                progress=((-5, 40),),
            ),
        ),
    ),
    F(
        "3.3",
        "对上级部署有时理解不深不透，贯彻落实中存在“等靠要”思想，推动工作的执行力不够强。",
        "政治站位不高，担当精神不足，抓落实的韧劲不够。",
        (M("对上级部署建立清单化落实机制，每月对照清单检查一次落实情况", 10),),
    ),
)


def _copied(findings: tuple[F, ...], swaps: list[tuple[str, str]]) -> tuple[F, ...]:
    def swap(text: str) -> str:
        for old, new in swaps:
            text = text.replace(old, new)
        return text

    return tuple(
        F(
            finding.item,
            swap(finding.description),
            swap(finding.cause),
            tuple(M(swap(m.text), m.deadline) for m in finding.measures),
        )
        for finding in findings
    )


PERSONAL += [
    R(person=county_login("TF"), saved=-18, submitted=-17, findings=_TF_LEADER),
    R(
        person=county_login("KF"),
        saved=-17,
        submitted=-16,
        findings=_copied(
            _TF_LEADER,
            [("新区", "开发区"), ("每周集中自学不少于4小时", "每周集中自学不少于3小时")],
        ),
    ),
]

# 仁寿's 文林派出所 and 怀仁派出所, whose report is 文林's with the station's name changed.
_WENLIN = (
    F(
        "3.2",
        "文林派出所个别民警接处警后回访不及时，群众求助事项办理推诿，存在“事难办”现象。",
        "宗旨意识淡化，服务群众的主动性不强，所领导日常督促检查不到位。",
        (
            M(
                "建立群众求助事项首接责任制和限时回访制度",
                5,
                progress=((-5, 60),),
            ),
        ),
    ),
    F(
        "2.3",
        "文林派出所值班备勤制度执行不严，个别民警值班期间擅自离岗，辅警代替民警值守。",
        "纪律规矩意识淡薄，制度执行“宽松软”，所领导对值班情况抽查不经常。",
        (
            M(
                "严格值班备勤和请销假制度，所领导每周点名检查并记录",
                -1,
                progress=((-6, 50),),
            ),
        ),
    ),
    F(
        "3.1",
        "文林派出所民警运用信息系统开展网上比对、综合研判的能力不足，案件侦破主要依靠传统手段。",
        "信息化培训组织不经常，民警学习新技能的积极性不高。",
        (
            M(
                "每周开展一次信息化应用练兵，年内实现民警全员过关",
                9,
                progress=((-4, 55),),
            ),
        ),
    ),
)


UNITS = [
    R(
        unit="MS",
        by="leader",
        saved=-16,
        submitted=-15,
        findings=(
            F(
                "1.5",
                "市局党委对分县局党委落实管党治警责任的考核偏重业务指标，“一岗双责”压力"
                "层层递减，个别分县局出现“上热中温下冷”。",
                "对全面从严治党主体责任研究不深，考核“指挥棒”作用发挥不够。",
                (
                    M(
                        "修订分县局党委管党治警责任考核办法，提高队伍建设指标权重",
                        -4,
                        owner="MS-DW",
                        completed=-6,
                        done="考核办法修订稿已经党委会审议通过并印发。",
                        verified=(-3, "office"),
                    ),
                    M(
                        "建立党委班子成员联系分县局“一对一”督导机制",
                        None,
                        owner="MS-DW",
                        progress=((-5, 30),),
                    ),
                ),
            ),
            F(
                "4.1",
                "市委巡察反馈的“执法办案场所管理不规范”等3个问题，仍有1个未完成整改销号。",
                "对巡察整改的长期性、艰巨性认识不足，满足于阶段性完成。",
                (
                    M(
                        "对照巡察反馈问题清单逐项销号，未完成的问题明确责任领导和完成时限",
                        9,
                        owner="MS-FZ",
                        progress=((-10, 50), (-2, 70)),
                    ),
                ),
            ),
            F(
                "4.2",
                "审计发现警务保障经费中有2笔报销手续不全、1笔超范围支出。",
                "财务审核把关不严，内部控制制度执行不到位。",
                (
                    M(
                        "补齐报销手续，收回超范围支出，修订经费报销审核流程",
                        -2,
                        owner="MS-BZ",
                        progress=((-9, 60),),
                    ),
                ),
            ),
        ),
    ),
    R(
        unit="MS-ZZB",
        by="leader",
        saved=-15,
        submitted=-14,
        findings=(
            F(
                "2.2",
                "干部考察中对考察对象“八小时以外”的情况了解不深，个别民警提拔后被反映存在"
                "不当交往问题。",
                "考察方式单一，主要依靠个别谈话和查阅档案，廉政意见征求走形式。",
                (
                    M(
                        "完善干部考察办法，增加家访和廉政意见回复环节",
                        4,
                        completed=-4,
                        done="干部考察办法已修订，新增家访和纪检组廉政意见回复两个环节。",
                        evidence="干部考察办法.png",
                    ),
                ),
            ),
            F(
                "2.9",
                "对一线民警心理压力关注不够，心理健康档案未全面建立，休假制度落实不平衡。",
                "从优待警工作重部署、轻落实。",
                (
                    M(
                        "建立民警心理健康档案，每季度开展一次心理疏导",
                        25,
                        progress=((-5, 20),),
                    ),
                ),
            ),
        ),
    ),
    R(
        unit="MS-XZ",
        by="leader",
        saved=-13,
        submitted=-12,
        findings=(
            F(
                "3.6",
                "个别案件存在立案不及时、侦查终结超期的问题，涉案财物移交不规范。",
                "重打击轻规范，法制员审核把关作用发挥不够。",
                (
                    M(
                        "开展执法突出问题专项清理，逐案建立整改台账",
                        8,
                        progress=((-6, 10),),
                    ),
                ),
            ),
            F(
                "3.1",
                "支队民警运用视频侦查和数据研判破案的能力参差不齐，合成作战机制运转不畅。",
                "实战化培训不经常，练兵与实战结合不紧。",
                (M("每月开展一次合成作战实训", 10, progress=((-4, 60),)),),
            ),
        ),
    ),
    R(
        unit="MS-JJ",
        by="leader",
        saved=-3,
        findings=(
            F(
                "3.7",
                "事故快处快赔点周末无人值守，群众反映处理交通事故等候时间长。",
                "勤务安排未跟上群众需求变化。",
                (M("快处快赔点实行周末轮班值守", 9),),
            ),
        ),
    ),
    R(
        unit="DP",
        by="liaison",
        saved=-4,
        findings=(
            F(
                "2.1",
                "分局对派出所民警八小时以外活动掌握不全，社区民警长期驻村，日常管理存在空档。",
                "管理制度多而不实，督促检查跟不上。",
                (M("建立民警八小时以外活动报告和抽查制度", 9),),
            ),
            F(
                "3.5",
                "12345热线反映户籍窗口排队时间长、个别民警态度生硬，近三个月被投诉5次。",
                "窗口服务规范执行不严，群众诉求回应不及时。",
                (M("投诉件逐件回访，窗口服务纳入绩效考核", 8),),
            ),
        ),
    ),
    R(
        unit="DP-01",
        by=county_login("DP"),
        saved=-17,
        submitted=-16,
        findings=(
            F(
                "3.7",
                "户籍窗口高峰时段群众排队时间长，个别民警解释政策不耐心，被12345热线投诉2次。",
                "窗口警力配置不合理，服务意识不强。",
                (
                    M(
                        "推行户籍窗口错时延时服务和网上预约办理",
                        -2,
                        completed=-3,
                        done="错时延时服务已实行两周，网上预约已开通。",
                        evidence="错时延时服务公告.png",
                    ),
                    M(
                        "开展窗口民警服务规范轮训，投诉件逐件回访",
                        -6,
                        completed=-8,
                        done="轮训已覆盖全部窗口民警，2件投诉均已回访，群众表示满意。",
                        evidence="轮训签到表.png",
                        verified=(-6, "supervisor"),
                    ),
                ),
            ),
            F(
                "2.1",
                "社区警务队民警长期驻村，所领导对其日常管理和思想动态掌握不够。",
                "管理半径大，所领导走访社区不经常。",
                (
                    M(
                        "建立社区民警每周到所汇报和所领导走访社区制度",
                        6,
                        owner="officer",
                        by="officer",
                        progress=((-10, 40), (-4, 70)),
                    ),
                    M(
                        "制定所队民警日常管理考评细则",
                        7,
                        progress=((-12, 50),),
                        completed=-7,
                        done="考评细则已制定印发。",
                        evidence="考评细则.png",
                        rejected=(
                            -5,
                            "supervisor",
                            "只报送了细则文本，未见运行记录和考评结果，请补充落实情况后再报。",
                        ),
                    ),
                ),
            ),
        ),
    ),
    R(
        unit="DP-02",
        by="liaison",
        saved=-15,
        submitted=-14,
        findings=(
            F(
                "2.3",
                "个别辅警值班期间玩手机、脱岗，民警对辅警管理“只用不管”。",
                "对辅警的教育管理责任没有落实到人。",
                (
                    M(
                        "落实辅警值班巡查制度，所领导每周抽查不少于两次",
                        -2,
                        progress=((-9, 40),),
                    ),
                    M(
                        "组织辅警纪律作风教育和警容风纪整顿",
                        2,
                        completed=-2,
                        done="已组织两期纪律作风教育，警容风纪检查全部合格。",
                        evidence="警容风纪检查.png",
                    ),
                ),
            ),
            F(
                "2.5",
                "有辅警单独开展询问、调解等执法活动，超出辅助职责范围。",
                "警力紧张，对辅警职责边界把握不严。",
                (M("清理辅警超范围执法情况，明确岗位职责清单", 9, progress=((-6, 55),)),),
            ),
        ),
    ),
    R(
        unit="PS",
        by=county_login("PS"),
        saved=-18,
        submitted=-17,
        findings=(
            F(
                "1.2",
                "分局机关个别党支部“三会一课”记录雷同，组织生活会批评与自我批评辣味不足。",
                "支部书记抓党建的意识不强，重业务轻党建。",
                (
                    M(
                        "规范党支部“三会一课”，分局党委委员轮流列席指导",
                        -4,
                        completed=-6,
                        done="党委委员已列席指导全部支部会议，记录本重新规范。",
                        evidence="三会一课记录.png",
                        verified=(-4, "supervisor"),
                    ),
                    M(
                        "对组织生活会开展“回头看”，质量不高的重新召开",
                        5,
                        progress=((-6, 60),),
                    ),
                ),
            ),
            F(
                "3.8",
                "户政、出入境等事项办理时限压缩不到位，部分事项仍需群众多次跑腿。",
                "“大提速”活动宣传多、落实少，流程再造不彻底。",
                (M("梳理10项办事时限压缩清单，逐项明确时限", 9, progress=((-8, 60),)),),
            ),
        ),
    ),
    R(
        unit="PS-01",
        by=county_login("PS"),
        saved=-15,
        submitted=-14,
        findings=(
            F(
                "3.10",
                "办案区视频监控存在死角，涉案财物保管室出入登记不全。",
                "安全管理制度执行不严，日常检查流于形式。",
                (
                    M("完成办案区监控改造，实现全覆盖无死角", -1),
                    M(
                        "规范涉案财物保管室出入登记，每月自查一次",
                        3,
                        completed=-1,
                        done="出入登记已规范，完成首次月度自查。",
                        evidence="保管室登记簿.png",
                    ),
                ),
            ),
        ),
    ),
    R(
        unit="RS",
        by=county_login("RS"),
        saved=-14,
        submitted=-13,
        findings=(
            F(
                "4.3",
                "市局第二督导组反馈分局学习教育“上热下冷”，部分所队学习笔记内容雷同。",
                "对所队学习情况检查不深不细，满足于看台账。",
                (
                    M(
                        "对所队学习笔记逐本检查，雷同的责令重写并通报",
                        -3,
                        completed=-4,
                        done="已逐本检查学习笔记，6本雷同笔记责令重写并全局通报。",
                        evidence="通报.png",
                        verified=(-1, "office"),
                    ),
                ),
            ),
            F(
                "3.6",
                "受立案工作不规范，个别警情未按规定录入系统。",
                "执法监督管理平台运用不充分。",
                (
                    M("开展受立案突出问题专项整治", 9, progress=((-5, 45),)),
                    M("健全受立案监督管理长效机制，纳入执法质量考评", 180),
                ),
            ),
        ),
    ),
    R(unit="RS-01", by=county_login("RS"), saved=-12, submitted=-12, findings=_WENLIN),
    R(
        unit="RS-02",
        by=county_login("RS"),
        saved=-11,
        submitted=-11,
        findings=_copied(_WENLIN, [("文林", "怀仁"), ("辅警代替民警值守", "个别辅警代为值守")]),
    ),
    R(
        unit="HY",
        by=county_login("HY"),
        saved=-15,
        submitted=-14,
        returned=(
            -11,
            "office",
            "查摆问题不具体：“组织作风不纯”一项只写了“存在不足”，请写明具体事例、原因分析"
            "和整改时限后重新报送。",
        ),
        findings=(
            F(
                "1.2",
                "个别党支部组织生活存在不足。",
                "重视不够。",
                (M("加强组织生活", 10),),
            ),
        ),
    ),
    R(unit="DL", by=county_login("DL"), saved=-13, submitted=-12, nothing=True),
    R(
        unit="TF",
        by=county_login("TF"),
        saved=-10,
        submitted=-9,
        findings=(
            F(
                "4.6",
                "“两代表一委员”座谈会上提出的企业服务、交通秩序等5条意见建议，办理反馈不及时。",
                "意见建议办理没有明确责任部门和时限。",
                (M("逐条办理并书面反馈意见建议", 8, progress=((-3, 50),)),),
            ),
            F(
                "3.7",
                "新区人口增长快，接处警平均到场时间偏长。",
                "警力布局没有随片区发展及时调整。",
                (M("优化巡逻防控网格，调整警力布局", 9, progress=((-2, 45),)),),
            ),
        ),
    ),
    R(
        unit="KF",
        by=county_login("KF"),
        saved=-1,
        submitted=-1,
        findings=(
            F(
                "3.8",
                "企业办事需要到多个窗口往返，“一站式”服务没有真正落地。",
                "部门之间信息不共享，服务流程没有再造。",
                (M("设立企业服务专窗，实行“一窗受理、内部流转”", 10),),
            ),
            F(
                "4.7",
                "网络上反映开发区夜间大货车噪音扰民，回应处置不及时。",
                "网络舆情监测和回应机制不健全。",
                (M("建立涉警网络舆情日监测和24小时回应机制", 9),),
            ),
        ),
    ),
]


@dataclass(frozen=True)
class Meeting:
    unit: str
    kind: str
    by: str
    held: int
    minutes: str
    criticism: str = ""
    finding: F | None = None  # a problem raised, made a finding of the unit's report


MEETINGS = [
    Meeting(
        "MS",
        MeetingKind.DEPLOYMENT,
        "leader",
        -29,
        "传达省厅教育整顿工作部署，研究市局自查自省工作方案，明确对照35个具体问题查摆，"
        "领导干部带头，拉出措施及时限，严防“灯下黑”。",
    ),
    Meeting(
        "MS-ZZB",
        MeetingKind.STUDY,
        "leader",
        -25,
        "专题学习党章党纪党规和公安部“五条禁令”，交流自查自省的认识和体会。",
    ),
    Meeting(
        "PS",
        MeetingKind.DEMOCRATIC_LIFE,
        county_login("PS"),
        -10,
        "分局党委班子召开专题民主生活会，对照自查自省问题清单逐一查摆，开展批评与自我批评。",
        "班子成员相互批评：分局党委对派出所民警日常管理督促不够，个别所队请销假制度执行"
        "不严；分管领导下基层调研多、解决问题少。",
        F(
            "2.1",
            "民主生活会上指出：分局党委对派出所民警日常管理督促不够，个别所队请销假制度执行不严。",
            "管理责任没有压实到所队主要负责人。",
            (M("开展请销假制度执行情况专项检查", 8, progress=((-3, 50),)),),
        ),
    ),
    Meeting(
        "DP",
        MeetingKind.FORUM,
        "liaison",
        -7,
        "邀请辖区群众代表、社区干部座谈，主动征求对分局队伍作风和窗口服务的意见建议，"
        "共收集意见建议12条。",
    ),
]

# Opinions on 东坡's draft: (login, anonymous, text).
OPINIONS = [
    (
        "officer",
        True,
        "建议把社区民警驻村期间的日常管理也写进来，现在只写了窗口服务，基层的实际困难"
        "没有反映出来。",
    ),
    (
        county_login("DP"),
        False,
        "“群众社会反映”一项要把12345热线投诉的具体件数、办理和回访情况写实。",
    ),
]
OPINIONS_ON, OPINIONS_DAY = "DP", -3


# Evidence ------------------------------------------------------------------------------------


def png(width: int = 160, height: int = 100) -> bytes:
    """A small PNG drawn in memory: a sheet of paper with a red seal."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + tag
            + data
            + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
        )

    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            distance = (x - width * 0.75) ** 2 + (y - height * 0.65) ** 2
            if 18**2 <= distance <= 22**2:
                rows += b"\xc8\x1e\x1e"
            elif 12 <= y < height - 12 and y % 10 == 0 and 12 <= x < width * 0.55:
                rows += b"\x80\x80\x80"
            else:
                rows += b"\xfa\xf8\xf0"
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


# Loading -------------------------------------------------------------------------------------


def county_leaders(admin) -> list[str]:
    """A demo login and a unit_leader grant for each county bureau's 负责人 (idempotent)."""
    users = get_user_model().objects
    logins = []
    for code, _name, _stations in COUNTIES:
        username = county_login(code)
        logins.append(username)
        unit = Unit.objects.get(code=code)
        user = users.filter(username=username).first()
        if user is None:
            people = Person.objects.filter(
                unit=unit, status=PersonStatus.ACTIVE, user__isnull=True
            ).order_by("police_number")
            person = people.filter(position="负责人").first() or people.first()
            if person is None:
                continue
            user = create_account(
                admin, person=person, username=username, password=DEMO_PASSWORD, is_demo=True
            )
        if not Grant.objects.filter(user=user, role=Role.UNIT_LEADER, unit=unit).exists():
            org_actions.grant_role(admin, user=user, role=Role.UNIT_LEADER, unit=unit)
    return logins


def catalogue(admin) -> Catalogue:
    found = Catalogue.objects.filter(name=CATALOGUE, version=1).first()
    if found is not None:
        return found
    return actions.create_catalogue(
        admin,
        name=CATALOGUE,
        note="根据“突出要求‘严’”的四个方面和35个具体问题编制。",
        dimensions=[
            {
                "code": str(number),
                "name": name,
                "items": [
                    {"code": code, "title": title, "applies_to": applies, "guidance": guidance}
                    for code, title, applies, guidance in items
                ],
            }
            for number, (name, items) in enumerate(DIMENSIONS, start=1)
        ],
    )


class _Loader:
    def __init__(self, admin, today: date, round_: Round):
        self.admin = admin
        self.today = today
        self.round = round_
        self.units = {unit.code: unit for unit in Unit.objects.all()}
        self.items = {
            item.code: item
            for item in Item.objects.filter(dimension__catalogue_id=round_.catalogue_id)
        }
        self.users: dict[str, object] = {}
        self.people: dict[str, list[Person]] = {}
        self.reports: dict[str, Report] = {}
        self.measures: dict[tuple[str, str], Measure] = {}
        self.events: list[tuple[int, int, int, object, tuple]] = []
        self.image = png()

    def day(self, offset: int) -> date:
        return self.today + timedelta(days=offset)

    def user(self, username: str):
        if username not in self.users:
            self.users[username] = (
                get_user_model().objects.select_related("person").get(username=username)
            )
        return self.users[username]

    def owner(self, plan: R, measure: M) -> Person | None:
        if measure.owner in self.units or (not measure.owner and plan.unit):
            code = measure.owner or plan.unit
            if code not in self.people:
                self.people[code] = list(
                    Person.objects.filter(
                        unit=self.units[code], status=PersonStatus.ACTIVE
                    ).order_by("police_number")
                )
            people = self.people[code]
            return people[zlib.crc32(measure.text.encode()) % len(people)] if people else None
        if measure.owner:
            return self.user(measure.owner).person
        return None  # a personal report's measures belong to the person

    def report(self, plan: R) -> Report:
        """The report, read once: the actions keep its state and version up to date."""
        key = plan.person or plan.unit
        if key not in self.reports:
            rows = Report.objects.filter(round=self.round).select_related("round", "unit", "person")
            if plan.person:
                rows = rows.filter(kind=ReportKind.PERSON, person=self.user(plan.person).person)
            else:
                rows = rows.filter(kind=ReportKind.UNIT, unit=self.units[plan.unit])
            self.reports[key] = rows.get()
        return self.reports[key]

    def measure(self, plan: R, measure: M) -> Measure:
        """The measure, read once it is in the ledger: the actions keep it up to date."""
        key = (plan.person or plan.unit, measure.text)
        if key not in self.measures:
            self.measures[key] = Measure.objects.select_related("round", "unit", "owner__user").get(
                answer__report=self.report(plan), text=measure.text
            )
        return self.measures[key]

    # The plan, queued by day ----------------------------------------------------------------

    def queue(self, day: int, rank: int, action, *args) -> None:
        self.events.append((day, rank, len(self.events), action, args))

    def plant(self, plan: R) -> None:
        if plan.saved is not None:
            self.queue(plan.saved, 0, self.save, plan)
        if plan.submitted is not None:
            self.queue(plan.submitted, 1, self.submit, plan)
        if plan.returned is not None:
            self.queue(plan.returned[0], 7, self.send_back, plan)
        if plan.submitted is not None and plan.returned is None:
            for finding in plan.findings:
                for measure in finding.measures:
                    self.plant_measure(plan, measure)

    def plant_measure(self, plan: R, measure: M) -> None:
        for day, percent in measure.progress:
            self.queue(day, 4, self.progress, plan, measure, day, percent)
        if measure.completed is not None:
            self.queue(measure.completed, 5, self.complete, plan, measure)
        if measure.verified is not None:
            self.queue(measure.verified[0], 6, self.verify, plan, measure)
        if measure.rejected is not None:
            self.queue(measure.rejected[0], 6, self.reject, plan, measure)

    def play(self) -> None:
        for _day, _rank, _seq, action, args in sorted(self.events, key=lambda e: e[:3]):
            action(*args)

    # Reports ----------------------------------------------------------------------------------

    def save(self, plan: R) -> None:
        report = self.report(plan)
        if plan.nothing:
            answers = [
                {"item": item, "found": False, "description": NOTHING}
                for item in actions.applicable_items(report)
            ]
        else:
            answers = [
                {
                    "item": self.items[finding.item],
                    "found": True,
                    "description": finding.description,
                    "cause": finding.cause,
                    "measures": [
                        {
                            "text": measure.text,
                            "owner": self.owner(plan, measure),
                            "deadline": None
                            if measure.deadline is None
                            else self.day(measure.deadline),
                        }
                        for measure in finding.measures
                    ],
                }
                for finding in plan.findings
            ]
        actions.save_report(
            self.user(plan.writer),
            report=report,
            version=report.version,
            answers=answers,
            on=self.day(plan.saved),
        )

    def submit(self, plan: R) -> None:
        actions.submit_report(
            self.user(plan.writer), report=self.report(plan), on=self.day(plan.submitted)
        )

    def send_back(self, plan: R) -> None:
        _day, username, comment = plan.returned
        actions.return_report(self.user(username), report=self.report(plan), comment=comment)

    # Measures ---------------------------------------------------------------------------------

    def progress(self, plan: R, measure: M, day: int, percent: int) -> None:
        actions.report_measure_progress(
            self.user(measure.by or plan.writer),
            measure=self.measure(plan, measure),
            progress=percent,
            note=f"整改推进中，已完成{percent}%",
            on=self.day(day),
        )

    def complete(self, plan: R, measure: M) -> None:
        files = []
        if measure.evidence:
            files.append(SimpleUploadedFile(measure.evidence, self.image, "image/png"))
        actions.complete_measure(
            self.user(measure.by or plan.writer),
            measure=self.measure(plan, measure),
            note=measure.done,
            files=files,
            on=self.day(measure.completed),
        )

    def verify(self, plan: R, measure: M) -> None:
        day, username = measure.verified
        actions.verify_measure(
            self.user(username), measure=self.measure(plan, measure), on=self.day(day)
        )

    def reject(self, plan: R, measure: M) -> None:
        day, username, reason = measure.rejected
        actions.reject_measure(
            self.user(username),
            measure=self.measure(plan, measure),
            reason=reason,
            on=self.day(day),
        )

    # Meetings and opinions --------------------------------------------------------------------

    def plant_meeting(self, meeting: Meeting) -> None:
        self.queue(meeting.held, 2, self.hold, meeting)
        if meeting.finding is not None:
            plan = R(unit=meeting.unit, by=meeting.by)
            for measure in meeting.finding.measures:
                self.plant_measure(plan, measure)

    def hold(self, meeting: Meeting) -> None:
        unit = self.units[meeting.unit]
        attendees = list(
            Person.objects.filter(unit=unit, status=PersonStatus.ACTIVE).order_by("police_number")[
                :8
            ]
        )
        recorded = actions.record_meeting(
            self.user(meeting.by),
            unit=unit,
            kind=meeting.kind,
            held_on=self.day(meeting.held),
            minutes=meeting.minutes,
            criticism=meeting.criticism,
            attendees=attendees,
            round=self.round,
        )
        finding = meeting.finding
        if finding is not None:
            plan = R(unit=meeting.unit, by=meeting.by)
            actions.raise_finding(
                self.user(meeting.by),
                meeting=recorded,
                report=self.report(plan),
                item=self.items[finding.item],
                description=finding.description,
                cause=finding.cause,
                measures=[
                    {
                        "text": measure.text,
                        "owner": self.owner(plan, measure),
                        "deadline": self.day(measure.deadline),
                    }
                    for measure in finding.measures
                ],
                on=self.day(meeting.held),
            )

    def comment(self, username: str, anonymous: bool, text: str) -> None:
        actions.add_opinion(
            self.user(username),
            report=self.report(R(unit=OPINIONS_ON)),
            text=text,
            anonymous=anonymous,
        )


@transaction.atomic
def load(admin) -> dict[str, object]:
    """Load the self-inspection round of the article (idempotent); return counts."""
    today = timezone.localdate()
    logins = county_leaders(admin)
    round_ = Round.objects.filter(name=ROUND).first()
    if round_ is None:
        round_ = actions.open_round(
            admin,
            name=ROUND,
            catalogue=catalogue(admin),
            unit=Unit.objects.get(code="MS"),
            due_date=today + timedelta(days=DUE),
            opened_on=today + timedelta(days=OPENED),
        )
        loader = _Loader(admin, today, round_)
        for plan in PERSONAL + UNITS:
            loader.plant(plan)
        for meeting in MEETINGS:
            loader.plant_meeting(meeting)
        for username, anonymous, text in OPINIONS:
            loader.queue(OPINIONS_DAY, 3, loader.comment, username, anonymous, text)
        loader.play()
    actions.refresh_measures(round_, today)
    signals = formalism.run(round_)
    reports = Report.objects.filter(round=round_)
    measures = Measure.objects.filter(round=round_, live=True)
    return {
        "reports": reports.count(),
        "submitted": reports.filter(state=ReportState.SUBMITTED).count(),
        "measures": measures.count(),
        "verified": measures.filter(state=MeasureState.VERIFIED).count(),
        "signals": sum(signals.signals.values()),
        "leader logins": " ".join(logins),
    }


module_demos.register("selfcheck", load)
