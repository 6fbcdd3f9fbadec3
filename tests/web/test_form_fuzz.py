"""Fuzz every form on the site with hostile values: no answer may be a 5xx, every 405 says Allow.

The walk GETs every page of the site (app.url_map, with seeded ids so pages with ids exist) as a
signed-out visitor, a member and an admin, reads each HTML form on them, and sends each form
once per field and hostile value: the other fields keep what the page filled in, and the form's
real CSRF token goes along, so the values reach the views. Hostile values: NUL, a lone surrogate
and a byte that is no UTF-8 (raw, percent-encoded), 100 kB of text, deeply nested brackets, and
wrong types (text in number and date fields, unknown choices, ids past any column). Forms
alike in all but the ids in their address (a vote button on each idea) are sent once.

One app and database serve the run, with rate limits off; the forms change them as they go.
"""

import itertools
import re
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote_from_bytes, urljoin, urlsplit

import pytest
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import AnyConverter
from werkzeug.routing.converters import NumberConverter

from app import create_app
from app.errors import Invalid
from app.extensions import db
from app.models.comment import Comment
from app.models.moderation import Flag
from app.services import comments, roadmap, segments
from tests.api.test_fuzz_openapi import seed
from tests.conftest import ON_POSTGRES, Client, _empty_tables, make_config
from tests.factories import PASSWORD, make_idea, make_user

ROLES = ["anonymous", "member", "admin"]
IDS = (1, 2)  # the seed makes at least two of every kind of object
CSRF_FAILED = "Your form expired or came from another site"

GENERIC: list[tuple[str, bytes]] = [
    ("nul", b"fuzz\x00text"),
    ("lone surrogate", b"fuzz\xed\xa0\x80text"),
    ("not utf-8", b"fuzz\xfftext"),
    ("100 kB", b"x" * 100_000),
    ("nested brackets", b"[" * 1000 + b"]" * 1000),
    ("wrong type", b"not a number, date or choice"),
]
TYPED: dict[str, list[tuple[str, bytes]]] = {
    "number": [("past any column", b"99999999999999999999"), ("overflow", b"1e309"), ("negative", b"-1")],
    "date": [("no such day", b"2026-02-30"), ("year zero", b"0000-01-01")],
    "datetime-local": [("no such time", b"2026-13-45T25:61"), ("calendar's end", b"9999-12-31T23:59")],
    "time": [("no such time", b"25:61")],
    "select": [("unknown choice", b"no-such-choice")],
    "radio": [("unknown choice", b"no-such-choice")],
    "checkbox": [("unknown value", b"maybe")],
    "hidden": [("past any column", b"99999999999999999999"), ("negative", b"-1")],
    "email": [
        ("nul in an address", b"ada\x00@example.com"),
        ("surrogate in an address", b"ada\xed\xa0\x80@x.org"),
    ],
}
# What goes into a field the page left empty, so the other fields' values get past validation
# and reach the services and the database. The password is never the fuzzer's own.
FILLERS = {
    "email": "fuzz-{n}@example.com",  # a new address each time, so registering gets as far as it can
    "password": "not the password 1234",
    "number": "1",
    "date": "2030-01-01",
    "datetime-local": "2030-01-01T09:00",
    "url": "https://example.com/",
    "text": "Plain words that fit",
    "search": "export",
    "textarea": "Plain words that fit, in a longer field.",
}
NOT_AN_IMAGE = b"\x00\xff\xed\xa0\x80 this is not an image \x00"


@dataclass
class Field:
    name: str
    kind: str  # an input's type, or textarea, select, button
    value: str | None  # what a browser would send untouched; None sends nothing


@dataclass
class Form:
    page: str
    method: str
    action: str
    enctype: str
    fields: list[Field] = field(default_factory=list)


class FormReader(HTMLParser):
    """The forms of a page, with the values a browser would send for each field."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.textarea: Field | None = None
        self.select: Field | None = None
        self.first_option: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "form":
            action = urljoin(self.page, attrs.get("action") or self.page)
            method = (attrs.get("method") or "get").upper()
            self.form = Form(self.page, method, action, attrs.get("enctype", "").lower())
            self.forms.append(self.form)
        if self.form is None or ("name" not in attrs and tag != "option"):
            return
        name = attrs.get("name", "")
        if tag == "input":
            kind = attrs.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                value = attrs.get("value", "on") if "checked" in attrs else None
                if kind == "radio" and any(f.name == name and f.value for f in self.form.fields):
                    return
            elif kind in ("submit", "image", "reset"):
                return
            else:
                value = attrs.get("value", "") if kind != "file" else None
            self.form.fields.append(Field(name, kind, value))
        elif tag == "button" and attrs.get("type", "submit") == "submit":
            if not any(f.kind == "button" for f in self.form.fields):
                self.form.fields.append(Field(name, "button", attrs.get("value", "")))
        elif tag == "textarea":
            self.textarea = Field(name, "textarea", "")
            self.form.fields.append(self.textarea)
        elif tag == "select":
            self.select = Field(name, "select", None)
            self.first_option = None
            self.form.fields.append(self.select)
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            self.first_option = value if self.first_option is None else self.first_option
            if "selected" in attrs:
                self.select.value = value

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select" and self.select is not None:
            if self.select.value is None:
                self.select.value = self.first_option
            self.select = None


def payloads(item: Field) -> list[tuple[str, bytes]]:
    return GENERIC + TYPED.get(item.kind, [])


def urlencoded(pairs: list[tuple[str, bytes]]) -> bytes:
    """Percent-encode `pairs` as a browser would, but from raw bytes, so any byte can be sent."""
    return "&".join(
        f"{quote_from_bytes(name.encode())}={quote_from_bytes(value)}" for name, value in pairs
    ).encode()


def multipart(pairs: list[tuple[str, bytes]], files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value + b"\r\n"
        for name, value in pairs
    ]
    parts += [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="fuzz.png"\r\n'
        "Content-Type: image/png\r\n\r\n".encode()
        + data
        + b"\r\n"
        for name, data in files
    ]
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


class Fuzzer:
    """One visitor (signed out or signed in as `user`) walking the site and sending its forms."""

    def __init__(self, app, email: str | None = None):
        self.app = app
        self.email = email
        self.client = app.test_client()
        self.adapter = app.url_map.bind("localhost")
        self.token = ""
        self.problems: list[str] = []
        self.csrf_refused: list[str] = []
        self.sent = 0
        self.numbers = itertools.count()
        self.sign_in()

    def sign_in(self) -> None:
        self.client = self.app.test_client()
        if self.email is not None:
            token = self.token_on("/sign-in")
            response = self.client.post(
                "/sign-in", data={"email": self.email, "password": PASSWORD, "csrf_token": token}
            )
            assert response.status_code == 302, "the fuzzer's user could not sign in"
        self.token = self.token_on("/account/settings" if self.email is not None else "/sign-in")

    def token_on(self, page: str) -> str:
        match = re.search(
            r'name="csrf_token"[^>]*value="([^"]+)"', self.client.get(page).get_data(as_text=True)
        )
        assert match, f"no CSRF token on {page}"
        return match.group(1)

    def check(self, response, what: str) -> None:
        self.sent += 1
        if response.status_code >= 500:
            self.problems.append(f"{response.status_code} from {what}")
        if response.status_code == 405 and not response.headers.get("Allow"):
            self.problems.append(f"405 without Allow from {what}")

    # ---- The walk ----

    def pages(self) -> list[str]:
        """A path for every page of the site, with the seeded ids."""
        paths = []
        for rule in self.app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static" or rule.rule.startswith("/api/"):
                continue
            choices = []
            for converter in rule._converters.values():
                if isinstance(converter, AnyConverter):
                    choices.append(sorted(converter.items))
                elif isinstance(converter, NumberConverter):
                    choices.append(IDS)
                else:
                    choices.append(["sample"])
            for values in itertools.product(*choices):
                paths.append(rule.build(dict(zip(rule._converters, values, strict=True)))[1])
        return paths

    def endpoint(self, method: str, url: str) -> str:
        parts = urlsplit(url)
        try:
            return self.adapter.match(parts.path, method=method)[0]
        except HTTPException:
            return parts.path

    def forms(self) -> list[Form]:
        """Every form on every page, one of each kind."""
        found: dict[tuple, Form] = {}
        for path in self.pages():
            response = self.client.get(path)
            self.check(response, f"GET {path}")
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            reader = FormReader(path)
            reader.feed(response.get_data(as_text=True))
            for form in reader.forms:
                names = frozenset(item.name for item in form.fields)
                found.setdefault((form.method, self.endpoint(form.method, form.action), names), form)
        return list(found.values())

    # ---- Sending ----

    def send(self, form: Form, pairs: list[tuple[str, bytes]], files: list[tuple[str, bytes]], what: str):
        what = f"{form.method} {form.action} (form on {form.page}) with {what}"
        response = self.post(form, pairs, files)
        if response.status_code == 400 and CSRF_FAILED in response.get_data(as_text=True):
            # An earlier value ended the session (sign out everywhere): sign in again, send again.
            self.sign_in()
            response = self.post(form, pairs, files)
            if response.status_code == 400 and CSRF_FAILED in response.get_data(as_text=True):
                self.csrf_refused.append(what)
        self.check(response, what)
        if self.email is None:
            with self.client.session_transaction() as session:
                if "_user_id" in session:  # a valid registration signed the visitor in
                    self.sign_in()

    def post(self, form: Form, pairs: list[tuple[str, bytes]], files: list[tuple[str, bytes]]):
        parts = urlsplit(form.action)
        if form.method == "GET":
            return self.client.get(f"{parts.path}?{urlencoded(pairs).decode()}")
        pairs = [("csrf_token", self.token.encode()), *pairs]
        if form.enctype == "multipart/form-data":
            body, content_type = multipart(pairs, files)
            return self.client.open(parts.path, method=form.method, data=body, content_type=content_type)
        return self.client.open(
            parts.path + (f"?{parts.query}" if parts.query else ""),
            method=form.method,
            data=urlencoded(pairs),
            content_type="application/x-www-form-urlencoded",
        )

    def fuzz(self, form: Form) -> None:
        fields = [item for item in form.fields if item.name != "csrf_token"]
        if not fields:
            return  # nothing to fuzz; sending it would only sign out or delete

        def filled(skip: Field | None = None) -> list[tuple[str, bytes]]:
            return [
                (item.name, (item.value or FILLERS.get(item.kind, "")).format(n=next(self.numbers)).encode())
                for item in fields
                if item is not skip and item.value is not None
            ]

        for target in fields:
            if target.kind == "file":
                self.send(form, filled(), [(target.name, NOT_AN_IMAGE)], f"{target.name}=<not an image>")
                continue
            for label, value in payloads(target):
                self.send(form, [*filled(target), (target.name, value)], [], f"{target.name}=<{label}>")
        deep = fields[0].name + "[a]" * 500
        self.send(form, [*filled(), (deep, b"[" * 1000)], [], "a field named with 500 nested brackets")


@pytest.fixture(scope="module")
def fuzz_site(tmp_path_factory, _schema):
    app = create_app(make_config(tmp_path_factory.mktemp("form-fuzz"), RATELIMIT_ENABLED=False))
    app.test_client_class = Client  # each request in its own app context, as in production
    with app.app_context():
        if not ON_POSTGRES:
            db.create_all()
        seed()
        admin = make_user("admin", email="fuzz-admin@example.com")
        make_user("member", email="fuzz-member@example.com")
        segments.create_segment(admin, "Beta testers", 1.5, "People who try things first.")
        db.session.commit()
        users = {"anonymous": None, "member": "fuzz-member@example.com", "admin": "fuzz-admin@example.com"}
        db.session.remove()
        yield app, users
        db.session.remove()
        if ON_POSTGRES:
            _empty_tables()
        db.engine.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
def test_every_form_takes_hostile_input_without_a_server_error(fuzz_site, role):
    app, users = fuzz_site
    with app.app_context():
        fuzzer = Fuzzer(app, users[role])
        forms = fuzzer.forms()
        for form in forms:
            fuzzer.fuzz(form)

    assert fuzzer.problems == []
    assert len(forms) >= {"anonymous": 3, "member": 10, "admin": 30}[role], "the walk found too few forms"
    assert fuzzer.csrf_refused == [], "the CSRF token was refused: these values never reached a view"


# ---- What this fuzzer found: each a 500 before ----

HUGE_ID = 99999999999999999999


def count(model) -> int:
    # Relative counts: on PostgreSQL the fuzz run's rows stay until this module ends.
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_reply_to_a_comment_id_past_any_column_is_a_field_error(app):
    idea = make_idea()
    before = count(Comment)
    with pytest.raises(Invalid) as refused:
        comments.add_comment(make_user(), idea, "A reply to nothing.", HUGE_ID)

    assert list(refused.value.fields) == ["parent_id"]
    db.session.rollback()
    assert count(Comment) == before


def test_flagging_an_id_past_any_column_is_not_found(client, login):
    login(make_user())
    before = count(Flag)

    response = client.post_form(
        "/flags", {"target_type": "idea", "target_id": str(HUGE_ID), "reason": "spam"}, page="/ideas/"
    )

    assert response.status_code == 404
    assert count(Flag) == before


def test_the_roadmap_idea_picker_refuses_a_search_longer_than_any_title(client, login):
    admin = make_user("admin")
    item = roadmap.create_item(admin, "CSV exports", description="Planned work.")
    db.session.commit()
    login(admin)

    response = client.get(f"/roadmap/{item.id}", query_string={"q": "export " * 15_000})

    assert response.status_code == 400
    assert "Search for at most 200 characters." in response.get_data(as_text=True)
