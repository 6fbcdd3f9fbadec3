"""Moderating prototypes from their page and the review queue; prototype comments on profiles."""

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.moderation import AuditEntry, Flag
from app.models.prototype import Prototype
from app.models.user import User
from app.services import comments, moderation, prototypes
from app.uploads import Upload
from tests.factories import ApiCaller, make_idea, make_prototype, make_user
from tests.services.test_uploads import png_bytes

THANKS = "Thanks — a moderator will look at it."


@pytest.fixture
def pm(app) -> User:
    return make_user("product_manager", name="Pat Manager")


@pytest.fixture
def moderator(app) -> User:
    return make_user("moderator", name="Mo Moderator")


def stored(prototype_id: int) -> Prototype:
    return db.session.get(Prototype, prototype_id)


def flag_rows() -> list[Flag]:
    return list(db.session.scalars(select(Flag).order_by(Flag.id)))


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def flag_via_page(client, prototype_id: int, reason: str = "spam", note: str = ""):
    page = f"/prototypes/{prototype_id}"
    return client.post_form(
        "/flags",
        {
            "target_type": "prototype",
            "target_id": str(prototype_id),
            "reason": reason,
            "note": note,
            "duplicate_of": "",
            "next": page,
        },
        page=page,
        headers={"Referer": page},
        follow_redirects=True,
    )


def hide_via_page(client, prototype_id: int, reason: str):
    page = f"/prototypes/{prototype_id}"
    return client.post_form(
        f"/moderation/prototypes/{prototype_id}/hide",
        {"reason": reason, "next": page},
        page=page,
        follow_redirects=True,
    )


# ---- Flagging from the page ----


def test_the_flag_form_shows_for_signed_in_members_who_did_not_share_it(client, login, pm):
    prototype = make_prototype(pm)
    page = client.get(f"/prototypes/{prototype.id}").get_data(as_text=True)
    assert 'action="/flags"' not in page  # visitors cannot flag
    login(pm)
    page = client.get(f"/prototypes/{prototype.id}").get_data(as_text=True)
    assert f'id="flag-prototype-{prototype.id}"' not in page  # nor can its author
    login(make_user())
    page = client.get(f"/prototypes/{prototype.id}").get_data(as_text=True)
    assert f'id="flag-prototype-{prototype.id}"' in page
    assert '<input type="hidden" name="target_type" value="prototype">' in page
    assert "Why should a moderator look at this prototype?" in page


def test_a_member_flags_a_prototype_from_its_page(client, login, pm):
    prototype = make_prototype(pm)
    member = make_user()
    login(member)
    response = flag_via_page(client, prototype.id, "other", "The link leads to a shop")
    assert response.status_code == 200
    assert THANKS in response.get_data(as_text=True)
    (row,) = flag_rows()
    assert (row.target_type, row.target_id, row.user_id, row.reason, row.note) == (
        "prototype",
        prototype.id,
        member.id,
        "other",
        "The link leads to a shop",
    )


def test_the_author_cannot_flag_their_own_prototype(client, login, pm):
    prototype = make_prototype(pm)
    login(pm)
    response = flag_via_page(client, prototype.id)
    html = response.get_data(as_text=True)
    assert "You cannot flag your own prototype; edit or archive it instead." in html
    assert THANKS not in html
    assert flag_rows() == []


def test_a_draft_cannot_be_flagged_by_a_member_who_cannot_see_it(client, login, pm):
    draft = make_prototype(pm, status="draft")
    login(make_user())
    assert client.get(f"/prototypes/{draft.id}").status_code == 404
    response = client.post_form(
        "/flags",
        {"target_type": "prototype", "target_id": str(draft.id), "reason": "spam"},
        page="/prototypes/",
    )
    assert response.status_code == 404
    assert flag_rows() == []


def test_the_third_flag_hides_the_prototype_and_sends_the_flagger_to_the_list(client, login, pm):
    prototype = make_prototype(pm)
    for _ in range(2):
        moderation.flag_item(make_user(), "prototype", prototype.id, "spam")
    db.session.commit()
    login(make_user())
    response = flag_via_page(client, prototype.id)
    assert response.status_code == 200
    assert response.request.path == "/prototypes/"
    assert THANKS in response.get_data(as_text=True)
    assert stored(prototype.id).hidden_reason == moderation.AUTO_HIDE_REASON


# ---- Hiding, restoring, deleting ----


def test_a_moderator_hides_a_prototype_with_a_reason(client, login, pm, moderator):
    prototype = make_prototype(pm)
    other = make_prototype(make_user("product_manager"), title="Still visible prototype")
    member = ApiCaller("member")
    login(moderator)
    page = client.get(f"/prototypes/{prototype.id}").get_data(as_text=True)
    assert f'action="/moderation/prototypes/{prototype.id}/hide"' in page
    assert f'action="/moderation/prototypes/{prototype.id}/delete"' in page
    response = hide_via_page(client, prototype.id, "Shows real customer data")
    html = response.get_data(as_text=True)
    assert "The prototype is hidden." in html
    assert "Hidden by a moderator: Shows real customer data." in html
    assert f'action="/moderation/prototypes/{prototype.id}/restore"' in html
    assert stored(prototype.id).is_hidden
    assert audit_actions()[-1] == "prototype.hide"

    # Members: no page, not in the list, not in the API.
    login(member.user)
    assert client.get(f"/prototypes/{prototype.id}").status_code == 404
    listing = client.get("/prototypes/").get_data(as_text=True)
    assert "Clickable CSV export" not in listing
    assert "Still visible prototype" in listing
    api = client.get("/api/v1/prototypes", headers=member.headers).get_json()
    assert [item["id"] for item in api["items"]] == [other.id]
    assert client.get(f"/api/v1/prototypes/{prototype.id}", headers=member.headers).status_code == 404

    # Its author reads why; other staff do not see it.
    login(pm)
    page = client.get(f"/prototypes/{prototype.id}").get_data(as_text=True)
    assert "Hidden by a moderator: Shows real customer data. Only you and moderators can see it." in page
    assert "Clickable CSV export" in client.get("/prototypes/").get_data(as_text=True)
    login(make_user("product_manager"))
    assert client.get(f"/prototypes/{prototype.id}").status_code == 404


def test_images_of_a_hidden_prototype_are_served_privately_to_those_who_see_it(client, login, pm, moderator):
    prototype = prototypes.create_prototype(
        pm, "Clickable CSV export", "Try it.", status="published", images=[Upload("shot.png", png_bytes())]
    )
    thumbnail = prototype.images[0].thumbnail
    db.session.commit()
    url = f"/uploads/{thumbnail}"
    assert client.get(url).headers["Cache-Control"].startswith("public, ")
    moderation.hide_item(moderator, "prototype", prototype.id, "Spam")
    db.session.commit()
    assert client.get(url).status_code == 404
    login(make_user())
    assert client.get(url).status_code == 404
    login(pm)
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("private, ")


def test_hiding_without_a_reason_changes_nothing(client, login, pm, moderator):
    prototype = make_prototype(pm)
    login(moderator)
    response = hide_via_page(client, prototype.id, "   ")
    assert "Nothing was hidden. Give a reason; the author will read it." in response.get_data(as_text=True)
    assert not stored(prototype.id).is_hidden
    assert "prototype.hide" not in audit_actions()


@pytest.mark.parametrize("role", ["member", "product_manager"])
def test_only_moderators_hide_restore_and_delete(client, login, pm, role):
    prototype = make_prototype(pm)
    login(make_user(role))
    page = f"/prototypes/{prototype.id}"
    for action, data in (("hide", {"reason": "Spam"}), ("delete", {}), ("restore", {}), ("dismiss", {})):
        response = client.post_form(f"/moderation/prototypes/{prototype.id}/{action}", data, page=page)
        assert response.status_code == 403, action
    assert 'action="/moderation/prototypes/' not in client.get(page).get_data(as_text=True)
    assert not stored(prototype.id).is_hidden
    assert not stored(prototype.id).is_deleted
    assert audit_actions() == ["prototype.create", "prototype.publish"]


def test_restore_shows_the_prototype_to_everyone_again(client, login, pm, moderator):
    prototype = make_prototype(pm)
    moderation.hide_item(moderator, "prototype", prototype.id, "Spam")
    db.session.commit()
    login(moderator)
    page = f"/prototypes/{prototype.id}"
    response = client.post_form(
        f"/moderation/prototypes/{prototype.id}/restore", {"next": page}, page=page, follow_redirects=True
    )
    assert "The prototype is visible to everyone again." in response.get_data(as_text=True)
    assert not stored(prototype.id).is_hidden
    login(make_user())
    assert client.get(page).status_code == 200


def test_a_moderator_deletes_and_restores_a_prototype(client, login, pm, moderator):
    prototype = make_prototype(pm)
    login(moderator)
    page = f"/prototypes/{prototype.id}"
    response = client.post_form(
        f"/moderation/prototypes/{prototype.id}/delete", {"next": page}, page=page, follow_redirects=True
    )
    html = response.get_data(as_text=True)
    assert "The prototype is deleted. Moderators can restore it from its page." in html
    assert "<strong>Deleted</strong> — only moderators see this page." in html
    assert stored(prototype.id).is_deleted
    assert "Clickable CSV export" not in client.get("/prototypes/").get_data(as_text=True)
    for user in (make_user(), pm):
        login(user)
        assert client.get(page).status_code == 404
    login(moderator)
    client.post_form(f"/moderation/prototypes/{prototype.id}/restore", {"next": page}, page=page)
    assert not stored(prototype.id).is_deleted
    assert audit_actions()[-2:] == ["prototype.delete", "prototype.restore"]


# ---- The review queue and the navigation count ----


def test_the_queue_shows_a_flagged_prototype_and_the_nav_counts_it(client, login, pm, moderator):
    prototype = make_prototype(pm)
    flagger = make_user(name="Lee Chen")
    moderation.flag_item(flagger, "prototype", prototype.id, "other", "Asks for card numbers")
    moderation.flag_item(make_user(), "idea", make_idea().id, "spam")
    db.session.commit()
    login(moderator)
    html = client.get("/moderation").get_data(as_text=True)
    assert "2 items waiting" in html
    match = re.search(
        rf'<li class="card queue-item" id="queue-prototype-{prototype.id}".*?</li>'
        r'\s*(?=<li class="card|</ol>)',
        html,
        re.S,
    )
    assert match, "no queue entry for the prototype"
    entry = match.group(0)
    assert '<span class="badge badge--neutral">Prototype</span>' in entry
    assert f'Prototype <a href="/prototypes/{prototype.id}">“Clickable CSV export”</a>' in entry
    assert "Lee Chen" in entry
    assert "Asks for card numbers" in entry
    assert "Pat Manager" in entry
    for action in ("dismiss", "hide", "delete"):
        assert f'action="/moderation/prototypes/{prototype.id}/{action}"' in entry
    assert f"/prototypes/{prototype.id}/edit" not in entry  # moderators do not edit prototypes
    page = client.get("/prototypes/").get_data(as_text=True)
    assert re.search(r'href="/moderation"[^>]*>Moderation <span class="nav-count"[^>]*>2</span>', page)

    response = client.post_form(
        f"/moderation/prototypes/{prototype.id}/dismiss", {"next": "/moderation"}, page="/moderation"
    )
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(Flag.id)).where(Flag.status == "open")) == 1
    page = client.get("/prototypes/").get_data(as_text=True)
    assert re.search(r'href="/moderation"[^>]*>Moderation <span class="nav-count"[^>]*>1</span>', page)


# ---- Profiles ----


def test_the_profile_lists_comments_on_prototypes_with_links(client, login, pm):
    author = make_user(name="Noor")
    idea = make_idea(title="Offline mode for mobile")
    comments.add_comment(author, idea, "I want this too")
    db.session.commit()
    prototype = make_prototype(pm)
    comment = comments.add_prototype_comment(author, prototype, "The export button is hard to find")
    db.session.commit()
    html = client.get(f"/users/{author.id}").get_data(as_text=True)
    link = (
        f'<a href="/prototypes/{prototype.id}#comment-{comment.id}">'
        "On the prototype “Clickable CSV export”</a>"
    )
    assert link in html
    assert "The export button is hard to find" in html
    assert html.index(link) < html.index("On “Offline mode for mobile”")  # newest first
    assert re.search(r"<dt>Comments</dt><dd>2</dd>", html)

    moderation.hide_item(make_user("moderator"), "prototype", prototype.id, "Spam")
    db.session.commit()
    html = client.get(f"/users/{author.id}").get_data(as_text=True)
    assert "The export button is hard to find" not in html
    assert re.search(r"<dt>Comments</dt><dd>1</dd>", html)


def test_the_profile_takes_a_fixed_number_of_queries(client, login, pm, count_queries):
    author = make_user()
    login(make_user())

    def profile_queries() -> int:
        with count_queries() as statements:
            assert client.get(f"/users/{author.id}").status_code == 200
        return len(statements)

    few = profile_queries()
    for number in range(4):
        idea = make_idea(title=f"Idea number {number}")
        comments.add_comment(author, idea, "On an idea")
        prototype = make_prototype(pm, title=f"Prototype number {number}")
        comments.add_prototype_comment(author, prototype, "On a prototype")
        db.session.commit()
    assert profile_queries() == few
