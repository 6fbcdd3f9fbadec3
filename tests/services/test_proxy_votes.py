"""Votes staff record on a customer's behalf: the account found or opened and invited, counted once
like any vote, told to the customer, listed for staff and withdrawn by the customer."""

import re

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select

from app.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from app.extensions import db
from app.models.base import utcnow
from app.models.idea import Idea, IdeaFollow, IdeaVote
from app.models.moderation import AuditEntry
from app.models.notification import Notification
from app.models.outbox import OutboxMessage
from app.models.user import User
from app.services import (
    accounts,
    aggregates,
    dashboard,
    ideas,
    merges,
    moderation,
    proxy_votes,
    roadmap,
    segments,
    votes,
)
from app.services.dashboard import Filters
from tests.factories import make_idea, make_user
from tests.pages import signed_in


@pytest.fixture
def staff(app) -> User:
    return make_user("product_manager", name="Pat Product")


@pytest.fixture
def idea(app) -> Idea:
    return make_idea(title="Export reports to CSV")


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def vote_row(idea: Idea, user: User) -> IdeaVote | None:
    db.session.expire_all()
    return db.session.scalar(select(IdeaVote).where(IdeaVote.idea_id == idea.id, IdeaVote.user_id == user.id))


def vote_count(idea: Idea) -> int:
    return db.session.scalar(select(Idea.vote_count).where(Idea.id == idea.id))


def record(staff: User, idea: Idea, email: str, **fields) -> tuple[User, bool]:
    result = proxy_votes.record_vote(staff, idea, email, **fields)
    db.session.commit()
    return result


def emails_to(address: str) -> list[OutboxMessage]:
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "email"))
    return [row for row in rows if row.payload["to"] == address]


# ---- a new customer ----


def test_a_new_address_opens_an_unconfirmed_account_with_one_invitation(
    app, client, staff, idea, outbox_mail
):
    before = vote_count(idea)

    customer, added = record(
        staff, idea, " Ada@Example.com ", name="Ada Lovelace", source="sales", note="Needs it for Q3"
    )

    assert added
    assert (customer.email, customer.display_name, customer.role) == (
        "ada@example.com",
        "Ada Lovelace",
        "member",
    )
    assert not customer.is_email_verified
    assert not customer.has_password
    assert accounts.authenticate("ada@example.com", "") is None
    vote = vote_row(idea, customer)
    assert (vote.recorded_by_id, vote.source, vote.note) == (staff.id, "sales", "Needs it for Q3")
    assert vote_count(idea) == before + 1
    # Like any voter, they follow the idea, and hear on the site who recorded it.
    assert db.session.get(IdeaFollow, (idea.id, customer.id)) is not None
    [notification] = db.session.scalars(select(Notification).where(Notification.user_id == customer.id))
    assert notification.kind == "vote"
    assert "Pat Product recorded your vote for “Export reports to CSV” after a sales conversation" in (
        notification.message
    )
    [mail] = outbox_mail()
    assert mail["To"] == "ada@example.com"
    assert "Export reports to CSV" in mail["Subject"]
    text = mail.get_content()
    assert "Pat Product of the" in text
    assert "after a sales conversation" in text
    assert f"/ideas/{idea.id}" in text

    # The link confirms the address and sets a password: the customer can sign in.
    link = re.search(r"https?://\S+(/reset-password/\S+)", text).group(1)
    response = client.post_form(link, {"password": "a long new secret 42"})
    assert response.status_code == 302
    customer = db.session.get(User, customer.id)
    assert customer.is_email_verified
    assert accounts.authenticate("ada@example.com", "a long new secret 42").id == customer.id


def test_without_a_name_the_address_names_the_new_account(app, staff, idea):
    customer, _ = record(staff, idea, "grace.hopper@example.com")
    assert customer.display_name == "grace.hopper"
    customer, _ = record(staff, idea, "x@example.com")
    assert customer.display_name == "Member"


def test_recording_again_changes_nothing_and_sends_nothing_more(app, staff, idea):
    other_staff = make_user("admin")
    customer, added = record(staff, idea, "ada@example.com", source="sales", note="First call")
    counted = vote_count(idea)

    again, added_again = record(other_staff, idea, "ADA@example.com", source="support", note="Ticket")

    assert (added, added_again) == (True, False)
    assert again.id == customer.id
    assert vote_count(idea) == counted
    vote = vote_row(idea, customer)
    assert (vote.recorded_by_id, vote.source, vote.note) == (staff.id, "sales", "First call")
    assert len(emails_to("ada@example.com")) == 1
    assert count(User) == 4  # the idea's author, the two staff members, the customer
    assert list(db.session.scalars(select(AuditEntry.action))) == ["vote.record"]


# ---- an existing account ----


def test_an_existing_account_is_used_and_told(app, staff, idea, outbox_mail):
    member = make_user(email="bo@example.com", name="Bo Member")
    users_before = count(User)

    customer, added = record(staff, idea, "bo@example.com", name="Someone Else", source="interview")

    assert added
    assert customer.id == member.id
    assert customer.display_name == "Bo Member"  # an account keeps its own name
    assert count(User) == users_before
    assert vote_row(idea, member).source == "interview"
    [notification] = db.session.scalars(select(Notification).where(Notification.user_id == member.id))
    assert "after a customer interview" in notification.message
    # No invitation: the notification's own email, as the member chose.
    [mail] = outbox_mail()
    assert mail["To"] == "bo@example.com"
    assert "recorded your vote" in mail.get_content()
    assert "/reset-password/" not in mail.get_content()


def test_a_customer_who_voted_already_keeps_their_own_vote(app, staff, idea):
    member = make_user(email="bo@example.com")
    votes.cast_vote(member, idea)
    db.session.commit()
    counted = vote_count(idea)

    customer, added = record(staff, idea, "bo@example.com", source="sales")

    assert not added
    assert customer.id == member.id
    assert vote_count(idea) == counted
    assert vote_row(idea, member).source is None  # still their own vote
    assert count(Notification) == 0
    assert count(AuditEntry) == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda user: setattr(user, "suspended_at", utcnow()), "suspended"),
        (lambda user: setattr(user, "deleted_at", utcnow()), "deleted"),
    ],
)
def test_a_suspended_or_deleted_account_is_refused(app, staff, idea, change, message):
    member = make_user(email="bo@example.com")
    change(member)
    db.session.commit()

    with pytest.raises(Invalid) as refused:
        proxy_votes.record_vote(staff, idea, "bo@example.com")

    assert message in refused.value.fields["email"][0]
    db.session.rollback()
    assert vote_row(idea, member) is None


def test_ones_own_address_is_refused(app, staff, idea):
    with pytest.raises(Invalid) as refused:
        proxy_votes.record_vote(staff, idea, staff.email)
    assert "your own address" in refused.value.fields["email"][0]


# ---- refusals that change nothing ----


def test_bad_fields_are_all_named_and_nothing_is_written(app, staff, idea):
    before = (vote_count(idea), count(User), count(OutboxMessage), count(IdeaVote))

    with pytest.raises(Invalid) as refused:
        proxy_votes.record_vote(staff, idea, "not an address", name="x" * 51, source="fax", note="n" * 501)

    assert refused.value.fields == {
        "email": ["Enter a valid email address, like name@example.com."],
        "name": ["Keep the name to 50 characters or fewer (it has 51)."],
        "source": [proxy_votes.BAD_SOURCE],
        "note": ["Keep the note to 500 characters or fewer (it has 501)."],
    }
    db.session.rollback()
    assert (vote_count(idea), count(User), count(OutboxMessage), count(IdeaVote)) == before


@pytest.mark.parametrize(
    ("email", "name", "field", "message"),
    [
        ("", None, "email", proxy_votes.MISSING_EMAIL),
        (None, None, "email", proxy_votes.MISSING_EMAIL),
        (42, None, "email", "The email address must be text."),
        ("ada@example.com", "A", "name", "A name needs at least 2 characters."),
        ("ada@example.com", ["Ada"], "name", "The name must be text."),
    ],
)
def test_a_missing_or_odd_field_is_refused(app, staff, idea, email, name, field, message):
    with pytest.raises(Invalid) as refused:
        proxy_votes.record_vote(staff, idea, email, name=name)
    assert refused.value.fields == {field: [message]}
    db.session.rollback()
    assert count(User) == 2


@pytest.mark.parametrize(
    ("close", "message"),
    [
        (lambda staff, idea: ideas.change_status(staff, idea, "declined", "Not for us"), "declined"),
        (
            lambda staff, idea: merges.merge_ideas(make_user("admin"), idea.id, make_idea(title="Other").id),
            "merged",
        ),
        (lambda staff, idea: moderation.set_locked(make_user("moderator"), idea, True), "locked"),
    ],
)
def test_an_idea_that_takes_no_votes_is_refused(app, staff, idea, close, message):
    close(staff, idea)
    db.session.commit()
    before = (count(User), count(IdeaVote), count(OutboxMessage))

    with pytest.raises(Conflict, match=message):
        proxy_votes.record_vote(staff, idea, "ada@example.com", source="sales")

    db.session.rollback()
    assert (count(User), count(IdeaVote), count(OutboxMessage)) == before


def test_only_staff_record_votes(app, idea):
    with pytest.raises(Unauthorized):
        proxy_votes.record_vote(AnonymousUserMixin(), idea, "ada@example.com")
    for role in ("member", "moderator"):
        with pytest.raises(Forbidden):
            proxy_votes.record_vote(make_user(role), idea, "ada@example.com")
    db.session.rollback()
    assert accounts.find_user_by_email("ada@example.com") is None


def test_a_customer_who_may_not_see_the_idea_is_refused_and_no_account_is_left(app, idea):
    admin = make_user("admin")
    moderation.hide_item(admin, "idea", idea.id, "Spam")
    db.session.commit()
    messages = count(OutboxMessage)

    with pytest.raises(Invalid) as refused:
        proxy_votes.record_vote(admin, idea, "ada@example.com")

    assert "can't see this idea" in refused.value.fields["email"][0]
    # The account opened for the check is undone with the refusal, before the caller's rollback.
    assert accounts.find_user_by_email("ada@example.com") is None
    db.session.rollback()
    assert count(OutboxMessage) == messages


# ---- counted like any vote ----


def test_a_recorded_vote_counts_at_the_customers_segment_weight(app, staff, idea):
    admin = make_user("admin")
    enterprise = segments.create_segment(admin, "Enterprise", 3)
    customer = make_user(email="big@example.com")
    segments.assign_emails(admin, enterprise, customer.email)
    item = roadmap.create_item(staff, "Reports", status="planned")
    roadmap.link_idea(staff, item, idea.id, plan=False)
    db.session.commit()
    weighted_before = db.session.scalar(select(Idea.weighted_votes).where(Idea.id == idea.id))
    demand_before = aggregates.stored_demand([item.id])[item.id]

    record(staff, idea, "big@example.com", source="sales")

    db.session.expire_all()
    weighted = db.session.scalar(select(Idea.weighted_votes).where(Idea.id == idea.id))
    assert weighted == pytest.approx(weighted_before + 3)
    rows = dashboard.top_ideas(staff, Filters(sort="weighted"), per_page=100).items
    assert {row.idea.id: row.weighted_votes for row in rows}[idea.id] == pytest.approx(weighted)
    assert aggregates.stored_demand([item.id])[item.id] == demand_before + 1

    proxy_votes.withdraw_vote(customer, idea.id)
    db.session.commit()
    assert db.session.scalar(select(Idea.weighted_votes).where(Idea.id == idea.id)) == pytest.approx(
        weighted_before
    )
    assert aggregates.stored_demand([item.id])[item.id] == demand_before


# ---- the customer takes it back ----


def test_the_customer_withdraws_the_recorded_vote_even_once_the_idea_is_declined(app, staff, idea):
    customer, _ = record(staff, idea, "ada@example.com", source="support")
    ideas.change_status(staff, idea, "declined", "Not now")
    db.session.commit()
    counted = vote_count(idea)

    withdrawn = proxy_votes.withdraw_vote(customer, idea.id)
    db.session.commit()

    assert withdrawn.id == idea.id
    assert vote_row(idea, customer) is None
    assert vote_count(idea) == counted - 1


def test_a_vote_one_gave_oneself_is_not_withdrawn_here(app, idea):
    member = make_user()
    votes.cast_vote(member, idea)
    db.session.commit()
    counted = vote_count(idea)

    with pytest.raises(NotFound):
        proxy_votes.withdraw_vote(member, idea.id)

    assert vote_row(idea, member) is not None
    assert vote_count(idea) == counted
    with pytest.raises(Unauthorized):
        proxy_votes.withdraw_vote(AnonymousUserMixin(), idea.id)


# ---- what staff and the customer see ----


def test_staff_see_who_recorded_which_vote_and_why_others_see_nothing(app, staff, idea, count_queries):
    admin = make_user("admin", name="Ann Admin")
    first, _ = record(
        staff, idea, "ada@example.com", name="Ada Lovelace", source="sales", note="Renewal call"
    )
    second, _ = record(admin, idea, "bo@example.com", name="Bo Brown", source="interview")
    db.session.expire_all()
    signed_in(staff)
    assert idea.id  # loaded, as the page has it already

    with count_queries() as queries:
        listed = proxy_votes.recorded_votes(staff, idea)
    assert len(queries) == 1
    assert listed.total == 2
    assert [
        (vote.customer.display_name, vote.recorded_by.display_name, vote.source, vote.note)
        for vote in listed.items
    ] == [
        ("Bo Brown", "Ann Admin", "interview", ""),
        ("Ada Lovelace", "Pat Product", "sales", "Renewal call"),
    ]
    assert listed.items[1].source_label == "Sales conversation"

    with count_queries() as queries:
        for viewer in (AnonymousUserMixin(), first, make_user("moderator", commit=False)):
            assert proxy_votes.recorded_votes(viewer, idea).items == []
    assert queries == []


def test_the_customer_alone_sees_the_votes_recorded_for_them(app, staff, idea):
    customer = make_user(email="ada@example.com")
    record(staff, idea, "ada@example.com", source="sales", note="Renewal call")
    make_idea(title="Unrelated", voters=[customer])  # an own vote is no recorded one

    [vote] = proxy_votes.recorded_for(customer, customer)
    assert (vote.idea.id, vote.recorded_by.id, vote.heard, vote.note) == (
        idea.id,
        staff.id,
        "a sales conversation",
        "Renewal call",
    )
    assert proxy_votes.recorded_for(staff, customer) == []
    assert proxy_votes.recorded_for(AnonymousUserMixin(), customer) == []


def test_a_merge_and_its_undoing_keep_the_votes_story(app, staff, idea):
    admin = make_user("admin")
    customer, _ = record(staff, idea, "ada@example.com", source="sales", note="Renewal call")
    target = make_idea(title="Reports in every format")

    merges.merge_ideas(admin, idea.id, target.id)
    db.session.commit()
    moved = vote_row(target, customer)
    assert (moved.recorded_by_id, moved.source, moved.note) == (staff.id, "sales", "Renewal call")

    merges.unmerge_idea(admin, idea.id)
    db.session.commit()
    back = vote_row(idea, customer)
    assert (back.recorded_by_id, back.source, back.note) == (staff.id, "sales", "Renewal call")
    assert vote_row(target, customer) is None
