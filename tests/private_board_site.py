"""A site with public boards, then a private board with something of every kind on it.

`PublicSite.build()` makes the public part: two public boards, ideas with votes, comments, an
image, a prototype with a round, a launch and a roadmap item, and the people who will walk it.
`PrivateBoard.build(site)` then adds the private board "Nimbus Orchard" and everything on it,
each text carrying a marker word found nowhere else; the outsider is let in first (so they vote,
follow, comment, join, propose and are notified), then shut out again.

Whoever backs a private idea linked to the public roadmap item backs its public idea too, so the
item's demand (distinct voters) is the same whether or not private votes are counted; the test
that the public demand counts no private voter makes its own voters.
"""

import re
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models.base import utcnow
from app.models.comment import Comment
from app.models.idea import Idea, IdeaImage
from app.models.notification import Notification
from app.models.prototype import PrototypeImage
from app.models.user import User
from app.services import (
    boards,
    categories,
    comments,
    follows,
    ideas,
    launches,
    merges,
    notifications,
    outbox,
    prototypes,
    roadmap,
    rounds,
    votes,
)
from app.uploads import Upload
from tests.factories import (
    HOUR,
    QUESTIONS,
    make_api_token,
    make_board,
    make_launch,
    make_participant,
    make_prototype,
    make_roadmap_item,
    make_round,
    make_segment,
    make_user,
)
from tests.services.test_uploads import image_bytes
from tests.site_walk import Values

BOARD_NAME = "Nimbus Orchard"
BOARD_SLUG = "nimbus-orchard"
GRANTED_DOMAIN = "acme-corp.example"
# Each private thing's text carries one of these words, and nothing public does.
MARKERS = (
    "zanzibarquokka",  # a private idea's title
    "xylophonemarmot",  # its body
    "velvetpangolin",  # a category of the private board
    "quasarotter",  # another member's private idea
    "marzipanheron",  # a private idea merged into the first
    "opalwalrus",  # the outsider's own idea, proposed while they had access
    "saffronlemur",  # an idea moved onto the private board
    "glimmerwombat",  # a comment
    "thistlebadger",  # a reply that mentions the outsider
    "ferretlantern",  # the outsider's own comment
    "porcupinezeppelin",  # a prototype linked only to private ideas
    "driftwoodcapybara",  # a comment on it
    "gingerpelican",  # a feedback round on it
    "nebulakoala",  # a learning launch linked only to private ideas
)
SEARCHED = "zanzibarquokka"


def _png(shade: int) -> Upload:
    return Upload(f"picture{shade}.png", image_bytes(color=(shade, 90, 160)))


@dataclass
class PublicSite:
    """The public part of the site and the people who walk it."""

    admin: User
    pm: User
    author: User
    insiders: dict[str, User]
    outsider: User
    unverified: User
    tokens: dict[int, str]
    idea: Idea
    mobile_idea: Idea
    values: Values = field(default_factory=Values)

    @classmethod
    def build(cls) -> "PublicSite":
        admin = make_user("admin", name="Ada Admin")
        pm = make_user("product_manager", name="Pat Manager")
        author = make_user(name="Pia Public")
        named = make_user(name="Nell Named", username="nell")
        in_segment = make_user(name="Sam Segment", username="sam")
        by_domain = make_user(email=f"dora@{GRANTED_DOMAIN}", name="Dora Domain", username="dora")
        outsider = make_user(email="otto@elsewhere.example", name="Otto Outsider", username="otto")
        unverified = make_user(email=f"una@{GRANTED_DOMAIN}", name="Una Unverified", username="una")
        unverified.email_verified_at = None
        db.session.commit()
        enterprise = make_segment("Enterprise customers", [in_segment], admin=admin)
        make_segment("Retail customers", [outsider, unverified], admin=admin)
        make_board("Mobile app", slug="mobile", admin=admin)
        categories.create_category(admin, "Reporting", "reporting")
        idea = ideas.create_idea(
            author, "Export reports to CSV", "So finance can use them.", "reporting", images=[_png(10)]
        )
        # Everyone who will back the private idea on the roadmap backs this one too (see above).
        for voter in (named, in_segment, by_domain, outsider):
            votes.cast_vote(voter, idea)
        mobile_idea = ideas.create_idea(author, "Offline mode on the phone", board="mobile")
        db.session.commit()
        comments.add_comment(named, idea, "Yes please, monthly.")
        comments.add_comment(author, idea, "Thanks, everyone: we are on it.")
        db.session.commit()
        prototype = make_prototype(pm, "Clickable CSV export", idea_ids=[idea.id], images=[image_bytes()])
        round_ = make_round(pm, prototype, title="Round one")
        launch = make_launch(pm, title="Weekly summary pilot", idea_ids=[idea.id])
        item = make_roadmap_item(pm, "CSV export for every report", idea_ids=[idea.id])
        # Shipped, so on the changelog and its feed with the ideas it answers.
        shipped = make_roadmap_item(
            pm, "CSV export of the invoices", "shipped", idea_ids=[idea.id], release_note="Done."
        )
        people = {"named": named, "segment": in_segment, "domain": by_domain}
        tokens = {user.id: make_api_token(user) for user in (*people.values(), outsider, unverified)}
        site = cls(admin, pm, author, people, outsider, unverified, tokens, idea, mobile_idea)
        site.values = Values(
            public={
                "idea": [idea.id, mobile_idea.id],
                "prototype": [prototype.id],
                "launch": [launch.id],
                "roadmap_item": [item.id, shipped.id],
                "round": [round_.id],
                "comment": list(db.session.scalars(select(Comment.id).order_by(Comment.id))),
                "user": [author.id, named.id, outsider.id, unverified.id],
                "notification": _notification_ids(),
                "board": [boards.default_board().id],
                "board_slug": ["ideas", "mobile"],
                "category": [categories.category_by_slug("reporting").id],
                "upload": _image_names(),
                "provider": ["oidc"],
                "styles_digest": ["0" * 16],
                "static_file": ["css/base.css"],
                "unsubscribe_token": [notifications.unsubscribe_token(outsider)],
                "email_domain": [GRANTED_DOMAIN],
                "segment": [enterprise.id],
            },
            ghost={
                "idea": 999_999,
                "prototype": 999_999,
                "launch": 999_999,
                "roadmap_item": 999_999,
                "round": 999_999,
                "comment": 999_999,
                "notification": 999_999,
                "board": 999_999,
                "category": 999_999,
                "board_slug": "no-such-board",
                "upload": "a" * 32 + ".png",
            },
            query={"words": [SEARCHED], "board": [BOARD_SLUG], "category": ["velvetpangolin"]},
        )
        _deliver_mail()
        return site

    @property
    def walkers(self) -> list[User]:
        return [*self.insiders.values(), self.outsider, self.unverified]


@dataclass
class PrivateBoard:
    """The private board and the ids of what is on it."""

    board_id: int
    idea_ids: list[int]
    prototype_id: int
    launch_id: int
    round_id: int
    comment_ids: list[int]
    image_names: list[str]
    notification_ids: list[int]

    @classmethod
    def build(cls, site: PublicSite) -> "PrivateBoard":
        admin, pm, outsider = site.admin, site.pm, site.outsider
        named, in_segment, by_domain = (site.insiders[k] for k in ("named", "segment", "domain"))
        seen_before = set(_notification_ids(outsider))
        board = make_board(BOARD_NAME, "private", slug=BOARD_SLUG, admin=admin)
        boards.grant_member(admin, board, named)
        boards.grant_member(admin, board, outsider)  # for a while: see the end
        boards.grant_segment(admin, board, _segment("Enterprise customers"))
        boards.grant_domain(admin, board, GRANTED_DOMAIN)
        category = categories.create_category(admin, "Velvetpangolin tools", "velvetpangolin")
        category.board_id = board.id
        db.session.commit()

        first = ideas.create_idea(
            named,
            "Zanzibarquokka sync for the beta",
            "The xylophonemarmot details.",
            "velvetpangolin",
            images=[_png(200)],
            board=BOARD_SLUG,
        )
        for voter in (in_segment, by_domain, outsider):
            votes.cast_vote(voter, first)
        second = ideas.create_idea(by_domain, "Quasarotter reports", board=BOARD_SLUG)
        merged = ideas.create_idea(in_segment, "Marzipanheron, the same again", board=BOARD_SLUG)
        own = ideas.create_idea(outsider, "Opalwalrus dashboards", board=BOARD_SLUG)
        moved = ideas.create_idea(named, "Saffronlemur alerts")
        follows.follow_idea(outsider, moved)
        db.session.commit()
        merges.merge_ideas(admin, merged.id, first.id)
        boards.move_idea(admin, db.session.get(Idea, moved.id), board)
        db.session.commit()
        opening = comments.add_comment(in_segment, first, "Glimmerwombat is what we need.")
        db.session.commit()
        comments.add_comment(named, first, "@otto thistlebadger, agreed?", opening.id)
        comments.add_comment(outsider, first, "Ferretlantern from me.")
        db.session.commit()

        prototype = make_prototype(
            pm, "Porcupinezeppelin prototype", idea_ids=[first.id], images=[image_bytes(color=(9, 9, 9))]
        )
        comments.add_prototype_comment(named, prototype, "Driftwoodcapybara, lovely.")
        now = utcnow()
        round_ = rounds.create_round(
            pm, prototype, "Gingerpelican round", now - HOUR, now + 72 * HOUR, QUESTIONS, now=now
        )
        launch = make_launch(
            pm, title="Nebulakoala pilot", idea_ids=[first.id], starts_at=now + timedelta(days=3)
        )
        make_participant(launch, outsider)
        db.session.commit()

        # The public prototype, launch and roadmap item are linked to the private idea too.
        public = site.values.public
        shared = prototypes.get_prototype(pm, public["prototype"][0])
        prototypes.update_prototype(pm, shared, idea_ids=[site.idea.id, first.id])
        launches.update_launch(
            pm, launches.get_launch(pm, public["launch"][0]), idea_ids=[site.idea.id, first.id]
        )
        for item_id in public["roadmap_item"]:
            roadmap.link_idea(pm, roadmap.get_item(pm, item_id), first.id)
        db.session.commit()

        boards.revoke_member(admin, board, outsider.id)
        db.session.commit()
        _deliver_mail()
        private = cls(
            board_id=board.id,
            idea_ids=[first.id, second.id, merged.id, own.id, moved.id],
            prototype_id=prototype.id,
            launch_id=launch.id,
            round_id=round_.id,
            comment_ids=list(
                db.session.scalars(
                    select(Comment.id).where(
                        (Comment.idea_id == first.id) | (Comment.prototype_id == prototype.id)
                    )
                )
            ),
            image_names=[name for name in _image_names() if name not in public["upload"]],
            notification_ids=[n for n in _notification_ids(outsider) if n not in seen_before],
        )
        assert len(private.notification_ids) >= 6, "the outsider was told about the board while in it"
        site.values.private = {
            "idea": private.idea_ids,
            "prototype": [private.prototype_id],
            "launch": [private.launch_id],
            "round": [private.round_id],
            "comment": private.comment_ids,
            "notification": private.notification_ids,
            "board": [private.board_id],
            "board_slug": [BOARD_SLUG],
            "category": [category.id],
            "upload": private.image_names,
        }
        return private

    def links(self) -> list[re.Pattern]:
        """Links to the private things, as pages and the API write them."""
        paths = [
            *(rf"/ideas/{idea_id}(?![0-9])" for idea_id in self.idea_ids),
            rf"/prototypes/{self.prototype_id}(?![0-9])",
            rf"/launches/{self.launch_id}(?![0-9])",
            rf"/rounds/{self.round_id}(?![0-9])",
            rf"/b/{BOARD_SLUG}\b",
            *(re.escape(name) for name in self.image_names),
        ]
        return [re.compile(path) for path in paths]


def secrets() -> tuple[str, ...]:
    """Words no reader without access may find anywhere (lower case)."""
    return (*MARKERS, BOARD_NAME.lower(), BOARD_SLUG)


def _segment(name: str):
    from app.models.segment import Segment

    return db.session.scalar(select(Segment).where(Segment.name == name))


def _notification_ids(user: User | None = None) -> list[int]:
    stmt = select(Notification.id).order_by(Notification.id)
    if user is not None:
        stmt = stmt.where(Notification.user_id == user.id)
    return list(db.session.scalars(stmt))


def _image_names() -> list[str]:
    names = []
    for model in (IdeaImage, PrototypeImage):
        for filename, thumbnail in db.session.execute(select(model.filename, model.thumbnail)):
            names += [filename, thumbnail]
    return names


def _deliver_mail() -> None:
    # The status page tells how many emails wait; sent, they wait no more.
    outbox.deliver_due(limit=1000)
    db.session.commit()
