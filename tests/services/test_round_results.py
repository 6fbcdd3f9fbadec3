"""Round results: exact arithmetic (averages, NPS, distributions), response rate, comparison, CSV, charts."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from flask_login import AnonymousUserMixin

from app.errors import Forbidden, Unauthorized
from app.extensions import db
from app.models.base import utcnow
from app.services import charts, round_results
from tests.factories import make_prototype_row, make_round, make_user
from tests.services.test_rounds import answer, qids

RATING = [{"kind": "rating", "prompt": "How easy was it?"}]
NPS = [{"kind": "nps", "prompt": "Would you recommend it?"}]


def results_for(round_id: int, staff=None) -> round_results.Results:
    return round_results.round_results(staff or make_user("admin"), round_id)


def answered_round(questions: list[dict], values: list, staff=None, prototype=None, title="Round 1"):
    """A round whose single question got `values`, one member each."""
    round_ = make_round(staff, prototype, questions=questions, title=title)
    question_id = qids(round_.id)[0]
    for value in values:
        answer(make_user(), round_.id, {str(question_id): value})
    return round_


# ---- Ratings ----


def test_rating_average_and_distribution(app):
    round_ = answered_round(RATING, [1, 2, 2, 5])
    result = results_for(round_.id).questions[0]
    assert result.answered == 4
    assert result.average == Decimal("2.50")
    assert str(result.average) == "2.50"
    assert result.distribution == {1: 1, 2: 2, 3: 0, 4: 0, 5: 1}


@pytest.mark.parametrize(
    ("values", "average"),
    [([1, 2, 2], "1.67"), ([1, 1, 2], "1.33"), ([4, 5], "4.50"), ([5], "5.00"), ([1, 2, 3, 4, 5, 5], "3.33")],
)
def test_rating_averages_round_to_two_places(app, values, average):
    round_ = answered_round(RATING, values)
    assert str(results_for(round_.id).questions[0].average) == average


def test_a_rating_nobody_answered_has_no_average(app):
    round_ = make_round(questions=[*RATING, {"kind": "text", "prompt": "Else?"}])
    answer(make_user(), round_.id, {str(qids(round_.id)[1]): "Only words"})
    result = results_for(round_.id).questions[0]
    assert (result.answered, result.average) == (0, None)
    assert result.distribution == {1: 0, 2: 0, 3: 0, 4: 0, 5: 0}


# ---- NPS ----


def test_nps_groups_and_a_zero_score(app):
    round_ = answered_round(NPS, [10, 9, 8, 7, 6, 0])
    result = results_for(round_.id).questions[0]
    nps = result.nps
    assert (nps.promoters, nps.passives, nps.detractors, nps.score) == (2, 2, 2, 0)
    assert result.distribution == {0: 1, 1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 1, 7: 1, 8: 1, 9: 1, 10: 1}


@pytest.mark.parametrize(
    ("values", "groups", "score"),
    [
        ([10, 10, 9, 8, 0], (3, 1, 1), 40),  # 60% − 20%
        ([0, 3, 6, 7], (0, 1, 3), -75),
        ([9, 10], (2, 0, 0), 100),
        ([9, 9, 9, 0, 0, 0, 0, 7], (3, 1, 4), -13),  # −12.5 rounds away from zero
        ([9, 9, 9, 9, 0, 0, 0, 7], (4, 1, 3), 13),  # +12.5 rounds away from zero
        ([10, 8, 8], (1, 2, 0), 33),  # 33.33…
        ([10, 10, 6], (2, 0, 1), 33),  # 66.67 − 33.33 computed exactly, not from rounded shares
    ],
)
def test_nps_scores(app, values, groups, score):
    round_ = answered_round(NPS, values)
    nps = results_for(round_.id).questions[0].nps
    assert (nps.promoters, nps.passives, nps.detractors) == groups
    assert nps.score == score


def test_nps_without_answers_has_no_score(app):
    round_ = make_round(questions=NPS)
    assert results_for(round_.id).questions[0].nps.score is None


# ---- Choices and free text ----


def test_choice_and_multi_option_counts(app):
    questions = [
        {"kind": "choice", "prompt": "Which plan?", "options": ["Basic", "Pro", "Team"]},
        {"kind": "multi", "prompt": "What did you use?", "options": ["Search", "Filters", "Export"]},
    ]
    round_ = make_round(questions=questions)
    choice, multi = qids(round_.id)
    for plan, used in [
        ("Pro", ["Search", "Export"]),
        ("Pro", ["Search"]),
        ("Basic", None),
        (None, ["Export"]),
    ]:
        answers = {str(choice): plan, str(multi): used}
        answer(make_user(), round_.id, {key: value for key, value in answers.items() if value is not None})
    first, second = results_for(round_.id).questions
    assert (first.answered, first.distribution) == (3, {"Basic": 1, "Pro": 2, "Team": 0})
    # Each chosen option counts; shares are of the people who answered, so they may add up past 100%.
    assert (second.answered, second.distribution) == (3, {"Search": 2, "Filters": 0, "Export": 2})
    assert [second.share(n) for n in second.distribution.values()] == [67, 0, 67]


def test_free_text_answers_newest_first(app):
    round_ = make_round(questions=[{"kind": "text", "prompt": "Anything else?"}])
    question = str(qids(round_.id)[0])
    start = utcnow()
    ann, ben, carl = make_user(), make_user(), make_user()
    # Stored in one order, answered (and changed) in another.
    answer(ann, round_.id, {question: "First thought"}, now=start)
    answer(ben, round_.id, {question: "Early"}, now=start - timedelta(minutes=30))
    answer(carl, round_.id, {question: "Middle"}, now=start + timedelta(minutes=5))
    answer(ann, round_.id, {question: "Changed my mind"}, now=start + timedelta(minutes=10))
    result = results_for(round_.id).questions[0]
    assert [text for text, _ in result.answers] == ["Changed my mind", "Middle", "Early"]
    assert result.answered == 3


def test_changed_answers_are_counted_once(app):
    round_ = make_round(questions=RATING)
    question = str(qids(round_.id)[0])
    member = make_user()
    answer(member, round_.id, {question: 1})
    answer(member, round_.id, {question: 5})
    results = results_for(round_.id)
    assert results.response_count == 1
    assert results.questions[0].distribution == {1: 0, 2: 0, 3: 0, 4: 0, 5: 1}
    assert results.questions[0].average == Decimal("5.00")


# ---- Response rate, permissions ----


def test_response_rate_counts_the_accounts_that_are_not_suspended(app):
    staff = make_user("product_manager")
    round_ = answered_round(RATING, [3, 4], staff=staff)  # staff + 2 answering members
    make_user()
    suspended = make_user()
    suspended.suspended_at = utcnow()
    lifted = make_user()
    lifted.suspended_at, lifted.suspended_until = utcnow() - timedelta(days=3), utcnow() - timedelta(days=1)
    db.session.commit()
    results = results_for(round_.id, staff)
    assert results.response_count == 2
    assert results.audience_size == 5  # staff, 2 answering, the idle member, the lifted one
    assert results.response_rate == 40


def test_results_are_live_while_the_round_is_open(app):
    round_ = make_round(questions=RATING)
    staff = make_user("admin")
    assert round_results.round_results(staff, round_.id).response_count == 0
    answer(make_user(), round_.id, {str(qids(round_.id)[0]): 4})
    results = round_results.round_results(staff, round_.id)
    assert (results.state, results.response_count) == ("open", 1)


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_results_and_exports_are_for_staff(app, role):
    round_ = make_round()
    with pytest.raises(Forbidden):
        round_results.round_results(make_user(role), round_.id)
    with pytest.raises(Forbidden):
        round_results.responses_csv(make_user(role), round_.id)
    with pytest.raises(Unauthorized):
        round_results.round_results(AnonymousUserMixin(), round_.id)


# ---- Rounds side by side ----


def test_rounds_of_a_prototype_compare_side_by_side(app):
    staff = make_user("product_manager")
    prototype = make_prototype_row(staff)
    questions = [
        {"kind": "rating", "prompt": "How easy was it?"},
        {"kind": "nps", "prompt": "Would you recommend it?"},
        {"kind": "choice", "prompt": "Which plan?", "options": ["Basic", "Pro"]},
    ]
    first = make_round(staff, prototype, questions=questions, title="Round 1")
    second_questions = [
        {"kind": "rating", "prompt": "how easy was it?"},  # matched: same words, other case
        {"kind": "choice", "prompt": "Which plan?", "options": ["Pro", "Basic", "Team"]},
        {"kind": "rating", "prompt": "Was it fast?"},
    ]
    second = make_round(staff, prototype, questions=second_questions, title="Round 2")
    second.opens_at += timedelta(minutes=1)
    third = make_round(staff, prototype, questions=questions[:1], title="Round 3")
    third.opens_at += timedelta(minutes=2)
    db.session.commit()
    a, b, c = (str(i) for i in qids(first.id))
    for rating, nps, plan in [(2, 10, "Basic"), (3, 6, "Basic"), (4, 8, "Pro")]:
        answer(make_user(), first.id, {a: rating, b: nps, c: plan})
    x, y, z = (str(i) for i in qids(second.id))
    for rating, plan, fast in [(4, "Pro", 3), (5, "Pro", 5)]:
        answer(make_user(), second.id, {x: rating, y: plan, z: fast})

    results = round_results.round_results(staff, second.id)
    assert [summary.round.id for summary in results.rounds] == [first.id, second.id, third.id]
    assert [summary.response_count for summary in results.rounds] == [3, 2, 0]
    rows = [(row.label, row.kind, row.option, row.cells) for row in results.comparison]
    # None: the round did not ask it; "": it asked, nobody answered yet.
    assert rows == [
        ("how easy was it?", "rating", None, [Decimal("3.00"), Decimal("4.50"), ""]),
        ("Which plan?", "choice", "Pro", [33, 100, None]),
        ("Which plan?", "choice", "Basic", [67, 0, None]),
        ("Which plan?", "choice", "Team", [None, 0, None]),
        ("Was it fast?", "rating", None, [None, Decimal("4.00"), None]),
        ("Would you recommend it?", "nps", None, [0, None, None]),
    ]


# ---- CSV export ----


def test_csv_has_one_row_per_response_and_one_column_per_question(app):
    staff = make_user("product_manager")
    questions = [
        {"kind": "rating", "prompt": "How easy, really?"},
        {"kind": "multi", "prompt": "What did you use?", "options": ["Search", "Filters", "Export"]},
        {"kind": "text", "prompt": "Anything else?"},
    ]
    round_ = make_round(staff, questions=questions)
    rating, multi, text = (str(i) for i in qids(round_.id))
    ann = make_user(name='Ann "The Tester", Jr.')
    ben = make_user(name="Ben")
    answer(ann, round_.id, {rating: 4, multi: ["Export", "Search"], text: 'Line one,\nline "two"'})
    answer(ben, round_.id, {rating: 2})
    filename, body = round_results.responses_csv(staff, round_.id)
    assert filename == f"round-{round_.id}-responses.csv"
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == [
        "Respondent ID",
        "Display name",
        "Submitted at (UTC)",
        "1. How easy, really?",
        "2. What did you use?",
        "3. Anything else?",
    ]
    assert [row[:2] + row[3:] for row in rows[1:]] == [
        [str(ann.id), 'Ann "The Tester", Jr.', "4", "Search; Export", 'Line one,\nline "two"'],
        [str(ben.id), "Ben", "2", "", ""],
    ]
    assert len(rows[1][2]) == len("2026-01-01 12:00:00")
    # Proper quoting: the comma, the quotes and the newline are inside one quoted cell.
    assert '"Ann ""The Tester"", Jr."' in body
    assert '"Line one,\nline ""two"""' in body


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_csv_cells_that_would_run_as_formulas_are_defused(app, start):
    staff = make_user("product_manager")
    round_ = make_round(staff, questions=[{"kind": "text", "prompt": f"{start}Prompt"}])
    payload = f'{start}HYPERLINK("http://evil.example")'
    member = make_user(name=f"{start}cmd")
    answer(member, round_.id, {str(qids(round_.id)[0]): f"x{payload}"})
    answer(make_user(name="\tTabbed"), round_.id, {str(qids(round_.id)[0]): payload})
    rows = list(csv.reader(io.StringIO(round_results.responses_csv(staff, round_.id)[1])))
    assert rows[1][1] == f"'{start}cmd"
    assert rows[1][3] == f"x{payload}"  # only the start of a cell matters
    assert rows[2][1] == "'\tTabbed"
    assert rows[2][3] == f"'{payload}"
    assert rows[0][3] == f"1. {start}Prompt"


def test_csv_of_a_round_without_responses_is_just_the_header(app):
    staff = make_user("product_manager")
    round_ = make_round(staff, questions=RATING)
    body = round_results.responses_csv(staff, round_.id)[1]
    assert body == "Respondent ID,Display name,Submitted at (UTC),1. How easy was it?\r\n"


# ---- Charts ----


def test_charts_are_accessible_svg_with_the_numbers_as_text(app):
    round_ = answered_round(RATING, [1, 2, 2, 5])
    result = results_for(round_.id).questions[0]
    svg = str(charts.question_chart(result))
    assert svg.startswith("<svg")
    assert svg.endswith("</svg>")
    assert 'role="img"' in svg
    assert f'aria-labelledby="chart-q{result.question.id}-title chart-q{result.question.id}-desc"' in svg
    assert "<title" in svg
    assert "average 2.50 of 5" in svg
    assert "<desc" in svg
    assert "1 (lowest): 1 (25%); 2: 2 (50%); 3: 0 (0%); 4: 0 (0%); 5 (highest): 1 (25%)." in svg
    assert ">2 · 50%<" in svg
    # The largest count spans the whole track (78% of the width); the others in proportion.
    assert '<rect class="chart__bar" x="0" y="66" width="78%"' in svg
    assert '<rect class="chart__bar" x="0" y="22" width="39%"' in svg
    assert svg.count('class="chart__bar"') == 3  # no bar for the ratings nobody gave
    assert "style=" not in svg
    assert "<script" not in svg


def test_nps_chart_is_a_stacked_bar(app):
    round_ = answered_round(NPS, [10, 9, 8, 0])
    svg = str(charts.question_chart(results_for(round_.id).questions[0]))
    assert 'class="chart__segment chart__segment--detractors" x="0%" y="0" width="25%"' in svg
    assert 'class="chart__segment chart__segment--passives" x="25%" y="0" width="25%"' in svg
    assert 'class="chart__segment chart__segment--promoters" x="50%" y="0" width="50%"' in svg
    assert "NPS +25 from 4 answers" in svg


def test_chart_labels_are_escaped(app):
    questions = [{"kind": "choice", "prompt": "<b>Pick</b>", "options": ["<script>x</script>", "B & C"]}]
    round_ = make_round(questions=questions)
    answer(make_user(), round_.id, {str(qids(round_.id)[0]): "B & C"})
    svg = str(charts.question_chart(results_for(round_.id).questions[0]))
    assert "<script>" not in svg
    assert "<b>" not in svg
    assert "&lt;script&gt;x&lt;/script&gt;" in svg
    assert "B &amp; C" in svg
