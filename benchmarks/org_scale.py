"""Time the organisation's hot queries on a city-sized tree: 5,000 units six levels deep and
100,000 people.

    .venv/bin/python benchmarks/org_scale.py                            # SQLite
    scripts/with-postgres.sh .venv/bin/python benchmarks/org_scale.py   # PostgreSQL 15
    .venv/bin/python benchmarks/org_scale.py --units 500 --people 5000 --reps 20   # quick

It migrates an empty database, bulk-loads the tree and the people, runs ANALYZE, then times each
scenario many times (after a warm-up) and prints p50/p95 in milliseconds, then the query plans
of the people list. Without ZHENGDUN_DATABASE_URL it works on SQLite in a fresh temporary
directory; it always uses a temporary ZHENGDUN_DATA_DIR, so it never touches ./var. It refuses
to run against a database that already holds units.
"""

import argparse
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

# Milliseconds at p95, per kind of scenario.
TARGETS = {"subtree": 50.0, "db": 100.0, "page": 300.0}

# Share of the units below the counties at depths 3..6 (the last level takes the remainder).
# For 5,000 units: 1 city, 8 counties, 48 divisions, 240 stations, 960 teams, 3,743 squads,
# i.e. a fan-out of 8, 6, 5, 4 and about 3.9.
LOWER_LEVEL_WEIGHTS = (48, 240, 960, 3743)
COUNTIES = 8
UNIT_KINDS = ("city_bureau", "county_bureau", "department", "station", "team", "team")
UNIT_WORDS = ("市公安局", "县公安局", "大队", "派出所", "中队", "警务组")
POSITIONS = ("民警", "民警", "民警", "辅警", "所长", "副所长", "教导员", "中队长", "科员")
SEARCH = "海涛"  # a given name: about 1 person in 26


def width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, columns: int, right: bool = False) -> str:
    fill = " " * max(0, columns - width(text))
    return fill + text if right else text + fill


@dataclass
class Result:
    name: str
    group: str  # key of TARGETS, or "" for no target
    samples: list[float]
    queries: int
    result: str

    def quantile(self, q: int) -> float:
        if len(self.samples) == 1:
            return self.samples[0]
        return statistics.quantiles(self.samples, n=100, method="inclusive")[q - 1]

    @property
    def p50(self) -> float:
        return self.quantile(50)

    @property
    def p95(self) -> float:
        return self.quantile(95)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=5000, help="units in the tree (>= 50)")
    parser.add_argument("--people", type=int, default=100_000, help="people spread over them")
    parser.add_argument("--reps", type=int, default=200, help="timed runs per query scenario")
    parser.add_argument("--http-reps", type=int, default=50, help="timed runs per full page")
    parser.add_argument("--warmup", type=int, default=5, help="untimed runs before timing")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--no-plans", action="store_true", help="skip the EXPLAIN output")
    args = parser.parse_args(argv)
    if args.units < 50:
        parser.error("--units must be at least 50 to make a six-level tree")
    if args.people < 1 or args.reps < 1 or args.http_reps < 1 or args.warmup < 0:
        parser.error("--people, --reps and --http-reps must be positive")
    return args


def setup_django(data_dir: str | None = None) -> str:
    """Point the settings at a data dir, a new temporary one unless given (and SQLite there,
    unless a URL is given)."""
    data_dir = data_dir or tempfile.mkdtemp(prefix="zhengdun-bench-")
    os.environ["ZHENGDUN_DATA_DIR"] = data_dir
    os.environ["ZHENGDUN_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ["DJANGO_SETTINGS_MODULE"] = "zhengdun.settings"
    os.environ.setdefault("ZHENGDUN_LOG_LEVEL", "ERROR")
    import django

    django.setup()
    return data_dir


# --- building the data ---------------------------------------------------------------------


def level_sizes(total: int) -> list[int]:
    """Units per depth (1..6) summing to ``total``."""
    rest = total - 1 - COUNTIES
    weight_sum = sum(LOWER_LEVEL_WEIGHTS)
    sizes = [1, COUNTIES]
    for weight in LOWER_LEVEL_WEIGHTS[:-1]:
        # At least one child per parent, so small trees stay six levels deep everywhere.
        sizes.append(max(sizes[-1], round(rest * weight / weight_sum)))
    return [*sizes, total - sum(sizes)]


def build_units(total: int) -> list[list]:
    """Bulk-create the tree level by level; returns the units of each depth (index 0 = depth 1)."""
    from zhengdun.org.models import PATH_STEP, Unit, encode_step

    levels: list[list[Unit]] = []
    number = 0
    for depth, size in enumerate(level_sizes(total), start=1):
        parents = levels[-1] if levels else [None]
        siblings: Counter[int] = Counter()
        level = []
        for index in range(size):
            # Contiguous, even blocks: parent k gets children k*size/len(parents) onwards.
            parent_index = index * len(parents) // size
            parent = parents[parent_index]
            siblings[parent_index] += 1
            step = siblings[parent_index]
            path = (parent.path if parent else "") + encode_step(step)
            assert len(path) == depth * PATH_STEP
            number += 1
            level.append(
                Unit(
                    code=f"B{number:05d}",
                    name=f"{'第' + str(step) if parent else '眉山'}{UNIT_WORDS[depth - 1]}",
                    kind=UNIT_KINDS[depth - 1],
                    parent=parent,
                    path=path,
                    depth=depth,
                    sort_order=step,
                )
            )
        Unit.objects.bulk_create(level, batch_size=1000)
        # bulk_create sets primary keys on PostgreSQL and on SQLite >= 3.35.
        assert all(unit.pk for unit in level), "bulk_create did not return primary keys"
        levels.append(level)
    return levels


def build_people(count: int, units: list, rng: random.Random) -> None:
    """People with a login account each, as in a bureau where every officer signs in (the
    account's person is joined on every request: with few linked people the statistics would
    make SQLite scan the people table instead)."""
    from django.contrib.auth import get_user_model

    from zhengdun.org.demo import GIVEN, RANKS, REAL_NAMES, SURNAMES
    from zhengdun.org.models import Person

    user_model = get_user_model()
    given = [GIVEN[i : i + 2] for i in range(0, len(GIVEN), 2)]
    statuses = ["active"] * 90 + ["retired_from_post"] * 7 + ["left"] * 3
    batch: list[Person] = []

    def flush():
        accounts = user_model.objects.bulk_create(
            [user_model(username=person.police_number, password="!") for person in batch],
            batch_size=2500,
        )
        for person, account in zip(batch, accounts, strict=True):
            person.user = account
        Person.objects.bulk_create(batch, batch_size=2500)
        batch.clear()

    for number in range(1, count + 1):
        name = rng.choice(SURNAMES) + rng.choice(given)
        while name in REAL_NAMES:
            name = rng.choice(SURNAMES) + rng.choice(given)
        batch.append(
            Person(
                name=name,
                police_number=f"51{number:07d}",
                unit=rng.choice(units),
                position=rng.choice(POSITIONS),
                rank=rng.choice(RANKS),
                status=rng.choice(statuses),
            )
        )
        if len(batch) == 5000:
            flush()
    if batch:
        flush()


def make_user(username: str, role: str, unit):
    """A signed-in user of the benchmark: a person of ``unit`` with a grant there."""
    from django.contrib.auth import get_user_model

    from zhengdun.org.models import Grant, Person

    user = get_user_model().objects.create_user(username, password=None)
    Person.objects.create(name=username, police_number=username, unit=unit, user=user)
    Grant.objects.create(user=user, role=role, unit=unit)
    return user


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Also VACUUM: after a bulk load autovacuum would do it within a minute anyway, and
            # doing it now keeps it from changing plans (index-only scans) in mid-measurement.
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")


# --- measuring -----------------------------------------------------------------------------


def time_runs(
    fn: Callable[[], object], reps: int, warmup: int, budget: float | None = None
) -> tuple[object, int, list[float]]:
    """Run ``fn`` once (counting its statements: a request through the test client resets the
    query log, so with a wrapper), ``warmup`` times untimed, then ``reps`` times timed, or fewer
    (at least 10) when that would take longer than ``budget`` seconds. Returns the first run's
    value, its statement count and the timings in milliseconds."""
    from django.db import connection

    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    began = time.perf_counter()
    with connection.execute_wrapper(count):
        value = fn()
    # The first run of a page also loads its templates: judge the budget by the warm runs.
    each = time.perf_counter() - began
    for _ in range(warmup):
        began = time.perf_counter()
        fn()
        each = time.perf_counter() - began
    if budget is not None:
        reps = max(min(reps, 10), min(reps, int(budget / max(each, 1e-6))))
    samples = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return value, len(executed), samples


def measure(
    name: str, group: str, fn: Callable[[], object], reps: int, warmup: int, describe=str
) -> Result:
    value, queries, samples = time_runs(fn, reps, warmup)
    result = Result(name, group, samples, queries, describe(value))
    mark = "  SLOW" if group and result.p95 > TARGETS[group] else ""
    print(f"  {pad(name, 52)} p50 {result.p50:8.2f}  p95 {result.p95:8.2f} ms{mark}", flush=True)
    return result


def print_table(results: list[Result]) -> None:
    headers = ("scenario", "queries", "result", "p50 ms", "p95 ms", "p95 target")
    rows = []
    for r in results:
        target = f"< {TARGETS[r.group]:.0f}" if r.group else ""
        if r.group and r.p95 > TARGETS[r.group]:
            target += " SLOW"
        rows.append((r.name, str(r.queries), r.result, f"{r.p50:.2f}", f"{r.p95:.2f}", target))
    widths = [max(width(h), *(width(row[i]) for row in rows)) for i, h in enumerate(headers)]
    right = {1, 3, 4}

    def line(cells) -> str:
        parts = [pad(c, widths[i], right=i in right) for i, c in enumerate(cells)]
        return "| " + " | ".join(parts) + " |"

    rule = ("-" * (w + 1) + ":" if i in right else "-" * (w + 2) for i, w in enumerate(widths))
    print(line(headers))
    print("|" + "|".join(rule) + "|")
    for row in rows:
        print(line(row))


def explain(sql: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            return [row[0] for row in cursor.fetchall()]
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        rows = cursor.fetchall()
    indent = {0: -1}
    lines = []
    for node, parent, _unused, detail in rows:
        indent[node] = indent.get(parent, -1) + 1
        lines.append("  " * indent[node] + detail)
    return lines


def database_description() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
    return f"SQLite {connection.Database.sqlite_version}"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    data_dir = setup_django()
    try:
        return run(args)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def run(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import close_old_connections, connection, transaction
    from django.test import Client, RequestFactory
    from django.test.utils import CaptureQueriesContext

    from zhengdun.core.pagination import paginate
    from zhengdun.org import queries, scope
    from zhengdun.org.models import Person, Unit
    from zhengdun.org.roles import Perm, Role

    rng = random.Random(args.seed)
    print(f"Database: {database_description()} ({connection.vendor})")
    print(
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f} at start"
    )

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    # The page templates use {% static %}, which needs the manifest (in the temporary data dir).
    call_command("collectstatic", interactive=False, verbosity=0)
    setup_seconds = time.perf_counter() - started
    if Unit.objects.exists():
        print("This database already holds units; the benchmark needs an empty one.")
        return 2

    timings = {}
    started = time.perf_counter()
    with transaction.atomic():
        levels = build_units(args.units)
    timings["units"] = time.perf_counter() - started
    all_units = [unit for level in levels for unit in level]
    started = time.perf_counter()
    with transaction.atomic():
        build_people(args.people, all_units, rng)
    timings["people"] = time.perf_counter() - started
    root, county = levels[0][0], levels[1][0]
    station = next(u for u in levels[4] if u.path.startswith(county.path))
    office = make_user("bench-office", Role.OFFICE, root)
    county_user = make_user("bench-county", Role.UNIT_LEADER, county)
    station_user = make_user("bench-station", Role.OFFICER, station)
    users = {"office": office, "county": county_user, "station": station_user}
    started = time.perf_counter()
    analyze()
    timings["analyze"] = time.perf_counter() - started

    depth_counts = Counter(Unit.objects.values_list("depth", flat=True))
    print(
        f"Built {Unit.objects.count():,} units (per depth: "
        + ", ".join(f"{d}: {depth_counts[d]:,}" for d in sorted(depth_counts))
        + f") and {Person.objects.count():,} people"
    )
    print(
        f"Build: migrate + collectstatic {setup_seconds:.1f} s, units {timings['units']:.1f} s, "
        f"people {timings['people']:.1f} s, ANALYZE {timings['analyze']:.1f} s "
        f"(data {sum(timings.values()):.1f} s)"
    )
    print(
        f"Grants: office on {root.code} (root), unit_leader on {county.code} (county {county.path},"
        f" {Unit.objects.filter(scope.prefix_q('path', county.path)).count():,} units), "
        f"officer on {station.code} (depth 5, "
        f"{Unit.objects.filter(scope.prefix_q('path', station.path)).count():,} units)"
    )
    for label, user in users.items():
        # A check that the code under test still scopes correctly, so the timings mean something.
        top = {"office": root, "county": county, "station": station}[label]
        expected = Person.objects.filter(unit__path__startswith=top.path).count()
        visible = queries.people_visible_to(user).count()
        print(f"  {label} user sees {visible:,} people")
        if visible != expected:
            print(
                f"Scope is wrong: expected {expected:,} people in {top.path}'s subtree; stopping."
            )
            return 3
    print(
        f"Timing: {args.reps} runs per query, {args.http_reps} per page, after {args.warmup} "
        f"warm-up runs (page size {settings.ZHENGDUN_PAGE_SIZE})"
    )

    factory = RequestFactory()
    page_1 = factory.get("/org/people/")
    page_200 = factory.get("/org/people/", {"page": "200"})

    def page_of(queryset, request) -> Callable[[], object]:
        def fetch():
            page = paginate(request, queryset)
            rows = list(page.object_list)
            return page, rows

        return fetch

    def describe_page(value) -> str:
        page, rows = value
        return f"{page.paginator.count:,} total, page {page.number}, {len(rows)} rows"

    def run_scope_of(user) -> Callable[[], object]:
        def fetch():
            scope.forget(user)
            return scope.scope_of(user)

        return fetch

    results: list[Result] = []

    def bench(name, group, fn, describe=str, reps=None):
        results.append(measure(name, group, fn, reps or args.reps, args.warmup, describe))

    print("\nSubtree and scope")
    bench(
        "county subtree: list of units",
        "subtree",
        lambda: list(Unit.objects.filter(scope.prefix_q("path", county.path))),
        lambda units: f"{len(units):,} units",
    )
    bench(
        "root subtree: count",
        "subtree",
        lambda: Unit.objects.filter(scope.prefix_q("path", root.path)).count(),
        lambda n: f"{n:,} units",
    )
    for label, user in users.items():
        bench(
            f"scope.units({label}, org.view).count()",
            "subtree",
            lambda user=user: scope.units(user, Perm.VIEW_ORG).count(),
            lambda n: f"{n:,} units",
        )
    bench("scope_of(county) from its grants", "db", run_scope_of(county_user), lambda s: "")

    print("\nPeople list (COUNT + page, as the page does it)")
    for label, user in users.items():
        people = queries.people_visible_to(user).order_by("name", "id")
        bench(f"people, {label}, page 1", "db", page_of(people, page_1), describe_page)
        bench(f"people, {label}, page 200", "db", page_of(people, page_200), describe_page)
    for label in ("office", "county"):
        people = queries.people_visible_to(users[label], q=SEARCH).order_by("name", "id")
        bench(f"people, {label}, q={SEARCH}, page 1", "db", page_of(people, page_1), describe_page)
    people = queries.people_visible_to(office, under=county).order_by("name", "id")
    bench("people, office, under=county, page 1", "db", page_of(people, page_1), describe_page)
    bench("people, office, under=county, page 200", "db", page_of(people, page_200), describe_page)

    print("\nUnit list and children")
    for label, user in users.items():
        units = queries.units_visible_to(user)
        bench(f"units, {label}, page 1", "db", page_of(units, page_1), describe_page)
    for label in ("office", "county"):
        bench(
            f"children_of({label}, county)",
            "db",
            lambda user=users[label]: list(queries.children_of(user, county)),
            lambda units: f"{len(units)} units",
        )
    bench(
        "children_of(office, root)",
        "db",
        lambda: list(queries.children_of(office, root)),
        lambda units: f"{len(units)} units",
    )

    print("\nFull pages through the test client (templates included)")

    def get(client, url) -> Callable[[], object]:
        def fetch():
            response = client.get(url)
            # The test client keeps the connection across requests; a server closes it at the
            # end of each one when CONN_MAX_AGE allows no reuse (0 on SQLite, 60 s on PostgreSQL).
            close_old_connections()
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
            return response

        return fetch

    def describe_response(response) -> str:
        return f"{response.status_code}, {len(response.content) // 1024} KiB"

    backend = "zhengdun.accounts.backends.ZhengdunBackend"
    clients = {}
    for label in ("office", "county"):
        clients[label] = Client()
        clients[label].force_login(users[label], backend=backend)
    for label, url in (
        ("office", "/org/people/"),
        ("office", "/org/people/?page=200"),
        ("office", f"/org/people/?q={SEARCH}"),
        ("office", "/org/units/"),
        ("county", "/org/people/"),
        ("county", "/org/units/"),
    ):
        bench(
            f"GET {url} ({label})",
            "page",
            get(clients[label], url),
            describe_response,
            reps=args.http_reps,
        )

    print(
        f"\nResults: {database_description()}, {args.units:,} units, {args.people:,} people "
        f"(load average {os.getloadavg()[0]:.2f})\n"
    )
    print_table(results)
    slow = [r for r in results if r.group and r.p95 > TARGETS[r.group]]
    print(
        f"\nTargets (p95): subtree < {TARGETS['subtree']:.0f} ms, people/unit list DB part < "
        f"{TARGETS['db']:.0f} ms, full page < {TARGETS['page']:.0f} ms. "
        + (f"{len(slow)} scenario(s) over target." if slow else "All within target.")
    )

    if not args.no_plans:
        print("\nQuery plans of the people list, page 1 (COUNT, then the page)")
        for label in ("office", "county"):
            people = queries.people_visible_to(users[label]).order_by("name", "id")
            with CaptureQueriesContext(connection) as captured:
                page_of(people, page_1)()
            for query in captured.captured_queries:
                print(f"\n-- {label}: {query['sql']}")
                for plan_line in explain(query["sql"]):
                    print("   " + plan_line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
