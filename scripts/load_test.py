"""The deadline surge as a benchmark: an open-loop load test of the real server (make load).

A scratch PostgreSQL database (dropped and made again on every run) is migrated and given the
demo city; the static files are collected into a scratch folder; the application is served by
gunicorn (`diaodu serve`) with the production settings on a free port of 127.0.0.1, 4 workers
by default, with one queue worker beside it (Celery, concurrency 1), the cache and the broker in a
scratch Redis database (12 by default, emptied on every run): the production settings, with one
departure a single machine needs: cookies are not marked Secure (the client speaks plain HTTP to
127.0.0.1, where nginx would add HTTPS). The queue worker's CPU counts in the server's.
`--redis ''` runs without Redis: each process its own cache, the tasks in the request.

Who the users are: one owner account for each project due in the open monthly period (each
files its project's report, so no two simulated people edit the same report) and four
headquarters accounts, all made in the scratch database. Each signs in once through the real
sign-in page with its CSRF token, then keeps its session. The mix (MIX), by share of requests:

    owners, 80 %:       fill page 30 %, save a draft row 40 %, submit the report 10 %
    headquarters, 20 %: ledger (/projects/) 5 %, dashboard 5 %, return a submitted report 10 %

Submits and returns have the same share, so reports keep going round: an owner saves, submits,
headquarters returns it with a reason, the owner opens the fill page again (to read the new
version; the page of the grid that holds its row, for an owner of more than 50 projects), saves
and submits again. A request that has no one to act on (no submitted report to
return, no owner free with a draft to submit) becomes the nearest request that has: a return
becomes a ledger, a submit a save, a save a fill page; the counts printed are what was sent.

Open loop: requests are started on a fixed schedule (request i at i / rate seconds), each in its
own thread, and latency counts from the scheduled moment, so a slow server cannot slow the
client down and hide its own slowness (coordinated omission): time spent waiting for a free
thread or for a simulated person still busy with their previous request is part of the figure.
The client is the venv's `requests` with the standard library's threads (a pool of 256): no new
dependency, one session per simulated person as a browser keeps, and at these rates (tens of
requests a second) the threads cost a few percent of a core, which is measured and printed
(the client's own process time, against the wall time). The client runs on the same machine
as the server: read its CPU share beside the figures.

A step fails when a request answers other than expected (a 5xx, a 4xx, a save refused) or does
not answer within --timeout. After the held rate, the capacity search steps the offered rate up
(--capacity-start, then by --capacity-step, --capacity-seconds each) until p95 passes 1 s or an
error appears, and prints the highest rate that held. The figures go to var/bench/load.json.
Exit status 1 if the server does not start or any request answers 5xx (the server's tracebacks
are printed).

    .venv/bin/python scripts/load_test.py                       # about 10 minutes (make load)
    .venv/bin/python scripts/load_test.py --rate 20 --duration 30 --no-capacity
"""

import argparse
import itertools
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
MANAGE = [sys.executable, str(ROOT / "manage.py")]

# What is sent, by share of the requests (weights out of 100).
MIX = [
    ("fill", 30),
    ("save", 40),
    ("submit", 10),
    ("ledger", 5),
    ("dashboard", 5),
    ("return", 10),
]
OWNER_PAGES = {"fill", "save", "submit"}
# The answer each request expects; any other is an error.
EXPECTED = {
    "sign-in": 302,
    "fill": 200,
    "save": 200,
    "submit": 302,
    "ledger": 200,
    "dashboard": 200,
    "return": 302,
}
HEADQUARTERS_USERS = 4
# The surge's targets (docs/performance.md): p95 at the held rate, and the capacity (the rate
# at which p95 reaches 1 s); a province of 500,000 projects is allowed more than a city.
TARGETS = {
    "city": {"p95_ms": 500, "capacity_rps": 60},
    "province": {"p95_ms": 1000, "capacity_rps": 40},
}
CAPACITY_P95_MS = 1000
# Seconds a simulated person's connection may stay idle before it is closed: nginx's upstream
# keepalive_timeout in deploy/nginx, below gunicorn's keep-alive (diaodu serve: 5 s).
KEEPALIVE = 4
RESULTS = ROOT / "var" / "bench" / "load.json"
# The simulated people's password, made for each run, and their usernames' prefix (a run in a
# province kept from an earlier run adds its own accounts beside those).
PASSWORD = "Load-test-" + secrets.token_hex(8)
PREFIX = f"load{secrets.token_hex(3)}-"

# Run in the scratch database after the demo (or in the province given): the accounts of the
# simulated people (one owner per project due in the open monthly period, or per each of the
# first --owners of them, and headquarters), named with the run's prefix, and their reports.
SETUP = """
import json
import random
from django.contrib.auth.hashers import make_password
from diaodu.org.choices import Role
from diaodu.org.models import User
from diaodu.projects.models import Project
from diaodu.reporting.models import ProgressReport, ReportingPeriod
from diaodu.reporting.views import FILL_PAGE

period = max(
    (p for p in ReportingPeriod.objects.filter(kind="monthly") if p.is_open),
    key=lambda p: p.start,
)
hashed = make_password(%(password)r)
hq_unit = User.objects.get(username="hq").unit
due = period.projects_due().exclude(owner=None).order_by("pk")
if %(spread)r:
    # One project of each of N owner units drawn at random (the same N each run): owners as a
    # province has them, most with a few hundred projects, instead of the first projects' few.
    units = sorted(set(due.values_list("owner_id", flat=True)))
    drawn = random.Random(20261201).sample(units, min(%(owners)r or len(units), len(units)))
    first = {}
    for project in due.filter(owner_id__in=drawn).only("pk", "owner_id"):
        first.setdefault(project.owner_id, project)
    projects = sorted(first.values(), key=lambda project: project.pk)
else:
    projects = list(due if %(owners)r is None else due[:%(owners)r])
reports = {
    r.project_id: r
    for r in ProgressReport.objects.filter(period=period, project__in=[p.pk for p in projects])
}
# The page of the filing grid that holds each project's row (an owner of more than FILL_PAGE
# projects opens the page where its row is, as a person keeps it open or bookmarked).
ordered = {}
for project in projects:
    if project.owner_id not in ordered:
        ordered[project.owner_id] = list(
            due.filter(owner_id=project.owner_id)
            .order_by(*Project._meta.ordering)
            .values_list("pk", flat=True)
        )
owners = []
for project in projects:
    User.objects.create(
        username=f"%(prefix)sowner-{project.pk}", role=Role.OWNER, unit_id=project.owner_id,
        password=hashed, must_change_password=False,
    )
    report = reports.get(project.pk)
    owners.append({
        "username": f"%(prefix)sowner-{project.pk}",
        "project": project.pk,
        "report": report and report.pk,
        "status": report and report.status,
        "version": report.version if report else 0,
        "page": ordered[project.owner_id].index(project.pk) // FILL_PAGE + 1,
    })
for number in range(%(headquarters)d):
    User.objects.create(
        username=f"%(prefix)shq-{number}", role=Role.HEADQUARTERS, unit=hq_unit,
        password=hashed, must_change_password=False,
    )
print(json.dumps({
    "period": period.pk,
    "period_name": str(period),
    "invested": period.carries_investment,
    "owners": owners,
    "headquarters": [f"%(prefix)shq-{number}" for number in range(%(headquarters)d)],
}))
"""

# Run after the load: the transitions the simulated people made, as the database recorded them
# (a submit or return the service refused still answers 302, with its message on the next page).
RECORDED = """
import json
from diaodu.core.models import ChangeRecord
records = ChangeRecord.objects.filter(
    actor__username__startswith=%(prefix)r, action="transition"
)
statuses = [record.changes.get("status", [None, None])[1] for record in records]
print(json.dumps({"submit": statuses.count("submitted"), "return": statuses.count("returned")}))
"""

# -- pure functions (diaodu/bench/tests/test_load.py) ----------------------------------------


def percentile(values, q: float) -> float | None:
    """The q-th percentile (0-100) of values, linearly interpolated between the closest ranks
    (numpy's default); None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def schedule(rate: float, seconds: float) -> list[float]:
    """The moments (seconds from the start) at which an open-loop client starts its requests."""
    return [i / rate for i in range(int(round(rate * seconds)))]


def interleave(mix, count: int) -> list[str]:
    """`count` kinds in the proportions of `mix` ((kind, weight), ...), spread evenly (smooth
    weighted round robin): every window of sum(weights) requests holds each kind its weight."""
    total = sum(weight for _kind, weight in mix)
    current = {kind: 0 for kind, _weight in mix}
    out = []
    for _ in range(count):
        for kind, weight in mix:
            current[kind] += weight
        chosen = max(mix, key=lambda item: current[item[0]])[0]
        current[chosen] -= total
        out.append(chosen)
    return out


def step_holds(summary: dict, p95_limit_ms: float = CAPACITY_P95_MS) -> bool:
    """A step of the capacity search holds when no request failed and p95 stays within limit."""
    overall = summary["overall"]
    return overall["errors"] == 0 and (overall["p95_ms"] or 0) <= p95_limit_ms


def capacity_rates(start: int, step: int, steps: int) -> list[int]:
    return [start + step * i for i in range(steps)]


def search_capacity(run_step, rates) -> tuple[int | None, list[dict]]:
    """Runs run_step(rate) for each rate in turn until one does not hold: the highest rate that
    held (None if the first did not) and every step's summary."""
    held, steps = None, []
    for rate in rates:
        summary = run_step(rate)
        steps.append(summary)
        if not step_holds(summary):
            break
        held = rate
    return held, steps


@dataclass
class Sample:
    kind: str
    latency: float  # seconds from the scheduled moment to the end of the answer
    status: int | None  # None: no answer (timeout or connection error)
    error: str = ""

    @property
    def failed(self) -> bool:
        return self.status != EXPECTED.get(self.kind)


def summarise(samples, seconds: float, offered: float | None = None) -> dict:
    """Per page and overall: requests, errors, p50/p95/p99 in ms; requests/s achieved."""

    def figures(group):
        latencies = [s.latency * 1000 for s in group]
        return {
            "requests": len(group),
            "errors": sum(s.failed for s in group),
            "server_errors": sum(1 for s in group if s.status is not None and s.status >= 500),
            # no answer: a timeout, or the connection refused or reset
            "timeouts": sum(1 for s in group if s.status is None),
            "p50_ms": _round(percentile(latencies, 50)),
            "p95_ms": _round(percentile(latencies, 95)),
            "p99_ms": _round(percentile(latencies, 99)),
            "max_ms": _round(max(latencies, default=None)),
        }

    kinds = [kind for kind, _weight in MIX] + sorted({s.kind for s in samples} - dict(MIX).keys())
    pages = {kind: figures([s for s in samples if s.kind == kind]) for kind in kinds}
    overall = figures(samples)
    overall["offered_rps"] = offered
    overall["achieved_rps"] = (
        round(sum(not s.failed for s in samples) / seconds, 1) if seconds else 0
    )
    overall["seconds"] = round(seconds, 1)
    return {"pages": {k: v for k, v in pages.items() if v["requests"]}, "overall": overall}


def _round(value):
    return None if value is None else round(value, 1)


# -- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def recreate_database(url: str) -> None:
    """Drops the scratch database and makes it again (connected to the server's postgres db)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"Not a scratch database name: {name!r}")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def recreate_redis(url: str) -> None:
    """Empties the scratch Redis database (its number must not be 0 or 1, production's)."""
    import redis

    if urlsplit(url).path.lstrip("/") in ("", "0", "1"):
        raise SystemExit(f"Not a scratch Redis database: {url!r}")
    redis.Redis.from_url(url).flushdb()


def production_env(folder: Path, database_url: str, redis_url: str = "") -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DIAODU_") and key != "DATABASE_URL"
    }
    env.update(
        {
            "DATABASE_URL": database_url,
            "DIAODU_SECRET_KEY": secrets.token_urlsafe(50),
            "DIAODU_ALLOWED_HOSTS": "127.0.0.1",
            "DIAODU_DB_CONN_MAX_AGE": "60",  # as deploy/diaodu.env.example
            "DIAODU_VAR_DIR": str(folder),
            "DIAODU_STATIC_ROOT": str(folder / "static"),
            "DIAODU_MEDIA_ROOT": str(folder / "media"),
            # Plain HTTP to 127.0.0.1: a Secure cookie would never come back.
            "DIAODU_SECURE_COOKIES": "false",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if redis_url:  # as in production: a shared cache, and the queue's broker
        env.update({"DIAODU_CACHE_URL": redis_url, "DIAODU_BROKER_URL": redis_url})
    return env


def _processes():
    """(name, fields after the name) of every live process, from /proc/<pid>/stat."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            name, rest = (entry / "stat").read_text().split(" (", 1)[1].rsplit(")", 1)
        except (OSError, ValueError):
            continue  # ended while it was read
        yield name, rest.split()  # state ppid pgrp ... utime(11) stime cutime cstime(14)


def process_group_cpu(pgid: int) -> float:
    """CPU seconds (user and system) of the live processes of a process group."""
    tick = os.sysconf("SC_CLK_TCK")
    return sum(
        (int(fields[11]) + int(fields[12])) / tick
        for _name, fields in _processes()
        if int(fields[2]) == pgid
    )


def database_cpu() -> float:
    """CPU seconds of the PostgreSQL processes on this machine: the server's and every
    connection's backend, those that have ended included (counted in the server's children's
    time): the database's share of the requests' cost."""
    tick = os.sysconf("SC_CLK_TCK")
    return sum(
        sum(int(value) for value in fields[11:15]) / tick
        for name, fields in _processes()
        if name.startswith("postgres")
    )


def server_errors(log: Path) -> str:
    """The application's ERROR records, with their tracebacks."""
    kept, keep = [], False
    for line in log.read_text(errors="replace").splitlines():
        if re.match(r"\d{4}-\d\d-\d\d ", line) or line.startswith("["):
            keep = " ERROR " in line or "[ERROR]" in line or "CRITICAL" in line
        if keep:
            kept.append(line)
    return "\n".join(kept[-300:])


# -- the simulated people --------------------------------------------------------------------


@dataclass
class Person:
    username: str
    session: object = None
    busy: bool = False
    # owners only
    project: int | None = None
    report: int | None = None
    version: int | None = 0  # None: unknown until the fill page is read again
    locked: bool = False  # submitted, waiting for headquarters
    draft: bool = False  # saved since the last submit, so it can be submitted
    csrf: str = ""
    page: int = 1  # of the filing grid, where the project's row is
    answered: float = 0.0  # when its last request ended (time.monotonic)


@dataclass
class Crowd:
    base: str
    period: int
    invested: bool
    timeout: float
    owners: list
    headquarters: list
    to_return: deque = field(default_factory=deque)
    lock: threading.Condition = field(default_factory=threading.Condition)
    counter: itertools.count = field(default_factory=itertools.count)
    server_pgids: tuple[int, ...] = ()

    def take(self, kind: str):
        """A free person for this kind of request, and the request they will send (a kind with
        no one to act on becomes the nearest that has; see the module's docstring)."""
        with self.lock:
            while True:
                choice = self._choose(kind)
                if choice is not None:
                    choice[0].busy = True
                    return choice
                self.lock.wait()

    def _choose(self, kind):
        if kind in OWNER_PAGES:
            free = [p for p in self.owners if not p.busy]
            if not free:
                return None
            start = next(self.counter) % len(free)
            free = free[start:] + free[:start]
            editable = [p for p in free if not p.locked and p.version is not None]
            if kind == "submit":
                ready = [p for p in editable if p.draft and p.report]
                if ready:
                    return ready[0], "submit", None
                kind = "save"
            if kind == "save" and editable:
                return editable[0], "save", None
            stale = [p for p in free if p.version is None and not p.locked]
            return (stale or free)[0], "fill", None
        free = [p for p in self.headquarters if not p.busy]
        if not free:
            return None
        person = free[next(self.counter) % len(free)]
        if kind == "return":
            if self.to_return:
                return person, "return", self.to_return.popleft()
            kind = "ledger"
        return person, kind, None

    def give_back(self, person):
        with self.lock:
            person.busy = False
            self.lock.notify_all()

    # -- requests, as the browser sends them --

    def sign_in(self, person: Person) -> Sample:
        import requests

        person.session = requests.Session()
        started = time.monotonic()
        try:
            page = person.session.get(f"{self.base}/login/", timeout=self.timeout)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
            answer = person.session.post(
                f"{self.base}/login/",
                data={
                    "csrfmiddlewaretoken": token,
                    "username": person.username,
                    "password": PASSWORD,
                    "next": "",
                },
                allow_redirects=False,
                timeout=self.timeout,
            )
            person.csrf = person.session.cookies.get("csrftoken", "")
            person.answered = time.monotonic()
            return Sample("sign-in", time.monotonic() - started, answer.status_code)
        except Exception as error:  # noqa: BLE001 (a failed sign-in is a figure)
            return Sample("sign-in", time.monotonic() - started, None, repr(error))

    def send(self, person: Person, kind: str, target) -> tuple[int | None, str]:
        """Sends one request; updates the person's state from the answer."""
        session, base, period = person.session, self.base, self.period
        post = {"allow_redirects": False, "timeout": self.timeout}
        if kind == "fill":
            answer = session.get(
                f"{base}/reporting/periods/{period}/fill/",
                params={"page": person.page} if person.page > 1 else None,
                timeout=self.timeout,
            )
            if answer.status_code == 200 and person.project:
                found = re.search(rf'name="p{person.project}-version" value="(\d+)"', answer.text)
                if found:
                    with self.lock:
                        person.version = int(found.group(1))
        elif kind == "save":
            pk = person.project
            values = {
                "physical_percent": str(10 + next(self.counter) % 80),
                "workers": str(20 + next(self.counter) % 200),
                "physical_progress": "主体结构施工，完成第三层浇筑。",
                "next_steps": "下月完成主体封顶。",
                "problems": "",
            }
            if self.invested:
                values["invested"] = f"{100 + next(self.counter) % 900}.50"
            data = {f"p{pk}-{name}": value for name, value in values.items()}
            data[f"p{pk}-version"] = str(person.version or 0)
            answer = session.post(
                f"{base}/reporting/periods/{period}/fill/{pk}/",
                data=data,
                headers={"X-CSRFToken": person.csrf, "HX-Request": "true"},
                **post,
            )
            if answer.status_code == 200:
                report = re.search(r"/reporting/reports/(\d+)/", answer.text)
                with self.lock:
                    person.version = int(answer.headers.get("X-Report-Version", 0)) or None
                    person.report = int(report.group(1)) if report else person.report
                    person.draft = True
            elif answer.status_code == 409:
                with self.lock:
                    person.version = None  # read the fill page again
        elif kind == "submit":
            answer = session.post(
                f"{base}/reporting/reports/{person.report}/submit/",
                data={
                    "csrfmiddlewaretoken": person.csrf,
                    "next": f"/reporting/periods/{period}/fill/",
                },
                **post,
            )
            if answer.status_code == 302:
                with self.lock:
                    person.locked, person.draft, person.version = True, False, None
                    self.to_return.append(person)
        elif kind == "return":
            owner = target
            answer = session.post(
                f"{base}/reporting/reports/{owner.report}/return/",
                data={
                    "csrfmiddlewaretoken": person.csrf,
                    "reason": "请补充本月形象进度照片并核实完成投资。",
                    "next": "/projects/",
                },
                **post,
            )
            with self.lock:
                if answer.status_code == 302:
                    owner.locked, owner.version = False, None
                else:
                    self.to_return.append(owner)
        elif kind == "ledger":
            answer = session.get(f"{base}/projects/", timeout=self.timeout)
        elif kind == "dashboard":
            answer = session.get(f"{base}/dashboard/", timeout=self.timeout)
        else:
            raise ValueError(kind)
        snippet = ""
        if answer.status_code != EXPECTED[kind]:
            snippet = f"{kind} {answer.request.url} -> {answer.status_code}: " + re.sub(
                r"\s+", " ", answer.text[:300]
            )
        return answer.status_code, snippet

    def one(self, kind: str, scheduled: float) -> Sample:
        person, kind, target = self.take(kind)
        try:
            if time.monotonic() - person.answered > KEEPALIVE:
                # As nginx in front of gunicorn closes an idle connection before gunicorn does
                # (deploy/nginx: keepalive_timeout 4s, gunicorn's keep-alive 5 s), instead of
                # sending on one gunicorn may be closing (a reset, counted as an error).
                person.session.close()
            status, error = self.send(person, kind, target)
        except Exception as failure:  # noqa: BLE001 (a timeout or a refused connection)
            status, error = None, f"{kind}: {failure!r}"
            # No answer: whether it was done is unknown, so assume what heals either way (a
            # submit or return the server refuses still answers 302; a fill page reads the version).
            with self.lock:
                if kind == "save":
                    person.version = None
                elif kind == "submit":
                    person.locked, person.draft, person.version = True, False, None
                    self.to_return.append(person)
                elif kind == "return":
                    self.to_return.append(target)
        finally:
            person.answered = time.monotonic()
            self.give_back(person)
        return Sample(kind, time.monotonic() - scheduled, status, error)


def run_phase(crowd: Crowd, pool: ThreadPoolExecutor, rate: float, seconds: float, label: str):
    """Offers `rate` requests/s for `seconds` (open loop) and waits for the last answer."""
    moments = schedule(rate, seconds)
    kinds = interleave(MIX, len(moments))
    cpu_before, wall_before = time.process_time(), time.monotonic()
    server_before = sum(map(process_group_cpu, crowd.server_pgids))
    database_before = database_cpu()
    start = time.monotonic() + 0.2
    futures = []
    for moment, kind in zip(moments, kinds, strict=True):
        at = start + moment
        delay = at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        futures.append(pool.submit(crowd.one, kind, at))
    samples = [future.result() for future in futures]
    wall = time.monotonic() - start
    summary = summarise(samples, wall, rate)
    overall = summary["overall"]
    overall["client_cpu_s"] = round(time.process_time() - cpu_before, 1)
    overall["client_cpu_share"] = round(
        overall["client_cpu_s"] / (time.monotonic() - wall_before), 3
    )
    server_after = sum(map(process_group_cpu, crowd.server_pgids))
    overall["server_cpu_s"] = round(server_after - server_before, 1)
    overall["server_cpu_ms_per_request"] = (
        round(overall["server_cpu_s"] * 1000 / len(samples), 1) if samples else None
    )
    overall["database_cpu_s"] = round(database_cpu() - database_before, 1)
    overall["database_cpu_ms_per_request"] = (
        round(overall["database_cpu_s"] * 1000 / len(samples), 1) if samples else None
    )
    overall["load_average_1min"] = round(os.getloadavg()[0], 2)
    summary["label"] = label
    summary["failures"] = [s.error for s in samples if s.failed][:10]
    return summary


def print_table(summary: dict, target_ms: float | None = None) -> None:
    overall = summary["overall"]
    print(
        f"== {summary['label']}: {overall['offered_rps']} requests/s offered for "
        f"{overall['seconds']:.0f} s, {overall['achieved_rps']} answered as expected a second"
    )
    header = (
        f"   {'page':<10} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
    )
    print(header)
    print("   " + "-" * (len(header) - 3))
    rows = [*summary["pages"].items(), ("all", overall)]
    for name, row in rows:

        def ms(value):
            return "-" if value is None else f"{value:.0f}"

        line = (
            f"   {name:<10} {row['requests']:>8} {row['errors']:>6} {ms(row['p50_ms']):>8} "
            f"{ms(row['p95_ms']):>8} {ms(row['p99_ms']):>8}"
        )
        if target_ms is not None and name == "all" and row["p95_ms"] is not None:
            verdict = "met" if row["p95_ms"] < target_ms and row["errors"] == 0 else "NOT met"
            line += f"   target p95 < {target_ms} ms, 0 errors: {verdict}"
        print(line)
    print(
        f"   client CPU {overall['client_cpu_s']} s ({overall['client_cpu_share']:.0%} of one core)"
        f" on the same 2-core machine; server (gunicorn) CPU {overall['server_cpu_s']} s, "
        f"{overall['server_cpu_ms_per_request']} ms a request; database (PostgreSQL) CPU "
        f"{overall['database_cpu_s']} s, {overall['database_cpu_ms_per_request']} ms a request; "
        f"load average {overall['load_average_1min']}"
    )
    for failure in summary["failures"][:5]:
        print(f"   ! {failure}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/diaodu_load",
        help="the scratch database, dropped and made again",
    )  # fmt: skip
    parser.add_argument(
        "--province", action="store_true",
        help="use the database of --database-url as it is (a province generated by make bench, "
        "500,000 projects): not dropped, no demo; the run's accounts are added to it and the "
        "reports they file stay",
    )  # fmt: skip
    parser.add_argument(
        "--owners", type=int, default=None,
        help="owners simulated: one for each of the first N projects due (default: every "
        "project due in the demo; 100 in a --province)",
    )  # fmt: skip
    parser.add_argument(
        "--one-per-unit", action="store_true",
        help="the owners of one project due in each of --owners owner units drawn at random, "
        "instead of the owners of the first projects due (in the generated province, a few "
        "owners of thousands of projects each)",
    )  # fmt: skip
    parser.add_argument("--workers", type=int, default=4, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=4, help="threads a gunicorn process")
    parser.add_argument("--rate", type=float, default=40, help="requests/s offered")
    parser.add_argument("--duration", type=float, default=180, help="seconds the rate is held")
    parser.add_argument("--capacity", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--capacity-start", type=int, default=20)
    parser.add_argument("--capacity-step", type=int, default=20)
    parser.add_argument("--capacity-steps", type=int, default=8, help="at most this many")
    parser.add_argument("--capacity-seconds", type=float, default=30)
    parser.add_argument("--timeout", type=float, default=30, help="seconds a request may take")
    parser.add_argument(
        "--headquarters", type=int, default=HEADQUARTERS_USERS,
        help="headquarters users (each sends one request at a time)",
    )  # fmt: skip
    parser.add_argument(
        "--redis", default="redis://127.0.0.1:6379/12",
        help="a scratch Redis database (emptied) for the cache and the queue, with one queue "
        "worker beside the server; '' for neither (each process its own cache, tasks in the "
        "request)",
    )  # fmt: skip
    parser.add_argument("--output", default=str(RESULTS))
    parser.add_argument("--keep", action="store_true", help="keep the folder with the log")
    args = parser.parse_args()

    began, load_at_start = time.monotonic(), os.getloadavg()
    print(f"== make load, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores; "
          "the client runs on the same machine as the server; load average "
          f"{load_at_start[0]:.2f} before it starts")  # fmt: skip
    folder = Path(tempfile.mkdtemp(prefix="diaodu-load-"))
    env = production_env(folder, args.database_url, args.redis)
    log = folder / "server.log"
    server = worker = None
    try:
        if not args.province:
            recreate_database(args.database_url)
        if args.redis:
            recreate_redis(args.redis)
        # The city is made with its tasks run in place (the demo's bulletin written before the
        # load starts, not by the worker during it).
        setup = {key: value for key, value in env.items() if key != "DIAODU_BROKER_URL"}
        quiet = {"stdout": subprocess.DEVNULL, "cwd": ROOT, "env": setup, "check": True}
        subprocess.run([*MANAGE, "migrate", "--noinput", "-v0"], **quiet)
        if not args.province:
            subprocess.run([*MANAGE, "demo"], **quiet)
        subprocess.run([*MANAGE, "collectstatic", "--noinput", "-v0"], **quiet)
        owners_wanted = args.owners or (100 if args.province else None)
        code = SETUP % {
            "password": PASSWORD,
            "headquarters": args.headquarters,
            "owners": owners_wanted,
            "spread": args.one_per_unit,
            "prefix": PREFIX,
        }
        printed = subprocess.run(
            [*MANAGE, "shell", "-v0", "-c", code], cwd=ROOT, env=setup, check=True,
            capture_output=True, text=True,
        ).stdout  # fmt: skip
        city = json.loads(printed.strip().splitlines()[-1])
        print(
            f"== {'province' if args.province else 'demo city'} in {args.database_url} "
            f"({time.monotonic() - began:.0f} s): period "
            f"{city['period_name']}, {len(city['owners'])} owners (one a project"
            f"{', each of another unit' if args.one_per_unit else ''}), "
            f"{len(city['headquarters'])} headquarters users"
        )

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with log.open("w") as out:
            server = subprocess.Popen(
                [*MANAGE, "serve", "--host", "127.0.0.1", "--port", str(port),
                 "--workers", str(args.workers), "--threads", str(args.threads)],
                env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        if args.redis:  # its CPU counts with the server's, it stops with it
            with (folder / "worker.log").open("w") as out:
                worker = subprocess.Popen(
                    [str(Path(sys.executable).parent / "celery"), "-A", "diaodu", "worker",
                     "-l", "warning", "--concurrency", "1", "--without-heartbeat",
                     "--without-gossip", "--without-mingle"],
                    env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                    start_new_session=True,
                )  # fmt: skip
        if not wait_until_up(f"{base}/login/", server):
            print(f"== the server did not start; its log:\n{log.read_text(errors='replace')}")
            return 1
        print(
            f"== gunicorn on {base}: {args.workers} workers, {args.threads} threads each"
            + (f"; cache and queue in {args.redis}, one queue worker" if args.redis else "")
        )

        owners = [
            Person(
                o["username"], project=o["project"], report=o["report"],
                version=o["version"], locked=o["status"] in ("submitted", "approved"),
                draft=o["status"] in ("draft", "returned"), page=o["page"],
            )
            for o in city["owners"]
        ]  # fmt: skip
        crowd = Crowd(
            base, city["period"], city["invested"], args.timeout, owners,
            [Person(name) for name in city["headquarters"]],
        )  # fmt: skip
        crowd.to_return.extend(
            p for p, o in zip(owners, city["owners"], strict=True) if o["status"] == "submitted"
        )
        crowd.server_pgids = (server.pid,) + ((worker.pid,) if worker else ())
        everyone = owners + crowd.headquarters
        with ThreadPoolExecutor(max_workers=256) as pool:
            with ThreadPoolExecutor(max_workers=4) as signing:
                signed = list(signing.map(crowd.sign_in, everyone))
            sign_in = summarise(signed, 0)["pages"]["sign-in"]
            print(
                f"== {len(everyone)} sign-ins (4 at a time): {sign_in['errors']} failed, "
                f"p50 {sign_in['p50_ms']} ms, p95 {sign_in['p95_ms']} ms"
            )
            results = {
                "date": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": f"{os.cpu_count()} cores, client and server on the same machine",
                "load_average_at_start": [round(x, 2) for x in load_at_start],
                "commit": git("rev-parse", "--short", "HEAD"),
                "uncommitted": git("status", "--porcelain", "--untracked-files=no").splitlines(),
                "database": "PostgreSQL",
                "province": args.province,
                "redis": bool(args.redis),
                "workers": args.workers,
                "threads": args.threads,
                "city": {"owners": len(owners), "headquarters": len(crowd.headquarters),
                         "period": city["period_name"], "one_per_unit": args.one_per_unit},
                "mix": dict(MIX),
                "sign_in": sign_in,
            }  # fmt: skip
            if sign_in["errors"]:
                print("   " + "\n   ".join(s.error or str(s.status) for s in signed if s.failed))
                return 1

            # The surge comes on a working day: headquarters has opened the dashboard and the
            # ledger before it, so their figures are kept (as the queue keeps them after each
            # burst of changes), not computed by the first dozen requests at once.
            warmed = []
            for kind in ("dashboard", "ledger"):
                started = time.monotonic()
                status, _snippet = crowd.send(crowd.headquarters[0], kind, None)
                warmed.append(f"{kind} {status} in {time.monotonic() - started:.1f} s")
            print("== before the surge, headquarters opens " + ", ".join(warmed))
            results["warmed"] = warmed

            held = run_phase(crowd, pool, args.rate, args.duration, "held rate")
            target = TARGETS["province" if args.province else "city"]
            print_table(held, target["p95_ms"])
            results["held"] = held
            results["target"] = {**target, "errors": 0}
            if args.capacity:
                rates = capacity_rates(args.capacity_start, args.capacity_step, args.capacity_steps)

                def step(rate):
                    summary = run_phase(crowd, pool, rate, args.capacity_seconds, f"step {rate}")
                    print_table(summary)
                    return summary

                capacity, steps = search_capacity(step, rates)
                results["capacity_rps"] = capacity
                results["capacity_steps"] = steps
                reached = "the last step held" if steps and step_holds(steps[-1]) else ""
                verdict = "met" if (capacity or 0) >= target["capacity_rps"] else "NOT met"
                print(
                    f"== capacity (p95 within {CAPACITY_P95_MS} ms, no error): "
                    f"{capacity or 'below ' + str(rates[0])} requests/s {reached}  "
                    f"target >= {target['capacity_rps']}: {verdict}"
                )
        phases = [held, *results.get("capacity_steps", [])]
        sent = {
            kind: sum(
                p["pages"].get(kind, {}).get("requests", 0)
                - p["pages"].get(kind, {}).get("errors", 0)
                for p in phases
            )
            for kind in ("submit", "return")
        }
        printed = subprocess.run(
            [*MANAGE, "shell", "-v0", "-c", RECORDED % {"prefix": PREFIX}], cwd=ROOT, env=env,
            check=True,
            capture_output=True, text=True,
        ).stdout  # fmt: skip
        recorded = json.loads(printed.strip().splitlines()[-1])
        results["transitions"] = {"answered_302": sent, "recorded": recorded}
        print(
            f"== submits and returns answered 302: {sent['submit']} and {sent['return']}; "
            f"recorded by the database: {recorded['submit']} and {recorded['return']}"
            + ("" if sent == recorded else "   ! some were refused (see the pages' messages)")
        )
        results["seconds"] = round(time.monotonic() - began)
        output = Path(args.output)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(results, ensure_ascii=False, indent=2))
        print(f"== written to {output}; in all {results['seconds']} s")

        five = sum(p["overall"]["server_errors"] for p in phases)
        tracebacks = server_errors(log)
        if tracebacks:
            print("== server errors logged\n" + tracebacks)
        if five:
            print(f"== {five} requests answered 5xx")
            return 1
        return 0
    finally:
        for process in (server, worker):
            if process is not None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
        if args.keep:
            print(f"== kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def git(*command: str) -> str:
    done = subprocess.run(["git", *command], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.rstrip("\n")


def wait_until_up(url: str, server: subprocess.Popen, seconds: float = 60) -> bool:
    import requests

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.5)
    return False


if __name__ == "__main__":
    sys.exit(main())
