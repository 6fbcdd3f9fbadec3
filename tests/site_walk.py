"""Walk every GET page and API endpoint of the site as one reader, and check what each answer shows.

The routes come from `app.url_map`, so a new page is walked the day it is added. Each argument of
a route is filled from the values a test gives for its kind (the ids of public objects, of
private ones, and of one that never existed); a route whose argument the walk does not know, or
that the walk leaves out without a reason in SKIPPED, fails the walk, so nothing is left out
unnoticed. Pages and lists that answer are walked again with query arguments that search, filter
and page them (`QUERIES`).

What one reader saw is kept as `Answer`s, normalised (`normalise`) so that two readings of the
same page compare equal unless what the page shows changed: tokens, nonces and times are blanked.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from flask import Flask
from werkzeug.routing import Rule

# Which kind of value fills each route argument.
ARGUMENT_KINDS = {
    "idea_id": "idea",
    "prototype_id": "prototype",
    "launch_id": "launch",
    "item_id": "roadmap_item",
    "round_id": "round",
    "comment_id": "comment",
    "user_id": "user",
    "notification_id": "notification",
    "board_id": "board",
    "category_id": "category",
    "segment_id": "segment",
    "webhook_id": "webhook",
    "slug": "board_slug",
    "name": "upload",
    "provider": "provider",
    "digest": "styles_digest",
    "filename": "static_file",
    "token": "unsubscribe_token",
    "domain": "email_domain",
}

# Routes the walk cannot read, and why: each needs a token or code that only one inbox, the
# company or a sign-in provider holds (and some would change an account by being read). The
# unsubscribe page's token is the walker's own, from any email: that page is walked.
SKIPPED = {
    "auth.verify_email": "verifies the address its token names (a change); the token is in one inbox",
    "auth.reset_password": "needs a reset token mailed to one inbox; the form shows nothing of the site",
    "email_change.confirm": "confirms a pending email change named by a token mailed to the new address",
    "email_change.undo": "undoes an email change named by a token mailed to the old address",
    "company_sign_in.sign_in": "signs in with a token only the company can sign (docs/sso.md)",
    "oidc.callback": "answers an OpenID provider's redirect, with its one-time code and state",
}

# Query arguments that search, filter or narrow a page or a list: each page or list that answers
# 200 is read again with each of these ({words}: what to search for, {board}: a board's slug,
# {category}: a category's slug).
QUERIES = (
    {"q": "{words}"},
    {"title": "{words}"},
    {"find_ideas": "{words}"},
    {"board": "{board}"},
    {"category": "{category}"},
    {"status": "merged"},
    {"voted": "1"},
    {"mine": "1"},
)

_CSRF_INPUT = re.compile(r'(name="(?:csrf_token|submission_token)"[^>]*value=")[^"]*(")')
_CSRF_VALUE_FIRST = re.compile(r'(value=")[^"]*("[^>]*name="(?:csrf_token|submission_token)")')
_CSRF_META = re.compile(r'(<meta name="csrf-token" content=")[^"]*(")')
_CSRF_QUERY = re.compile(r"(csrf_token=)[\w.-]+")
_NONCE = re.compile(r'(nonce=")[^"]*(")')
_TIME = re.compile(r"<time\b[^>]*>.*?</time>", re.S)
_AGO = re.compile(r"\b(just now|\d+ (?:minute|hour|day)s? ago)\b")
_ISO = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?")


def normalise(text: str) -> str:
    """The text with what differs between two readings of an unchanged page blanked out."""
    for pattern in (_CSRF_INPUT, _CSRF_VALUE_FIRST, _CSRF_META, _NONCE):
        text = pattern.sub(r"\1~\2", text)
    text = _CSRF_QUERY.sub(r"\1~", text)
    text = _TIME.sub("<time>", text)
    text = _AGO.sub("~ago", text)
    return _ISO.sub("~when", text)


@dataclass(frozen=True)
class Probe:
    """One URL to read: `endpoint` is its route; `ghost` the same route with values that never
    existed, when `url` names something private (it must answer as the ghost does)."""

    endpoint: str
    url: str
    ghost: str | None = None
    # A route without arguments: a page or list that the QUERIES may search and filter.
    listing: bool = False


@dataclass
class Answer:
    url: str
    status: int
    location: str
    content_type: str
    text: str

    @property
    def seen(self) -> str:
        """Everything the reader is shown: the body and where a redirect leads."""
        return f"{self.location}\n{self.text}"

    def normal(self, path: str | None = None) -> tuple[int, str, str, str]:
        """What must stay equal, with `path` (the request's own, echoed in sign-in links) blanked."""
        location, text = blank_path(self.location, path), blank_path(self.text, path)
        return self.status, normalise(location), self.content_type, normalise(text)


def blank_path(text: str, path: str | None) -> str:
    """`text` with `path` (as it is, or percent-encoded) blanked where it is whole: /ideas/3 in
    "/ideas/3" and "next=%2Fideas%2F3", never in "/ideas/30"."""
    if not path:
        return text
    for form in {path, quote(path, safe=""), quote(path, safe="/")}:
        text = re.sub(re.escape(form) + r"(?![\w-])", "~path", text)
    return text


@dataclass
class Values:
    """The values that fill route arguments: for each kind, those of objects anyone walking may
    name (`public`), those of private objects (`private`), and one that never existed (`ghost`)."""

    public: dict[str, list] = field(default_factory=dict)
    private: dict[str, list] = field(default_factory=dict)
    ghost: dict[str, object] = field(default_factory=dict)
    # What the QUERIES fill in: {"words": [...], "board": [...], "category": [...]}.
    query: dict[str, list[str]] = field(default_factory=dict)


def get_rules(app: Flask) -> list[Rule]:
    """Every rule a GET reaches, but the SKIPPED ones, in a fixed order."""
    rules = [rule for rule in app.url_map.iter_rules() if "GET" in rule.methods]
    return sorted((rule for rule in rules if rule.endpoint not in SKIPPED), key=lambda rule: rule.rule)


def unknown_arguments(app: Flask) -> list[str]:
    """Routes with an argument the walk has no values for (add its kind to ARGUMENT_KINDS)."""
    return [
        f"{rule.rule} ({name})"
        for rule in get_rules(app)
        for name in rule.arguments
        if name not in ARGUMENT_KINDS
    ]


def probes(app: Flask, values: Values, only: Callable[[str], bool] | None = None) -> list[Probe]:
    """A probe per route (those whose endpoint `only` takes, if given) and value: public values as
    they are; each private value with its ghost."""
    found: list[Probe] = []
    adapter = app.url_map.bind("localhost")
    for rule in get_rules(app):
        if only is not None and not only(rule.endpoint):
            continue
        names = sorted(rule.arguments)
        if not names:
            found.append(Probe(rule.endpoint, adapter.build(rule.endpoint, {}), listing=True))
            continue
        assert len(names) == 1, f"{rule.rule}: the walk fills one argument per route; teach it more"
        [name] = names
        kind = ARGUMENT_KINDS[name]

        def url(value: object, rule: Rule = rule, name: str = name) -> str:
            return adapter.build(rule.endpoint, {name: value})

        found.extend(Probe(rule.endpoint, url(value)) for value in values.public.get(kind, []))
        ghost = url(values.ghost[kind]) if kind in values.ghost else None
        found.extend(Probe(rule.endpoint, url(value), ghost) for value in values.private.get(kind, []))
    return found


def query_probes(answered: Iterable[tuple[Probe, Answer]], values: Values) -> list[Probe]:
    """Each page or list (a route without arguments) that answered 200, read again with each of QUERIES."""
    found = []
    for probe, answer in answered:
        if not probe.listing or answer.status != 200:
            continue
        if not answer.content_type.startswith(("text/html", "application/json")):
            continue
        for query in QUERIES:
            for filled in _fill(query, values.query):
                found.append(Probe(probe.endpoint, f"{probe.url}?{urlencode(filled)}"))
    return found


def _fill(query: dict[str, str], choices: dict[str, list[str]]) -> list[dict[str, str]]:
    slots = [name for value in query.values() for name in re.findall(r"\{(\w+)\}", value)]
    if not slots:
        return [query]
    [slot] = slots
    return [
        {key: value.replace(f"{{{slot}}}", choice) for key, value in query.items()}
        for choice in choices[slot]
    ]


Reader = Callable[[str], Answer]


def reader(client, headers_for_api: dict[str, str] | None = None) -> Reader:
    """Read a URL as the client's user: pages with its session, the API with its token (if any)."""

    def read(url: str) -> Answer:
        headers = headers_for_api if url.startswith("/api/") and headers_for_api else {}
        response = client.get(url, headers=headers)
        with client.session_transaction() as session:
            # A message flashed for one page ("Please sign in") is not the next page's business.
            session.pop("_flashes", None)
        body = response.get_data()
        text = body.decode("utf-8", "replace") if _is_text(response.mimetype) else f"<{len(body)} bytes>"
        return Answer(
            url, response.status_code, response.headers.get("Location", ""), response.mimetype, text
        )

    return read


def _is_text(mimetype: str) -> bool:
    return mimetype.startswith("text/") or mimetype.endswith(("json", "xml"))


def walk(
    app: Flask, read: Reader, values: Values, only: Callable[[str], bool] | None = None
) -> dict[str, tuple[Probe, Answer]]:
    """Read every probe (of the routes `only` takes), then the query probes, once; the answers by URL."""
    seen: dict[str, tuple[Probe, Answer]] = {}
    for probe in probes(app, values, only):
        seen[probe.url] = (probe, read(probe.url))
        if probe.ghost is not None and probe.ghost not in seen:
            seen[probe.ghost] = (Probe(probe.endpoint, probe.ghost), read(probe.ghost))
    for probe in query_probes(list(seen.values()), values):
        seen[probe.url] = (probe, read(probe.url))
    return seen


# ---- Writes: each route that changes something, aimed at a private thing and at a ghost ----

WRITE_METHODS = ("POST", "PATCH", "PUT", "DELETE")
# Write routes the walk does not aim at private things, and why.
WRITES_SKIPPED = {
    "auth.reset_password": "its token is mailed to one inbox; it names an account, not a board's thing",
    "auth.verify_email": "its token is mailed to one inbox; it names an account, not a board's thing",
    "notifications.unsubscribe": "its token names an account, not a board's thing",
}
# Arguments that say which kind of thing the next one names (moderation's routes): fixed.
KIND_ARGUMENTS = {"kind": "ideas", "target_type": "idea"}
# A value no route names, to find where an argument sits in a built URL.
_MARK = 987_654_321
TARGETS = {"target_id": "idea"}


@dataclass(frozen=True)
class Write:
    """One write to try: `method` at `url`, whose path names the private thing up to `aimed`
    (/ideas/3 of /ideas/3/vote); `ghost` is the same aimed at a thing that never was."""

    endpoint: str
    method: str
    url: str
    aimed: str
    ghost: str
    ghost_aimed: str


def blank_aimed(answer: Answer, aimed: str) -> Answer:
    """The answer with the path to the thing aimed at blanked (/ideas/3, %2Fideas%2F3): a refused
    write may send the reader to sign in and back to the page its address names."""
    return Answer(
        answer.url,
        answer.status,
        blank_path(answer.location, aimed),
        answer.content_type,
        blank_path(answer.text, aimed),
    )


def write_probes(app: Flask, values: Values) -> list[Write]:
    """Each write route, once per private value of each argument (the others public)."""
    found = []
    adapter = app.url_map.bind("localhost")
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        methods = sorted(set(rule.methods) & set(WRITE_METHODS))
        if not methods or rule.endpoint in WRITES_SKIPPED:
            continue
        kinds = {
            name: TARGETS.get(name) or ARGUMENT_KINDS.get(name)
            for name in rule.arguments
            if name not in KIND_ARGUMENTS
        }
        fixed = {name: KIND_ARGUMENTS[name] for name in rule.arguments if name in KIND_ARGUMENTS}
        for aimed, kind in sorted(kinds.items()):
            if kind not in values.private:
                continue  # nothing private of this kind (a sign-in identity): nothing to aim at
            others = {}
            for name, other in kinds.items():
                if name != aimed:
                    assert values.public.get(other), f"{rule.rule}: give the walk a public {other} for {name}"
                    others[name] = values.public[other][0]

            def path_to(value: object, rule=rule, fixed=fixed, others=others, aimed=aimed) -> tuple[str, str]:
                """The URL, and its path up to the aimed value."""
                url = adapter.build(rule.endpoint, {**fixed, **others, aimed: value})
                marked = adapter.build(rule.endpoint, {**fixed, **others, aimed: _MARK})
                return url, url[: marked.index(str(_MARK))] + str(value)

            ghost, ghost_aimed = path_to(values.ghost[kind])
            for value in values.private.get(kind, []):
                url, path = path_to(value)
                found += [Write(rule.endpoint, method, url, path, ghost, ghost_aimed) for method in methods]
    return found


Writer = Callable[[str, str], Answer]


def writer(client, headers_for_api: dict[str, str] | None = None) -> Writer:
    """Send an empty write as the client's user: forms with a CSRF token, the API as JSON."""
    token = client.csrf_token("/")

    def write(method: str, url: str) -> Answer:
        if url.startswith("/api/"):
            response = client.open(url, method=method, json={}, headers=headers_for_api or {})
        else:
            response = client.open(url, method=method, data={"csrf_token": token})
        with client.session_transaction() as session:
            session.pop("_flashes", None)
        text = response.get_data(as_text=True) if _is_text(response.mimetype) else ""
        return Answer(
            url, response.status_code, response.headers.get("Location", ""), response.mimetype, text
        )

    return write
