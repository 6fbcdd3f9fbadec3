"""A feature's text fields are written once: the service, the form, the API and OpenAPI read one table."""

import pytest
from flask_wtf import FlaskForm

from app.api.openapi_schemas import text_output_schemas, text_schemas
from app.api.parsing import parse_texts
from app.errors import Invalid
from app.forms import with_texts
from app.services import launches
from app.services.fields import NOT_HERE, FieldTable, Text

TABLE = FieldTable(
    Text("title", "Title", low=3, high=10, missing="Say it in 3 characters or more.", called="the title"),
    Text("notes", "Notes", high=20, markdown=True, html=True, hint="Markdown works."),
)


def test_the_table_checks_names_and_renders_markdown():
    fields: dict[str, list[str]] = {}
    values = TABLE.check({"title": "  a  ", "notes": "**hi**"}, fields)
    assert fields == {"title": ["Say it in 3 characters or more."]}
    assert values["title"] == "a"
    assert values["notes_html"] == "<p><strong>hi</strong></p>\n"


def test_a_name_outside_the_table_is_refused():
    with pytest.raises(Invalid) as refused:
        TABLE.check_all({"title": "Fine", "owner": 3})
    assert refused.value.fields == {"owner": [NOT_HERE]}


def test_too_long_says_the_limit_and_the_length():
    with pytest.raises(Invalid) as refused:
        TABLE.check_all({"title": "x" * 12_345})
    assert refused.value.fields == {"title": ["Keep the title to 10 characters or fewer (it has 12,345)."]}


def test_the_api_takes_null_for_an_optional_text_only():
    errors: dict[str, list[str]] = {}
    values = parse_texts(TABLE, {"title": None, "notes": None, "other": 1}, errors)
    assert values == {"notes": ""}
    assert errors == {"title": ["Must be a string."]}


def test_openapi_describes_the_rows():
    schemas = text_schemas(TABLE)
    assert schemas["title"] == {"type": "string", "maxLength": 10, "minLength": 3}
    assert schemas["notes"]["type"] == ["string", "null"]
    assert schemas["notes"]["maxLength"] == 20
    assert set(text_output_schemas(TABLE)) == {"title", "notes", "notes_html"}


def test_a_form_gets_one_input_per_row_checked_by_the_row(app):
    @with_texts(TABLE)
    class NoteForm(FlaskForm):
        pass

    with app.test_request_context(method="POST", data={"title": "ab", "notes": "fine"}):
        form = NoteForm(meta={"csrf": False})
        assert not form.validate()
        assert form.errors == {"title": ["Say it in 3 characters or more."]}
        assert form.title.flags.required
        assert form.title.flags.maxlength == 10
        assert not form.notes.flags.required


def test_launch_rows_reach_the_form_the_api_and_the_openapi_document(app):
    from app.api.openapi_schemas import BODIES, SCHEMAS
    from app.forms.launches import LaunchForm

    with app.test_request_context():
        form = LaunchForm(meta={"csrf": False})
        for row in launches.TEXTS:
            assert getattr(form, row.name).label.text == row.label
            assert row.name in BODIES["NewLaunch"]["properties"]
            assert row.name in SCHEMAS["Launch"]["properties"]


def test_a_row_may_word_its_own_too_long_message_and_keep_plain_lines():
    row = Text("reason", "Reason", high=5, lines=True, too_long="At most {high:,} (it has {length:,}).")
    fields: dict[str, list[str]] = {}
    assert row.check(" a\nb ", fields) == "a\nb"
    row.check("x" * 1_234, fields)
    assert fields == {"reason": ["At most 5 (it has 1,234)."]}


def test_a_change_may_refuse_null_for_every_text():
    errors: dict[str, list[str]] = {}
    values = parse_texts(TABLE, {"title": "Fine", "notes": None}, errors, nullable=False)
    assert values == {"title": "Fine"}
    assert errors == {"notes": ["Must be a string."]}
    assert text_schemas(TABLE, nullable_ok=False)["notes"]["type"] == "string"


def test_idea_comment_and_moderation_rows_reach_the_openapi_document():
    from app.api.openapi_schemas import BODIES, SCHEMAS
    from app.services import accounts, comments, ideas, moderation

    bodies = {
        "NewIdea": ideas.TEXTS,
        "IdeaChanges": ideas.TEXTS,
        "NewComment": comments.TEXTS,
        "CommentChanges": comments.TEXTS,
        "NewFlag": moderation.FLAG_TEXTS,
        "Hide": moderation.HIDE_TEXTS,
        "Lock": moderation.SHOWN_REASON_TEXTS,
        "Suspend": accounts.SUSPENSION_TEXTS,
    }
    for body, table in bodies.items():
        for row in table:
            assert BODIES[body]["properties"][row.name]["maxLength"] == row.high, (body, row.name)
    for row in ideas.TEXTS:
        assert row.name in SCHEMAS["Idea"]["properties"]


@pytest.mark.parametrize(
    ("form_name", "data", "name"),
    [
        ("IdeaForm", {"title": "Tiny", "body": ""}, "title"),
        ("IdeaForm", {"title": "A fine title", "body": "x" * 10_001}, "body"),
        ("CategoryForm", {"name": "", "slug": "", "description": ""}, "name"),
        ("CategoryForm", {"name": "Reports", "slug": "s" * 61, "description": ""}, "slug"),
    ],
)
def test_the_idea_and_category_forms_say_what_their_services_say(app, form_name, data, name):
    from app.forms import ideas as idea_forms
    from app.services import categories, ideas

    table = ideas.TEXTS if form_name == "IdeaForm" else categories.TEXTS
    with app.test_request_context(method="POST", data=data):
        form = getattr(idea_forms, form_name)(meta={"csrf": False})
        form.validate()
        with pytest.raises(Invalid) as refused:
            table.check_all({name: data[name]})
        assert form.errors[name] == refused.value.fields[name]
        assert getattr(form, name).label.text == table[name].label
