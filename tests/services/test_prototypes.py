"""Prototypes: staff create and edit them, drafts stay with staff, members vote, followers hear of them."""

import random
from datetime import timedelta
from functools import partial

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select

from app import permissions
from app.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from app.extensions import db
from app.models.base import utcnow
from app.models.notification import Notification
from app.models.prototype import Prototype, PrototypeIdea, PrototypeImage, PrototypeVote
from app.models.user import User
from app.services import follows, moderation, prototypes
from app.services.prototypes import LinkInput
from app.uploads import Upload
from tests.concurrency import in_threads
from tests.factories import make_idea, make_prototype, make_round_row, make_user
from tests.services.test_uploads import jpeg_bytes, png_bytes, solid_bomb_png, webp_bytes

ROLES = ["member", "moderator", "product_manager", "admin"]


@pytest.fixture(autouse=True)
def upload_dir(app, tmp_path):
    folder = tmp_path / "uploads"
    app.config["UPLOAD_DIR"] = str(folder)
    return folder


def stored_files(folder) -> set[str]:
    return {path.name for path in folder.iterdir()} if folder.exists() else set()


def prototype_count() -> int:
    return db.session.scalar(select(func.count(Prototype.id)))


def actor_for(role: str):
    return AnonymousUserMixin() if role == "anonymous" else make_user(role)


# ---- Permissions ----


@pytest.mark.parametrize("role", ["anonymous", *ROLES])
def test_the_prototype_rules_per_role(app, role):
    actor = actor_for(role)
    staff = role in ("product_manager", "admin")
    for action in ("prototype.create", "prototype.edit", "prototype.change_status", "prototype.view_drafts"):
        assert permissions.can(actor, action) == staff, action
    assert permissions.can(actor, "prototype.vote") == (role != "anonymous")


def test_suspended_staff_cannot_create(app):
    pm = make_user("product_manager")
    pm.suspended_at = utcnow()
    db.session.commit()
    with pytest.raises(Forbidden, match="suspended"):
        prototypes.create_prototype(pm, "A fine prototype title")


# ---- Creating ----


@pytest.mark.parametrize("role", ["product_manager", "admin"])
def test_staff_create_a_draft_with_links_ideas_and_images(app, upload_dir, role):
    idea = make_idea()
    prototype = make_prototype(
        make_user(role),
        title="  Clickable   CSV export ",
        idea_ids=[idea.id, idea.id],
        links=[LinkInput("https://example.com/demo", " Clickable  demo "), LinkInput("http://example.org")],
        images=[png_bytes(), jpeg_bytes()],
        status="draft",
    )
    prototype = prototypes.get_prototype(make_user("admin"), prototype.id)
    assert prototype.title == "Clickable CSV export"
    assert prototype.status == "draft"
    assert prototype.published_at is None
    assert "<strong>exporting</strong>" in prototype.description_html
    assert [(link.url, link.label) for link in prototype.links] == [
        ("https://example.com/demo", "Clickable demo"),
        ("http://example.org", ""),
    ]
    assert db.session.scalars(select(PrototypeIdea.idea_id)).all() == [idea.id]
    assert [image.content_type for image in prototype.images] == ["image/png", "image/jpeg"]
    assert [image.position for image in prototype.images] == [0, 1]
    names = {name for image in prototype.images for name in (image.filename, image.thumbnail)}
    assert stored_files(upload_dir) == names


@pytest.mark.parametrize("role", ["anonymous", "member", "moderator"])
def test_only_staff_create_prototypes(app, role):
    expected = Unauthorized if role == "anonymous" else Forbidden
    with pytest.raises(expected):
        prototypes.create_prototype(actor_for(role), "A fine prototype title")
    assert prototype_count() == 0


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"title": "Tiny"}, "title", "The title needs at least 5 characters."),
        ({"title": "x" * 121}, "title", "Keep the title to 120 characters or fewer (it has 121)."),
        ({"description": "x" * 20_001}, "description", "Keep the description to 20,000 characters or fewer"),
        ({"status": "archived"}, "status", "A new prototype is saved as a draft or published."),
        ({"idea_ids": [999]}, "idea_ids", "There is no idea #999; check the numbers."),
        ({"idea_ids": ["12"]}, "idea_ids", "Idea numbers are whole numbers, like 12."),
        ({"idea_ids": list(range(1, 22))}, "idea_ids", "Link at most 20 ideas (this has 21)."),
    ],
)
def test_bad_fields_are_refused_and_nothing_is_stored(app, upload_dir, kwargs, field, message):
    args = {"title": "A fine prototype title", "images": [Upload("ok.png", png_bytes())], **kwargs}
    with pytest.raises(Invalid) as error:
        prototypes.create_prototype(make_user("product_manager"), **args)
    assert error.value.fields[field][0].startswith(message)
    db.session.rollback()
    assert prototype_count() == 0
    assert stored_files(upload_dir) == set()


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("javascript:alert(1)", "only full http:// and https:// addresses are allowed"),
        ("JaVaScRiPt:alert(1)", "only full http:// and https:// addresses are allowed"),
        ("data:text/html,<script>alert(1)</script>", "only full http:// and https:// addresses are allowed"),
        ("ftp://example.com/file", "only full http:// and https:// addresses are allowed"),
        ("/relative/path", "only full http:// and https:// addresses are allowed"),
        ("//example.com/no-scheme", "only full http:// and https:// addresses are allowed"),
        ("example.com", "only full http:// and https:// addresses are allowed"),
        ("http:///no-host", "only full http:// and https:// addresses are allowed"),
        ("https://user:secret@example.com/", "must not contain a user name or password"),
        ("https://example.com:port/", "is not a valid web address"),
        ("https://exa mple.com/", "contains spaces or control characters"),
        ("https://example.com/" + "a" * 2000, "is longer than 2,000 characters"),
    ],
)
def test_only_http_and_https_links_are_taken(app, url, problem):
    with pytest.raises(Invalid) as error:
        make_prototype(links=[LinkInput("https://example.com/fine"), LinkInput(url)], status="draft")
    [message] = error.value.fields["links"]
    assert message.startswith("Link 2 (")
    assert problem in message
    db.session.rollback()
    assert prototype_count() == 0


def test_at_most_10_links(app):
    with pytest.raises(Invalid) as error:
        make_prototype(links=[LinkInput(f"https://example.com/{n}") for n in range(11)], status="draft")
    assert error.value.fields["links"] == ["A prototype can have at most 10 links (this has 11)."]


def test_hidden_and_deleted_ideas_cannot_be_linked(app):
    moderator = make_user("moderator")
    hidden, deleted = make_idea(title="Hidden idea here"), make_idea(title="Deleted idea here")
    moderation.hide_item(moderator, "idea", hidden.id, "Spam")
    moderation.delete_item(moderator, "idea", deleted.id)
    db.session.commit()
    with pytest.raises(Invalid) as error:
        make_prototype(idea_ids=[hidden.id, deleted.id], status="draft")
    assert error.value.fields["idea_ids"] == [
        f"There is no idea #{hidden.id}, #{deleted.id}; check the numbers."
    ]


@pytest.mark.parametrize(
    ("images", "message"),
    [
        ([b"I am a text file named screenshot.png"], "That file is not a PNG, JPEG or WebP image."),
        ([b"\x89PNG" + b"\0" * (5 * 1024 * 1024)], "Images can be at most 5 MB."),
        ([solid_bomb_png()], "That image is too large in pixels to be safe to open."),
        ([png_bytes()] * 9, "A prototype can have at most 8 images."),
    ],
    ids=["renamed-text", "oversized", "bomb", "nine-images"],
)
def test_refused_images_leave_no_prototype_and_no_file(app, upload_dir, images, message):
    with pytest.raises(Invalid) as error:
        make_prototype(images=images, status="draft")
    assert message in error.value.fields["images"][-1]
    db.session.rollback()
    assert prototype_count() == 0
    assert db.session.scalar(select(func.count(PrototypeImage.id))) == 0
    assert stored_files(upload_dir) == set()


# ---- Editing ----


def test_staff_edit_fields_links_ideas_and_images(app, upload_dir):
    pm = make_user("product_manager")
    first, second = make_idea(title="First idea here"), make_idea(title="Second idea here")
    prototype = make_prototype(pm, idea_ids=[first.id], images=[png_bytes(), jpeg_bytes()], status="draft")
    prototype = prototypes.get_prototype(pm, prototype.id)
    old_png = prototype.images[0]
    old_names = {old_png.filename, old_png.thumbnail}
    prototypes.update_prototype(
        pm,
        prototype,
        title="Better title here",
        description="New *words*",
        idea_ids=[second.id],
        links=[LinkInput("https://example.com/v2", "Version 2")],
        add_images=[Upload("new.webp", webp_bytes())],
        remove_image_ids=[old_png.id],
        image_alts={prototype.images[1].id: "The export dialog"},
    )
    assert old_names <= stored_files(upload_dir)  # not gone before the commit
    db.session.commit()
    prototype = prototypes.get_prototype(pm, prototype.id)
    assert prototype.title == "Better title here"
    assert prototype.description_html == "<p>New <em>words</em></p>\n"
    assert [(link.url, link.label) for link in prototype.links] == [("https://example.com/v2", "Version 2")]
    assert db.session.scalars(select(PrototypeIdea.idea_id)).all() == [second.id]
    assert [image.content_type for image in prototype.images] == ["image/jpeg", "image/webp"]
    assert prototype.images[0].alt == "The export dialog"
    assert not old_names & stored_files(upload_dir)
    assert len(stored_files(upload_dir)) == 4


def test_editing_counts_the_images_already_there(app, upload_dir):
    pm = make_user("product_manager")
    prototype = make_prototype(pm, images=[png_bytes()] * 7, status="draft")
    before = stored_files(upload_dir)
    prototype = prototypes.get_prototype(pm, prototype.id)
    with pytest.raises(Invalid) as error:
        prototypes.update_prototype(pm, prototype, add_images=[Upload("a.png", png_bytes())] * 2)
    assert error.value.fields["images"][0].startswith("A prototype can have at most 8 images.")
    db.session.rollback()
    assert stored_files(upload_dir) == before
    # Removing one makes room for one more.
    prototype = prototypes.get_prototype(pm, prototype.id)
    prototypes.update_prototype(
        pm,
        prototype,
        add_images=[Upload("a.png", png_bytes())] * 2,
        remove_image_ids=[prototype.images[0].id],
    )
    db.session.commit()
    assert db.session.scalar(select(func.count(PrototypeImage.id))) == 8


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_only_staff_edit(app, role):
    prototype = make_prototype(status="published")
    actor = make_user(role)
    with pytest.raises(Forbidden):
        prototypes.update_prototype(
            actor, prototypes.get_prototype(actor, prototype.id), title="Mine now, thanks"
        )


# ---- Visibility ----


@pytest.mark.parametrize(
    ("role", "sees_drafts"),
    [
        ("anonymous", False),
        ("member", False),
        ("moderator", False),
        ("product_manager", True),
        ("admin", True),
    ],
)
def test_drafts_are_seen_by_staff_only(app, role, sees_drafts):
    draft = make_prototype(title="Secret draft here", status="draft")
    published = make_prototype(title="Published one here", status="published")
    archived = make_prototype(title="Archived one here", status="published")
    prototypes.change_status(make_user("admin"), archived, "archived")
    db.session.commit()
    actor = actor_for(role)
    listed = [p.title for p in prototypes.list_prototypes(actor).page.items]
    expected = {"Published one here", "Archived one here"} | ({"Secret draft here"} if sees_drafts else set())
    assert set(listed) == expected
    assert listed[-1] == "Archived one here"  # archived ones come last
    assert prototypes.get_prototype(actor, published.id).id == published.id
    assert prototypes.get_prototype(actor, archived.id).id == archived.id
    if sees_drafts:
        assert prototypes.prototype_page(actor, draft.id).prototype.id == draft.id
    else:
        with pytest.raises(NotFound):
            prototypes.prototype_page(actor, draft.id)


# ---- Status ----


def test_publish_archive_and_publish_again(app):
    pm = make_user("product_manager")
    prototype = make_prototype(pm, status="draft")
    prototypes.change_status(pm, prototype, "published")
    db.session.commit()
    published_at = prototype.published_at
    assert prototype.status == "published"
    assert published_at is not None
    prototypes.change_status(pm, prototype, "archived")
    prototypes.change_status(pm, prototype, "published")
    db.session.commit()
    assert prototype.status == "published"
    assert prototype.published_at == published_at


def test_never_back_to_draft_and_no_archiving_a_draft(app):
    pm = make_user("product_manager")
    draft = make_prototype(pm, status="draft")
    with pytest.raises(Conflict, match="only published prototypes can be archived"):
        prototypes.change_status(pm, draft, "archived")
    prototypes.change_status(pm, draft, "published")
    with pytest.raises(Conflict, match="cannot go back to draft"):
        prototypes.change_status(pm, draft, "draft")
    with pytest.raises(Invalid, match="already published"):
        prototypes.change_status(pm, draft, "published")
    with pytest.raises(Invalid, match="Status must be one of"):
        prototypes.change_status(pm, draft, "deleted")


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_only_staff_change_status(app, role):
    prototype = make_prototype(status="draft")
    with pytest.raises(Forbidden):
        prototypes.change_status(make_user(role), prototype, "published")


def notifications_for(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)))


def test_publishing_tells_each_follower_of_the_linked_ideas_once_and_never_the_actor(app):
    pm = make_user("product_manager")
    alice, bob, carol, stranger = make_user(), make_user(), make_user(), make_user()
    first = make_idea(alice, "Export reports to CSV")
    second = make_idea(bob, "Export reports to Excel")
    follows.follow_idea(alice, second)  # alice follows both ideas
    follows.follow_idea(pm, first)  # the actor follows one too
    make_idea(carol, "Unrelated idea here")
    db.session.commit()
    prototype = make_prototype(pm, title="Export prototype", idea_ids=[first.id, second.id], status="draft")
    assert db.session.scalar(select(func.count(Notification.id))) == 0  # a draft tells nobody

    prototypes.change_status(pm, prototype, "published")
    db.session.commit()
    [to_alice] = notifications_for(alice)
    [to_bob] = notifications_for(bob)
    assert notifications_for(carol) == notifications_for(stranger) == notifications_for(pm) == []
    assert to_alice.kind == "status"
    assert to_alice.url == f"/prototypes/{prototype.id}"
    assert "Export prototype" in to_alice.message
    assert "Export reports to CSV" in to_alice.message
    assert "Export reports to Excel" in to_bob.message

    # Archiving and publishing again tells nobody a second time.
    prototypes.change_status(pm, prototype, "archived")
    prototypes.change_status(pm, prototype, "published")
    db.session.commit()
    assert db.session.scalar(select(func.count(Notification.id))) == 2


def test_publishing_at_creation_tells_the_followers_too(app):
    follower = make_user()
    idea = make_idea(follower)
    make_prototype(idea_ids=[idea.id], status="published")
    assert len(notifications_for(follower)) == 1


# ---- Votes ----


def test_votes_toggle_and_count_once_per_member(app):
    prototype = make_prototype(status="published")
    mia, sam = make_user(), make_user()
    assert prototypes.cast_vote(mia, prototype) == 1
    assert prototypes.cast_vote(mia, prototype) == 1
    assert prototypes.cast_vote(sam, prototype) == 2
    db.session.commit()
    assert prototypes.voted_prototype_ids(mia, [prototype.id]) == {prototype.id}
    assert prototypes.retract_vote(mia, prototype) == 1
    assert prototypes.retract_vote(mia, prototype) == 1
    db.session.commit()
    assert db.session.scalars(select(PrototypeVote.user_id)).all() == [sam.id]
    assert db.session.get(Prototype, prototype.id).vote_count == 1


def test_archived_prototypes_and_drafts_take_no_votes(app):
    pm = make_user("product_manager")
    member = make_user()
    prototype = make_prototype(pm, status="published")
    prototypes.cast_vote(member, prototype)
    prototypes.change_status(pm, prototype, "archived")
    db.session.commit()
    with pytest.raises(Conflict, match="archived"):
        prototypes.cast_vote(make_user(), prototype)
    with pytest.raises(Conflict, match="archived"):
        prototypes.retract_vote(member, prototype)
    with pytest.raises(Conflict, match="Drafts take no votes"):
        prototypes.cast_vote(pm, make_prototype(pm, status="draft"))
    assert db.session.get(Prototype, prototype.id).vote_count == 1


def test_anonymous_and_suspended_people_cannot_vote(app):
    prototype = make_prototype(status="published")
    with pytest.raises(Unauthorized):
        prototypes.cast_vote(AnonymousUserMixin(), prototype)
    suspended = make_user()
    suspended.suspended_at = utcnow()
    db.session.commit()
    with pytest.raises(Forbidden):
        prototypes.cast_vote(suspended, prototype)
    assert db.session.get(Prototype, prototype.id).vote_count == 0


# ---- Rounds on the list ----


def test_open_rounds_by_prototype_finds_only_rounds_open_now(app, count_queries):
    day = timedelta(days=1)
    pm = make_user("product_manager")
    with_open, with_closed, with_scheduled = (
        make_prototype(pm, title=f"Prototype {n} here", status="published") for n in range(3)
    )
    make_round_row(with_open, -day, 3 * day, "Later closing")
    soonest = make_round_row(with_open, -day, day, "Closing first")
    make_round_row(with_closed, -3 * day, -day)
    make_round_row(with_scheduled, day, 3 * day)
    ids = [with_open.id, with_closed.id, with_scheduled.id]
    with count_queries() as queries:
        found = prototypes.open_rounds_by_prototype(ids)
    assert len(queries) == 1
    assert {key: value.id for key, value in found.items()} == {with_open.id: soonest.id}
    assert prototypes.open_rounds_by_prototype([]) == {}


# ---- Concurrency (PostgreSQL) ----


@pytest.mark.postgres
def test_parallel_votes_keep_the_count_equal_to_the_rows(app):
    prototype_id = make_prototype(status="published").id
    voters = [make_user(commit=False) for _ in range(20)]
    db.session.commit()
    voter_ids = [voter.id for voter in voters]

    def vote_at_random(seed: int) -> None:
        rng = random.Random(seed)  # noqa: S311 - a reproducible shuffle, not a secret
        for _ in range(3):
            order = voter_ids[:]
            rng.shuffle(order)
            for user_id in order:
                user = db.session.get(User, user_id)
                prototype = db.session.get(Prototype, prototype_id)
                if rng.random() < 0.6:
                    prototypes.cast_vote(user, prototype)
                else:
                    prototypes.retract_vote(user, prototype)
                db.session.commit()

    assert in_threads(app, [partial(vote_at_random, seed) for seed in range(6)]) == [None] * 6
    db.session.expire_all()
    rows = db.session.scalar(
        select(func.count()).select_from(PrototypeVote).where(PrototypeVote.prototype_id == prototype_id)
    )
    assert db.session.get(Prototype, prototype_id).vote_count == rows


@pytest.mark.postgres
def test_publishing_twice_at_once_notifies_once(app):
    follower = make_user()
    idea = make_idea(follower)
    staff_ids = [make_user("product_manager").id for _ in range(4)]
    prototype_id = make_prototype(idea_ids=[idea.id], status="draft").id

    def publish(seed: int) -> None:
        actor = db.session.get(User, staff_ids[seed])
        prototype = db.session.get(Prototype, prototype_id)
        try:
            prototypes.change_status(actor, prototype, "published")
            db.session.commit()
        except Invalid:
            db.session.rollback()  # it was already published when this one looked

    jobs = [partial(publish, seed) for seed in range(len(staff_ids))]
    assert in_threads(app, jobs) == [None] * len(jobs)
    assert len(notifications_for(follower)) == 1


def test_an_ideas_prototypes_are_listed_as_the_viewer_may_see_them(app):
    idea = make_idea()
    pm = make_user("product_manager")
    published = make_prototype(pm, title="Published one here", status="published", idea_ids=[idea.id])
    make_prototype(pm, title="Draft one here", idea_ids=[idea.id], status="draft")
    make_prototype(pm, title="Other idea's one", status="published")
    assert [p.id for p in prototypes.prototypes_for_idea(make_user(), idea.id)] == [published.id]
    assert len(prototypes.prototypes_for_idea(pm, idea.id)) == 2
