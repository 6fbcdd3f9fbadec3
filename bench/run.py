"""The benchmark harness: seed (or reuse) a large dataset, serve the real app, drive it with wrk.

    python -m bench.run                     # SQLite, then PostgreSQL if it answers on 127.0.0.1:5432
    python -m bench.run --db sqlite         # one database only (sqlite, postgresql or both)
    python -m bench.run --sizes small --only search
    DATABASE_URL=postgresql://... python -m bench.run --sizes large   # that database only

Each database gets 100k ideas / 1M votes, then a 10x smaller set for growth. SQLite keeps them
under bench/data, PostgreSQL in the databases cocreate_bench_large and cocreate_bench_small
(BENCH_POSTGRES_URL names another server or base name), created when missing; a dataset of the
right size is reused, one of another size is dropped and seeded again. One results JSON per
database is written to bench/results/, and `python -m bench.readme` turns them into the README's
tables.

The machine may be shared and noisy, so every scenario runs in alternating rounds with a bare
Flask hello-world served by the same gunicorn settings (A B A B ...); what is reported is the
median of the per-round throughput ratios, with their min and max. See README, "Performance".
"""

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy import make_url

from bench.client import App, free_port, sign_in, wait_for_port
from bench.readme import report_tables
from bench.targets import TARGETS

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DATA = ROOT / "bench" / "data"
FLASK = [sys.executable, "-m", "flask", "--app", "wsgi"]

SIZES = {
    "large": {"ideas": 100_000, "votes": 1_000_000, "comments": 300_000, "users": 20_000},
    "small": {"ideas": 10_000, "votes": 100_000, "comments": 30_000, "users": 2_000},
}
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/cocreate_bench"
VOTE_SCRIPT = ROOT / "bench" / "vote_toggle.lua"
SPREAD_SCRIPT = ROOT / "bench" / "spread.lua"
# Members whose API tokens toggle votes in the spread scenarios (bench accounts user<N>@example.com).
VOTERS = 10


@dataclass
class Scenario:
    name: str
    label: str
    path: str
    who: str = "anonymous"  # anonymous | member | staff | token
    script: Path | None = None
    env: dict[str, str] = field(default_factory=dict)


def scenarios(thread_idea: int) -> list[Scenario]:
    return [
        Scenario("ideas_anonymous", "Idea list, anonymous (trending, page 1)", "/ideas/"),
        Scenario("ideas_signed_in", "Idea list, signed in", "/ideas/", "member"),
        Scenario("ideas_page_200", "Idea list, page 200", "/ideas/?page=200"),
        Scenario("search", "Search", "/ideas/?q=export+reports"),
        Scenario("idea_page_anonymous", "Idea page, 50 comments, anonymous", f"/ideas/{thread_idea}"),
        Scenario(
            "idea_page_signed_in", "Idea page, 50 comments, signed in", f"/ideas/{thread_idea}", "member"
        ),
        Scenario("vote_toggle", "Vote toggle (API)", "/api/v1/ideas/1/vote", "token", VOTE_SCRIPT),
        Scenario("staff_dashboard", "Staff dashboard", "/staff", "staff"),
        Scenario("roadmap", "Roadmap", "/roadmap"),
        # Spread over 2,000 idea pages and 50 list pages, as real traffic is (the page cache rarely
        # holds the one page asked for), with and without vote toggles in between.
        Scenario("spread_anonymous", "Spread reads, anonymous", "/", script=SPREAD_SCRIPT),
        Scenario(
            "spread_anonymous_votes",
            "Spread reads, anonymous, 10% votes",
            "/",
            script=SPREAD_SCRIPT,
            env={"BENCH_VOTE_SHARE": "0.1"},
        ),
        Scenario(
            "spread_signed_in_votes",
            "Spread reads, signed in, 10% votes",
            "/",
            "member",
            SPREAD_SCRIPT,
            env={"BENCH_VOTE_SHARE": "0.1", "BENCH_TOKENS_FROM": "member"},
        ),
        Scenario(
            "search_varied", "Search, varied terms", "/", script=SPREAD_SCRIPT, env={"BENCH_SEARCH": "1"}
        ),
    ]


@dataclass
class Measure:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


@dataclass
class Result:
    name: str
    label: str
    rps: float
    p50_ms: float
    p99_ms: float
    ratio: float
    ratio_min: float
    ratio_max: float
    errors: int
    target: float | None = None
    rounds: list[dict] = field(default_factory=list)


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value.strip()).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def run_wrk(
    url: str, seconds: int, headers: list[str], script: Path | None = None, env: dict | None = None
) -> Measure:
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--timeout", "10s", "--latency"]
    for header in headers:
        command += ["-H", header]
    if script:
        command += ["-s", str(script)]
    out = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, env={**os.environ, **(env or {})}
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = int(bad.group(1)) if bad else 0
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return Measure(rps, p50, p99, errors)


@dataclass(frozen=True)
class Database:
    """Where the datasets live: SQLite files under bench/data, or PostgreSQL databases."""

    kind: str  # sqlite | postgresql
    url: str | None = None  # the base URL (PostgreSQL), or the one database DATABASE_URL names
    explicit: bool = False  # named by DATABASE_URL: one dataset, never dropped

    @property
    def tag(self) -> str:
        return "pg" if self.kind == "postgresql" else "sqlite"

    def url_for(self, size: str) -> str:
        if self.explicit:
            return self.url
        if self.kind == "sqlite":
            return f"sqlite:///{DATA / f'bench-{size}.db'}"
        base = make_url(self.url)
        return base.set(database=f"{base.database}_{size}").render_as_string(hide_password=False)


def postgres_answers(url: str, timeout: float = 2.0) -> bool:
    """Whether the PostgreSQL server of `url` accepts a connection within `timeout` seconds."""
    try:
        with psycopg.connect(_server_url(url), connect_timeout=max(1, round(timeout))):
            return True
    except psycopg.Error:
        return False


def _server_url(url: str, database: str = "postgres") -> str:
    """`url` on the server's maintenance database, in the form psycopg takes."""
    return make_url(url).set(drivername="postgresql", database=database).render_as_string(hide_password=False)


def choose_databases(
    choice: str, database_url: str | None, postgres_url: str, answers=postgres_answers
) -> tuple[list[Database], str | None]:
    """The databases to measure, and a note on one left out; SystemExit when none can run."""
    if database_url:
        kind = "postgresql" if database_url.startswith("postgres") else "sqlite"
        return [Database(kind, database_url, explicit=True)], None
    chosen = [] if choice == "postgresql" else [Database("sqlite")]
    if choice == "sqlite":
        return chosen, None
    if answers(postgres_url):
        return [*chosen, Database("postgresql", postgres_url)], None
    where = make_url(postgres_url).render_as_string(hide_password=True)
    if choice == "postgresql":
        raise SystemExit(f"PostgreSQL does not answer at {where}; start it or set BENCH_POSTGRES_URL.")
    return chosen, f"PostgreSQL does not answer at {where}: measuring SQLite only."


def dataset_action(found: dict | None, size: str, explicit: bool) -> str:
    """`reuse`, `seed` (empty) or `reset` (drop, then seed) for a database holding `found` rows."""
    if found is None:
        return "seed"
    if found["users"] == 0:
        return "seed"
    wanted = SIZES[size]
    # A dataset seeded before the latest migration has an older schema: it is seeded again.
    current = found.get("current", True)
    if current and found["users"] == wanted["users"] and found["ideas"] == wanted["ideas"]:
        return "reuse"
    if explicit:
        raise SystemExit(
            f"The database holds {found['ideas']:,} ideas and {found['users']:,} members, not the {size} "
            f"dataset ({wanted['ideas']:,} and {wanted['users']:,}); empty it or pass the other size."
            if current
            else "The database was seeded before the latest migration; empty it to seed it again."
        )
    return "reset"


def dataset_counts(env: dict) -> dict | None:
    """Members and ideas in the database of `env`'s DATABASE_URL, and whether its schema is the
    latest migration's; None when it has no tables yet."""
    probe = (
        "import json\nfrom alembic.config import Config\nfrom alembic.script import ScriptDirectory\n"
        "from sqlalchemy import func, select, text\nfrom app import create_app\n"
        "from app.extensions import db\nfrom app.models.idea import Idea\nfrom app.models.user import User\n"
        "app = create_app()\nwith app.app_context():\n"
        "    count = lambda column: db.session.scalar(select(func.count(column)))\n"
        "    try:\n"
        "        revision = db.session.scalar(text('SELECT version_num FROM alembic_version'))\n"
        "    except Exception:\n"
        "        db.session.rollback()  # PostgreSQL refuses further statements until then\n"
        "        revision = None\n"
        "    config = Config()\n"
        "    config.set_main_option('script_location', 'migrations')\n"
        "    head = ScriptDirectory.from_config(config).get_current_head()\n"
        "    found = {'users': count(User.id), 'ideas': count(Idea.id), 'current': revision == head}\n"
        "    print(json.dumps(found))"
    )
    out = subprocess.run([sys.executable, "-c", probe], env=env, cwd=ROOT, capture_output=True, text=True)
    lines = out.stdout.strip().splitlines()
    if out.returncode != 0 or not lines:
        return None
    # The last line: the app may log before it.
    return json.loads(lines[-1])


def _recreate(database: Database, url: str) -> None:
    if database.kind == "sqlite":
        path = Path(make_url(url).database)
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        return
    _drop_postgres(url)
    _create_postgres(url)


def _create_postgres(url: str) -> None:
    name = make_url(url).database
    with psycopg.connect(_server_url(url), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _drop_postgres(url: str) -> None:
    with psycopg.connect(_server_url(url), autocommit=True) as conn:
        name = sql.Identifier(make_url(url).database)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))


def seed_database(size: str, database: Database, env: dict) -> str:
    """The dataset's database URL, seeded when empty or of another size, reused when it matches."""
    url = database.url_for(size)
    if database.kind == "sqlite":
        DATA.mkdir(parents=True, exist_ok=True)
    elif not database.explicit:
        _create_postgres(url)
    env = {**env, "DATABASE_URL": url}
    action = dataset_action(dataset_counts(env), size, database.explicit)
    shown = make_url(url).render_as_string(hide_password=True)
    if action == "reuse":
        print(f"Reusing the {size} dataset at {shown}", flush=True)
        return url
    if action == "reset":
        print(f"{shown} holds another dataset: emptying it.", flush=True)
        _recreate(database, url)
    subprocess.run([*FLASK, "db", "upgrade"], env=env, check=True, cwd=ROOT, capture_output=True)
    counts = [f"--{key}={value}" for key, value in SIZES[size].items()]
    print(f"Seeding the {size} dataset ({', '.join(counts)}) into {shown} ...", flush=True)
    subprocess.run([*FLASK, "bench-seed", *counts], env=env, check=True, cwd=ROOT)
    return url


def bench_size(size: str, database: Database, args, env: dict) -> dict:
    database_url = seed_database(size, database, env)
    env = {**env, "DATABASE_URL": database_url}
    hello = App("bench.hello:app", free_port(), env, args.workers)
    app = App("wsgi:app", free_port(), env, args.workers)
    with hello, app:
        wait_for_port(hello.port)
        wait_for_port(app.port)
        headers = {
            "anonymous": [],
            "member": [f"Cookie: {sign_in(app.port, 'bench-member@example.com')}"],
            "staff": [f"Cookie: {sign_in(app.port, 'bench-pm@example.com')}"],
            "token": [f"Authorization: Bearer {app.token('bench-member@example.com')}"],
        }
        thread_idea = app.thread_idea()
        # Votes go to open ideas only: declined and merged ones answer 409, which would measure nothing.
        os.environ["BENCH_VOTE_IDS"] = app.open_idea_ids()  # read by vote_toggle.lua under wrk
        os.environ["BENCH_READ_IDS"] = app.idea_ids(2000)  # read by spread.lua
        voter_tokens = ",".join(app.token(f"user{100 + n}@example.com") for n in range(VOTERS))
        member_token = headers["token"][0].split(" ", 2)[2]
        results = []
        for scenario in scenarios(thread_idea):
            if args.only and scenario.name not in args.only:
                continue
            if scenario.script == SPREAD_SCRIPT:
                mine = scenario.env.get("BENCH_TOKENS_FROM") == "member"
                scenario.env["BENCH_TOKENS"] = member_token if mine else voter_tokens
            results.append(run_scenario(scenario, hello, app, headers[scenario.who], args))
        rss = app.worker_rss_mb()
    return {"size": size, "counts": SIZES[size], "database": database.kind,
            "worker_rss_mb": rss, "results": [asdict(r) for r in results]}  # fmt: skip


def run_scenario(scenario: Scenario, hello: App, app: App, headers: list[str], args) -> Result:
    url = f"http://127.0.0.1:{app.port}{scenario.path}"
    hello_url = f"http://127.0.0.1:{hello.port}/"
    run_wrk(url, args.warmup, headers, scenario.script, scenario.env)
    run_wrk(hello_url, args.warmup, [])
    rounds = []
    for _ in range(args.rounds):
        base = run_wrk(hello_url, args.seconds, [])
        measured = run_wrk(url, args.seconds, headers, scenario.script, scenario.env)
        rounds.append({"hello_rps": base.rps, **asdict(measured), "ratio": measured.rps / base.rps})
    ratios = [r["ratio"] for r in rounds]
    result = Result(
        name=scenario.name,
        label=scenario.label,
        rps=statistics.median(r["rps"] for r in rounds),
        p50_ms=statistics.median(r["p50_ms"] for r in rounds),
        p99_ms=statistics.median(r["p99_ms"] for r in rounds),
        ratio=statistics.median(ratios),
        ratio_min=min(ratios),
        ratio_max=max(ratios),
        errors=sum(r["errors"] for r in rounds),
        target=TARGETS.get(scenario.name),
        rounds=rounds,
    )
    print(f"  {result.label:<40} {result.rps:8.0f} req/s  ratio {result.ratio:.2f}", flush=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both",
                        help="the databases to measure (both: PostgreSQL when it answers)")  # fmt: skip
    parser.add_argument("--sizes", nargs="+", choices=list(SIZES), default=["large", "small"])
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds per scenario (at least 5)")
    parser.add_argument("--seconds", type=int, default=3, help="seconds per round")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per scenario")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (both servers)")
    parser.add_argument("--only", nargs="*", help="run only these scenarios (names as in the JSON)")
    args = parser.parse_args()
    names = {scenario.name for scenario in scenarios(1)}
    unknown = sorted(set(args.only or []) - names)
    if unknown:
        parser.error(f"no scenario named {', '.join(unknown)}; choose from {', '.join(sorted(names))}")
    if shutil.which("wrk") is None:
        print("wrk is not installed. On Debian or Ubuntu: sudo apt-get install wrk", file=sys.stderr)
        return 2
    database_url = os.environ.get("DATABASE_URL")
    if database_url and len(args.sizes) > 1:
        print(
            "With DATABASE_URL set, pass one size (--sizes large or small): one database holds one dataset."
        )
        return 2
    postgres_url = os.environ.get("BENCH_POSTGRES_URL") or POSTGRES_URL
    databases, note = choose_databases(args.db, database_url, postgres_url)
    if note:
        print(note, flush=True)
    env = {
        **os.environ,
        "COCREATE_ENV": "production",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-" + os.urandom(16).hex(),
        "INSTANCE_PATH": tempfile.mkdtemp(prefix="cocreate-bench-"),
        # The limiter stays in the path; the limits are raised so wrk measures work, not 429s.
        "RATELIMIT_VOTES": "1000000 per minute",
        "RATELIMIT_SIGNIN_IP": "1000 per minute",
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    written = []
    for database in databases:
        report = {
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "system": platform.platform(),
            },
            "settings": {k: getattr(args, k) for k in ("rounds", "seconds", "warmup", "workers")},
            "runs": [],
        }
        for size in args.sizes:
            print(f"\n== {database.kind}, {size} dataset ==", flush=True)
            report["runs"].append(bench_size(size, database, args, env))
        out = RESULTS / f"{stamp}-{database.tag}.json"
        out.write_text(json.dumps(report, indent=2))
        written.append((out, report))
    for out, report in written:
        print("\n" + report_tables(report, str(out.relative_to(ROOT))))
    paths = " ".join(str(out.relative_to(ROOT)) for out, _ in written)
    print(f"\nWritten to {paths}\nREADME tables: python -m bench.readme {paths}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
