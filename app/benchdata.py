"""A large, realistic and reproducible dataset for the benchmarks (`flask bench-seed`).

Ideas are spread over two years, votes are skewed (a few ideas get most of them, as on any
real portal), threads have replies, and some ideas have moved through statuses onto the
roadmap, into prototypes and launches. The same seed gives the same data. Rows go in with
bulk inserts; counters and trending scores are computed here exactly as the services would
have stored them, so the app reads the data as if people had made it one click at a time.
"""

import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, insert

from app.extensions import db
from app.models.base import utcnow
from app.models.comment import Comment
from app.models.idea import Category, Idea, IdeaFollow, IdeaStatusChange, IdeaVote
from app.models.roadmap import RoadmapIdea
from app.models.user import User
from app.passwords import hash_password
from app.services import aggregates, launches, prototypes, roadmap
from app.services.ranking import vote_weight
from app.services.search import search_document
from app.text import excerpt, render_markdown

BENCH_PASSWORD = "bench-password"  # noqa: S105 - the benchmark accounts' shared password
# Signed-in scenarios sign in as these (a member who voted, and a product manager).
BENCH_MEMBER = "bench-member@example.com"
BENCH_STAFF = "bench-pm@example.com"
# The idea whose page the benchmark opens has exactly this many comments.
THREAD_SIZE = 50
CHUNK = 20_000

CATEGORIES = [
    "Reporting",
    "Integrations",
    "Mobile",
    "Billing",
    "Permissions",
    "Notifications",
    "Search",
    "Design",
]
VERBS = [
    "Export",
    "Import",
    "Sync",
    "Schedule",
    "Filter",
    "Share",
    "Archive",
    "Tag",
    "Group",
    "Preview",
    "Print",
    "Compare",
    "Duplicate",
    "Lock",
    "Translate",
    "Summarise",
    "Bookmark",
    "Merge",
]
THINGS = [
    "reports",
    "invoices",
    "dashboards",
    "projects",
    "tasks",
    "contacts",
    "comments",
    "files",
    "calendars",
    "forms",
    "teams",
    "timesheets",
    "tickets",
    "orders",
    "notes",
    "charts",
]
TAILS = [
    "to CSV",
    "by customer",
    "in bulk",
    "on mobile",
    "with Slack",
    "every week",
    "for guests",
    "with one click",
    "by due date",
    "from email",
    "in dark mode",
    "offline",
    "to Excel",
    "per team",
    "with Salesforce",
    "as PDF",
    "by status",
    "for admins",
    "with keyboard shortcuts",
    "in Spanish",
]
SENTENCES = [
    "Our finance team asks for this every month.",
    "Today we copy the numbers by hand, which is slow.",
    "It would save each of us about an hour a week.",
    "Competitors already offer something like it.",
    "Please keep the current layout as an option.",
    "We would pay for a higher plan that has it.",
    "Large accounts with many teams need this most.",
    "It matters most at the end of each quarter.",
    "Our customers keep asking our support team about it.",
    "A simple first version would already help.",
    "It should respect the permissions we set for each team.",
    "Mobile users need it even more than desktop.",
]
REPLIES = ["+1, we need this too.", "Same here, every week.", "Could this also work for archived items?",
           "Thanks for considering it!", "We built a workaround with a script, but it breaks often.",
           "Any update on this one?", "This would make the switch much easier for our team.",
           "Agree, and please include the totals row."]  # fmt: skip
# Share of ideas in each status (the rest stay open).
STATUS_SHARE = [("under_review", 0.06), ("planned", 0.04), ("in_progress", 0.02), ("shipped", 0.03),
                ("declined", 0.03)]  # fmt: skip


@dataclass(frozen=True)
class Size:
    ideas: int
    votes: int
    comments: int
    users: int


Progress = Callable[[Iterable, str], object]


def _chunks(rows: Iterator[dict], size: int = CHUNK) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class _Seeder:
    def __init__(self, size: Size, seed: int, progress: Progress):
        self.size = size
        self.rng = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
        self.progress = progress
        self.now = utcnow().replace(microsecond=0)
        self.start = self.now - timedelta(days=730)
        self.conn = db.session.connection()

    def insert(self, model, rows: Iterator[dict], total: int, label: str) -> None:
        chunks = _chunks(rows)
        with self.progress(range(-(-total // CHUNK) if total else 0), label) as bar:
            for _ in bar:
                batch = next(chunks, None)
                if batch:
                    self.conn.execute(insert(model), batch)

    def when(self, after: datetime) -> datetime:
        """A moment between `after` and now, somewhat more often recent (activity grows over time)."""
        span = (self.now - after).total_seconds()
        return after + timedelta(seconds=span * (self.rng.random() ** 0.8))

    # --- people and categories -----------------------------------------------------------

    def users(self) -> None:
        password = hash_password(BENCH_PASSWORD)
        self.user_count = self.size.users

        def rows() -> Iterator[dict]:
            for number in range(1, self.user_count + 1):
                if number == 1:
                    email, name, role = BENCH_STAFF, "Bench PM", "product_manager"
                elif number == 2:
                    email, name, role = BENCH_MEMBER, "Bench Member", "member"
                else:
                    email, name, role = f"user{number}@example.com", f"Member {number}", "member"
                yield {
                    "id": number,
                    "email": email,
                    "display_name": name,
                    "username": f"member{number}",
                    "password_hash": password,
                    "role": role,
                    "created_at": self.start - timedelta(days=30) + timedelta(minutes=number),
                    "email_verified_at": self.start - timedelta(days=30) + timedelta(minutes=number),
                    "email_notifications": "never",
                }

        self.insert(User, rows(), self.user_count, "Users")
        for position, name in enumerate(CATEGORIES):
            db.session.add(Category(name=name, slug=name.lower(), position=position))
        db.session.flush()
        self.category_ids = [c.id for c in db.session.query(Category).order_by(Category.position)]

    # --- ideas, votes, follows ---------------------------------------------------------------

    def plan_votes(self) -> list[list[int]]:
        """Voters per idea: a Zipf-like share of the total, distinct members each."""
        rng, ideas = self.rng, self.size.ideas
        weights = [1.0 / (rank**0.9) for rank in range(1, ideas + 1)]
        rng.shuffle(weights)
        scale = self.size.votes / sum(weights)
        counts = [min(self.user_count, max(1, round(w * scale))) for w in weights]
        voters: list[list[int]] = []
        for count in counts:
            chosen = rng.sample(range(3, self.user_count + 1), min(count, self.user_count - 2))
            voters.append(chosen)
        return voters

    def ideas(self) -> None:
        rng, size = self.rng, self.size
        voters = self.plan_votes()
        created = sorted(
            self.start + timedelta(seconds=730 * 86400 * (rng.random() ** 0.7)) for _ in range(size.ideas)
        )
        statuses = []
        for _ in range(size.ideas):
            roll, status = rng.random(), "open"
            for name, share in STATUS_SHARE:
                if roll < share:
                    status = name
                    break
                roll -= share
            statuses.append(status)
        self.statuses = statuses
        self.created = created
        self.comment_counts = self.plan_comments(voters)
        # Titles and bodies repeat from small word lists: render each one once.
        rendered: dict[tuple[int, ...], tuple[str, str, str, str]] = {}
        title_words: dict[str, str] = {}
        self.vote_rows = 0

        def rows() -> Iterator[dict]:
            for index in range(size.ideas):
                title = f"{rng.choice(VERBS)} {rng.choice(THINGS)} {rng.choice(TAILS)}"
                picks = tuple(sorted(rng.sample(range(len(SENTENCES)), 3)))
                if picks not in rendered:
                    body = " ".join(SENTENCES[i] for i in picks)
                    rendered[picks] = (
                        body,
                        render_markdown(body),
                        excerpt(body, 280),
                        search_document("", body),
                    )
                body, body_html, body_excerpt, body_words = rendered[picks]
                if title not in title_words:
                    title_words[title] = search_document(title, "")
                at = created[index]
                times = [self.when(at) for _ in voters[index]]
                self.vote_times.append(times)
                yield {
                    "id": index + 1,
                    "title": title,
                    "body": body,
                    "body_html": body_html,
                    "excerpt": body_excerpt,
                    "search_text": f"{title_words[title]} {body_words}",
                    "status": statuses[index],
                    "category_id": rng.choice(self.category_ids),
                    "author_id": rng.randint(3, self.user_count),
                    "vote_count": len(times),
                    "comment_count": self.comment_counts[index],
                    "trending_score": sum(vote_weight(t) for t in times),
                    "is_locked": False,
                    "hidden_reason": "",
                    "is_pending": False,
                    "first_staff_response_at": at + timedelta(days=3) if statuses[index] != "open" else None,
                    "created_at": at,
                    "updated_at": at,
                }

        self.vote_times: list[list[datetime]] = []
        self.voters = voters
        self.insert(Idea, rows(), size.ideas, "Ideas")

    def votes(self) -> None:
        total = sum(len(v) for v in self.voters)
        member_votes = self.rng.sample(range(1, min(self.size.ideas, 500) + 1), min(self.size.ideas, 40))

        def rows() -> Iterator[dict]:
            for index, (users, times) in enumerate(zip(self.voters, self.vote_times, strict=True)):
                for user_id, at in zip(users, times, strict=True):
                    yield {"idea_id": index + 1, "user_id": user_id, "created_at": at}

        self.insert(IdeaVote, rows(), total, "Votes")
        # The benchmark member's own votes: a few of the first ideas, counted like any vote.
        extra = [
            {"idea_id": i, "user_id": 2, "created_at": self.now - timedelta(days=1)} for i in member_votes
        ]
        self.conn.execute(insert(IdeaVote), extra)
        weight = vote_weight(self.now - timedelta(days=1))
        self.conn.execute(
            Idea.__table__.update()
            .where(Idea.id == bindparam("voted_idea"))
            .values(vote_count=Idea.vote_count + 1, trending_score=Idea.trending_score + weight),
            [{"voted_idea": row["idea_id"]} for row in extra],
        )

        def follows() -> Iterator[dict]:
            for index in range(self.size.ideas):
                yield {
                    "idea_id": index + 1,
                    "user_id": self.voters[index][0],
                    "created_at": self.created[index],
                }

        self.insert(IdeaFollow, follows(), self.size.ideas, "Follows")

    # --- threads -------------------------------------------------------------------------------

    def plan_comments(self, voters: list[list[int]]) -> list[int]:
        """Comments per idea, roughly following its votes; one idea gets exactly THREAD_SIZE."""
        total_votes = sum(len(v) for v in voters) or 1
        scale = self.size.comments / total_votes
        counts = [int(len(v) * scale + self.rng.random()) for v in voters]
        self.thread_idea = max(1, self.size.ideas // 2)
        counts[self.thread_idea - 1] = THREAD_SIZE
        return counts

    def comments(self) -> None:
        rng = self.rng
        total = sum(self.comment_counts)
        next_id = iter(range(1, total + 1))

        def rows() -> Iterator[dict]:
            for index, count in enumerate(self.comment_counts):
                first_id = None
                at = self.created[index]
                for number in range(count):
                    comment_id = next(next_id)
                    at = at + timedelta(minutes=rng.randint(1, 600))
                    body = rng.choice(REPLIES)
                    yield {
                        "id": comment_id,
                        "idea_id": index + 1,
                        "parent_id": first_id if number % 3 == 2 else None,
                        "author_id": rng.randint(3, self.user_count),
                        "body": body,
                        "body_html": f"<p>{body}</p>",
                        "is_internal": False,
                        "hidden_reason": "",
                        "is_pending": False,
                        "created_at": at,
                    }
                    if first_id is None:
                        first_id = comment_id

        self.insert(Comment, rows(), total, "Comments")

    # --- statuses, roadmap, prototypes, launches ---------------------------------------------

    def history(self) -> None:
        changed = [i for i, status in enumerate(self.statuses) if status != "open"]

        def rows() -> Iterator[dict]:
            for index in changed:
                status = self.statuses[index]
                note = "Thanks, see the roadmap." if status != "declined" else "Out of scope for this year."
                yield {
                    "idea_id": index + 1,
                    "actor_id": 1,
                    "from_status": "open",
                    "to_status": status,
                    "note": note,
                    "note_html": f"<p>{note}</p>",
                    "created_at": self.created[index] + timedelta(days=3),
                }

        self.insert(IdeaStatusChange, rows(), len(changed), "Status changes")

    def roadmap_and_pilots(self) -> None:
        pm = db.session.get(User, 1)
        planned = [i + 1 for i, s in enumerate(self.statuses) if s in ("planned", "in_progress", "shipped")]
        item_count = max(1, min(200, len(planned) // 5))
        links: list[dict] = []
        for number in range(item_count):
            status = ("planned", "in_progress", "shipped")[number % 3]
            item = roadmap.create_item(
                pm,
                f"Roadmap item {number + 1}: {self.rng.choice(VERBS)} {self.rng.choice(THINGS)}",
                description="What we will build and why.",
                status=status,
                target="" if status == "shipped" else "2027 Q1",
                release_note="Now available to everyone." if status == "shipped" else "",
            )
            for idea_id in planned[number::item_count][:10]:
                links.append(
                    {
                        "roadmap_item_id": item.id,
                        "idea_id": idea_id,
                        "linked_by_id": 1,
                        "created_at": self.now,
                    }
                )
        if links:
            self.conn.execute(insert(RoadmapIdea), links)
        popular = sorted(range(len(self.voters)), key=lambda i: -len(self.voters[i]))[:60]
        for number in range(min(20, len(popular) // 3)):
            idea_ids = [i + 1 for i in popular[number * 3 : number * 3 + 3]]
            proto = prototypes.create_prototype(
                pm,
                f"Prototype {number + 1}",
                "A clickable mock-up to try.",
                idea_ids=idea_ids,
                status="published",
            )
            if number < 10:
                starts = self.now + timedelta(days=7)
                launches.create_launch(
                    pm,
                    title=f"Pilot {number + 1}",
                    hypothesis="We believe this saves each team an hour a week.",
                    success_metric="Hours saved per week",
                    capacity=20,
                    starts_at=starts,
                    ends_at=starts + timedelta(days=28),
                    idea_ids=idea_ids,
                    prototype_ids=[proto.id],
                    status="recruiting",
                )
        db.session.flush()


def reset_sequences() -> None:
    """Move PostgreSQL's id sequences past the ids given explicitly by the bulk inserts."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in ("users", "ideas", "comments"):
        db.session.execute(
            db.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")  # noqa: S608 - fixed names
        )


def seed(size: Size, seed: int, progress: Progress) -> int:
    """Fill an empty database; returns the id of the idea with a THREAD_SIZE-comment thread."""
    seeder = _Seeder(size, seed, progress)
    seeder.users()
    seeder.ideas()
    seeder.votes()
    seeder.comments()
    seeder.history()
    reset_sequences()
    seeder.roadmap_and_pilots()
    # The stored aggregates, from the rows just inserted, as the migration fills them.
    aggregates.recount_vote_days()
    aggregates.recount_all_demand()
    aggregates.recount_weighted()
    db.session.commit()
    analyze()
    return seeder.thread_idea


def analyze() -> None:
    """Give PostgreSQL's planner statistics and a visibility map for the rows just bulk-inserted.

    Autovacuum would do both only some minutes later; until then the planner guesses from empty
    tables and picks plans that scan a million votes, and cannot count or join through an
    index alone (an index-only scan needs the pages marked all-visible, which VACUUM does).
    """
    if db.engine.dialect.name == "postgresql":
        db.session.commit()
        # VACUUM cannot run inside a transaction.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
