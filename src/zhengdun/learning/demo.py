"""The learning demo: the 大学习 of the article in 东坡 (DP), 彭山 (PS) and 仁寿 (RS): study
sessions of the three subjects with attendance and notes, 述学评学 of 东坡's leadership, a round
of the three talks (some copied, so that the formalism signal shows), a night-school course
with classes, enrolment and certificates, and an online-school course with lessons.

Loaded once (idempotent: nothing is added when the night-school course exists), after the
organisation, campaign, self-inspection and exams demos, through the actions. Officers without
a login have their talks and notes written through ``store_talk``/``store_note`` by the admin.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from zhengdun.accounts.actions import create_account
from zhengdun.core import demo as module_demos
from zhengdun.learning import actions
from zhengdun.learning.models import Course, Enrolment, Review, Session, Talk, TalkRound
from zhengdun.org import actions as org_actions
from zhengdun.org.demo import DEMO_PASSWORD
from zhengdun.org.models import Grant, Person, PersonStatus, Unit
from zhengdun.org.roles import Role

NIGHT_SCHOOL = "公安夜校（第一期）：执法规范化与群众工作"
ONLINE_SCHOOL = "公安网校：应知应会手册导读"
REVIEW = "东坡区分局领导班子述学评学考学"
TALK_ROUND = "“三谈”：谈使命任务、谈不足问题、谈努力方向"
DEPUTY = "deputy_dp"  # a second member of 东坡's leadership group

TOPICS = {
    "party": [
        "学习党章和党内法规",
        "学习习近平新时代中国特色社会主义思想专题",
        "学习《中国共产党纪律处分条例》",
    ],
    "law": [
        "学习《公安机关人民警察内务条令》",
        "学习《人民警察法》与执法规范",
        "学习《治安管理处罚法》修订要点",
    ],
    "deployment": [
        "传达学习省厅教育整顿部署要求",
        "学习市局教育整顿实施方案",
        "学习市局“五个自我革命”任务分解",
    ],
}
SPEAKERS = ["所长", "教导员", "政治部讲师", "法制支队民警", "分局党委委员"]
NOTES = [
    "通过学习，进一步认识到对党忠诚是公安民警的第一政治品格，要把学习成果转化为履职尽责的实际行动。",
    "本次学习重点掌握了执法规范的要求，今后在接处警和案件办理中严格按照程序办事，做到公正文明执法。",
    "结合省市部署要求，要把教育整顿与日常工作结合起来，在服务群众中检验整顿成效。",
    "对照条令条例查找自身差距：内务管理不够严格，今后从小事做起，养成良好作风。",
]
# The talk that several officers copy word for word (the copied-talk signal).
COPIED = {
    "mission": "新时代公安机关的使命任务是捍卫政治安全、维护社会安定、保障人民安宁。"
    "作为一名社区民警，"
    "我深刻认识到必须对党忠诚、服务人民、执法公正、纪律严明。",
    "shortcomings": "理论学习不够系统，满足于完成规定动作；"
    "服务群众的耐心不够，有时工作方法简单；"
    "对辖区重点人员底数掌握不够精准。",
    "direction": "以社区警务为突破口，推行“一村一警”，每周走访不少于二十户，"
    "把矛盾纠纷化解在萌芽状态，"
    "提升辖区群众安全感和满意度。",
}

CLAUSES = {
    "mission": [
        "公安机关是人民民主专政的重要工具，必须始终坚持党对公安工作的绝对领导。",
        "刑侦工作要做到命案必破、多发性案件持续攻坚，让群众感受到公平正义。",
        "交通管理是社会治理的窗口，要保障道路安全畅通，让群众出行更便捷。",
        "户籍窗口直接面对群众，办好每一件小事就是践行初心使命。",
        "基层派出所是维护稳定的第一道防线，要把风险隐患消除在萌芽状态。",
        "网络安全关系国家安全，守护清朗网络空间是新时代民警的职责。",
        "执法办案必须坚持以事实为依据、以法律为准绳，维护法律权威。",
        "特警队伍要时刻保持拉得出、冲得上、打得赢的战斗状态。",
        "警务保障要围绕实战需要，为一线民警解决后顾之忧。",
        "治安管理要坚持专群结合，依靠群众共建平安社区。",
        "禁毒工作关系千家万户，要打防并举、综合治理。",
        "法制审核是执法质量的关口，要做到有错必纠、有案必审。",
    ],
    "shortcomings": [
        "理论学习满足于完成规定动作，学用结合不够紧密。",
        "证据意识和程序意识有待加强，个别案卷存在瑕疵。",
        "执勤中偶有态度生硬的情况，群众工作方法简单。",
        "对新出台的法律法规学习不够及时，业务知识有短板。",
        "夜查和值守工作存在畏难情绪，主动性不够强。",
        "对辖区重点人员底数掌握不够精准，走访不够勤。",
        "信息化手段运用不熟练，数据研判能力不足。",
        "内务管理不够严格，警容风纪偶有松懈。",
        "带教新警不够耐心，传帮带作用发挥不充分。",
        "调查研究不够深入，解决问题的办法不多。",
        "廉洁自律的警惕性有所放松，对身边苗头性问题提醒不够。",
        "体能训练坚持不够，应急处置能力有待提高。",
    ],
    "direction": [
        "以社区走访为抓手，每周走访不少于二十户，把矛盾纠纷化解在萌芽状态。",
        "以提升破案质效为突破口，加强合成作战，全年主办案件零瑕疵。",
        "以事故预防为突破口，加强重点路段巡逻管控，力争事故起数下降。",
        "推行一窗通办和预约服务，让群众少跑腿、好办事。",
        "加强执法记录仪规范使用，做到执法全过程留痕可回溯。",
        "每月至少精读一部法律法规，撰写学习笔记。",
        "建立辖区重点人员动态台账，做到底数清、情况明。",
        "主动学习大数据研判技能，提升精准打击能力。",
        "坚持每周体能训练三次，提升应急处突能力。",
        "认真履行传帮带职责，带好一名新入警民警。",
        "严守廉洁纪律，主动接受组织和群众监督。",
        "参与公安夜校学习，补齐业务短板。",
    ],
}
COMMENTS = [
    "认识深刻，查找问题具体，措施可行，望抓好落实。",
    "问题查摆还不够深入，请结合岗位实际进一步细化努力方向。",
    "态度端正，方向明确，要在服务群众中见实效。",
]
LESSON_TEXT = """《公安机关人民警察应知应会手册》导读

第一章 纪律规定
人民警察必须严格遵守政治纪律、组织纪律、廉洁纪律、群众纪律、工作纪律和生活纪律。
禁止酒后驾驶机动车，禁止在工作时间饮酒，禁止违反规定使用枪支警械。

第二章 执勤执法程序
接处警要做到快速反应、依法处置、全程记录；执法办案要做到程序合法、证据确实充分、文书规范。

第三章 服务群众
窗口单位要推行“一站式”服务，做到首问负责、一次告知、限时办结；对群众诉求要件件有回音。

请读完全文，本课即记为完成。
"""


def _day(today, offset: int):
    return today - timedelta(days=offset)


def _people(unit: Unit) -> list[Person]:
    return list(
        Person.objects.filter(unit=unit, status=PersonStatus.ACTIVE).order_by("police_number")
    )


def _deputy(admin, county: Unit):
    """A second leader of the county, with a login, so that colleagues can rate each other."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=DEPUTY).first()
    if user is None:
        person = (
            Person.objects.filter(unit=county, status=PersonStatus.ACTIVE, user__isnull=True)
            .order_by("police_number")
            .first()
        )
        if person is None:
            return None
        user = create_account(
            admin, person=person, username=DEPUTY, password=DEMO_PASSWORD, is_demo=True
        )
    if not Grant.objects.filter(user=user, role=Role.UNIT_LEADER, unit=county).exists():
        org_actions.grant_role(admin, user=user, role=Role.UNIT_LEADER, unit=county)
    return user


class _Loader:
    def __init__(self, admin, today):
        self.admin = admin
        self.today = today
        self.rng = random.Random(2021)

    def mark(self, session: Session, people: list[Person]) -> None:
        marks = {}
        for person in people:
            roll = self.rng.random()
            marks[person.pk] = "present" if roll < 0.8 else "excused" if roll < 0.9 else "absent"
        if marks:
            actions.record_attendance(self.admin, session=session, marks=marks)

    def sessions(self) -> None:
        """Each subject at the first two stations of three counties, over the last six weeks."""
        for county in ("DP", "PS", "RS"):
            stations = Unit.objects.filter(parent__code=county, code__startswith=f"{county}-0")
            for station in stations.order_by("code")[:2]:
                people = _people(station)
                for index, subject in enumerate(("party", "law", "deployment")):
                    session = actions.save_session(
                        self.admin,
                        unit=station,
                        topic=self.rng.choice(TOPICS[subject]),
                        subject=subject,
                        held_on=_day(self.today, 5 + 12 * index + self.rng.randrange(4)),
                        hours=Decimal(self.rng.choice(["1.5", "2", "2.5", "3"])),
                        speaker=f"{station.name}{self.rng.choice(SPEAKERS)}",
                    )
                    self.mark(session, people)
                    for person in people[:2]:
                        if self.rng.random() < 0.7:
                            actions.store_note(
                                self.admin,
                                session=session,
                                person=person,
                                text=self.rng.choice(NOTES),
                            )

    def review(self) -> None:
        county = Unit.objects.get(code="DP")
        deputy = _deputy(self.admin, county)
        review = actions.create_review(
            self.admin,
            unit=county,
            title=REVIEW,
            period_start=_day(self.today, 60),
            period_end=self.today,
            exam=self._exam(),
        )
        leaders = [
            grant.user
            for grant in Grant.objects.filter(role=Role.UNIT_LEADER, unit=county).select_related(
                "user"
            )
        ]
        reports = {}
        for index, user in enumerate(leaders):
            reports[user.pk] = actions.save_study_report(
                user,
                review=review,
                text=(
                    "本期坚持每周集中学习一次，系统学习了党章党规和习近平新时代中国特色社会主义思想，"
                    f"撰写心得体会{3 + index}篇，带头讲授专题党课{1 + index}次；"
                    "结合分管工作，推动学习成果转化为执法规范化建设的实际成效。"
                ),
            )
        for rater in leaders:
            for author in leaders:
                if rater.pk != author.pk and deputy is not None:
                    actions.rate_report(
                        rater,
                        report=reports[author.pk],
                        score=85 + self.rng.randrange(12),
                        comment="学用结合好，带头作用明显。",
                    )

    def _exam(self):
        from zhengdun.learning.exams.models import Exam

        return Exam.objects.filter(is_published=True).order_by("opens_at", "id").first()

    def talks(self) -> None:
        from zhengdun.selfcheck.models import Round

        county = Unit.objects.get(code="DP")
        round_ = actions.create_talk_round(
            self.admin,
            unit=county,
            title=TALK_ROUND,
            opens_on=_day(self.today, 20),
            due_on=self.today + timedelta(days=10),
            selfcheck_round=Round.objects.filter(unit__code="MS").order_by("-opened_on").first(),
        )
        leader = Grant.objects.filter(role=Role.UNIT_LEADER, unit=county).first()
        people = list(
            Person.objects.filter(unit__path__startswith=county.path, status=PersonStatus.ACTIVE)
            .exclude(user__username="officer")  # the demo officer writes their own
            .select_related("unit")
            .order_by("police_number")
        )
        for index, person in enumerate(people):
            if index % 4 == 3:
                continue  # a quarter have not written yet
            # Every seventh copies the same text word for word: the copied-talk signal.
            text = COPIED if index % 7 == 0 else self._own_talk(person)
            talk = actions.store_talk(self.admin, round_=round_, person=person, values=text)
            if leader is not None and index % 3 == 0:
                actions.comment_talk(leader.user, talk=talk, comment=self.rng.choice(COMMENTS))

    def _own_talk(self, person: Person) -> dict[str, str]:
        """Talks in the officer's own words: two clauses of each talk drawn from many, so that
        two officers' talks are rarely alike (those that are copied are meant to be found)."""
        return {
            name: f"{person.name}（{person.unit.display_name}）："
            + "".join(self.rng.sample(CLAUSES[name], 2))
            for name in ("mission", "shortcomings", "direction")
        }

    def night_school(self) -> None:
        county = Unit.objects.get(code="DP")
        course = actions.save_course(
            self.admin,
            kind="night",
            title=NIGHT_SCHOOL,
            unit=county,
            description="每周三晚七点，分局会议室。出勤率不低于75%准予结业。",
            starts_on=_day(self.today, 35),
            ends_on=self.today + timedelta(days=20),
            min_attendance=75,
        )
        stations = Unit.objects.filter(code__in=["DP-01", "DP-02"])
        for station in stations:
            actions.enrol(self.admin, course=course, unit=station)
        people = [
            e.person for e in Enrolment.objects.filter(course=course).select_related("person")
        ]
        for week in range(4):
            session = actions.save_session(
                self.admin,
                course=course,
                topic=["执法办案程序", "群众工作方法", "现场处置与执法记录", "警务礼仪与沟通"][
                    week
                ],
                held_on=_day(self.today, 33 - 7 * week),
                hours=Decimal("2"),
                speaker=["法制支队教官", "政治部讲师", "特警支队教官", "督察支队民警"][week],
            )
            self.mark(session, people)
        actions.issue_certificates(self.admin, course=course)

    def online_school(self) -> None:
        from zhengdun.learning.certificate import _weasy_pdf

        city = Unit.objects.get(code="MS")
        course = actions.save_course(
            self.admin,
            kind="online",
            title=ONLINE_SCHOOL,
            unit=city,
            description="在线学习应知应会手册，读完全部课程即完成。",
            starts_on=_day(self.today, 14),
            ends_on=self.today + timedelta(days=45),
            min_attendance=0,
        )
        lessons = [
            actions.add_lesson(
                self.admin,
                course=course,
                title="应知应会手册导读（文本）",
                kind="read",
                position=1,
                upload=SimpleUploadedFile(
                    "handbook.txt", LESSON_TEXT.encode(), content_type="text/plain"
                ),
            ),
            actions.add_lesson(
                self.admin,
                course=course,
                title="执勤执法程序要点（PDF）",
                kind="read",
                position=2,
                upload=SimpleUploadedFile(
                    "procedure.pdf",
                    _weasy_pdf(
                        "<h1>执勤执法程序要点</h1><p>"
                        + "</p><p>".join(LESSON_TEXT.splitlines()[4:9])
                        + "</p>"
                    ),
                    content_type="application/pdf",
                ),
            ),
        ]
        actions.enrol(self.admin, course=course, unit=Unit.objects.get(code="DP-01"))
        for enrolment in Enrolment.objects.filter(course=course).select_related("person__user"):
            user = enrolment.person.user
            if user is not None and user.username != "officer":
                for lesson in lessons:
                    actions.record_progress(user, lesson=lesson, fraction=1)


def load(admin) -> dict[str, object]:
    """Load the learning demo (idempotent); return counts."""
    if not Unit.objects.filter(code="DP").exists():
        return {}
    if not Course.objects.filter(title=NIGHT_SCHOOL).exists():
        loader = _Loader(admin, timezone.localdate())
        with transaction.atomic():
            loader.sessions()
            loader.review()
            loader.talks()
            loader.night_school()
            loader.online_school()
    round_ = TalkRound.objects.filter(title=TALK_ROUND).select_related("selfcheck_round").first()
    if round_ is not None and round_.selfcheck_round is not None:
        from zhengdun.selfcheck import formalism

        formalism.run(round_.selfcheck_round)
    return {
        "study sessions": Session.objects.filter(course__isnull=True).count(),
        "reviews": Review.objects.count(),
        "talks": Talk.objects.count(),
        "courses": Course.objects.count(),
        "certificates": Enrolment.objects.exclude(certificate_no="").count(),
    }


module_demos.register("learning", load)
