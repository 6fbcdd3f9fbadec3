"""The benchmark harness: seed (or reuse) a large dataset, serve the real app, drive it with wrk.

    python -m bench.run                     # 100k ideas / 1M votes, then a 10x smaller set for growth
    python -m bench.run --sizes large       # one dataset only
    DATABASE_URL=postgresql://... python -m bench.run

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

from bench.client import App, free_port, sign_in, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DATA = ROOT / "bench" / "data"
FLASK = [sys.executable, "-m", "flask", "--app", "wsgi"]

SIZES = {
    "large": {"ideas": 100_000, "votes": 1_000_000, "comments": 300_000, "users": 20_000},
    "small": {"ideas": 10_000, "votes": 100_000, "comments": 30_000, "users": 2_000},
}
# Reached as a ratio of hello-world throughput in the same run (README, "Performance").
TARGETS = {
    "ideas_anonymous": 0.50,
    "ideas_signed_in": 0.25,
    "idea_page_signed_in": 0.20,
    "vote_toggle": 0.30,
    "search": 0.15,
    "staff_dashboard": 0.10,
}
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


def seed_database(size: str, database_url: str | None, env: dict) -> str:
    """The dataset's database URL, seeded on first use (SQLite files are kept under bench/data)."""
    if database_url is None:
        DATA.mkdir(parents=True, exist_ok=True)
        path = DATA / f"bench-{size}.db"
        database_url = f"sqlite:///{path}"
        fresh = not path.exists()
    else:
        fresh = True
    env = {**env, "DATABASE_URL": database_url}
    subprocess.run([*FLASK, "db", "upgrade"], env=env, check=True, cwd=ROOT, capture_output=True)
    counts = [f"--{key}={value}" for key, value in SIZES[size].items()]
    if fresh or not _has_users(env):
        print(f"Seeding the {size} dataset ({', '.join(counts)}) ...", flush=True)
        subprocess.run([*FLASK, "bench-seed", *counts], env=env, check=True, cwd=ROOT)
    else:
        print(f"Reusing the {size} dataset at {database_url}", flush=True)
    return database_url


def _has_users(env: dict) -> bool:
    probe = "from app import create_app; from app.services.accounts import count_users\n" \
            "app = create_app()\nwith app.app_context(): print(count_users())"  # fmt: skip
    out = subprocess.run([sys.executable, "-c", probe], env=env, cwd=ROOT, capture_output=True, text=True)
    return out.returncode == 0 and out.stdout.strip().isdigit() and int(out.stdout.strip()) > 0


def bench_size(size: str, args, env: dict) -> dict:
    database_url = seed_database(size, args.database_url, env)
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
    return {"size": size, "counts": SIZES[size], "database": database_url.split(":")[0],
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


def table(report: dict) -> str:
    lines = []
    sizes = {run["size"]: run for run in report["runs"]}
    small = {r["name"]: r for r in sizes["small"]["results"]} if "small" in sizes else {}
    for run in report["runs"]:
        counts = run["counts"]
        lines.append(
            f"\n{run['size']} dataset: {counts['ideas']:,} ideas, {counts['votes']:,} votes, "
            f"{counts['comments']:,} comments ({run['database']}); worker RSS {run['worker_rss_mb']:.0f} MB"
        )
        hello = statistics.median(r["hello_rps"] for res in run["results"] for r in res["rounds"])
        lines.append(f"hello-world ceiling: {hello:,.0f} req/s (median over all rounds)\n")
        lines.append("| Scenario | req/s | p50 ms | p99 ms | ratio (min–max) | target | growth p50 |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|")
        for res in run["results"]:
            target = (
                f"≥ {res['target']:.2f} {'✓' if res['ratio'] >= res['target'] else '✗'}"
                if res["target"]
                else ""
            )
            growth = ""
            if run["size"] == "large" and small.get(res["name"], {}).get("p50_ms"):
                growth = f"{res['p50_ms'] / small[res['name']]['p50_ms']:.2f}×"
            errors = f" ({res['errors']} errors)" if res["errors"] else ""
            ratio = f"{res['ratio']:.2f} ({res['ratio_min']:.2f}–{res['ratio_max']:.2f})"
            lines.append(
                f"| {res['label']}{errors} | {res['rps']:,.0f} | {res['p50_ms']:.1f} | {res['p99_ms']:.1f} "
                f"| {ratio} | {target} | {growth} |"
            )
        by_name = {r["name"]: r for r in run["results"]}
        if "ideas_page_200" in by_name and "ideas_anonymous" in by_name:
            first = by_name["ideas_anonymous"]["p50_ms"]
            if first:
                deep = by_name["ideas_page_200"]["p50_ms"] / first
                lines.append(f"\nPage 200 against page 1 (p50): {deep:.2f}×")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", nargs="+", choices=list(SIZES), default=["large", "small"])
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds per scenario (at least 5)")
    parser.add_argument("--seconds", type=int, default=3, help="seconds per round")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per scenario")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (both servers)")
    parser.add_argument("--only", nargs="*", help="run only these scenarios (names as in the JSON)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed. On Debian or Ubuntu: sudo apt-get install wrk", file=sys.stderr)
        return 2
    args.database_url = os.environ.get("DATABASE_URL")
    if args.database_url and len(args.sizes) > 1:
        print(
            "With DATABASE_URL set, pass one size (--sizes large or small): one database holds one dataset."
        )
        return 2
    env = {
        **os.environ,
        "COCREATE_ENV": "production",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-" + os.urandom(16).hex(),
        "INSTANCE_PATH": tempfile.mkdtemp(prefix="cocreate-bench-"),
        # The limiter stays in the path; the limits are raised so wrk measures work, not 429s.
        "RATELIMIT_VOTES": "1000000 per minute",
        "RATELIMIT_SIGNIN_IP": "1000 per minute",
    }
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
        print(f"\n== {size} dataset ==", flush=True)
        report["runs"].append(bench_size(size, args, env))
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "pg" if args.database_url and args.database_url.startswith("postgres") else "sqlite"
    out = RESULTS / f"{time.strftime('%Y%m%d-%H%M%S')}-{name}.json"
    out.write_text(json.dumps(report, indent=2))
    print(table(report))
    print(f"\nWritten to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
