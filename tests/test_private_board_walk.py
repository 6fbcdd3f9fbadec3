"""For everyone without access, a private board does not exist: the walk-everything test.

A site is made with public boards and read, page by page and API endpoint by endpoint (every
GET route of `app.url_map`, searched and filtered with every query the lists take), by a
visitor, by a member the board was once opened to and then closed again (their email domain is
not granted and their segment is not), and by a member whose address in the granted domain is
not verified. Then a private board is added, with something of every kind on it, and they read
the whole site again. Each reader must find:

- the same site as before, answer for answer (statuses, redirects, bodies: counts and totals
  included), once tokens and times are blanked;
- for every URL naming a private thing, the answer a thing that never existed gets: 404, or
  the way to sign in where a page is for members only;
- no marker word of the private board, its name or slug, nor a link to anything on it.

The members who may see the board (by name, by segment, by domain) read the same pages first,
so caches they fill are in place when the others read, and they must find the board's things
where they belong: the walk can tell. Every write route (POST, PATCH, DELETE) aimed at a private
thing is refused as one aimed at a thing that never was, and changes nothing.
"""

import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db, limiter
from app.models.idea import Idea
from app.services import votes
from tests.factories import make_user
from tests.private_board_site import (
    BOARD_NAME,
    BOARD_SLUG,
    GRANTED_DOMAIN,
    SEARCHED,
    PrivateBoard,
    PublicSite,
    secrets,
)
from tests.site_walk import (
    SKIPPED,
    WRITES_SKIPPED,
    Answer,
    Probe,
    Reader,
    blank_aimed,
    blank_path,
    get_rules,
    reader,
    unknown_arguments,
    walk,
    write_probes,
    writer,
)

Walked = dict[str, tuple[Probe, Answer]]
# A problem found, and the route it was found at.
Problem = tuple[str, str]

# Leaks in files other people are changing as this test is written: each is expected to show
# until its fix is merged, and then the walk says to take it off this list.
OWNED_ELSEWHERE = {}
# Answers a private thing may get: not found, or (for pages for members only) not for you.
NOT_THERE = {404, 401, 403}


@pytest.fixture
def site(app) -> PublicSite:
    return PublicSite.build()


def member_reader(app, login, site: PublicSite, user) -> Reader:
    """Reads pages with the member's session and the API with their token."""
    read = reader(login(user, app.test_client()), {"Authorization": f"Bearer {site.tokens[user.id]}"})
    read("/api/v1/me")  # the token's first use shows on the settings page: not the walk's business
    return read


def outsiders(app, login, site: PublicSite) -> dict[str, Reader]:
    """A visitor and the two members without access."""
    return {
        "visitor": reader(app.test_client()),
        "outsider": member_reader(app, login, site, site.outsider),
        "unverified": member_reader(app, login, site, site.unverified),
    }


# ---- What one answer may show ----


def leaks(answer: Answer, private: PrivateBoard, path: str | None = None) -> list[str]:
    """The marker words, names and links of the private board in the answer, but what the URL
    itself asked for (a search box shows its words; a sign-in link names the page asked for)."""
    asked = answer.url.lower().partition("?")[2]
    seen = blank_path(answer.seen, path)
    words = [word for word in secrets() if word in seen.lower() and word not in asked]
    links = [link.pattern for link in private.links() if link.search(seen)]
    return words + links


def differences(before: Answer, after: Answer, paths: tuple[str, str] | None = None) -> str | None:
    """How two answers differ in what the reader is shown, or None; `paths` are the two answers'
    own paths, blanked where they are echoed (a sign-in link names the page asked for)."""
    old, new = (
        (before.normal(paths[0]), after.normal(paths[1])) if paths else (before.normal(), after.normal())
    )
    if old == new:
        return None
    labels = ("status", "redirect", "type", "body")
    changed = [label for label, a, b in zip(labels, old, new, strict=True) if a != b]
    detail = _first_difference(old[3], new[3]) if "body" in changed else ""
    return f"{', '.join(changed)} changed{detail}"


def _first_difference(old: str, new: str) -> str:
    at = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new)))
    return f": …{old[max(0, at - 80) : at + 120]!r} became …{new[max(0, at - 80) : at + 120]!r}"


def check_private(url: str, probe: Probe, answer: Answer, after: Walked) -> list[str]:
    """A URL naming a private thing answers as one naming a thing that never existed."""
    _, ghost = after[probe.ghost]
    problems = []
    changed = differences(ghost, answer, (probe.ghost, url.partition("?")[0]))
    if changed:
        problems.append(f"not as {probe.ghost}, which never existed: {changed}")
    if not (answer.status in NOT_THERE or _to_sign_in(answer)):
        problems.append(f"answered {answer.status}")
    return problems


def _to_sign_in(answer: Answer) -> bool:
    return answer.status in (302, 303) and "/sign-in" in answer.location


def check_reader(before: Walked, after: Walked, private: PrivateBoard) -> list[Problem]:
    """Every way the reader's second walk shows something of the private board."""
    problems = [
        (f"{url}: read before the board was made, not after", probe.endpoint)
        for url, (probe, _) in before.items()
        if url not in after
    ]
    for url, (probe, answer) in sorted(after.items()):
        found = [f"{answer.status}"] if answer.status >= 500 else []
        if probe.ghost is not None:
            found += check_private(url, probe, answer, after)
            shown = leaks(answer, private, url.partition("?")[0])
        else:
            changed = differences(before[url][1], answer) if url in before else None
            found += [changed] if changed else []
            shown = leaks(answer, private)
        found += [f"shows {', '.join(shown)}"] if shown else []
        problems += [(f"{url}: {text}", probe.endpoint) for text in found]
    return problems


def report(problems: dict[str, list[str]]) -> str:
    lines = [f"{who}: {problem}" for who, found in problems.items() for problem in found]
    if os.environ.get("WALK_REPORT"):  # a file to read them all in
        Path(os.environ["WALK_REPORT"]).write_text("\n".join(lines))
    return f"{len(lines)} problems:\n" + "\n".join(lines[:40])


# ---- The walk ----


def test_the_walk_knows_every_route_and_says_why_it_skips_any(app):
    assert unknown_arguments(app) == []
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert set(SKIPPED) <= endpoints, "a skipped route is gone: drop it from SKIPPED"
    assert set(OWNED_ELSEWHERE) | set(WRITES_SKIPPED) <= endpoints
    walked = {rule.endpoint for rule in get_rules(app)}
    assert {"main.index", "ideas.detail", "api.list_ideas", "api.export_me", "notifications.index"} <= walked
    assert all(reason.strip() for reason in SKIPPED.values())


def test_nobody_without_access_finds_anything_of_a_private_board(app, login, site):
    walkers = outsiders(app, login, site)
    before = {who: walk(app, read, site.values) for who, read in walkers.items()}

    private = PrivateBoard.build(site)

    # Those with access read first, filling whatever caches they fill.
    sightings = {
        how: walk(app, member_reader(app, login, site, user), site.values)
        for how, user in site.insiders.items()
    }
    problems, owned_elsewhere = {}, set()
    for who, read in walkers.items():
        found = check_reader(before[who], walk(app, read, site.values), private)
        owned_elsewhere |= {endpoint for _, endpoint in found if endpoint in OWNED_ELSEWHERE}
        problems[who] = [text for text, endpoint in found if endpoint not in OWNED_ELSEWHERE]
    assert not any(problems.values()), report(problems)
    assert owned_elsewhere == set(OWNED_ELSEWHERE), (
        f"fixed: take {set(OWNED_ELSEWHERE) - owned_elsewhere} off"
    )
    for how, seen in sightings.items():
        assert_sees_the_board(how, seen, site, private)


def assert_sees_the_board(how: str, seen: Walked, site: PublicSite, private: PrivateBoard) -> None:
    """The member with access (`how`: by name, segment or domain) finds the board's things."""
    errors = [url for url, (_, answer) in seen.items() if answer.status >= 500]
    assert errors == [], f"{how}: server errors at {errors}"
    first = private.idea_ids[0]
    expected = {
        "/": [BOARD_NAME],
        f"/b/{BOARD_SLUG}/": ["Zanzibarquokka sync for the beta", "Quasarotter reports"],
        f"/ideas/{first}": ["xylophonemarmot", "Glimmerwombat", "thistlebadger", "Velvetpangolin tools"],
        f"/ideas/?q={SEARCHED}": [f'href="/ideas/{first}"'],
        f"/ideas/similar?q={SEARCHED}": ["Zanzibarquokka sync for the beta"],
        f"/api/v1/ideas?q={SEARCHED}": ["Zanzibarquokka sync for the beta"],
        f"/api/v1/ideas/similar?q={SEARCHED}": ["Zanzibarquokka sync for the beta"],
        f"/api/v1/ideas/{first}/comments": ["Glimmerwombat"],
        f"/prototypes/{private.prototype_id}": ["Porcupinezeppelin", "Driftwoodcapybara", "Gingerpelican"],
        f"/launches/{private.launch_id}": ["Nebulakoala"],
        "/launches/": ["Nebulakoala"],
        "/prototypes/": ["Porcupinezeppelin"],
        f"/users/{site.insiders['named'].id}": ["Zanzibarquokka sync for the beta", "thistlebadger"],
        f"/roadmap/{site.values.public['roadmap_item'][0]}": [f'href="/ideas/{first}"'],
        "/changelog": [f'href="/ideas/{first}"', f'href="/ideas/{site.idea.id}"'],
        "/api/v1/boards": [BOARD_SLUG],
        f"/api/v1/boards/{BOARD_SLUG}": [BOARD_NAME],
        f"/uploads/{private.image_names[0]}": [],
        # The sitemap is what a visitor sees, whoever asks: the public idea, and no private one.
        "/sitemap.xml": [f"/ideas/{site.idea.id}</loc>"],
    }
    for url, words in expected.items():
        assert url in seen, f"{how}: the walk did not read {url}"
        answer = seen[url][1]
        assert answer.status == 200, f"{how}: {url} answered {answer.status}"
        for word in words:
            assert word in answer.text, f"{how}: {url} does not show {word!r}"
    assert f"/ideas/{first}<" not in seen["/sitemap.xml"][1].text
    assert len(seen) > 300, "the walk reads every route, and every list with every query"


def row_counts() -> dict[str, int]:
    """How many rows each table holds."""
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def test_nobody_without_access_can_act_on_a_private_board(app, login, site, monkeypatch):
    """Every write aimed at a private thing is refused as one aimed at a thing that never was
    (an empty form or body: checked or not first, it is the same either way), and changes nothing."""
    monkeypatch.setattr(limiter, "enabled", False)  # every write reaches the thing it names
    walkers = {"visitor": (app.test_client(), None)}
    for who, user in (("outsider", site.outsider), ("unverified", site.unverified)):
        walkers[who] = (login(user, app.test_client()), {"Authorization": f"Bearer {site.tokens[user.id]}"})
    private = PrivateBoard.build(site)
    before = row_counts()
    problems: dict[str, list[str]] = {}
    for who, (client, headers) in walkers.items():
        write = writer(client, headers)
        found = problems.setdefault(who, [])
        for probe in write_probes(app, site.values):
            answer = blank_aimed(write(probe.method, probe.url), probe.aimed)
            ghost = blank_aimed(write(probe.method, probe.ghost), probe.ghost_aimed)
            at = f"{probe.method} {probe.url}"
            changed = differences(ghost, answer)
            found += [f"{at}: not as {probe.ghost}, which never existed: {changed}"] if changed else []
            if not (400 <= answer.status < 500 or _to_sign_in(answer)):
                found.append(f"{at}: answered {answer.status}")
            shown = leaks(answer, private)
            found += [f"{at}: shows {', '.join(shown)}"] if shown else []
    assert not any(problems.values()), report(problems)
    db.session.expire_all()
    assert row_counts() == before, "a refused write changed something"
    assert len(write_probes(app, site.values)) > 50


def _roadmap(endpoint: str) -> bool:
    return endpoint.startswith(("roadmap.", "api.roadmap_"))


def test_the_public_roadmap_counts_no_voter_of_a_private_board(app, login, site):
    walkers = outsiders(app, login, site)
    before = {who: walk(app, read, site.values, only=_roadmap) for who, read in walkers.items()}
    private = PrivateBoard.build(site)
    # Members who back the private idea on the roadmap and nothing public: demand it alone has.
    first = db.session.get(Idea, private.idea_ids[0])
    for number in range(3):
        votes.cast_vote(make_user(email=f"backer{number}@{GRANTED_DOMAIN}"), first)
    db.session.commit()

    problems = {
        who: [
            text
            for text, _ in check_reader(before[who], walk(app, read, site.values, only=_roadmap), private)
        ]
        for who, read in walkers.items()
    }
    assert not any(problems.values()), report(problems)
