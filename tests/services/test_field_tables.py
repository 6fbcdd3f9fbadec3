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
