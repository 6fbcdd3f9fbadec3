"""Feedback round pages: the prototype page's section, creating, answering, editing, results and CSV."""

import csv
import io
import re
from datetime import UTC
from html import unescape

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.base import utcnow
from app.models.round import FeedbackRound, RoundAnswer, RoundResponse
from app.services import rounds
from tests.factories import QUESTIONS, make_launch_row, make_prototype_row, make_round, make_user
from tests.services.test_rounds import answer, load, qids


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def text_of(response) -> str:
    return response.get_data(as_text=True)


def flashes(page: str) -> list[str]:
    return [unescape(text) for text in re.findall(r'<p class="flash flash--\w+">([^<]*)</p>', page)]


# ---- The rounds section of the prototype page ----


def test_members_see_rounds_with_their_state_and_an_answer_button(client, login):
    staff = make_user("product_manager")
    prototype = make_prototype_row(staff)
    open_round = make_round(staff, prototype, title="Round 2")
    make_round(staff, prototype, state="closed", title="Round 1")
    member = make_user()
    login(member)
    html = text_of(client.get(f"/prototypes/{prototype.id}"))
    assert 'id="rounds"' in html
    assert "Feedback rounds" in html
    assert "Round 1" in html
    assert "Round 2" in html
    assert ">Open<" in html
    assert ">Closed<" in html
    assert f'href="/rounds/{open_round.id}"' in html
    assert ">Answer<" in html
    assert "Results" not in html
    assert "New round" not in html

    answer(member, open_round.id, {str(qids(open_round.id)[0]): 4})
    html = text_of(client.get(f"/prototypes/{prototype.id}"))
    assert "Change your answers" in html
    assert "You answered" in html


def test_staff_see_new_round_results_and_counts(client, login):
    staff = make_user("product_manager")
    prototype = make_prototype_row(staff)
    round_ = make_round(staff, prototype)
    answer(make_user(), round_.id, {str(qids(round_.id)[0]): 4})
    login(staff)
    html = text_of(client.get(f"/prototypes/{prototype.id}"))
    assert f'href="/prototypes/{prototype.id}/rounds/new"' in html
    assert f'href="/rounds/{round_.id}/results"' in html
    assert "1 response" in html


def test_anonymous_visitors_are_invited_to_sign_in(client):
    round_ = make_round()
    html = text_of(client.get(f"/prototypes/{round_.prototype_id}"))
    assert "Sign in to answer" in html
    page = text_of(client.get(f"/rounds/{round_.id}"))
    assert "Sign in to answer" in page
    assert "disabled" in page  # the questions show, not the form


# ---- Creating a round ----


def _rows(count: int = 1, **filled: dict) -> dict:
    """Every question row as a browser sends it: blank rows too; `row3={"prompt": ...}` fills row 3."""
    data = {}
    for index in range(count):
        row = {"prompt": "", "kind": "rating", "options": "", **filled.get(f"row{index}", {})}
        data.update({f"questions-{index}-{name}": value for name, value in row.items()})
    return data


def _round_form(**fields) -> dict:
    data = {
        "title": "Round 1: first look",
        "opens_at": "2030-01-01T09:00",
        "closes_at": "2030-01-15T17:30",
        "time_zone": "UTC",
        "audience": "everyone",
    }
    data.update(fields)
    return data


def test_staff_create_a_round_with_the_plain_form(client, login):
    staff = make_user("product_manager")
    prototype = make_prototype_row(staff)
    login(staff)
    rows = _rows(
        8,
        row0={"prompt": "How easy was it?", "kind": "rating", "required": "y"},
        # rows 1 and 2 left empty: ignored
        row3={"prompt": "Which plan?", "kind": "choice", "options": "Basic\r\n\r\n Pro \r\nTeam"},
        row7={"prompt": "Anything else?", "kind": "text"},
    )
    data = _round_form(**rows)
    response = client.post_form(f"/prototypes/{prototype.id}/rounds/new", data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/prototypes/{prototype.id}#rounds")
    round_ = load(db.session.scalar(select(FeedbackRound.id)))
    assert round_.title == "Round 1: first look"
    assert round_.opens_at.isoformat() == "2030-01-01T09:00:00+00:00"
    assert round_.closes_at.isoformat() == "2030-01-15T17:30:00+00:00"
    assert [(q.kind, q.prompt, q.required, q.options) for q in round_.questions] == [
        ("rating", "How easy was it?", True, None),
        ("choice", "Which plan?", False, ["Basic", "Pro", "Team"]),
        ("text", "Anything else?", False, None),
    ]


def test_a_refused_round_shows_each_message_on_its_row_and_stores_nothing(client, login):
    staff = make_user("product_manager")
    prototype = make_prototype_row(staff)
    login(staff)
    rows = _rows(
        3,
        row0={"prompt": "How easy was it?"},
        row2={"prompt": "Which plan?", "kind": "choice", "options": "Only one"},
    )
    data = _round_form(title="x", closes_at="2029-12-01T09:00", **rows)
    response = client.post_form(f"/prototypes/{prototype.id}/rounds/new", data)
    html = text_of(response)
    assert response.status_code == 422
    assert "The round must close after it opens." in html
    assert "The title needs at least 3 characters" in html
    row = html.split('id="row-2"')[1].split("</fieldset>")[0]
    assert "Give between 2 and 12 options (this has 1)." in row
    assert 'value="Which plan?"' in row  # what was typed stays
    assert count(FeedbackRound) == 0


def test_a_form_without_questions_is_refused(client, login):
    staff = make_user("product_manager")
    prototype = make_prototype_row(staff)
    login(staff)
    response = client.post_form(f"/prototypes/{prototype.id}/rounds/new", _round_form(**_rows()))
    assert response.status_code == 422
    assert "A round has 1 to 20 questions." in text_of(response)
    assert count(FeedbackRound) == 0


def test_the_launch_audience_needs_a_launch(client, login):
    staff = make_user("product_manager")
    prototype = make_prototype_row(staff)
    make_launch_row()
    login(staff)
    data = _round_form(audience="launch", launch_id="0", **_rows(row0={"prompt": "How easy?"}))
    response = client.post_form(f"/prototypes/{prototype.id}/rounds/new", data)
    assert response.status_code == 422
    assert "Choose the learning launch whose participants are asked." in text_of(response)
    assert count(FeedbackRound) == 0


def test_a_check_in_round_for_a_launch_from_its_page(client, login):
    staff = make_user("product_manager")
    prototype = make_prototype_row(staff)
    launch = make_launch_row()
    login(staff)
    page = text_of(client.get(f"/prototypes/{prototype.id}/rounds/new?launch_id={launch.id}"))
    assert 'id="audience-launch" name="audience" value="launch" checked' in page
    assert f'<option value="{launch.id}" selected>' in page
    data = _round_form(audience="launch", launch_id=str(launch.id), **_rows(row0={"prompt": "How easy?"}))
    response = client.post_form(f"/prototypes/{prototype.id}/rounds/new", data)
    assert response.status_code == 302
    round_ = db.session.scalar(select(FeedbackRound))
    assert (round_.audience, round_.launch_id) == ("launch", launch.id)


def test_without_an_active_launch_the_launch_audience_is_disabled(client, login):
    staff = make_user("product_manager")
    prototype = make_prototype_row(staff)
    make_launch_row(status="completed")
    login(staff)
    page = text_of(client.get(f"/prototypes/{prototype.id}/rounds/new"))
    assert "No learning launch is recruiting or running right now." in page
    assert 'value="launch" disabled' in page


def _shown(html: str) -> str:
    """The page without the script's template for a new question row."""
    return re.sub(r'<template id="question-row-template">.*?</template>', "", html, flags=re.S)


def _question_rows(html: str) -> int:
    return _shown(html).count('<fieldset class="question-row')


def test_a_new_round_starts_with_one_question(client, login):
    staff = make_user("product_manager")
    prototype = make_prototype_row(staff)
    login(staff)
    html = text_of(client.get(f"/prototypes/{prototype.id}/rounds/new"))
    assert _question_rows(html) == 1
    assert "Add a question" in html
    assert "More question rows" not in html
    # The only question can't be removed; there is nothing to fall back to.
    assert re.search(r'aria-label="Remove question 1"[^>]*hidden', _shown(html))


def test_add_a_question_without_javascript_keeps_what_was_typed(client, login):
    staff = make_user("product_manager")
    prototype = make_prototype_row(staff)
    login(staff)
    data = _round_form(add_question="1", **_rows(row0={"prompt": "Kept while adding a question"}))
    response = client.post_form(f"/prototypes/{prototype.id}/rounds/new", data)
    html = text_of(response)
    assert response.status_code == 200
    assert _question_rows(html) == 2
    assert 'value="Kept while adding a question"' in html
    assert _shown(html).count("Remove question") == 2
    assert "error" not in html.split('class="question-rows"')[1].split("</fieldset>")[0]
    assert count(FeedbackRound) == 0


def test_remove_a_question_without_javascript(client, login):
    staff = make_user("product_manager")
    prototype = make_prototype_row(staff)
    login(staff)
    rows = _rows(3, row0={"prompt": "First"}, row1={"prompt": "Second"}, row2={"prompt": "Third"})
    response = client.post_form(
        f"/prototypes/{prototype.id}/rounds/new", _round_form(remove_question="1", **rows)
    )
    html = text_of(response)
    assert response.status_code == 200
    assert _question_rows(html) == 2
    assert 'value="First"' in html
    assert 'value="Second"' not in html
    assert 'value="Third"' in html
    assert "Question 2" in _shown(html)
    assert "Question 3" not in _shown(html)
    assert count(FeedbackRound) == 0
    # What is left saves as shown.
    rows = _rows(3, row0={"prompt": "First"}, row2={"prompt": "Third"})
    del rows["questions-1-prompt"], rows["questions-1-kind"], rows["questions-1-options"]
    assert client.post_form(f"/prototypes/{prototype.id}/rounds/new", _round_form(**rows)).status_code == 302
    assert [q.prompt for q in load(db.session.scalar(select(FeedbackRound.id))).questions] == [
        "First",
        "Third",
    ]


def test_options_on_a_question_that_is_not_a_choice_are_refused_clearly(client, login):
    staff = make_user("product_manager")
    prototype = make_prototype_row(staff)
    login(staff)
    rows = _rows(row0={"prompt": "How easy was it?", "kind": "rating", "options": "Easy\nHard"})
    response = client.post_form(f"/prototypes/{prototype.id}/rounds/new", _round_form(**rows))
    html = unescape(text_of(response))
    assert response.status_code == 422
    assert (
        "Options are only for “One choice” and “Several choices” questions: clear them, "
        "or make this a choice question." in html
    )
    assert count(FeedbackRound) == 0


def test_the_options_field_is_marked_for_choice_questions_only(client, login):
    staff = make_user("product_manager")
    prototype = make_prototype_row(staff)
    login(staff)
    html = text_of(client.get(f"/prototypes/{prototype.id}/rounds/new"))
    # The script shows it only for the kinds named here; without the script it is always there.
    assert 'data-options-for="choice multi"' in html
    assert 'name="questions-0-options"' in html


def test_times_are_taken_in_the_browsers_time_zone(client, login):
    staff = make_user("product_manager")
    prototype = make_prototype_row(staff)
    login(staff)
    html = text_of(client.get(f"/prototypes/{prototype.id}/rounds/new"))
    assert 'name="time_zone"' in html
    assert "Times are in <span data-time-zone-name>UTC</span>" in html
    data = _round_form(
        opens_at="2030-01-15T09:00",
        closes_at="2030-01-20T17:00",
        time_zone="America/New_York",
        **_rows(row0={"prompt": "How easy was it?"}),
    )
    response = client.post_form(f"/prototypes/{prototype.id}/rounds/new", data, follow_redirects=True)
    assert response.status_code == 200
    round_ = db.session.scalar(select(FeedbackRound))
    assert round_.opens_at.isoformat() == "2030-01-15T14:00:00+00:00"  # 09:00 EST is 14:00 UTC in winter
    assert round_.closes_at.isoformat() == "2030-01-20T22:00:00+00:00"
    assert "it opens on 15 Jan 2030, 09:00 (America/New_York)" in unescape(text_of(response))


def test_a_refused_form_shows_the_times_back_in_the_zone_they_were_typed_in(client, login):
    staff = make_user("product_manager")
    prototype = make_prototype_row(staff)
    login(staff)
    data = _round_form(title="x", opens_at="2030-07-01T09:00", time_zone="Europe/Berlin", **_rows())
    html = text_of(client.post_form(f"/prototypes/{prototype.id}/rounds/new", data))
    assert 'value="2030-07-01T09:00"' in html
    assert "Times are in <span data-time-zone-name>Europe/Berlin</span>" in html
    assert 'data-utc="2030-07-01T07:00:00Z"' in html  # the same moment, for the script


def test_an_unknown_time_zone_is_refused_and_nothing_is_stored(client, login):
    staff = make_user("product_manager")
    prototype = make_prototype_row(staff)
    login(staff)
    data = _round_form(time_zone="Mars/Olympus_Mons", **_rows(row0={"prompt": "How easy was it?"}))
    response = client.post_form(f"/prototypes/{prototype.id}/rounds/new", data)
    assert response.status_code == 422
    assert "“Mars/Olympus_Mons” is not a time zone we know" in unescape(text_of(response))
    assert count(FeedbackRound) == 0


def test_a_time_the_clocks_skip_is_refused(client, login):
    staff = make_user("product_manager")
    prototype = make_prototype_row(staff)
    login(staff)
    # 10 March 2030, 02:30 never happens in New York: the clocks go from 02:00 to 03:00.
    data = _round_form(
        opens_at="2030-03-10T02:30", time_zone="America/New_York", **_rows(row0={"prompt": "How easy?"})
    )
    response = client.post_form(f"/prototypes/{prototype.id}/rounds/new", data)
    assert response.status_code == 422
    assert "02:30 on 10 Mar 2030 does not exist in America/New_York" in unescape(text_of(response))
    assert count(FeedbackRound) == 0


def test_editing_shows_the_stored_times_with_their_moment_and_saves_in_the_zone(client, login):
    staff = make_user("product_manager")
    round_ = make_round(staff)
    login(staff)
    html = text_of(client.get(f"/rounds/{round_.id}/edit"))
    opens = round_.opens_at.astimezone(UTC)
    assert f'data-utc="{opens:%Y-%m-%dT%H:%M}:00Z"' in html
    assert f'value="{opens:%Y-%m-%dT%H:%M}"' in html
    assert _question_rows(html) == len(QUESTIONS)  # no empty rows after the questions
    data = _round_form(
        title=round_.title,
        opens_at="2030-01-15T09:00",
        closes_at="2030-01-20T09:00",
        time_zone="Asia/Tokyo",
    )
    assert client.post_form(f"/rounds/{round_.id}/edit", data).status_code == 302
    assert load(round_.id).opens_at.isoformat() == "2030-01-15T00:00:00+00:00"


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_only_staff_open_the_round_form(client, login, role):
    prototype = make_prototype_row()
    login(make_user(role))
    assert client.get(f"/prototypes/{prototype.id}/rounds/new").status_code == 403


# ---- Answering ----


def test_the_answer_form_is_made_of_labelled_fieldsets_and_real_inputs(client, login):
    round_ = make_round()
    q = qids(round_.id)
    login(make_user())
    html = text_of(client.get(f"/rounds/{round_.id}"))
    # Rating, NPS and choices: one fieldset each, its legend the question; radios share a name (arrow keys).
    assert html.count("<fieldset") == 4
    assert re.search(r"<legend class=\"question__prompt\">.*How easy was the checkout\?.*\(required\)", html)
    assert len(re.findall(rf'<input type="radio" name="q{q[0]}" value="[1-5]"', html)) == 5
    assert len(re.findall(rf'<input type="radio" name="q{q[1]}" value="\d+"', html)) == 11
    assert len(re.findall(rf'<input type="checkbox" name="q{q[3]}"', html)) == 3
    assert f'<label class="question__prompt" for="q{q[4]}">' in html
    assert f'<textarea class="input" id="q{q[4]}" name="q{q[4]}"' in html
    assert "Send my answers" in html
    assert (
        'tabindex="-1"' not in html.split('class="card round-form"')[1]
    )  # nothing is taken out of the tab order


def test_answering_through_the_form(client, login):
    round_ = make_round()
    q = qids(round_.id)
    member = make_user()
    login(member)
    data = {
        f"q{q[0]}": "4",
        f"q{q[1]}": "9",
        f"q{q[2]}": "Pro",
        f"q{q[3]}": ["Export", "Search"],
        f"q{q[4]}": " Nice ",
    }
    response = client.post_form(f"/rounds/{round_.id}", data, follow_redirects=True)
    html = text_of(response)
    assert response.status_code == 200
    assert any(message.startswith("Thank you! Your answers are saved.") for message in flashes(html))
    assert rounds.my_response(member, round_.id)[1] == {
        q[0]: 4,
        q[1]: 9,
        q[2]: "Pro",
        q[3]: ["Search", "Export"],
        q[4]: "Nice",
    }
    # The page shows the stored answers, ready to change.
    assert re.search(rf'name="q{q[0]}" value="4" checked', html)
    assert re.search(rf'name="q{q[3]}" value="Export" checked', html)
    assert "Save my changes" in html

    response = client.post_form(f"/rounds/{round_.id}", {f"q{q[0]}": "2"}, follow_redirects=True)
    assert any(
        message.startswith("Your changed answers are saved.") for message in flashes(text_of(response))
    )
    assert rounds.my_response(member, round_.id)[1] == {q[0]: 2}
    assert count(RoundResponse) == 1


def test_invalid_answers_come_back_with_messages_and_nothing_is_stored(client, login):
    round_ = make_round()
    q = qids(round_.id)
    login(make_user())
    data = {f"q{q[1]}": "12", f"q{q[2]}": "Enterprise", f"q{q[4]}": "Kept text"}
    response = client.post_form(f"/rounds/{round_.id}", data)
    html = text_of(response)
    assert response.status_code == 422
    assert "Some answers need attention; nothing was saved." in html
    assert f'href="#question-{q[0]}">Question 1: This question needs an answer.' in html
    assert "Choose a whole number from 0 to 10." in html
    assert "Choose one of the listed options." in html
    assert f'aria-describedby="q{q[0]}-hint q{q[0]}-error"' in html
    assert ">Kept text</textarea>" in html
    assert count(RoundResponse) == 0
    assert count(RoundAnswer) == 0


def test_a_closed_round_refuses_answers_with_its_date(client, login):
    round_ = make_round(state="closed")
    login(make_user())
    page = f"/rounds/{round_.id}"
    html = text_of(client.get(page))
    assert "This round closed on" in html
    assert "Send my answers" not in html
    response = client.post_form(
        page, {f"q{qids(round_.id)[0]}": "3"}, headers={"Referer": page}, follow_redirects=True
    )
    assert any(message.startswith("This round closed on") for message in flashes(text_of(response)))
    assert count(RoundResponse) == 0


def test_a_scheduled_round_shows_its_questions_and_when_it_opens(client, login):
    round_ = make_round(state="scheduled")
    login(make_user())
    html = text_of(client.get(f"/rounds/{round_.id}"))
    assert "This round opens on" in html
    assert "How easy was the checkout?" in html
    assert "Send my answers" not in html


def test_suspended_members_cannot_answer(client, login):
    round_ = make_round()
    member = make_user()
    member.suspended_at = utcnow()
    db.session.commit()
    login(member)
    response = client.post_form(f"/rounds/{round_.id}", {f"q{qids(round_.id)[0]}": "3"}, page="/")
    assert response.status_code == 403
    assert "suspended" in text_of(response)
    assert count(RoundResponse) == 0


def test_anonymous_answers_go_to_sign_in(client):
    round_ = make_round()
    response = client.post_form(f"/rounds/{round_.id}", {f"q{qids(round_.id)[0]}": "3"})
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]
    assert count(RoundResponse) == 0


# ---- Editing ----


def test_questions_are_locked_on_the_edit_page_once_answered(client, login):
    staff = make_user("product_manager")
    round_ = make_round(staff)
    login(staff)
    assert 'name="with_questions"' in text_of(client.get(f"/rounds/{round_.id}/edit"))
    answer(make_user(), round_.id, {str(qids(round_.id)[0]): 4})
    html = text_of(client.get(f"/rounds/{round_.id}/edit"))
    assert "The questions can't change any more: 1 person answered already." in html
    assert 'name="with_questions"' not in html
    data = _round_form(title="Round one, renamed", opens_at="2020-01-01T09:00", closes_at="2031-01-01T09:00")
    response = client.post_form(f"/rounds/{round_.id}/edit", data)
    assert response.status_code == 302
    edited = load(round_.id)
    assert edited.title == "Round one, renamed"
    assert [q.prompt for q in edited.questions] == [q["prompt"] for q in QUESTIONS]


def test_a_question_change_that_loses_the_race_with_an_answer_is_refused(client, login):
    staff = make_user("product_manager")
    round_ = make_round(staff)
    login(staff)
    page = f"/rounds/{round_.id}/edit"
    token = client.csrf_token(page)  # the form was loaded while nobody had answered
    answer(make_user(), round_.id, {str(qids(round_.id)[0]): 4})
    rows = _rows(row0={"prompt": "A different question", "kind": "text"})
    data = _round_form(csrf_token=token, with_questions="1", **rows)
    response = client.post(page, data=data, headers={"Referer": page}, follow_redirects=True)
    assert any("can't change any more" in message for message in flashes(text_of(response)))
    assert [q.prompt for q in load(round_.id).questions] == [q["prompt"] for q in QUESTIONS]


# ---- Results and the CSV export ----


def test_the_results_page_draws_charts_and_numbers(client, login):
    staff = make_user("product_manager")
    round_ = make_round(staff)
    q = qids(round_.id)
    for rating, nps in [(1, 10), (2, 9), (2, 8), (5, 0)]:
        answer(make_user(), round_.id, {str(q[0]): rating, str(q[1]): nps, str(q[4]): f"Said {rating}"})
    login(staff)
    html = text_of(client.get(f"/rounds/{round_.id}/results"))
    assert "Live:" in html
    assert "<dt>Responses</dt><dd>4</dd>" in html
    assert html.count('role="img"') == 4  # rating, NPS, choice and multi; free text is a list
    assert "2.50<span" in html
    assert "+25<span" in html  # NPS: 50% promoters − 25% detractors
    assert "Said 5" in html
    assert "Said 1" in html
    assert "<script" not in html.split("<main")[1]
    assert "Download all responses (CSV)" in html


def test_the_results_page_compares_the_prototypes_rounds(client, login):
    staff = make_user("product_manager")
    prototype = make_prototype_row(staff)
    first = make_round(staff, prototype, state="closed", title="Round 1")
    second = make_round(staff, prototype, title="Round 2")
    answer(make_user(), second.id, {str(qids(second.id)[0]): 5})
    login(staff)
    html = text_of(client.get(f"/rounds/{second.id}/results"))
    assert "Rounds side by side" in html
    table = html.split('class="table comparison__table"')[1].split("</table>")[0]
    assert f'href="/rounds/{first.id}/results">Round 1</a>' in table
    assert 'Round 2 <span class="visually-hidden">(this round)</span>' in table
    assert "5.00" in table


@pytest.mark.parametrize(("role", "status"), [("member", 403), ("moderator", 403), (None, 302)])
def test_results_and_csv_are_for_staff(client, login, role, status):
    round_ = make_round()
    if role:
        login(make_user(role))
    assert client.get(f"/rounds/{round_.id}/results").status_code == status
    assert client.get(f"/rounds/{round_.id}/responses.csv").status_code == status


def test_the_results_page_takes_a_fixed_number_of_queries(client, login, count_queries):
    staff = make_user("product_manager")
    prototype = make_prototype_row(staff)
    older = make_round(staff, prototype, state="closed", title="Round 1")
    round_ = make_round(staff, prototype, title="Round 2")
    login(staff)

    def queries_for_page() -> int:
        with count_queries() as statements:
            assert client.get(f"/rounds/{round_.id}/results").status_code == 200
        return len(statements)

    q = qids(round_.id)
    answer(make_user(), round_.id, {str(q[0]): 3, str(q[4]): "First"})
    few = queries_for_page()
    for number in range(15):
        answers = {str(q[0]): number % 5 + 1, str(q[1]): number % 11, str(q[2]): "Pro"}
        answers.update({str(q[3]): ["Search", "Export"], str(q[4]): f"Answer {number}"})
        answer(make_user(), round_.id, answers)
    for number in range(5):
        older_ids = qids(older.id)
        older.opens_at, older.closes_at = utcnow().replace(year=2020), utcnow().replace(year=2099)
        db.session.commit()
        answer(make_user(), older.id, {str(older_ids[0]): number % 5 + 1})
    assert queries_for_page() == few


def test_the_csv_export_downloads_every_response(client, login):
    staff = make_user("product_manager")
    round_ = make_round(staff)
    q = qids(round_.id)
    answer(make_user(name="=Mallory"), round_.id, {str(q[0]): 4, str(q[3]): ["Search", "Filters"]})
    answer(make_user(name="Ben"), round_.id, {str(q[0]): 2})
    login(staff)
    response = client.get(f"/rounds/{round_.id}/responses.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert (
        response.headers["Content-Disposition"] == f'attachment; filename="round-{round_.id}-responses.csv"'
    )
    assert "no-store" in response.headers["Cache-Control"]
    rows = list(csv.reader(io.StringIO(text_of(response))))
    assert len(rows) == 3
    assert rows[0][3] == "1. How easy was the checkout?"
    assert [row[1] for row in rows[1:]] == ["'=Mallory", "Ben"]
    assert rows[1][6] == "Search; Filters"
