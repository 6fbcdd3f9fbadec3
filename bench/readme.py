"""Markdown tables for the README's performance section, from benchmark results.

    python -m bench.readme bench/results/<run>-sqlite.json bench/results/<run>-pg.json

Prints, for each results file, a table per dataset with each scenario's ratio to hello-world next
to its target (✓ met, ✗ missed), p99 against p50, growth from the small dataset to the large one
and the worker's memory; with two files or more, then a table of the large dataset's ratios side
by side. The targets are those of bench/targets.py, whatever the file recorded when it ran.
"""

import json
import statistics
import sys
from pathlib import Path

from bench.targets import GROWTH, P99_OVER_P50, TARGETS, WORKER_MB

NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def database_name(report: dict) -> str:
    kind = report["runs"][0]["database"] if report.get("runs") else "?"
    return NAMES.get(kind.split("+")[0], kind)


def _target(result: dict) -> str:
    target = TARGETS.get(result["name"])
    if target is None:
        return ""
    return f"≥ {target:.2f} {mark(result['ratio'] >= target and not result['errors'])}"


def run_table(run: dict, small: dict | None = None) -> list[str]:
    """One dataset's table: a heading line, then the scenarios."""
    counts = run["counts"]
    hello = statistics.median(r["hello_rps"] for res in run["results"] for r in res["rounds"])
    rss = run["worker_rss_mb"]
    lines = [
        f"{run['size']} dataset: {counts['ideas']:,} ideas, {counts['votes']:,} votes, "
        f"{counts['comments']:,} comments; hello-world ceiling {hello:,.0f} req/s; "
        f"worker RSS {rss:.0f} MB (< {WORKER_MB} MB {mark(rss < WORKER_MB)})",
        "",
        f"| Scenario | req/s | p50 ms | p99 ms | ratio (min–max) | target | p99 ≤ {P99_OVER_P50:g}× p50 "
        f"| growth p50 (≤ {GROWTH:g}×) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    earlier = {r["name"]: r for r in small["results"]} if small else {}
    for res in run["results"]:
        spread = res["p99_ms"] / res["p50_ms"] if res["p50_ms"] else 0.0
        growth = ""
        if earlier.get(res["name"], {}).get("p50_ms"):
            times = res["p50_ms"] / earlier[res["name"]]["p50_ms"]
            growth = f"{times:.2f}× {mark(times <= GROWTH)}"
        errors = f" ({res['errors']} errors ✗)" if res["errors"] else ""
        lines.append(
            f"| {res['label']}{errors} | {res['rps']:,.0f} | {res['p50_ms']:.1f} | {res['p99_ms']:.1f} "
            f"| {res['ratio']:.2f} ({res['ratio_min']:.2f}–{res['ratio_max']:.2f}) | {_target(res)} "
            f"| {spread:.1f}× {mark(spread <= P99_OVER_P50)} | {growth} |"
        )
    by_name = {r["name"]: r for r in run["results"]}
    if by_name.get("ideas_page_200") and by_name.get("ideas_anonymous", {}).get("p50_ms"):
        deep = by_name["ideas_page_200"]["p50_ms"] / by_name["ideas_anonymous"]["p50_ms"]
        lines += ["", f"Page 200 against page 1 (p50): {deep:.2f}×"]
    return lines


def report_tables(report: dict, source: str | None = None) -> str:
    """Every dataset's table of one results file, under the database's name."""
    sizes = {run["size"]: run for run in report["runs"]}
    where = f" ([{source}]({source}))" if source else ""
    lines = [f"#### {database_name(report)}{where}"]
    for run in report["runs"]:
        small = sizes.get("small") if run["size"] == "large" else None
        lines += ["", *run_table(run, small)]
    return "\n".join(lines)


def side_by_side(reports: list[dict]) -> str:
    """The largest dataset's ratio per scenario, one column per results file, each against its target."""
    runs = [max(report["runs"], key=lambda run: run["counts"]["ideas"]) for report in reports]
    lines = [
        "| Scenario | target | " + " | ".join(database_name(report) for report in reports) + " |",
        "|---|---:|" + "---:|" * len(reports),
    ]
    rows: dict[str, str] = {}
    for run in runs:
        for res in run["results"]:
            rows.setdefault(res["name"], res["label"])
    for name, label in rows.items():
        target = TARGETS.get(name)
        cells = []
        for run in runs:
            found = next((r for r in run["results"] if r["name"] == name), None)
            if found is None:
                cells.append("—")
            elif target is None:
                cells.append(f"{found['ratio']:.2f}")
            else:
                cells.append(f"{found['ratio']:.2f} {mark(found['ratio'] >= target and not found['errors'])}")
        shown = f"≥ {target:.2f}" if target is not None else ""
        lines.append(f"| {label} | {shown} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render(reports: list[tuple[str | None, dict]]) -> str:
    parts = [report_tables(report, source) for source, report in reports]
    if len(reports) > 1:
        parts.append("#### Side by side (largest dataset)\n\n" + side_by_side([r for _, r in reports]))
    return "\n\n".join(parts)


def load(path: str) -> dict:
    """A results file, or SystemExit with a message saying what is wrong with it."""
    try:
        report = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise SystemExit(f"No such results file: {path}") from None
    except (OSError, ValueError) as error:
        raise SystemExit(f"{path} is not a results file of bench.run: {error}") from None
    if not isinstance(report, dict) or not report.get("runs"):
        raise SystemExit(f"{path} holds no benchmark runs.")
    return report


def main(argv: list[str] | None = None) -> int:
    paths = sys.argv[1:] if argv is None else argv
    if not paths or any(p in ("-h", "--help") for p in paths):
        print(__doc__.strip())
        return 0 if paths else 2
    print(render([(path, load(path)) for path in paths]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
