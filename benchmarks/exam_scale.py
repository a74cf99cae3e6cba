"""2,000 officers sit the same online exam at once: every one starts within a minute, answers
each question (one autosave per answer) and hands in, through the full WSGI stack.

    .venv/bin/python benchmarks/exam_scale.py                            # SQLite
    scripts/with-postgres.sh .venv/bin/python benchmarks/exam_scale.py   # PostgreSQL 15
    .venv/bin/python benchmarks/exam_scale.py --officers 200 --workers 2 # quick

It migrates an empty database (a fresh temporary data dir, as org_scale does), builds a city
bureau with 8 county bureaus and 48 stations, spreads the officers over the stations, gives each
one a login and an API token, loads the demo handbook bank (121 questions) and publishes an exam
of 25 questions drawn per person (10 single, 5 multiple, 5 true/false, 5 fill-in).

Then ``--processes`` forked processes (as gunicorn's workers: each its own interpreter and
database connection; default 2, one per core) with ``--workers`` threads each, every thread
with its own Django test ``Client`` (the whole middleware stack and the API's token
authentication, a fresh request per call), play the officers (each process a share of them) in
three phases, all processes passing each phase together:

1. start: the officers' starts are spread evenly over ``--window`` seconds (default 60);
2. answer: every officer answers each of their questions (``PUT /attempts/{id}/answers``, one
   answer per request, as the page's autosave does), the officers' saves interleaved;
3. submit: every officer hands in (``POST /attempts/{id}/submit``).

It reports p50/p95 in milliseconds of start, answer-save and submit (target: answer-save p95 ≤
100 ms), the phases' wall times and throughput, and checks at the end that every attempt is
saved with all its answers and graded, and that the audit log has one start and one hand-in
per officer.
"""

import argparse
import os
import platform
import random
import shutil
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

sys.path.insert(0, os.path.dirname(__file__))

import org_scale
from org_scale import Result, pad

TARGETS = {"save": 100.0}
API = "/api/v1/learning"
COUNTIES = 8
STATIONS_PER_COUNTY = 6


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--officers", type=int, default=2000, help="officers sitting the exam")
    parser.add_argument("--processes", type=int, default=2, help="client processes (forked)")
    parser.add_argument("--workers", type=int, default=2, help="client threads per process")
    parser.add_argument("--window", type=float, default=60.0, help="seconds over which to start")
    parser.add_argument("--seed", type=int, default=2021)
    args = parser.parse_args(argv)
    if args.officers < 1 or args.workers < 1 or args.processes < 1 or args.window < 0:
        parser.error(
            "--officers, --processes and --workers must be positive, --window not negative"
        )
    return args


# --- building the data ---------------------------------------------------------------------


def build_org(officers: int, rng: random.Random):
    """A city bureau, its county bureaus and stations, and the officers with logins."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from zhengdun.org.models import Grant, Person, Unit, UnitKind, encode_step

    city = Unit.objects.create(
        code="BENCH", name="基准市公安局", kind=UnitKind.CITY_BUREAU, path=encode_step(1), depth=1
    )
    stations = []
    for c in range(1, COUNTIES + 1):
        county = Unit.objects.create(
            code=f"C{c}",
            name=f"第{c}分局",
            kind=UnitKind.COUNTY_BUREAU,
            parent=city,
            path=city.path + encode_step(c),
            depth=2,
        )
        for s in range(1, STATIONS_PER_COUNTY + 1):
            stations.append(
                Unit.objects.create(
                    code=f"C{c}S{s}",
                    name=f"第{c}分局第{s}派出所",
                    kind=UnitKind.STATION,
                    parent=county,
                    path=county.path + encode_step(s),
                    depth=3,
                )
            )
    User = get_user_model()
    unusable = make_password(None)
    users = User.objects.bulk_create(
        [User(username=f"officer{n:05d}", password=unusable) for n in range(officers)],
        batch_size=1000,
    )
    Person.objects.bulk_create(
        [
            Person(
                name=f"民警{n:05d}",
                police_number=f"88{n:07d}",
                unit=rng.choice(stations),
                user=user,
            )
            for n, user in enumerate(users)
        ],
        batch_size=1000,
    )
    Grant.objects.bulk_create(
        [Grant(user=user, role="officer", unit=city) for user in users], batch_size=1000
    )
    office = User.objects.create_user("bench-office", password=None)
    Grant.objects.create(user=office, role="office", unit=city)
    return city, office, users


def build_exam(city, office):
    from django.utils import timezone

    from zhengdun.learning.exams import actions
    from zhengdun.learning.exams.demo_data import load_bank

    load_bank(office, city)
    now = timezone.now()
    rule = actions.RuleData
    data = actions.ExamData(
        title="基准测试考试",
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(hours=6),
        time_limit=120,
        pass_mark=60,
        audience_units=[city],
        rules=[
            rule("single", 10, 4),
            rule("multiple", 5, 4),
            rule("true_false", 5, 2),
            rule("fill", 5, 2),
        ],
    )
    return actions.create_exam(office, unit=city, data=data, publish=True)


def tokens_for(users) -> dict[int, str]:
    from zhengdun.accounts.actions import create_token

    return {user.pk: create_token(None, user=user, name="bench") for user in users}


# --- the officers ---------------------------------------------------------------------------


class Officers:
    """The clients: one Django test Client per worker thread, timings per kind of request."""

    def __init__(self, tokens: dict[int, str]):
        self.tokens = tokens
        self.local = threading.local()
        self.lock = threading.Lock()
        self.samples: dict[str, list[float]] = {"start": [], "save": [], "submit": []}
        self.failures: list[str] = []

    def client(self):
        from django.test import Client

        if not hasattr(self.local, "client"):
            self.local.client = Client()
        return self.local.client

    def call(self, kind: str, user_id: int, method: str, path: str, body: str | None = None):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.tokens[user_id]}"}
        client = self.client()
        began = time.perf_counter()
        response = getattr(client, method)(
            path, data=body or "{}", content_type="application/json", **headers
        )
        elapsed = (time.perf_counter() - began) * 1000
        with self.lock:
            self.samples[kind].append(elapsed)
            if response.status_code != 200:
                self.failures.append(
                    f"{kind} {path}: {response.status_code} {response.content[:200]!r}"
                )
        return response


def right_answer(item: dict, key: list):
    if item["kind"] == "fill":
        return key[0]
    if item["kind"] == "true_false":
        return bool(key[0])
    if item["kind"] == "single":
        return key[0]
    return list(key)


def run_phases(args, exam, users, tokens, share: int = 0, barrier=None) -> dict:
    """Play this process's share of the officers (every ``--processes``-th, from ``share``)
    through the three phases; ``barrier`` makes every process start each phase together."""
    import json

    from zhengdun.learning.exams.models import Question

    keys = dict(Question.objects.values_list("id", "answer"))
    officers = Officers(tokens)
    attempts: dict[int, dict] = {}
    walls = {}

    def together() -> float:
        if barrier is not None:
            barrier.wait()
        return time.perf_counter()

    # Phase 1: starts spread over the window (the whole window: the processes interleave).
    began = together()
    step = args.window / max(len(users), 1)
    mine = [(index, user) for index, user in enumerate(users) if index % args.processes == share]

    def start(index_user):
        index, user = index_user
        delay = began + index * step - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        response = officers.call("start", user.pk, "post", f"{API}/exams/{exam.pk}/start")
        if response.status_code == 200:
            attempts[user.pk] = response.json()

    with ThreadPoolExecutor(args.workers) as pool:
        list(pool.map(start, mine))
    walls["start"] = time.perf_counter() - began

    # Phase 2: every answer saved on its own, the officers' saves interleaved.
    rng = random.Random(args.seed + share)
    saves = [
        (user_id, data["id"], item) for user_id, data in attempts.items() for item in data["items"]
    ]
    rng.shuffle(saves)

    def save(job):
        user_id, attempt_id, item = job
        body = json.dumps({"answers": {str(item["id"]): right_answer(item, keys[item["id"]])}})
        officers.call("save", user_id, "put", f"{API}/attempts/{attempt_id}/answers", body)

    began = together()
    with ThreadPoolExecutor(args.workers) as pool:
        list(pool.map(save, saves, chunksize=16))
    walls["save"] = time.perf_counter() - began

    # Phase 3: hand in.
    def submit(user_attempt):
        user_id, data = user_attempt
        officers.call("submit", user_id, "post", f"{API}/attempts/{data['id']}/submit")

    began = together()
    with ThreadPoolExecutor(args.workers) as pool:
        list(pool.map(submit, attempts.items()))
    walls["submit"] = time.perf_counter() - began
    walls["saves"] = len(saves)
    walls["failures"] = officers.failures
    walls["samples"] = officers.samples
    return walls


def run_processes(args, exam, users, tokens) -> dict:
    """Fork the client processes (each opens its own database connection) and merge what
    they measured: samples pooled, a phase's wall time the slowest process's."""
    import multiprocessing

    from django.db import connections

    if args.processes == 1:
        return run_phases(args, exam, users, tokens)
    connections.close_all()
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(args.processes)
    results = context.Queue()

    def play(share: int) -> None:
        try:
            results.put(run_phases(args, exam, users, tokens, share, barrier))
        except BaseException as error:  # report, never hang the parent on results.get()
            barrier.abort()
            results.put({"error": repr(error)})
        finally:
            connections.close_all()

    processes = [context.Process(target=play, args=(share,)) for share in range(args.processes)]
    for process in processes:
        process.start()
    parts = [results.get() for _ in processes]
    for process in processes:
        process.join()
    errors = [part["error"] for part in parts if "error" in part]
    if errors:
        return {"error": errors}
    merged = {phase: max(part[phase] for part in parts) for phase in ("start", "save", "submit")}
    merged["saves"] = sum(part["saves"] for part in parts)
    merged["failures"] = [failure for part in parts for failure in part["failures"]]
    merged["samples"] = {
        kind: [value for part in parts for value in part["samples"][kind]]
        for kind in ("start", "save", "submit")
    }
    return merged


def verify(exam, officers: int) -> list[str]:
    """Every attempt saved with all its answers and graded; the audit log agrees."""
    from zhengdun.audit.models import AuditEvent
    from zhengdun.learning.exams.models import Attempt, AttemptState

    problems = []
    attempts = Attempt.objects.filter(exam=exam)
    if attempts.count() != officers:
        problems.append(f"{attempts.count()} attempts for {officers} officers")
    if attempts.exclude(state=AttemptState.SUBMITTED).exists():
        problems.append("attempts not handed in")
    incomplete = sum(
        1
        for items, answers in attempts.values_list("items", "answers")
        if len(items) != len(answers)
    )
    if incomplete:
        problems.append(f"{incomplete} attempts missing answers")
    if attempts.filter(score__isnull=True).exists():
        problems.append("attempts not graded")
    failed = attempts.filter(passed=False).count()
    if failed:
        problems.append(f"{failed} attempts failed although every answer was right")
    started = AuditEvent.objects.filter(code="exams.attempt.started").count()
    submitted = AuditEvent.objects.filter(code="exams.attempt.submitted").count()
    if (started, submitted) != (officers, officers):
        problems.append(f"audit: {started} starts and {submitted} hand-ins for {officers}")
    return problems


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    data_dir = org_scale.setup_django()
    try:
        return run(args)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def run(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction

    from zhengdun.org.models import Unit

    print(f"Database: {org_scale.database_description()} ({connection.vendor})")
    print(
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f} at start; {args.processes} client processes "
        f"of {args.workers} threads"
    )
    began = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    # The API serves no static file; an empty directory keeps whitenoise from warning.
    os.makedirs(settings.STATIC_ROOT, exist_ok=True)
    if Unit.objects.exists():
        print("This database already holds units; the benchmark needs an empty one.")
        return 2
    rng = random.Random(args.seed)
    with transaction.atomic():
        city, office, users = build_org(args.officers, rng)
    exam = build_exam(city, office)
    tokens = tokens_for(users)
    org_scale.analyze()
    print(
        f"Built {args.officers:,} officers in {Unit.objects.count()} units, the bank and the exam "
        f"in {time.perf_counter() - began:.1f} s"
    )
    walls = run_processes(args, exam, users, tokens)
    if "error" in walls:
        print("A client process failed:", *walls["error"], sep="\n  ")
        return 1
    results = [
        Result(
            f"{kind} ({len(samples):,} requests)", "save" if kind == "save" else "", samples, 0, ""
        )
        for kind, samples in walls["samples"].items()
    ]
    print()
    print(f"  {pad('request', 40)} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}  target")
    for result in results:
        target = f"p95 ≤ {TARGETS[result.group]:.0f}" if result.group else ""
        if result.group and result.p95 > TARGETS[result.group]:
            target += " SLOW"
        print(
            f"  {pad(result.name, 40)} {result.p50:9.1f} {result.p95:9.1f} "
            f"{max(result.samples):9.1f}  {target}"
        )
    print()
    for phase in ("start", "save", "submit"):
        count = {"start": args.officers, "save": walls["saves"], "submit": args.officers}[phase]
        print(
            f"  phase {pad(phase, 8)} {walls[phase]:7.1f} s wall, "
            f"{count / max(walls[phase], 1e-9):7.1f} requests/s"
        )
    if walls["start"] > max(args.window, 1) + 60:
        print(f"  the starts took {walls['start']:.0f} s, beyond the window of {args.window:.0f} s")
    problems = [*walls["failures"][:10], *verify(exam, args.officers)]
    if problems:
        print("\nPROBLEMS:")
        for problem in problems:
            print(f"  {problem}")
        return 1
    print(f"\nVerified: {args.officers:,} attempts saved with every answer, graded, audited.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
