"""The demo's public portal: the published numbers, mailbox and hours (公布举报电话信箱) and two
campaign notices, entered by the office. Idempotent: nothing happens once the page is saved."""

from datetime import timedelta

from django.contrib.auth import get_user_model

from zhengdun.core import demo as module_demos
from zhengdun.integrity.portal import actions
from zhengdun.integrity.portal.models import PortalPage

INTRO = (
    "全市公安机关教育整顿期间，欢迎广大群众对公安民警违规违纪违法问题进行监督举报。"
    "可以不留姓名；提交后请记下回执码，凭回执码查询办理情况、与承办人员沟通。"
)
NOTICES = [
    (
        "关于公布教育整顿举报电话和信箱的公告",
        "即日起至教育整顿结束，市局整顿办受理群众来电、来信、来访及网上举报，"
        "对反映的问题线索逐件登记、逐件核查。",
        -20,
    ),
    (
        "举报须知",
        "请尽量写明时间、地点、人员和具体事实；不要在举报中写入与问题无关的个人信息。",
        -18,
    ),
]


def load(admin):
    if PortalPage.objects.filter(pk=1).exists():
        return {"portal_page": 0}
    office = get_user_model().objects.filter(username="office").first() or admin
    actions.save_portal_page(
        actor=office,
        intro=INTRO,
        phones="12389\n028-3800 0000（示例号码）",
        mailbox="jubao@gaj.example.gov.cn",
        postal_address="市公安局教育整顿领导小组办公室（示例路 1 号）",
        office_hours="工作日 8:30–12:00，14:00–17:30；网上举报全天受理",
    )
    today = actions.today()
    for title, body, days in NOTICES:
        actions.save_notice(
            actor=office, title=title, body=body, published_on=today + timedelta(days=days)
        )
    return {"portal_page": 1, "notices": len(NOTICES)}


module_demos.register("portal", load)
