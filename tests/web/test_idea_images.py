"""Images on ideas: added when proposing or editing, shown on the idea page, removed, and served
only to those who may see the idea."""

import io
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.links import absolute_url
from app.models.idea import Idea, IdeaImage
from app.services import moderation
from app.uploads import MAX_IMAGES
from tests.factories import make_idea, make_user
from tests.services.test_prototypes import stored_files
from tests.services.test_uploads import PAYLOAD, png_bytes


@pytest.fixture(autouse=True)
def upload_dir(app, tmp_path):
    folder = tmp_path / "uploads"
    app.config["UPLOAD_DIR"] = str(folder)
    return folder


def files(*items):
    return [(io.BytesIO(data), name) for data, name in items]


def propose(client, images, title="Dark mode for the dashboard", body="My eyes hurt at night."):
    data = {"title": title, "body": body, "category": "", "confirmed": "1", "images": images}
    return client.post_form("/ideas/new", data, content_type="multipart/form-data")


def idea_count() -> int:
    return db.session.scalar(select(func.count(Idea.id)))


def image_links(html: str) -> list[tuple[str, str]]:
    """(full-size link, thumbnail) pairs of the idea page's gallery."""
    pattern = r'<a class="gallery__link" href="(/uploads/[^"]+)"[^>]*>\s*<img src="(/uploads/[^"]+)"'
    return re.findall(pattern, html)


def test_an_idea_is_proposed_with_an_image_shown_as_a_thumbnail_that_opens_full_size(
    client, login, upload_dir
):
    login(make_user())
    response = propose(client, files((png_bytes((900, 600)), "mock-up.png")))
    assert response.status_code == 302
    idea = db.session.scalars(select(Idea)).one()
    (image,) = db.session.scalars(select(IdeaImage).where(IdeaImage.idea_id == idea.id)).all()
    assert (image.width, image.height, image.content_type) == (900, 600, "image/png")
    assert stored_files(upload_dir) == {image.filename, image.thumbnail}
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert image_links(page) == [(f"/uploads/{image.filename}", f"/uploads/{image.thumbnail}")]
    full = client.get(f"/uploads/{image.filename}")
    assert full.status_code == 200
    assert full.mimetype == "image/png"
    assert client.get(f"/uploads/{image.thumbnail}").status_code == 200


def test_the_new_idea_form_takes_files_with_its_csrf_token(client, login):
    login(make_user())
    page = client.get("/ideas/new").get_data(as_text=True)
    form = re.search(r"<form [^>]*data-similar-form[^>]*>", page).group(0)
    assert 'enctype="multipart/form-data"' in form
    assert 'type="file"' in page
    assert 'name="images"' in page
    assert 'accept="image/png,image/jpeg,image/webp"' in page


def test_a_file_that_is_not_an_image_is_refused_and_what_was_typed_is_kept(client, login, upload_dir):
    login(make_user())
    response = propose(
        client,
        files((png_bytes(), "fine.png"), (b"%PDF-1.4 " + PAYLOAD, "notes.pdf")),
        title="Keyboard shortcuts everywhere",
        body="Power users live on the keyboard.",
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "notes.pdf: That file is not a PNG, JPEG or WebP image." in page
    assert 'value="Keyboard shortcuts everywhere"' in page
    assert "Power users live on the keyboard." in page
    assert "choose the images again" in page
    assert idea_count() == 0
    assert stored_files(upload_dir) == set()


def test_more_images_than_allowed_are_refused(client, login, upload_dir):
    login(make_user())
    response = propose(client, files(*[(png_bytes(), f"{n}.png") for n in range(MAX_IMAGES + 1)]))
    assert response.status_code == 200
    assert f"An idea can have at most {MAX_IMAGES} images." in response.get_data(as_text=True)
    assert idea_count() == 0
    assert stored_files(upload_dir) == set()


def test_the_author_adds_and_removes_images_when_editing(client, login, upload_dir):
    author = make_user()
    login(author)
    propose(client, files((png_bytes(), "first.png")))
    idea = db.session.scalars(select(Idea)).one()
    first = db.session.scalars(select(IdeaImage)).one()
    first_id, first_file = first.id, first.filename
    edit_page = client.get(f"/ideas/{idea.id}/edit").get_data(as_text=True)
    assert re.search(r"<form [^>]*enctype=\"multipart/form-data\"", edit_page)
    assert f'name="remove_images" value="{first_id}"' in edit_page
    response = client.post_form(
        f"/ideas/{idea.id}/edit",
        {
            "title": idea.title,
            "body": idea.body,
            "category": "",
            "remove_images": str(first_id),
            "images": files((png_bytes((50, 50)), "second.png")),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    (second,) = db.session.scalars(select(IdeaImage)).all()
    assert second.id != first_id
    assert (second.width, second.height) == (50, 50)
    assert stored_files(upload_dir) == {second.filename, second.thumbnail}
    assert client.get(f"/uploads/{first_file}").status_code == 404


def test_a_refused_edit_keeps_the_images_and_the_typed_text(client, login, upload_dir):
    login(make_user())
    propose(client, files((png_bytes(), "first.png")))
    idea = db.session.scalars(select(Idea)).one()
    before = stored_files(upload_dir)
    response = client.post_form(
        f"/ideas/{idea.id}/edit",
        {"title": "A better title", "body": "Changed", "category": "", "images": files((PAYLOAD, "x.png"))},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "x.png: That file is not a PNG, JPEG or WebP image." in page
    assert 'value="A better title"' in page
    db.session.refresh(idea)
    assert idea.title == "Dark mode for the dashboard"
    assert stored_files(upload_dir) == before


def test_images_of_a_hidden_idea_are_not_found_for_other_members(client, login):
    author = make_user()
    login(author)
    propose(client, files((png_bytes(), "mock-up.png")))
    idea = db.session.scalars(select(Idea)).one()
    image = db.session.scalars(select(IdeaImage)).one()
    moderation.hide_item(make_user("moderator"), "idea", idea.id, "Off topic")
    db.session.commit()
    login(make_user())
    assert client.get(f"/uploads/{image.filename}").status_code == 404
    assert client.get(f"/uploads/{image.thumbnail}").status_code == 404
    login(make_user("moderator"))
    shown = client.get(f"/uploads/{image.filename}")
    assert shown.status_code == 200
    assert shown.headers["Cache-Control"].startswith("private")


def test_images_are_not_editable_by_other_members(client, login):
    idea = make_idea()
    login(make_user())
    response = client.post_form(
        f"/ideas/{idea.id}/edit",
        {"title": idea.title, "images": files((png_bytes(), "a.png"))},
        page="/ideas/new",
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    assert db.session.scalar(select(func.count(IdeaImage.id))) == 0


def test_the_api_lists_an_ideas_images(client, login):
    from tests.factories import ApiCaller

    login(make_user())
    propose(client, files((png_bytes(), "mock-up.png")))
    idea = db.session.scalars(select(Idea)).one()
    image = db.session.scalars(select(IdeaImage)).one()
    caller = ApiCaller()
    data = client.get(f"/api/v1/ideas/{idea.id}", headers=caller.headers).get_json()
    listed = client.get("/api/v1/ideas", headers=caller.headers).get_json()["items"]
    assert "images" not in listed[0]
    assert data["images"] == [
        {
            "url": absolute_url("uploads.image", name=image.filename),
            "thumbnail_url": absolute_url("uploads.image", name=image.thumbnail),
            "width": image.width,
            "height": image.height,
            "alt": "",
        }
    ]


def test_the_similar_ideas_step_asks_for_the_images_again(client, login):
    make_idea(title="Dark mode for the dashboard")
    login(make_user())
    data = {
        "title": "Dark mode for the dashboard",
        "body": "",
        "category": "",
        "images": files((png_bytes(), "a.png")),
    }
    response = client.post_form("/ideas/new", data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert "we found ideas like yours" in page
    assert "Browsers do not keep files between steps: choose the images again." in page
    assert idea_count() == 1


def test_an_edit_without_the_file_field_keeps_the_images(client, login):
    login(make_user())
    propose(client, files((png_bytes(), "first.png")))
    idea = db.session.scalars(select(Idea)).one()
    response = client.post_form(
        f"/ideas/{idea.id}/edit", {"title": "Dark mode everywhere", "body": "Please."}
    )
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(IdeaImage.id))) == 1
