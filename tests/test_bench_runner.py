"""The benchmark runner's choices and the README tables it writes, without running wrk."""

import json
import os
import time

import pytest

from app import create_app
from app.extensions import db
from bench import readme
from bench.client import free_port
from bench.run import SIZES, Database, choose_databases, dataset_action, dataset_counts, postgres_answers
from tests.conftest import ON_POSTGRES, make_config

PG = "postgresql://postgres@127.0.0.1:5432/cocreate_bench"


def result(name: str, label: str, ratio: float, p50: float = 10.0, p99: float = 20.0, errors: int = 0):
    return {"name": name, "label": label, "rps": ratio * 5000, "p50_ms": p50, "p99_ms": p99,
            "ratio": ratio, "ratio_min": ratio - 0.01, "ratio_max": ratio + 0.01, "errors": errors,
            "rounds": [{"hello_rps": 5000.0}]}  # fmt: skip


def report(database: str, large: list[dict], small: list[dict] | None = None, rss: float = 120.0) -> dict:
    runs = [{"size": "large", "counts": SIZES["large"], "database": database, "worker_rss_mb": rss,
             "results": large}]  # fmt: skip
    if small is not None:
        runs.append({"size": "small", "counts": SIZES["small"], "database": database, "worker_rss_mb": rss,
                     "results": small})  # fmt: skip
    return {"runs": runs}


def row(text: str, label: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(f"| {label}"))


# ---- Which databases a run measures ----


def test_both_databases_when_postgres_answers():
    databases, note = choose_databases("both", None, PG, answers=lambda url: True)
    assert [d.kind for d in databases] == ["sqlite", "postgresql"]
    assert note is None
    assert databases[1].url_for("large").endswith("/cocreate_bench_large")
    assert databases[1].url_for("small").endswith("/cocreate_bench_small")
    assert databases[0].url_for("small").endswith("bench/data/bench-small.db")


def test_sqlite_alone_with_a_note_when_postgres_is_silent():
    databases, note = choose_databases("both", None, PG, answers=lambda url: False)
    assert [d.kind for d in databases] == ["sqlite"]
    assert "does not answer" in note


def test_postgres_only_refuses_when_postgres_is_silent():
    with pytest.raises(SystemExit, match="does not answer at postgresql://postgres@127.0.0.1:5432"):
        choose_databases("postgresql", None, PG, answers=lambda url: False)


def test_sqlite_only_does_not_ask_postgres():
    def never(url):
        raise AssertionError("asked PostgreSQL")

    databases, _ = choose_databases("sqlite", None, PG, answers=never)
    assert [d.kind for d in databases] == ["sqlite"]


def test_database_url_names_the_one_database_measured():
    url = "postgresql://postgres@127.0.0.1:5432/mine"
    databases, _ = choose_databases("both", url, PG, answers=lambda url: True)
    assert databases == [Database("postgresql", url, explicit=True)]
    assert databases[0].url_for("large") == url
    assert databases[0].tag == "pg"


def test_a_closed_port_is_not_postgres_and_answers_quickly():
    started = time.monotonic()
    assert not postgres_answers(f"postgresql://postgres@127.0.0.1:{free_port()}/x")
    assert time.monotonic() - started < 5


@pytest.mark.postgres
def test_the_test_server_answers():
    assert postgres_answers(os.environ["TEST_DATABASE_URL"])


# ---- Reusing a seeded dataset ----


@pytest.mark.parametrize(
    ("found", "explicit", "action"),
    [
        (None, False, "seed"),
        ({"users": 0, "ideas": 0}, True, "seed"),
        ({"users": 2_000, "ideas": 10_000}, False, "reuse"),
        ({"users": 2_000, "ideas": 10_000}, True, "reuse"),
        ({"users": 20_000, "ideas": 100_000}, False, "reset"),
        ({"users": 2_000, "ideas": 10_000, "current": False}, False, "reset"),
    ],
)
def test_a_dataset_is_reused_only_when_its_size_matches(found, explicit, action):
    assert dataset_action(found, "small", explicit) == action


def test_a_database_named_by_hand_is_never_emptied():
    with pytest.raises(SystemExit, match="not the small dataset"):
        dataset_action({"users": 20_000, "ideas": 100_000}, "small", explicit=True)


def test_a_database_named_by_hand_with_an_older_schema_is_never_emptied():
    with pytest.raises(SystemExit, match="before the latest migration"):
        dataset_action({"users": 2_000, "ideas": 10_000, "current": False}, "small", explicit=True)


def _seeded_env(app, url: str) -> dict:
    result = app.test_cli_runner().invoke(
        args=["bench-seed", "--ideas", "30", "--votes", "100", "--comments", "20", "--users", "12"]
    )
    assert result.exit_code == 0, result.output
    db.session.commit()
    return {**os.environ, "DATABASE_URL": url, "COCREATE_ENV": "production", "SECRET_KEY": "x" * 32}


@pytest.mark.skipif(ON_POSTGRES, reason="the SQLite file case")
def test_the_probe_counts_a_seeded_sqlite_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    app = create_app(make_config(tmp_path, SQLALCHEMY_DATABASE_URI=url))
    with app.app_context():
        db.create_all()
        env = _seeded_env(app, url)
        db.session.remove()
    probe_env = {**env, "INSTANCE_PATH": str(tmp_path)}
    # Tables made without the migrations carry no revision: an older schema, seeded again.
    assert dataset_counts(probe_env) == {"users": 12, "ideas": 30, "current": False}
    with app.app_context():
        assert app.test_cli_runner().invoke(args=["db", "stamp", "head"]).exit_code == 0
        db.session.remove()
    assert dataset_counts(probe_env) == {"users": 12, "ideas": 30, "current": True}


@pytest.mark.postgres
def test_the_probe_counts_a_seeded_postgres_database(app, tmp_path):
    """The probe that decides reuse reads PostgreSQL too: a seeded database is reused, not seeded again."""
    env = _seeded_env(app, app.config["SQLALCHEMY_DATABASE_URI"])
    found = dataset_counts({**env, "INSTANCE_PATH": str(tmp_path)})
    assert (found["users"], found["ideas"]) == (12, 30)


def test_the_probe_of_a_database_without_tables_is_none(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}", "COCREATE_ENV": "production",
           "SECRET_KEY": "x" * 32, "INSTANCE_PATH": str(tmp_path)}  # fmt: skip
    assert dataset_counts(env) is None


# ---- The README tables ----


def test_each_ratio_stands_next_to_its_target_met_or_missed():
    text = readme.render([("a.json", report("sqlite", [
        result("ideas_anonymous", "Idea list, anonymous", 0.31),
        result("staff_dashboard", "Staff dashboard", 0.12),
        result("vote_toggle", "Vote toggle (API)", 0.40, errors=3),
    ]))])  # fmt: skip
    assert text.startswith("#### SQLite ([a.json](a.json))")
    assert "| 0.31 (0.30–0.32) | ≥ 0.25 ✓ |" in row(text, "Idea list, anonymous")
    assert "≥ 0.15 ✗" in row(text, "Staff dashboard")
    # Errors miss the target whatever the throughput.
    assert row(text, "Vote toggle (API) (3 errors ✗)").count("≥ 0.30 ✗") == 1
    assert "worker RSS 120 MB (< 200 MB ✓)" in text


def test_latency_spread_growth_and_memory_are_judged():
    text = readme.render([(None, report(
        "postgresql",
        [result("search", "Search", 0.3, p50=10, p99=150), result("roadmap", "Roadmap", 0.3, p50=12, p99=20)],
        [result("search", "Search", 0.3, p50=5, p99=9), result("roadmap", "Roadmap", 0.3, p50=10, p99=20)],
        rss=240,
    ))])  # fmt: skip
    assert text.startswith("#### PostgreSQL\n")
    assert "| 15.0× ✗ | 2.00× ✗ |" in row(text, "Search")
    assert "| 1.7× ✓ | 1.20× ✓ |" in row(text, "Roadmap")
    assert "(< 200 MB ✗)" in text


def test_two_results_files_are_also_set_side_by_side():
    sqlite = report("sqlite", [result("search", "Search", 0.22), result("roadmap", "Roadmap", 0.5)])
    pg = report("postgresql", [result("search", "Search", 0.18)])
    text = readme.render([("s.json", sqlite), ("p.json", pg)])
    side = text.split("#### Side by side (largest dataset)")[1]
    assert "| Scenario | target | SQLite | PostgreSQL |" in side
    assert "| Search | ≥ 0.20 | 0.22 ✓ | 0.18 ✗ |" in side
    assert "| Roadmap | ≥ 0.25 | 0.50 ✓ | — |" in side


def test_the_readme_command_reads_files_and_explains_bad_ones(tmp_path, capsys):
    good = tmp_path / "run-sqlite.json"
    good.write_text(json.dumps(report("sqlite", [result("search", "Search", 0.3)])))
    assert readme.main([str(good)]) == 0
    assert "| Search |" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="No such results file"):
        readme.main([str(tmp_path / "missing.json")])
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(SystemExit, match="is not a results file"):
        readme.main([str(broken)])
    assert readme.main([]) == 2
