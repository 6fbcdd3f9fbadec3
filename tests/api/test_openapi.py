"""GET /api/v1/openapi.json: a valid OpenAPI 3.1 document, in step with the routes of the API."""

import re

from openapi_spec_validator import validate

from app.api.openapi import WHO
from tests.factories import ApiCaller

METHODS = {"get", "post", "put", "patch", "delete"}
_VARIABLE = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


def routes(app) -> dict[tuple[str, str], str]:
    """(method, OpenAPI path) -> endpoint of every rule of the `api` blueprint."""
    prefix = app.blueprints["api"].url_prefix
    found = {}
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        path = _VARIABLE.sub(r"{\1}", rule.rule).removeprefix(prefix)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found[(method.lower(), path)] = rule.endpoint.removeprefix("api.")
    return found


def operations(doc: dict) -> dict[tuple[str, str], dict]:
    return {
        (method, path): operation
        for path, item in doc["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }


def test_the_document_is_served_to_anyone_and_validates(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    doc = response.json
    assert doc["openapi"].startswith("3.1")
    validate(doc)  # raises on any error of the document


def test_every_route_is_documented_and_every_operation_is_a_route(app, client):
    doc = client.get("/api/v1/openapi.json").json
    documented, served = operations(doc), routes(app)

    assert sorted(set(served) - set(documented)) == [], "routes missing from the document"
    assert sorted(set(documented) - set(served)) == [], "documented operations with no route"
    # operationId names the view, so a page or a test can find one from the other.
    assert {key: op["operationId"] for key, op in documented.items()} == served


def test_every_operation_says_who_may_call_it_and_answers_errors_in_one_shape(client):
    doc = client.get("/api/v1/openapi.json").json

    for (method, path), op in operations(doc).items():
        assert op["x-who"] in WHO, (method, path)
        assert op["tags"], (method, path)
        assert op["summary"], (method, path)
        assert op["responses"]["default"] == {"$ref": "#/components/responses/Error"}
        assert "401" in op["responses"], (method, path)
        if "{" in path:
            assert "404" in op["responses"], (method, path)
        if "requestBody" in op:
            assert {"400", "422"} <= set(op["responses"]), (method, path)
        if op["x-who"] == "anyone":
            assert {} in op["security"], (method, path)
        else:
            assert op["security"] == [{"bearerAuth": []}], (method, path)


def test_the_error_schema_matches_what_the_api_answers(app, client):
    doc = client.get("/api/v1/openapi.json").json
    error = doc["components"]["schemas"]["Error"]
    caller = ApiCaller("member")

    response = client.post("/api/v1/ideas", json={"title": "x"}, headers=caller.headers)

    assert response.status_code == 422
    body = response.json
    assert set(body) == set(error["required"]) == {"error"}
    assert set(error["properties"]["error"]["required"]) <= set(body["error"])
    assert set(body["error"]) <= set(error["properties"]["error"]["properties"])
    assert body["error"]["fields"]["title"]


def test_the_api_page_describes_every_operation_from_the_document(client):
    doc = client.get("/api/v1/openapi.json").json
    page = client.get("/developers/api")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for (method, path), op in operations(doc).items():
        assert f'id="{op["operationId"]}"' in html, (method, path)
        assert f"/api/v1{path}" in html
    for name in ("Idea", "Comment", "Launch", "RoadmapItem", "Error"):
        assert f'id="schema-{name}"' in html
    create_idea = html[html.index('id="create_idea"') : html.index('id="similar_ideas"')]
    assert "<code>title</code>" in create_idea
    assert "<code>NewIdea</code>" in create_idea
    assert "Members and above" in html  # who may call it
    assert 'class="api-method api-method--patch"' in html
    # Nothing from elsewhere: no CDN script, style or font.
    assert not re.search(r'(src|href)="(https?:)?//(?!localhost)', html)


def test_the_footer_links_the_api_page(client):
    html = client.get("/").get_data(as_text=True)

    assert 'href="/developers/api"' in html
