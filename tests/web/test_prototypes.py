"""The prototype pages: the list, creating and editing (staff), the page, votes, status, served images."""

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.base import utcnow
from app.models.notification import Notification
from app.models.prototype import Prototype, PrototypeImage
from app.models.round import FeedbackRound
from app.services import prototypes
from app.services.prototypes import LinkInput
from tests.factories import make_idea, make_prototype, make_user
from tests.services.test_prototypes import stored_files
from tests.services.test_uploads import (
    PAYLOAD,
    exif_jpeg,
    huge_header_png,
    jpeg_bytes,
    png_bytes,
    solid_bomb_png,
    webp_bytes,
)

ROLES = ["anonymous", "member", "moderator", "product_manager", "admin"]
STAFF = {"product_manager", "admin"}


@pytest.fixture(autouse=True)
def upload_dir(app, tmp_path):
    folder = tmp_path / "uploads"
    app.config["UPLOAD_DIR"] = str(folder)
    return folder


def sign_in_as(role: str, login):
    if role != "anonymous":
        login(make_user(role))


def files(*items):
    """Files for a multipart form: (bytes, filename) pairs."""
    return [(io.BytesIO(data), name) for data, name in items]


def form_data(**fields):
    data = {"title": "Clickable CSV export", "description": "Try it.", "links": "", "idea_ids": ""}
    data.update(fields)
    return data


def prototype_count() -> int:
    return db.session.scalar(select(func.count(Prototype.id)))


def image_urls(html: str) -> list[str]:
    return re.findall(r'src="(/uploads/[^"]+)"', html)


# ---- Creating: staff only ----


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_members_and_moderators_may_not_create(client, login, role):
    login(make_user(role))
    assert client.get("/prototypes/new").status_code == 403
    response = client.post_form("/prototypes/new", form_data(), page="/prototypes/")
    assert response.status_code == 403
    assert prototype_count() == 0
    assert "New prototype" not in client.get("/prototypes/").get_data(as_text=True)


def test_creating_needs_sign_in(client):
    response = client.get("/prototypes/new")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


@pytest.mark.parametrize("role", sorted(STAFF))
def test_staff_create_a_draft_with_two_images(client, login, upload_dir, role):
    idea = make_idea()
    login(make_user(role))
    assert "New prototype" in client.get("/prototypes/").get_data(as_text=True)
    response = client.post_form(
        "/prototypes/new",
        form_data(
            links="https://example.com/demo Clickable demo\n\nhttps://example.org",
            idea_ids=f"#{idea.id}, /ideas/{idea.id}",
            images=files((png_bytes(), "screen.png"), (jpeg_bytes(), "photo.jpg")),
        ),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    prototype = db.session.scalar(select(Prototype))
    assert response.headers["Location"] == f"/prototypes/{prototype.id}"
    assert prototype.status == "draft"
    assert len(stored_files(upload_dir)) == 4
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Clickable CSV export" in html
    assert "only staff see this prototype" in html
    assert len(image_urls(html)) == 2
    assert '<a href="https://example.com/demo" rel="nofollow ugc noopener">Clickable demo</a>' in html
    assert 'href="https://example.org" rel="nofollow ugc noopener"' in html
    assert "Export reports to CSV" in html
    assert '{% include "prototypes/_rounds.html"' not in html


def test_publish_from_the_new_form(client, login):
    follower = make_user()
    idea = make_idea(follower)
    login(make_user("product_manager"))
    response = client.post_form(
        "/prototypes/new", form_data(idea_ids=str(idea.id), publish="1"), content_type="multipart/form-data"
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Prototype.status)) == "published"
    assert (
        db.session.scalar(select(func.count(Notification.id)).where(Notification.user_id == follower.id)) == 1
    )


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            (b"These are my notes, not a picture.", "screenshot.png"),
            "That file is not a PNG, JPEG or WebP image.",
        ),
        ((b"\x89PNG\r\n\x1a\n" + b"\0" * (5 * 1024 * 1024 + 10), "huge.png"), "Images can be at most 5 MB."),
        ((huge_header_png(), "bomb.png"), "That image is too large in pixels to be safe to open."),
        ((solid_bomb_png(), "solid.png"), "That image is too large in pixels to be safe to open."),
        (
            (b"GIF89a/*" + b"\0" * 8 + b"*/" + PAYLOAD, "polyglot.gif"),
            "That file is not a PNG, JPEG or WebP image.",
        ),
    ],
    ids=["renamed-text", "oversized", "declared-bomb", "solid-bomb", "gif-polyglot"],
)
def test_refused_uploads_say_why_and_store_nothing(client, login, upload_dir, upload, message):
    login(make_user("product_manager"))
    response = client.post_form(
        "/prototypes/new",
        form_data(images=files((png_bytes(), "fine.png"), upload)),
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"{upload[1]}: {message}" in html
    assert "choose the images again" in html
    assert 'value="Clickable CSV export"' in html  # the rest of the form is kept
    assert prototype_count() == 0
    assert db.session.scalar(select(func.count(PrototypeImage.id))) == 0
    assert stored_files(upload_dir) == set()


def test_more_than_8_images_are_refused(client, login, upload_dir):
    login(make_user("admin"))
    nine = files(*[(png_bytes(), f"shot{n}.png") for n in range(9)])
    response = client.post_form("/prototypes/new", form_data(images=nine), content_type="multipart/form-data")
    assert response.status_code == 200
    assert "A prototype can have at most 8 images." in response.get_data(as_text=True)
    assert prototype_count() == 0
    assert stored_files(upload_dir) == set()


def test_eight_large_images_fit_in_one_request(client, login, upload_dir):
    # Each is a valid image padded to nearly 5 MB: 8 of them exceed the site-wide request limit.
    big = png_bytes() + b"\0" * (5 * 1024 * 1024 - 1000)
    login(make_user("admin"))
    eight = files(*[(big, f"shot{n}.png") for n in range(8)])
    response = client.post_form(
        "/prototypes/new", form_data(images=eight), content_type="multipart/form-data"
    )
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(PrototypeImage.id))) == 8


def test_a_polyglot_png_is_stored_as_pixels_only(client, login, upload_dir):
    login(make_user("product_manager"))
    polyglot = png_bytes() + b"PK\x03\x04" + PAYLOAD
    response = client.post_form(
        "/prototypes/new",
        form_data(images=files((polyglot, "innocent.png"))),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    for path in upload_dir.iterdir():
        assert PAYLOAD not in path.read_bytes()
        assert b"PK\x03\x04" not in path.read_bytes()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "Tiny"}, "The title needs at least 5 characters."),
        ({"links": "javascript:alert(document.cookie) Click me"}, "only full http:// and https:// addresses"),
        ({"links": "data:text/html,hi"}, "only full http:// and https:// addresses"),
        ({"links": "ftp://example.com/file"}, "only full http:// and https:// addresses"),
        ({"links": "/ideas/1 Relative"}, "only full http:// and https:// addresses"),
        ({"idea_ids": "12, twelve"}, "“twelve” is not an idea number"),
        ({"idea_ids": "999"}, "No idea #999."),
    ],
)
def test_bad_fields_are_refused_with_a_clear_message(client, login, upload_dir, fields, message):
    login(make_user("product_manager"))
    response = client.post_form(
        "/prototypes/new",
        form_data(images=files((png_bytes(), "fine.png")), **fields),
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert prototype_count() == 0
    assert stored_files(upload_dir) == set()


# ---- Drafts are seen by staff only ----


@pytest.mark.parametrize("role", ROLES)
def test_draft_visibility_per_role(client, login, role):
    draft = make_prototype(title="Secret draft here", images=[png_bytes()], status="draft")
    published = make_prototype(title="Published one here", status="published", images=[jpeg_bytes()])
    image = db.session.scalar(select(PrototypeImage).where(PrototypeImage.prototype_id == draft.id))
    sign_in_as(role, login)
    staff = role in STAFF

    listing = client.get("/prototypes/").get_data(as_text=True)
    assert "Published one here" in listing
    assert ("Secret draft here" in listing) == staff
    assert client.get(f"/prototypes/{published.id}").status_code == 200
    assert client.get(f"/prototypes/{draft.id}").status_code == (200 if staff else 404)
    for name in (image.filename, image.thumbnail):
        assert client.get(f"/uploads/{name}").status_code == (200 if staff else 404)


def test_archived_prototypes_stay_readable_and_are_marked(client, login):
    pm = make_user("product_manager")
    prototype = make_prototype(pm, title="Old prototype here", status="published")
    prototypes.change_status(pm, prototype, "archived")
    db.session.commit()
    listing = client.get("/prototypes/").get_data(as_text=True)
    assert "Old prototype here" in listing
    assert ">Archived<" in listing
    page = client.get(f"/prototypes/{prototype.id}").get_data(as_text=True)
    assert "it takes no more votes" in page


# ---- Served images ----


def test_images_are_served_with_safe_headers(client):
    prototype = make_prototype(status="published", images=[png_bytes(), exif_jpeg(), webp_bytes()])
    images = db.session.scalars(
        select(PrototypeImage)
        .where(PrototypeImage.prototype_id == prototype.id)
        .order_by(PrototypeImage.position)
    ).all()
    for image, content_type in zip(images, ("image/png", "image/jpeg", "image/webp"), strict=True):
        for name in (image.filename, image.thumbnail):
            response = client.get(f"/uploads/{name}")
            assert response.status_code == 200
            assert response.headers["Content-Type"] == content_type
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert response.headers["Content-Disposition"] == f'inline; filename="{name}"'
            assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
            body = response.get_data()
            assert b"SpyCam" not in body
            assert PAYLOAD not in body


def test_draft_images_are_cached_privately(client, login):
    prototype = make_prototype(images=[png_bytes()], status="draft")
    image = db.session.scalar(select(PrototypeImage).where(PrototypeImage.prototype_id == prototype.id))
    login(make_user("admin"))
    response = client.get(f"/uploads/{image.filename}")
    assert response.headers["Cache-Control"].startswith("private, ")


@pytest.mark.parametrize("name", ["nothing-here-at-all-1234.png", "..%2Fsecret_key", "abc.svg"])
def test_unknown_upload_names_are_not_found(client, name):
    assert client.get(f"/uploads/{name}").status_code == 404


# ---- The prototype page, votes and status ----


def test_vote_in_place_toggles_and_answers_json(client, login):
    prototype = make_prototype(status="published")
    login(make_user())
    html = client.get(f"/prototypes/{prototype.id}").get_data(as_text=True)
    assert f'action="/prototypes/{prototype.id}/vote"' in html
    assert "data-vote" in html
    token = client.csrf_token(f"/prototypes/{prototype.id}")
    headers = {"Accept": "application/json"}
    url = f"/prototypes/{prototype.id}/vote"
    first = client.post(url, data={"csrf_token": token, "intent": "add"}, headers=headers)
    assert first.get_json() == {"voted": True, "vote_count": 1}
    again = client.post(url, data={"csrf_token": token, "intent": "add"}, headers=headers)
    assert again.get_json() == {"voted": True, "vote_count": 1}
    undo = client.post(url, data={"csrf_token": token, "intent": "remove"}, headers=headers)
    assert undo.get_json() == {"voted": False, "vote_count": 0}
    plain = client.post(url, data={"csrf_token": token})
    assert plain.status_code == 302
    assert db.session.get(Prototype, prototype.id).vote_count == 1


def test_archived_prototypes_refuse_votes(client, login):
    pm = make_user("product_manager")
    prototype = make_prototype(pm, status="published")
    prototypes.change_status(pm, prototype, "archived")
    db.session.commit()
    login(make_user())
    html = client.get(f"/prototypes/{prototype.id}").get_data(as_text=True)
    assert "Archived: voting is closed" in html
    response = client.post_form(
        f"/prototypes/{prototype.id}/vote",
        {"intent": "add"},
        page=f"/prototypes/{prototype.id}",
        headers={"Accept": "application/json", "Referer": f"/prototypes/{prototype.id}"},
    )
    assert response.status_code in (302, 409)
    assert db.session.get(Prototype, prototype.id).vote_count == 0


def test_staff_publish_and_archive_from_the_page(client, login):
    follower = make_user()
    idea = make_idea(follower)
    pm = make_user("product_manager")
    prototype = make_prototype(pm, idea_ids=[idea.id], status="draft")
    login(pm)
    page = f"/prototypes/{prototype.id}"
    html = client.get(page).get_data(as_text=True)
    assert 'value="published"' in html
    assert client.post_form(f"{page}/status", {"status": "published"}, page=page).status_code == 302
    assert db.session.get(Prototype, prototype.id).status == "published"
    assert (
        db.session.scalar(select(func.count(Notification.id)).where(Notification.user_id == follower.id)) == 1
    )
    assert client.post_form(f"{page}/status", {"status": "archived"}, page=page).status_code == 302
    assert db.session.get(Prototype, prototype.id).status == "archived"
    assert "Publish again" in client.get(page).get_data(as_text=True)


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_others_see_no_status_or_edit_controls_and_cannot_use_them(client, login, role):
    prototype = make_prototype(status="published")
    login(make_user(role))
    page = f"/prototypes/{prototype.id}"
    html = client.get(page).get_data(as_text=True)
    assert f"{page}/status" not in html
    assert f"{page}/edit" not in html
    assert client.post_form(f"{page}/status", {"status": "archived"}, page=page).status_code == 403
    assert client.get(f"{page}/edit").status_code == 403
    assert db.session.get(Prototype, prototype.id).status == "published"


# ---- Editing ----


def test_staff_edit_remove_and_add_images(client, login, upload_dir):
    pm = make_user("product_manager")
    prototype = make_prototype(
        pm,
        images=[png_bytes(), jpeg_bytes()],
        links=[LinkInput("https://example.com/a", "Demo A")],
        status="draft",
    )
    first, second = db.session.scalars(select(PrototypeImage).order_by(PrototypeImage.position)).all()
    removed = first.filename
    login(pm)
    page = f"/prototypes/{prototype.id}/edit"
    html = client.get(page).get_data(as_text=True)
    assert "https://example.com/a Demo A" in html
    response = client.post_form(
        page,
        form_data(
            title="Edited title here",
            links="https://example.com/b Demo B",
            remove_images=str(first.id),
            images=files((webp_bytes(), "new.webp")),
            **{f"alt-{second.id}": "The export dialog"},
        ),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    prototype = prototypes.get_prototype(pm, prototype.id)
    assert prototype.title == "Edited title here"
    assert [link.label for link in prototype.links] == ["Demo B"]
    assert [image.content_type for image in prototype.images] == ["image/jpeg", "image/webp"]
    assert prototype.images[0].alt == "The export dialog"
    assert removed not in stored_files(upload_dir)
    assert len(stored_files(upload_dir)) == 4
    assert 'alt="The export dialog"' in client.get(f"/prototypes/{prototype.id}").get_data(as_text=True)


def test_a_refused_edit_keeps_everything(client, login, upload_dir):
    pm = make_user("product_manager")
    prototype = make_prototype(pm, images=[png_bytes()], status="draft")
    image = db.session.scalar(select(PrototypeImage))
    before = stored_files(upload_dir)
    login(pm)
    response = client.post_form(
        f"/prototypes/{prototype.id}/edit",
        form_data(remove_images=str(image.id), images=files((b"not an image", "notes.png"))),
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "notes.png: That file is not a PNG, JPEG or WebP image." in html
    assert f'name="remove_images" value="{image.id}" checked' in html
    assert stored_files(upload_dir) == before
    assert db.session.scalar(select(func.count(PrototypeImage.id))) == 1


# ---- The list ----


def test_the_list_shows_thumbnail_excerpt_open_round_and_votes(client):
    prototype = make_prototype(
        title="Clickable CSV export",
        description="**Try** the new export.",
        status="published",
        images=[png_bytes()],
    )
    now = utcnow()
    db.session.add(
        FeedbackRound(
            prototype_id=prototype.id,
            title="First impressions",
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=2),
            created_by_id=prototype.author_id,
        )
    )
    db.session.commit()
    html = client.get("/prototypes/").get_data(as_text=True)
    thumbnail = db.session.scalar(select(PrototypeImage.thumbnail))
    assert f'src="/uploads/{thumbnail}"' in html
    assert "Try the new export." in html
    assert "Feedback open until" in html
    assert "0 votes" in html
    assert "comment" not in html.split('class="site-footer"')[0].lower()  # comments on prototypes come later


def test_the_navigation_links_the_prototypes(client):
    assert 'href="/prototypes/"' in client.get("/").get_data(as_text=True)


def test_the_list_page_runs_a_fixed_number_of_queries(client, login, count_queries):
    pm = make_user("product_manager")
    login(pm)

    def add(count: int) -> None:
        for n in range(count):
            prototype = make_prototype(
                pm, title=f"Prototype number {n}", status="published", images=[png_bytes()]
            )
            now = utcnow()
            db.session.add(
                FeedbackRound(
                    prototype_id=prototype.id,
                    title="Round",
                    opens_at=now - timedelta(days=1),
                    closes_at=now + timedelta(days=1),
                    created_by_id=pm.id,
                )
            )
        db.session.commit()

    add(2)
    client.get("/prototypes/")
    with count_queries() as few:
        assert client.get("/prototypes/").status_code == 200
    add(8)
    with count_queries() as many:
        html = client.get("/prototypes/").get_data(as_text=True)
    assert html.count('<li class="card card--item card--prototype') == 10
    assert len(many) == len(few)
    assert len(many) <= 12
