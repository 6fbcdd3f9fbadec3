"""Demonstration content for `flask seed-demo`: built with the same service functions as the site."""

import random
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta

from sqlalchemy import select, update

from app.extensions import db
from app.models.base import utcnow
from app.models.idea import IdeaStatusChange
from app.models.roadmap import RoadmapIdea
from app.permissions import is_staff
from app.services import (
    accounts,
    boards,
    categories,
    comments,
    follows,
    ideas,
    launches,
    merges,
    moderation,
    participation,
    prototypes,
    roadmap,
    rounds,
    segments,
    votes,
)
from app.services.launches import AssumptionInput, OutcomeInput

DEMO_PASSWORD = "cocreate-demo"  # noqa: S105 - documented demo password, demo data only

DEMO_USERS = [
    ("admin@example.com", "Ada Admin", "admin"),
    ("pm@example.com", "Priya Product", "product_manager"),
    ("mod@example.com", "Mo Moderator", "moderator"),
    ("member@example.com", "Mia Member", "member"),
    ("sam@example.com", "Sam Rivera", "member"),
    ("lee@example.com", "Lee Chen", "member"),
    ("noor@example.com", "Noor Haddad", "member"),
    ("jonas@example.com", "Jonas Berg", "member"),
]
EXTRA_MEMBERS = [
    "Aiko Tanaka", "Ben Okafor", "Carla Ruiz", "Dev Patel", "Elif Yilmaz", "Farah Aziz", "Gus Larsen",
    "Hana Novak", "Ivan Petrov", "Julia Costa", "Kofi Mensah", "Lina Park", "Marco Bianchi", "Nia Brown",
    "Omar Said", "Pia Svensson",
]  # fmt: skip

CATEGORIES = [
    ("Reporting", "Dashboards, exports and numbers you need to see."),
    ("Integrations", "Connecting with the other tools you use."),
    ("Mobile", "The phone and tablet apps."),
    ("Usability", "Making everyday work quicker and clearer."),
]

# (title, body, category slug, status, note, days ago)
IDEAS = [
    ("Export reports to CSV", "We send numbers to finance every month and retype them by hand.\n\n"
     "A **CSV export** of any report would save us about two hours a month.", "reporting", "planned",
     "On the roadmap for the first quarter.", 40),
    ("Dark mode", "Working late, the white screens are hard on the eyes. A dark theme that follows the "
     "system setting would be great.", "usability", "in_progress", "Design is done; we are building it.", 55),
    ("Slack notifications for new comments", "Our team lives in Slack. Post a message to a channel when "
     "someone comments on an idea we follow.", "integrations", "under_review", "", 12),
    ("Offline mode for the mobile app", "On site visits there is often no signal. Let me read and write "
     "notes offline and sync later.", "mobile", "open", "", 9),
    ("Keyboard shortcuts", "Power users want `j`/`k` to move through lists and `v` to vote.", "usability",
     "shipped", "Shipped in version 4.2: press `?` to see them all.", 80),
    ("Scheduled email reports", "Send the weekly summary to a list of addresses every Monday at 8:00.",
     "reporting", "open", "", 6),
    ("Single sign-on with Google Workspace", "Our IT team requires SSO for every tool we use.",
     "integrations", "planned", "Planned together with Microsoft Entra ID.", 30),
    ("Bulk edit tags", "Select many items and change their tags at once instead of one by one.", "usability",
     "open", "", 4),
    ("Custom fields on records", "We track contract numbers and regions; let us add our own fields.",
     "reporting", "open", "", 20),
    ("Zapier integration", "Connect to hundreds of tools without waiting for native integrations.",
     "integrations", "declined", "We will offer webhooks and an open API instead, which cover the same needs.", 70),
    ("Push notifications on Android", "The iPhone app has them; the Android app does not.", "mobile", "open", "",
     3),
    ("Undo after delete", "I deleted the wrong item twice this week. A short undo would help.", "usability",
     "open", "", 2),
    ("Share dashboards with a public link", "Clients ask for a read-only view without an account.",
     "reporting", "under_review", "We are checking what this means for privacy.", 15),
    ("Calendar sync", "Show due dates in Google Calendar and Outlook.", "integrations", "open", "", 25),
    ("Bigger touch targets on tablets", "Buttons are hard to hit on an iPad in the field.", "mobile", "open", "",
     7),
    ("Saved filters", "Save a combination of filters and reopen it with one click.", "usability", "open", "", 11),
]  # fmt: skip

COMMENTS = [
    ("Export reports to CSV", "sam@example.com", "Yes please, and keep the column order stable so our "
     "spreadsheets don't break.", None),
    ("Export reports to CSV", "pm@example.com", "Thanks @Sam Rivera, noted. Which reports matter most to you?",
     0),
    ("Export reports to CSV", "sam@example.com", "Monthly revenue and the churn report.", 1),
    ("Dark mode", "lee@example.com", "Would love a high-contrast variant too.", None),
    ("Dark mode", "noor@example.com", "+1, I work night shifts.", None),
    ("Offline mode for the mobile app", "jonas@example.com", "Even read-only offline access would help a lot.",
     None),
    ("Slack notifications for new comments", "member@example.com", "Microsoft Teams too, please!", None),
    ("Zapier integration", "lee@example.com", "Webhooks work for us, thanks for explaining.", None),
]  # fmt: skip

# Staff replies on ideas that are still open: (title, email, body, parent, days after the idea).
# The open ideas not listed here have had no answer from staff yet (the dashboard shows both).
STAFF_REPLIES = [
    ("Offline mode for the mobile app", "pm@example.com", "Thanks for raising this. Which screens do you "
     "need offline first: reading records, or writing notes too?", None, 2),
    ("Custom fields on records", "pm@example.com", "Good timing: we are looking at how teams track "
     "contract data. Which kinds of field would you need (text, number, date, a list)?", None, 3),
    ("Calendar sync", "admin@example.com", "Would a read-only calendar feed (an iCal link) cover this "
     "for you?", None, 6),
]  # fmt: skip

Progress = Callable[[Iterable, str], AbstractContextManager]


def _spread_votes(clock: random.Random, idea, author, voters, posted_at, now) -> None:
    """Vote as `voters` at times between `posted_at` and now, most of them early; the author at once."""
    # The author's own vote was cast when the idea was created: move it to when it was posted.
    votes.remove_vote(idea, author.id)
    votes.add_vote(idea, author.id, voted_at=posted_at)
    age = now - posted_at
    for voter in voters:
        # add_vote keeps each vote's time, so the trending score is as if they had voted then.
        if votes.add_vote(idea, voter.id, voted_at=posted_at + age * clock.random() ** 2):
            follows.follow_idea(voter, idea)


def seed(progress: Progress) -> None:
    """Create demo accounts, categories, ideas, votes, comments and status changes."""
    rng = random.Random(7)  # noqa: S311 - reproducible demo data, not security
    people = list(DEMO_USERS) + [
        (f"{name.split()[0].lower()}@example.com", name, "member") for name in EXTRA_MEMBERS
    ]
    users = {}
    with progress(people, "Creating demo accounts") as rows:
        for email, name, role in rows:
            user = accounts.register_user(email, name, DEMO_PASSWORD, role=role)
            # Only the main demo member gets email at once; the others read in-app notifications.
            user.email_notifications = "immediately" if email == "member@example.com" else "never"
            users[email] = user
    admin, pm = users["admin@example.com"], users["pm@example.com"]
    for name, description in CATEGORIES:
        categories.create_category(admin, name, description=description)

    members = [user for email, user in users.items() if user.role == "member"]
    created = {}
    now = utcnow()
    # When votes, replies and status changes happened: spread over the weeks since each idea was
    # posted (a separate generator, so the rest of the demo stays as it was).
    clock = random.Random(11)  # noqa: S311 - reproducible demo data, not security
    first_response = {}
    with progress(IDEAS, "Creating demo ideas") as rows:
        for index, (title, body, category, status, note, days_ago) in enumerate(rows):
            author = members[index % len(members)]
            idea = ideas.create_idea(author, title, body, category)
            # Popularity falls off down the list, as in a real community.
            voters = rng.sample(members, k=max(1, len(members) - index - rng.randint(0, 4)))
            posted_at = now - timedelta(days=days_ago, hours=rng.randint(0, 20))
            _spread_votes(clock, idea, author, voters, posted_at, now)
            idea.created_at = idea.updated_at = posted_at
            if status != "open":
                change = ideas.change_status(pm, idea, status, note)
                # Staff answered within days, a little later for older ideas.
                change.created_at = idea.updated_at = posted_at + timedelta(days=days_ago // 10 + 1, hours=3)
                first_response[idea.id] = change.created_at
            created[title] = idea
    posted = []
    replies = [
        (title, email, body, parent, 2 + number)
        for number, (title, email, body, parent) in enumerate(COMMENTS)
    ]
    for title, email, body, parent_index, days_after in replies + STAFF_REPLIES:
        idea = created[title]
        parent_id = posted[parent_index].id if parent_index is not None else None
        comment = comments.add_comment(users[email], idea, body, parent_id=parent_id)
        comment.created_at = idea.created_at + timedelta(days=days_after, hours=5)
        posted.append(comment)
        if is_staff(users[email]):
            first_response[idea.id] = min(first_response.get(idea.id, comment.created_at), comment.created_at)
    # The first staff reply or status change, as it would have been recorded at the time.
    for idea in created.values():
        if idea.id in first_response:
            idea.first_staff_response_at = first_response[idea.id]
    comments.add_internal_note(
        pm, created["Export reports to CSV"], "Finance asked for this in three sales calls."
    )

    # Moderation: a duplicate merged into the original, and a flagged comment waiting for review.
    moderator = users["mod@example.com"]
    duplicate = ideas.create_idea(
        users["noor@example.com"], "CSV download of reports", "Same as the export, I think."
    )
    votes.cast_vote(users["jonas@example.com"], duplicate)
    merges.merge_ideas(moderator, duplicate.id, created["Export reports to CSV"].id)
    spam = comments.add_comment(
        users["ben@example.com"], created["Dark mode"], "Cheap watches at www.example.com!!!"
    )
    for email in ("lee@example.com", "noor@example.com"):
        moderation.flag_item(users[email], "comment", spam.id, "spam")
    db.session.commit()
    export, dark = _seed_prototypes(rng, pm, members, created)
    _seed_launches(pm, users, created, export, dark)
    _seed_roadmap(pm, created)
    _seed_segments(admin, users)
    _seed_boards(admin, users)


ROUND_QUESTIONS = [
    {"kind": "rating", "prompt": "How easy was it to find the export?", "required": True},
    {"kind": "nps", "prompt": "How likely are you to recommend this to a colleague?", "required": True},
    {"kind": "choice", "prompt": "Which format do you need most?", "options": ["CSV", "Excel", "PDF"]},
    {"kind": "text", "prompt": "What would make it better?"},
]


def _seed_prototypes(rng: random.Random, pm, members, created) -> tuple:
    """Two published prototypes: one with a closed and an open round (answered), one without rounds."""
    now = utcnow()
    export = prototypes.create_prototype(
        pm,
        "Report export, first cut",
        "A clickable mock-up of **CSV and Excel export** from any report. Try it and tell us what is missing.",
        idea_ids=[created["Export reports to CSV"].id],
        links=[prototypes.LinkInput("https://example.com/mockups/export", "Clickable mock-up")],
        status="published",
    )
    dark = prototypes.create_prototype(
        pm,
        "Dark theme preview",
        "Screens of the dashboard in the dark theme, following the system setting.",
        idea_ids=[created["Dark mode"].id],
        status="published",
    )
    feelings = ["Show a preview before downloading.", "Keep the column order stable.", "Faster, please!"]
    for number, (start, end) in enumerate(((30, 16), (2, -12)), start=1):
        opened = now - timedelta(days=start)
        closes = now - timedelta(days=end)
        round_ = rounds.create_round(
            pm, export, f"Round {number}", opened, closes, ROUND_QUESTIONS, now=opened
        )
        for member in rng.sample(members, k=8 if number == 1 else 6):
            answers = {
                str(round_.questions[0].id): rng.randint(2, 4) + (number - 1),
                str(round_.questions[1].id): rng.randint(5, 9) + (number - 1),
                str(round_.questions[2].id): rng.choice(["CSV", "CSV", "Excel", "PDF"]),
            }
            if rng.random() < 0.5:
                answers[str(round_.questions[3].id)] = rng.choice(feelings)
            rounds.submit_response(
                member, rounds.get_round(member, round_.id), answers, now=opened + timedelta(days=1)
            )
    # The dark theme was tried first: a closed round, ahead of its learning launch.
    opened, closes = now - timedelta(days=47), now - timedelta(days=41)
    night_round = rounds.create_round(
        pm, dark, "Night-shift first look", opened, closes, DARK_QUESTIONS, now=opened
    )
    comfort, recommend, hardest = night_round.questions
    for member in rng.sample(members, k=7):
        answers = {str(comfort.id): rng.randint(3, 5), str(recommend.id): rng.randint(7, 10)}
        if rng.random() < 0.6:
            answers[str(hardest.id)] = rng.choice(["The charts.", "The report tables.", "None, all fine."])
        rounds.submit_response(
            member, rounds.get_round(member, night_round.id), answers, now=opened + timedelta(days=1)
        )
    # Published a little before their first rounds opened.
    for prototype, days_ago in ((export, 33), (dark, 48)):
        prototype.created_at = prototype.updated_at = prototype.published_at = now - timedelta(days=days_ago)
    db.session.commit()
    return export, dark


DARK_QUESTIONS = [
    {
        "kind": "rating",
        "prompt": "How comfortable were the dark screens during a night shift?",
        "required": True,
    },
    {
        "kind": "nps",
        "prompt": "How likely are you to recommend the dark theme to a colleague?",
        "required": True,
    },
    {"kind": "text", "prompt": "Which screen was hardest to read?"},
]


# (email, screening answer) of the people who join the recruiting launch, in order: three seats.
EXPORT_PILOT_JOINERS = [
    ("sam@example.com", "Monthly revenue and the churn report."),
    ("lee@example.com", "Pipeline by region, every first Monday."),
    ("noor@example.com", "Support volume and response times."),
    ("jonas@example.com", "Revenue per customer."),
    ("aiko@example.com", "The quarterly board pack, monthly drafts."),
]
DARK_PILOT_PEOPLE = [
    "member@example.com", "noor@example.com", "lee@example.com", "ben@example.com", "carla@example.com",
    "dev@example.com",
]  # fmt: skip


def _seed_launches(pm, users, created, export, dark) -> None:
    """Two learning launches: one recruiting with a full house and a waitlist, one completed with its outcome."""
    today = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    pilot = launches.create_launch(
        pm,
        title="One-click finance export pilot",
        hypothesis="We believe a one-click CSV export of the monthly reports will halve the time "
        "finance teams spend preparing their numbers.",
        description="For four weeks you use the export mock-up instead of retyping numbers:\n\n"
        "1. Export the reports you send to finance each month.\n"
        "2. Note how long the monthly report took you.\n"
        "3. Answer a short check-in every week (two minutes).",
        success_metric="Minutes spent preparing the monthly finance report",
        metric_baseline="120 min",
        metric_target="60 min",
        capacity=3,
        starts_at=today + timedelta(days=7),
        ends_at=today + timedelta(days=35),
        eligibility="Teams that send numbers to finance every month.",
        screening_question="Which reports do you send to finance each month?",
        assumptions=[
            AssumptionInput("value", "Finance teams would rather export than retype the numbers"),
            AssumptionInput("execution", "We can keep the column order stable across releases"),
            AssumptionInput("scale", "Exports stay fast for reports with 100,000 rows"),
        ],
        idea_ids=[created["Export reports to CSV"].id],
        prototype_ids=[export.id],
        status="recruiting",
    )
    for email, answer in EXPORT_PILOT_JOINERS:
        participation.join_launch(users[email], pilot.id, answer)

    starts = today - timedelta(days=40)
    night = launches.create_launch(
        pm,
        title="Dark theme with night-shift teams",
        hypothesis="We believe a dark theme will let night-shift teams work through their shift "
        "without eye strain, and that they will keep it on.",
        description="Two weeks with the dark theme preview switched on for your whole team.",
        success_metric="Share of participants who keep the dark theme on after two weeks",
        metric_baseline="0%",
        metric_target="60%",
        capacity=8,
        starts_at=starts,
        ends_at=starts + timedelta(days=14),
        eligibility="Teams that work evenings or nights.",
        assumptions=[
            AssumptionInput("value", "People working at night want a dark theme"),
            AssumptionInput("execution", "Every screen, charts included, works in the dark theme"),
            AssumptionInput("scale", "Following the system setting is enough; nobody needs a schedule"),
        ],
        idea_ids=[created["Dark mode"].id],
        prototype_ids=[dark.id],
        status="recruiting",
    )
    for email in DARK_PILOT_PEOPLE:
        participation.join_launch(users[email], night.id)
    night = launches.get_launch(pm, night.id)
    launches.change_status(pm, night, "running")
    value, execution, scale = night.assumptions
    launches.change_status(
        pm,
        night,
        "completed",
        OutcomeInput(
            decision="iterate",
            summary="Five of six participants kept the dark theme on, and several asked for it on their "
            "phones too. The **charts** were hard to read on the dark background, so we are fixing "
            "their colours before rolling the theme out to everyone.",
            metric_actual="83%",
            results={value.id: "confirmed", execution.id: "refuted", scale.id: "confirmed"},
        ),
    )
    night.completed_at = starts + timedelta(days=16)
    db.session.commit()


def _quarter(when: datetime) -> str:
    """`2027 Q1`, as roadmap targets are written."""
    return f"{when.year} Q{(when.month - 1) // 3 + 1}"


# (title, description, status, public, quarters ahead, linked idea, days ago: created, linked, shipped, note)
ROADMAP = [
    ("Dark theme for everyone", "Roll the dark theme out to every screen, charts included, following "
     "the system setting.", "shipped", True, 0, "Dark mode", (24, 22, 3),
     "The **dark theme** is here for everyone. It follows your system setting, and charts now use "
     "colours that stay readable on a dark background: the pilot's night-shift teams told us they "
     "were the hardest part to read."),
    ("Report export (CSV and Excel)", "Export any report as CSV or Excel, with a stable column order.",
     "planned", True, 1, "Export reports to CSV", (30, 30, None), ""),
    ("Single sign-on: Google Workspace and Microsoft Entra ID", "Sign in with your company account; "
     "admins can require it for everyone.", "in_progress", True, 0, "Single sign-on with Google Workspace",
     (14, 12, None), ""),
    ("Keyboard shortcuts", "Move through lists, vote and search without the mouse.", "shipped", True, 0,
     "Keyboard shortcuts", (76, 75, 71), "Press `?` anywhere to see every shortcut: `j` and `k` move "
     "through lists, `v` votes and `/` jumps to search."),
    ("Slack and Microsoft Teams notifications", "Post to a channel when an idea you follow gets a "
     "comment or changes status.", "planned", True, 2, "Slack notifications for new comments",
     (5, 5, None), ""),
    ("Custom fields: enterprise pilot", "Start with the three enterprise customers who asked; decide on "
     "general availability after.", "planned", False, 1, "Custom fields on records", (4, 4, None), ""),
]  # fmt: skip


def _seed_roadmap(pm, created) -> None:
    """Roadmap items across the board, one private, two shipped; linked ideas follow them."""
    now = utcnow()
    for title, description, status, public, ahead, idea_title, days, note in ROADMAP:
        created_days, linked_days, shipped_days = days
        idea = created[idea_title]
        linked_at = now - timedelta(days=linked_days)
        shipped_at = now - timedelta(days=shipped_days) if shipped_days is not None else None
        # An item for an idea that shipped long ago is created shipped; the other one gets there.
        shipped_before = status == "shipped" and idea.status == "shipped"
        started = utcnow()
        item = roadmap.create_item(
            pm,
            title,
            description=description,
            status="shipped" if shipped_before else ("in_progress" if status == "shipped" else status),
            is_public=public,
            target="" if status == "shipped" else _quarter(now + timedelta(days=91 * ahead)),
            release_note=note if shipped_before else "",
        )
        roadmap.link_idea(pm, item, idea.id)
        _date_changes(idea, started, linked_at)
        if status == "shipped" and not shipped_before:
            started = utcnow()
            roadmap.change_status(pm, item, "shipped", release_note=note)
            _date_changes(idea, started, shipped_at)
        # Put the item and its link back at the days they happened.
        item.created_at = now - timedelta(days=created_days)
        item.shipped_at = shipped_at
        item.updated_at = shipped_at or linked_at
        db.session.execute(
            update(RoadmapIdea).where(RoadmapIdea.roadmap_item_id == item.id).values(created_at=linked_at)
        )
    db.session.commit()


def _date_changes(idea, since: datetime, when: datetime) -> None:
    """Date the idea's status changes made since `since` (by the roadmap) at `when`."""
    for change in db.session.scalars(
        select(IdeaStatusChange).where(
            IdeaStatusChange.idea_id == idea.id, IdeaStatusChange.created_at >= since
        )
    ):
        change.created_at = idea.updated_at = when


# (name, weight, description, member emails)
SEGMENTS = [
    ("Enterprise", 3, "Customers on the Enterprise plan.",
     ["sam", "noor", "carla", "ivan", "marco"]),
    ("Pro plan", 2, "Customers on the Pro plan.",
     ["lee", "jonas", "aiko", "dev", "farah", "julia", "omar"]),
    ("Free plan", 1, "Customers on the free plan.",
     ["member", "ben", "elif", "gus", "hana", "kofi", "lina", "nia", "pia"]),
    ("Small team", 1, "Teams of ten people or fewer, whatever their plan.",
     ["member", "ben", "gus", "lina", "jonas"]),
]  # fmt: skip


def _seed_segments(admin, users) -> None:
    """Customer segments by plan (weighted) and one by team size, every member in a plan."""
    for name, weight, description, people in SEGMENTS:
        segment = segments.create_segment(admin, name, weight, description)
        segments.assign_emails(admin, segment, " ".join(f"{person}@example.com" for person in people))
    db.session.commit()


BOARD_IDEAS = [
    ("mobile", "sam@example.com", "Offline mode for the phone app",
     "I fill in reports on site visits where there is no signal. Let me save drafts and send them later."),
    ("mobile", "aiko@example.com", "Face ID to sign in on the phone",
     "Typing a long password on a phone keyboard is slow."),
    ("enterprise-beta", "noor@example.com", "Audit trail export for compliance",
     "Our auditors ask who changed what and when, once a quarter, as a file they can keep."),
    ("enterprise-beta", "carla@example.com", "Sign in with our company's identity provider",
     "We manage 400 accounts; people leaving should lose access the day they leave."),
]  # fmt: skip


def _seed_boards(admin, users) -> None:
    """The web app's board (the default one), the phone apps' board, and a private beta board for
    the Enterprise segment (and Mia, by name)."""
    web = boards.default_board()
    boards.update_board(
        admin,
        web,
        {"name": "Web app", "description": "Reports, exports, integrations and everything in the browser."},
    )
    boards.create_board(admin, "Mobile app", "mobile", "The iOS and Android apps.")
    beta = boards.create_board(
        admin,
        "Enterprise beta",
        "enterprise-beta",
        "Early features for customers on the Enterprise plan, under our beta agreement.",
        visibility="private",
    )
    enterprise = next(segment for segment in segments.all_segments() if segment.name == "Enterprise")
    boards.grant_segment(admin, beta, enterprise)
    boards.grant_member(admin, beta, users["member@example.com"])
    for slug, email, title, body in BOARD_IDEAS:
        idea = ideas.create_idea(users[email], title, body, board=slug)
        for voter in ("sam", "noor", "carla", "ivan", "member"):
            if f"{voter}@example.com" != email and (slug == "mobile" or voter != "member"):
                votes.cast_vote(users[f"{voter}@example.com"], idea)
    db.session.commit()


def demo_logins() -> list[tuple[str, str]]:
    """(email, role) of the demo accounts that exist in this database."""
    return [(email, role) for email, _, role in DEMO_USERS if accounts.find_user_by_email(email) is not None]
