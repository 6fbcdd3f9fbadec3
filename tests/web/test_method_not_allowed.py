"""Every 405 names the methods that work in an `Allow` header; the API's is its error JSON too."""

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import AnyConverter, PathConverter, Rule
from werkzeug.routing.converters import NumberConverter

CANDIDATES = ("GET", "POST", "PUT", "PATCH", "DELETE")


def sample_path(rule: Rule) -> str:
    """A path the rule matches, with a sample value for each of its arguments."""
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        elif isinstance(converter, NumberConverter):
            values[name] = 1
        elif isinstance(converter, PathConverter):
            values[name] = "sample/file.txt"
        else:
            values[name] = "sample"
    _, path = rule.build(values)
    return path


def refused_method(app, path: str) -> tuple[str, set[str]] | None:
    """A method no rule at `path` takes, and the methods the router says do work there."""
    adapter = app.url_map.bind("localhost")
    for method in CANDIDATES:
        try:
            adapter.match(path, method=method)
        except MethodNotAllowed as error:
            return method, set(error.valid_methods)
        except NotFound:
            return None
    return None


def test_every_rule_answers_a_method_it_does_not_take_with_405_and_allow(app, client):
    checked = 0
    for rule in app.url_map.iter_rules():
        path = sample_path(rule)
        refused = refused_method(app, path)
        if refused is None:
            continue  # some rule at this path takes every method tried
        method, valid = refused

        response = client.open(path, method=method)

        assert response.status_code == 405, (rule.rule, method)
        allow = {name.strip() for name in response.headers.get("Allow", "").split(",") if name.strip()}
        assert rule.methods <= allow, (rule.rule, method, response.headers.get("Allow"))
        assert allow == valid
        if rule.rule.startswith("/api/") or rule.rule == "/healthz":  # JSON answers, as errors.py says
            assert response.json["error"]["code"] == "method_not_allowed", rule.rule
        else:
            assert response.mimetype == "text/html"
            assert "That action is not available here." in response.get_data(as_text=True)
        checked += 1
    assert checked > 100, "the walk should reach nearly every rule"
