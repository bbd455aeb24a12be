"""Property-based run of the API with schemathesis: no request may answer a server error (5xx).

The demo city is built in a fresh SQLite database in a temporary folder, the application is
served there by gunicorn (`diaodu serve`, development mode) on a free port of 127.0.0.1, and
schemathesis reads /api/schema/ and sends what the schema allows (and what it does not) as a
headquarters user, then as a district user. Each run is bounded in examples per operation
and in time; the seed is fixed, so a run can be repeated. Exits 1 on any server error.

    .venv/bin/python scripts/api_fuzz.py            # about four minutes (make fuzz)
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
USERS = [("hq", 0.6), ("jiefang", 0.4)]
TOKENS = """
import json
from rest_framework.authtoken.models import Token
from diaodu.org.models import User
print(json.dumps({u: Token.objects.get_or_create(user=User.objects.get(username=u))[0].key
                  for u in %r}))
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-time", type=int, default=180, help="seconds for all users")
    parser.add_argument("--max-examples", type=int, default=15, help="per operation")
    parser.add_argument("--seed", type=int, default=22)
    parser.add_argument("--phases", default="coverage,fuzzing,stateful")
    parser.add_argument("--keep", action="store_true", help="keep the folder with the logs")
    args = parser.parse_args()

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
            [*MANAGE, "shell", "-v0", "-c", TOKENS % names],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        tokens = json.loads(printed.strip().splitlines()[-1])
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

        failed = []
        for name, share in USERS:
            seconds = max(10, int(args.max_time * share))
            print(f"== schemathesis as {name} ({seconds} s at most)", flush=True)
            command = [
                str(BIN / "st"), "run", f"{base}/api/schema/",
                "--header", f"Authorization: Token {tokens[name]}",
                "--checks", "not_a_server_error",
                "--phases", args.phases,
                "--max-examples", str(args.max_examples),
                "--max-time", str(seconds),
                "--seed", str(args.seed),
                "--workers", "1",
                "--generation-database", "none",
                "--request-timeout", "60",
                "--no-color",
                "--report", "junit",
                "--report-dir", str(folder / f"report-{name}"),
            ]  # fmt: skip
            if subprocess.run(command, cwd=folder, env=env).returncode != 0:
                failed.append(name)
        if failed:
            print(f"== server errors (or requests that failed) as {', '.join(failed)}")
            print(server_errors(log))
            return 1
        print("== no server error")
        return 0
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
