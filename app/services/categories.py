"""Idea categories, managed by admins."""

import re
import unicodedata

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app import visibility
from app.errors import Invalid, NotFound
from app.extensions import db
from app.models.idea import Category
from app.models.user import User
from app.permissions import require
from app.services import audit
from app.services.fields import FieldTable, Text
from app.services.transactions import savepoint

# A category's texts: the rules, the messages, the form's labels and hints.
TEXTS = FieldTable(
    Text(
        "name",
        "Name",
        low=1,
        high=60,
        missing="Give the category a name.",
        too_long="Use at most {high} characters.",
    ),
    Text(
        "slug",
        "Slug",
        high=60,
        too_long="Use at most {high} characters.",
        hint="Used in links; made from the name if empty.",
    ),
    Text("description", "Description", high=300, lines=True, too_long="Use at most {high} characters."),
)
_slug_chars = re.compile(r"[^a-z0-9]+")


def slugify(name: str, length: int = 60) -> str:
    """Lower-case ASCII letters and digits joined by single hyphens, at most `length` characters."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return _slug_chars.sub("-", ascii_name.lower()).strip("-")[:length].rstrip("-")


def list_categories() -> list[Category]:
    """Every category, those of private boards too (for staff pages)."""
    return list(db.session.scalars(select(Category).order_by(Category.position, Category.name)))


def categories_for(actor) -> list[Category]:
    """The categories `actor` may see: none of a private board they may not see."""
    return list(
        db.session.scalars(
            select(Category)
            .where(visibility.visible_categories(actor))
            .order_by(Category.position, Category.name)
        )
    )


def category_by_slug(slug: str) -> Category | None:
    return db.session.scalar(select(Category).where(Category.slug == slug))


def get_category(category_id: int) -> Category:
    category = db.session.get(Category, category_id)
    if category is None:
        raise NotFound("No such category.")
    return category


def _taken_message(slug: str) -> str:
    return f"Another category already uses the slug “{slug}”."


def _slug_taken(slug: str, exclude_id: int | None) -> bool:
    return (
        db.session.scalar(select(Category.id).where(Category.slug == slug, Category.id != (exclude_id or 0)))
        is not None
    )


def _save(category: Category, **values: object) -> None:
    """Set the values and write them; a slug another request took since the check is Invalid.

    The check in _validate answers most cases with a clear message; the unique constraint
    decides when two admins save the same slug at once. The savepoint undoes only this write,
    so the session stays usable and the category keeps its stored values.
    """
    try:
        with savepoint():
            for name, value in values.items():
                setattr(category, name, value)
            db.session.add(category)
            db.session.flush()
    except IntegrityError as error:
        if "slug" not in str(error.orig):
            raise
        raise Invalid({"slug": [_taken_message(str(values["slug"]))]}) from None


def _validate(name: str, slug: str, description: str, exclude_id: int | None = None) -> tuple[str, str, str]:
    fields: dict[str, list[str]] = {}
    texts = TEXTS.check({"name": name, "slug": slug, "description": description}, fields)
    if "slug" not in fields:
        slug = slugify(texts["slug"] or texts["name"])
        if not slug:
            fields["slug"] = ["The slug needs at least one letter or digit."]
        elif _slug_taken(slug, exclude_id):
            fields["slug"] = [_taken_message(slug)]
    if fields:
        raise Invalid(fields)
    return texts["name"], slug, texts["description"]


def create_category(actor: User | None, name: str, slug: str = "", description: str = "") -> Category:
    """Add a category at the end of the list. `actor` None means the seeder or CLI."""
    if actor is not None:
        require(actor, "category.manage")
    name, slug, description = _validate(name, slug, description)
    position = (db.session.scalar(select(func.max(Category.position))) or 0) + 1
    category = Category()
    _save(category, name=name, slug=slug, description=description, position=position)
    if actor is not None:
        audit.record(actor, "category.create", "category", category.id, after=name)
    return category


def update_category(
    actor: User, category: Category, name: str, slug: str, description: str, position: int
) -> None:
    require(actor, "category.manage")
    before = f"{category.name} ({category.slug})"
    name, slug, description = _validate(name, slug, description, category.id)
    _save(category, name=name, slug=slug, description=description, position=position)
    audit.record(
        actor,
        "category.update",
        "category",
        category.id,
        before=before,
        after=f"{category.name} ({category.slug})",
    )
    db.session.flush()


def delete_category(actor: User, category: Category) -> None:
    """Remove a category; its ideas stay, without a category."""
    require(actor, "category.manage")
    audit.record(actor, "category.delete", "category", category.id, before=category.name)
    db.session.delete(category)
    db.session.flush()
