"""Property-based run of the API with schemathesis: no server error, and every answer as documented.

The demo city is built in a fresh SQLite database in a temporary folder, the application is
served there by gunicorn (`diaodu serve`, development mode) on a free port of 127.0.0.1, and
schemathesis reads /api/schema/ and sends what the schema allows (and what it does not) as
headquarters, a district and a project owner, with the ids of the demo's objects in paths,
bodies and filters (scripts/api_fuzz_hooks.py). Every answer is checked (CHECKS): no server
error (5xx), a documented status code, a documented content type, and headers and body as the
schema describes them for that code. Each run is bounded in time (and in examples an operation
for each pass); the seed is fixed, so a run can be repeated. It prints, for each user, the cases
sent, the operations tried and what failed, and exits 1 on any failure.

    .venv/bin/python scripts/api_fuzz.py            # four and a half minutes (make fuzz)
    .venv/bin/python scripts/api_fuzz.py --seed 7 --max-time 60 --keep
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MANAGE = [sys.executable, str(ROOT / "manage.py")]

# Who the API is tried as: a demo account and the share of the time budget it gets.
USERS = [("hq", 0.5), ("jiefang", 0.3), ("owner", 0.2)]
# What every answer is checked for (schemathesis's names).
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
]
# The users' tokens, and the ids the hooks put in requests: every object of each API resource
# and of each model (at most 500 a model), and the years of the programmes.
DEMO = """
import json
from django.apps import apps
from rest_framework.authtoken.models import Token
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory
from diaodu.api_urls import router
from diaodu.org.models import User
from diaodu.projects.models import Program

hq = User.objects.get(username="hq")

def model_of(viewset):
    view = viewset(action="list", kwargs={}, format_kwarg=None)
    view.request = Request(APIRequestFactory().get("/"))
    view.request.user = hq
    return view.get_queryset().model

def ids(model):
    return list(model._base_manager.order_by("pk").values_list("pk", flat=True)[:500])

print(json.dumps({
    "tokens": {u: Token.objects.get_or_create(user=User.objects.get(username=u))[0].key
               for u in %r},
    "resources": {prefix: ids(model_of(viewset)) for prefix, viewset, _ in router.registry},
    "models": {m._meta.label: ids(m) for m in apps.get_models()
               if m.__module__.startswith("diaodu.")},
    "years": sorted(set(Program.objects.values_list("year", flat=True))),
}))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, token: str, seconds: float = 60) -> None:
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"The application did not answer at {url} within {seconds:.0f} s.")
        time.sleep(0.5)


def run(command, env, **kwargs):
    started = time.monotonic()
    subprocess.run(command, env=env, check=True, **kwargs)
    return time.monotonic() - started


def server_errors(log: Path) -> str:
    """The tracebacks the application logged, for the report."""
    lines = log.read_text(errors="replace").splitlines()
    out, keep = [], False
    for line in lines:
        if " ERROR django.request " in line:
            keep = True
        elif keep and line[:4].isdigit():  # the next log record
            keep = False
        if keep:
            out.append(line)
    return "\n".join(out[-200:])


def summary(report: Path) -> tuple[dict, list[str]]:
    """The figures of one schemathesis run (its JSON report) and its failures, one a line."""
    data = json.loads(report.read_text())
    figures = {
        "cases": data["test_cases"]["generated"],
        "operations": data["operations"]["tested"],
        "of": data["operations"]["selected"],
        "seconds": round(data["running_time"]),
    }
    failures = [
        f"{failure['code']} {failure['title']} ({failure['count']}): "
        + ", ".join(failure["operations"])
        for failure in data["failures"]
    ]
    failures += [f"error: {json.dumps(error, ensure_ascii=False)}" for error in data["errors"]]
    return figures, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-time", type=int, default=240, help="seconds for all users")
    parser.add_argument("--max-examples", type=int, default=15, help="per operation and pass")
    parser.add_argument("--seed", type=int, default=22)
    parser.add_argument("--phases", default="coverage,fuzzing,stateful")
    parser.add_argument("--keep", action="store_true", help="keep the folder with the logs")
    args = parser.parse_args()

    started = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="diaodu-fuzz-"))
    env = {
        **os.environ,
        "DIAODU_DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{folder / 'fuzz.sqlite3'}",
        "DIAODU_MEDIA_ROOT": str(folder / "media"),
        # Thousands of requests a minute: no throttling (a 429 would hide what lies behind it).
        "DIAODU_API_RATE_USER": "off",
        "DIAODU_API_RATE_ANON": "off",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DIAODU_BROKER_URL", None)  # background tasks in-process
    server = None
    log = folder / "server.log"
    try:
        quiet = {"stdout": subprocess.DEVNULL}
        took = run([*MANAGE, "migrate", "--noinput", "-v0"], env, cwd=ROOT)
        took += run([*MANAGE, "demo"], env, cwd=ROOT, **quiet)
        names = [name for name, _share in USERS]
        printed = subprocess.run(
            [*MANAGE, "shell", "-v0", "-c", DEMO % names],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        demo = json.loads(printed.strip().splitlines()[-1])
        tokens = demo.pop("tokens")
        ids = folder / "ids.json"
        ids.write_text(json.dumps(demo))
        print(f"== demo city in {folder} ({took:.0f} s)", flush=True)

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with log.open("w") as out:
            # One process, one thread: requests one at a time, as SQLite likes them.
            serve = ["serve", "--host", "127.0.0.1", "--port", str(port), "--timeout", "120"]
            server = subprocess.Popen(
                [*MANAGE, *serve, "--workers", "1", "--threads", "1"],
                env=env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until_up(f"{base}/api/schema/", tokens[names[0]])

        hooks = {
            **env,
            "SCHEMATHESIS_HOOKS": str(ROOT / "scripts" / "api_fuzz_hooks.py"),
            "DIAODU_FUZZ_IDS": str(ids),
        }
        results = {}
        for name, share in USERS:
            seconds = max(10, int(args.max_time * share))
            print(f"== schemathesis as {name} ({seconds} s)", flush=True)
            report = folder / f"report-{name}.json"
            command = [
                str(BIN / "st"), "run", f"{base}/api/schema/",
                "--header", f"Authorization: Token {tokens[name]}",
                "--checks", ",".join(CHECKS),
                "--phases", args.phases,
                "--max-examples", str(args.max_examples),
                "--max-time", str(seconds),
                "--seed", str(args.seed),
                "--workers", "1",
                "--generation-database", "none",
                "--request-timeout", "60",
                "--continue-on-failure",
                "--no-color",
                "--report", "json",
                "--report-json-path", str(report),
            ]  # fmt: skip
            code = subprocess.run(command, cwd=folder, env=hooks).returncode
            if report.exists():
                results[name] = (code, *summary(report))
            else:
                results[name] = (code, {}, [f"schemathesis stopped ({code}) without a report"])

        print("== make fuzz: checks " + ", ".join(CHECKS))
        failed = False
        for name, (code, figures, failures) in results.items():
            if figures:
                print(
                    f"   {name}: {figures['cases']} cases, {figures['operations']} of "
                    f"{figures['of']} operations, {figures['seconds']} s: "
                    f"{len(failures) or 'no'} failure{'s' * (len(failures) != 1)}"
                )
            for failure in failures:
                print(f"     {failure}")
            failed = failed or code != 0 or bool(failures)
        print(f"   in all {time.monotonic() - started:.0f} s, the demo city included")
        tracebacks = server_errors(log)
        if tracebacks:
            print("== server errors")
            print(tracebacks)
        print("== failed" if failed else "== every answer as documented, no server error")
        return 1 if failed else 0
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        if args.keep:
            print(f"== kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
