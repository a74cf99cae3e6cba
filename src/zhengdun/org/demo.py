"""The demo organisation: the Meishan bureau of the source article, with fictitious people.

Loading is idempotent: units and people are matched by code and police number, and only what
is missing is created, through the same actions (and audit trail) as the application.
"""

import random

from django.contrib.auth import get_user_model
from django.db import transaction

from zhengdun.accounts.actions import create_account, create_administrator
from zhengdun.core import demo as module_demos
from zhengdun.org import actions
from zhengdun.org.models import Grant, Person, PersonStatus, Unit, UnitKind
from zhengdun.org.roles import Role

DEMO_PASSWORD = "zhengdun-demo"

CITY = ("MS", "眉山市公安局", "市局")

# (code, name, sector) of the city bureau's departments, in the four sectors of the reform.
DEPARTMENTS = [
    ("MS-ZH", "指挥中心", "decision"),
    ("MS-ZZB", "政治部", "decision"),
    ("MS-DW", "党委办公室", "decision"),
    ("MS-XZ", "刑事侦查支队", "execution"),
    ("MS-ZA", "治安警察支队", "execution"),
    ("MS-JJ", "交通警察支队", "execution"),
    ("MS-WA", "网络安全保卫支队", "execution"),
    ("MS-TJ", "特警支队", "execution"),
    ("MS-DC", "督察支队", "oversight"),
    ("MS-FZ", "法制支队", "oversight"),
    ("MS-JW", "派驻纪检监察组", "oversight"),
    ("MS-BZ", "警务保障处", "support"),
    ("MS-KX", "科技信息化支队", "support"),
]

# The eight county/district bureaus and a few stations each (station names are fictitious).
COUNTIES = [
    ("DP", "东坡区分局", ["苏祠", "通惠", "太和", "崇仁"]),
    ("PS", "彭山区分局", ["凤鸣", "江口", "青龙"]),
    ("RS", "仁寿县公安局", ["文林", "怀仁", "视高", "富加"]),
    ("HY", "洪雅县公安局", ["洪川", "止戈", "柳江"]),
    ("DL", "丹棱县公安局", ["丹棱", "杨场", "张场"]),
    ("QS", "青神县公安局", ["青城", "汉阳", "瑞峰"]),
    ("TF", "天府新区眉山片区分局", ["视高新城", "仁寿东"]),
    ("KF", "眉山经济开发区分局", ["修文", "象耳"]),
]

SURNAMES = (
    "李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾"
)
GIVEN = (
    "建国志强海涛晓东明亮文斌春华丽娟雪梅永刚德胜国庆红霞"
    "立新宏伟婷婷俊杰秀英玉兰家豪子涵思远浩然雨欣嘉怡"
)
# Names from the source article belong to real people and are never generated.
REAL_NAMES = {"王景弘", "杨超林"}

RANKS = [
    "一级警督",
    "二级警督",
    "三级警督",
    "一级警司",
    "二级警司",
    "三级警司",
    "一级警员",
    "二级警员",
]

# Demo logins: username -> (role, unit code of the grant, unit code of the person, position).
LOGINS = {
    "admin": (Role.ADMIN, "MS", None, "系统管理员"),
    "office": (Role.OFFICE, "MS", "MS-ZZB", "教育整顿办公室主任"),
    "leader": (Role.UNIT_LEADER, "MS", "MS", "局长"),
    "liaison": (Role.LIAISON, "DP", "DP", "教育整顿联络员"),
    "officer": (Role.OFFICER, "DP-01", "DP-01", "社区民警"),
    "supervisor": (Role.SUPERVISOR, "DP", "MS-DC", "第一督导组组员"),
    "inspector": (Role.INSPECTOR, "MS", "MS-JW", "派驻纪检监察组组长"),
}
# The supervisor's group also covers a second county bureau.
EXTRA_GRANTS = [("supervisor", Role.SUPERVISOR, "PS")]


class NameMaker:
    def __init__(self, seed: int = 2021):
        self.random = random.Random(seed)
        self.used: set[str] = set(REAL_NAMES)

    def __call__(self) -> str:
        while True:
            given = self.random.choice(GIVEN[::2]) if self.random.random() < 0.3 else ""
            start = self.random.randrange(0, len(GIVEN) - 1, 2)
            name = self.random.choice(SURNAMES) + (given or GIVEN[start : start + 2])
            if name not in self.used:
                self.used.add(name)
                return name


def _unit(admin, code: str, **fields) -> Unit:
    existing = Unit.objects.filter(code=code).first()
    if existing is not None:
        return existing
    return actions.create_unit(admin, code=code, **fields)


def _person(admin, number: str, **fields) -> Person:
    existing = Person.objects.filter(police_number=number).first()
    if existing is not None:
        return existing
    return actions.create_person(admin, police_number=number, **fields)


def _admin_user():
    admin = get_user_model().objects.filter(username="admin").first()
    if admin is None:
        admin = create_administrator(None, username="admin", password=DEMO_PASSWORD, is_demo=True)
    return admin


@transaction.atomic
def load() -> dict[str, int]:
    admin = _admin_user()
    names = NameMaker()
    city = _unit(
        admin, CITY[0], parent=None, name=CITY[1], short_name=CITY[2], kind=UnitKind.CITY_BUREAU
    )
    units: dict[str, Unit] = {city.code: city}
    for order, (code, name, sector) in enumerate(DEPARTMENTS):
        units[code] = _unit(
            admin,
            code,
            parent=city,
            name=name,
            kind=UnitKind.DEPARTMENT,
            sector=sector,
            sort_order=order,
        )
    for order, (code, name, stations) in enumerate(COUNTIES, start=100):
        county = _unit(
            admin,
            code,
            parent=city,
            name=f"眉山市公安局{name}" if "分局" in name else name,
            short_name=name,
            kind=UnitKind.COUNTY_BUREAU,
            sort_order=order,
        )
        units[code] = county
        units[f"{code}-XZ"] = _unit(
            admin,
            f"{code}-XZ",
            parent=county,
            name="刑事侦查大队",
            kind=UnitKind.DEPARTMENT,
            sector="execution",
            sort_order=1,
        )
        units[f"{code}-ZA"] = _unit(
            admin,
            f"{code}-ZA",
            parent=county,
            name="治安管理大队",
            kind=UnitKind.DEPARTMENT,
            sector="execution",
            sort_order=2,
        )
        for number, place in enumerate(stations, start=1):
            station_code = f"{code}-{number:02d}"
            station = _unit(
                admin,
                station_code,
                parent=county,
                name=f"{place}派出所",
                kind=UnitKind.STATION,
                sort_order=10 + number,
            )
            units[station_code] = station
            if number == 1:
                units[f"{station_code}-SQ"] = _unit(
                    admin,
                    f"{station_code}-SQ",
                    parent=station,
                    name="社区警务队",
                    kind=UnitKind.TEAM,
                )

    serial = 0

    def next_number() -> str:
        nonlocal serial
        serial += 1
        return f"{510100 + serial:06d}"

    people = 0
    # Ten cadres retired from their posts (退居二线): the supervision groups draw on them.
    for _index in range(10):
        _person(
            admin,
            next_number(),
            unit=units["MS-DC"],
            name=names(),
            position="原部门正职（督导组成员）",
            rank="一级警督",
            status=PersonStatus.RETIRED_FROM_POST,
        )
        people += 1
    county_codes = {county[0] for county in COUNTIES}
    staffing = (
        [(code, 6) for code, _name, _sector in DEPARTMENTS]
        + [(code, 4) for code in units if code[:2] in county_codes and code not in county_codes]
        + [(county[0], 3) for county in COUNTIES]
    )
    random_positions = random.Random(7)
    for code, count in staffing:
        for index in range(count):
            position = (
                "负责人"
                if index == 0
                else random_positions.choice(["民警", "民警", "民警", "副职", "内勤"])
            )
            _person(
                admin,
                next_number(),
                unit=units[code],
                name=names(),
                position=position,
                rank=random_positions.choice(RANKS),
            )
            people += 1

    for username, (role, grant_code, home_code, position) in LOGINS.items():
        if home_code and not Person.objects.filter(user__username=username).exists():
            person = _person(
                admin,
                next_number(),
                unit=units[home_code],
                name=names(),
                position=position,
                rank="二级警督",
            )
            create_account(
                admin, person=person, username=username, password=DEMO_PASSWORD, is_demo=True
            )
        user = get_user_model().objects.get(username=username)
        if not Grant.objects.filter(user=user, role=role, unit=units[grant_code]).exists():
            actions.grant_role(admin, user=user, role=role, unit=units[grant_code])
    for username, role, code in EXTRA_GRANTS:
        user = get_user_model().objects.get(username=username)
        if not Grant.objects.filter(user=user, role=role, unit=units[code]).exists():
            actions.grant_role(admin, user=user, role=role, unit=units[code])
    return {"units": Unit.objects.count(), "people": Person.objects.count(), "logins": len(LOGINS)}


def load_all() -> dict[str, object]:
    """The organisation, then every module's demo data (registered in ``core.demo``)."""
    summary: dict[str, object] = {"org": load()}
    admin = get_user_model().objects.get(username="admin")
    for name, loader in module_demos.loaders():
        summary[name] = loader(admin)
    return summary
