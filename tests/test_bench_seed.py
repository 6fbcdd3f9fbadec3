"""`flask bench-seed`: a large dataset whose counters, scores and threads are what the app expects."""

import pytest
from sqlalchemy import func, select

from app import create_app
from app.benchdata import BENCH_MEMBER, BENCH_PASSWORD, THREAD_SIZE
from app.extensions import db
from app.models.comment import Comment
from app.models.idea import Idea, IdeaVote
from app.models.user import User
from app.passwords import verify_password
from app.services import ideas
from app.services.ranking import vote_weight
from tests.conftest import ON_POSTGRES, make_config

SIZE = ["--ideas", "60", "--votes", "600", "--comments", "200", "--users", "40"]


def seed(app, *extra):
    return app.test_cli_runner().invoke(args=["bench-seed", *SIZE, *extra])


def test_counters_and_scores_match_the_rows(app):
    result = seed(app)
    assert result.exit_code == 0, result.output
    assert "has the benchmark's long thread" in result.output
    assert db.session.scalar(select(func.count(Idea.id))) == 60
    assert db.session.scalar(select(func.count(User.id))) == 40
    assert 500 <= db.session.scalar(select(func.count()).select_from(IdeaVote)) <= 700
    vote_rows = dict(
        db.session.execute(select(IdeaVote.idea_id, func.count()).group_by(IdeaVote.idea_id)).all()
    )
    comment_rows = dict(
        db.session.execute(select(Comment.idea_id, func.count()).group_by(Comment.idea_id)).all()
    )
    for idea in db.session.scalars(select(Idea)):
        assert idea.vote_count == vote_rows.get(idea.id, 0), idea.id
        assert idea.comment_count == comment_rows.get(idea.id, 0), idea.id
        times = db.session.scalars(select(IdeaVote.created_at).where(IdeaVote.idea_id == idea.id))
        assert idea.trending_score == pytest.approx(sum(vote_weight(t) for t in times), rel=1e-9)
        assert idea.search_text
        assert idea.body_html.startswith("<p>")
    assert THREAD_SIZE in comment_rows.values()
    # A few ideas get most votes, as on a real portal.
    counts = sorted(vote_rows.values(), reverse=True)
    assert sum(counts[:6]) > sum(counts) / 4


def test_the_bench_accounts_sign_in_and_the_app_keeps_working(app, client):
    assert seed(app).exit_code == 0
    member = db.session.scalar(select(User).where(User.email == BENCH_MEMBER))
    assert verify_password(member.password_hash, BENCH_PASSWORD)
    idea = ideas.create_idea(member, "A new idea after the bulk load", "Ids carry on.")
    db.session.commit()
    assert idea.id == 61
    assert client.get(f"/ideas/{idea.id}").status_code == 200
    assert client.get("/ideas/?sort=top").status_code == 200


def test_it_refuses_a_database_that_has_content(app):
    assert seed(app).exit_code == 0
    again = seed(app)
    assert again.exit_code != 0
    assert "not empty" in again.output
    assert db.session.scalar(select(func.count(Idea.id))) == 60


@pytest.mark.skipif(ON_POSTGRES, reason="two databases at once need SQLite in memory")
def test_the_same_seed_gives_the_same_data(app, tmp_path):
    assert seed(app).exit_code == 0
    first = list(db.session.execute(select(Idea.title, Idea.vote_count, Idea.status).order_by(Idea.id)))
    other = create_app(make_config(tmp_path / "other"))
    with other.app_context():
        db.create_all()
        assert seed(other).exit_code == 0
        second = list(db.session.execute(select(Idea.title, Idea.vote_count, Idea.status).order_by(Idea.id)))
        db.session.remove()
    assert first == second
    assert len({title for title, _, _ in first}) > 40


@pytest.mark.skipif(not ON_POSTGRES, reason="planner statistics are PostgreSQL's")
def test_seeding_leaves_planner_statistics_on_postgresql(app):
    assert seed(app).exit_code == 0
    analyzed = db.session.scalar(
        db.text(
            "SELECT count(*) FROM pg_stat_user_tables WHERE relname IN ('ideas', 'idea_votes', 'comments') "
            "AND last_analyze IS NOT NULL"
        )
    )
    assert analyzed == 3


def vote_counts() -> list[tuple[int, int]]:
    return list(
        db.session.execute(
            select(Idea.id, func.count(IdeaVote.user_id)).outerjoin(IdeaVote).group_by(Idea.id)
        )
    )


def test_the_stored_aggregates_match_the_seeded_votes(app):
    from app.models.idea import IdeaVoteDay
    from app.models.roadmap import RoadmapItem
    from app.services import aggregates

    assert seed(app).exit_code == 0
    day = aggregates.utc_day_sql(IdeaVote.created_at)
    counted = db.session.execute(select(IdeaVote.idea_id, day, func.count()).group_by(IdeaVote.idea_id, day))
    stored = db.session.execute(select(IdeaVoteDay.idea_id, IdeaVoteDay.day, IdeaVoteDay.votes))
    assert {(i, str(d)[:10], n) for i, d, n in stored} == {(i, str(d)[:10], n) for i, d, n in counted}
    items = list(db.session.scalars(select(RoadmapItem.id)))
    assert items
    assert aggregates.stored_demand(items) == aggregates.demand_counts(items)
    assert any(aggregates.stored_demand(items).values())
    # The weighted votes too; without segments each vote weighs 1, the member's extra ones included.
    weighted = dict(db.session.execute(select(Idea.id, Idea.weighted_votes)).all())
    assert weighted == {idea_id: float(count) for idea_id, count in vote_counts()}
