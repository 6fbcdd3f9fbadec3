"""The state rules: predicates on the models, and `can()` answering state-dependent questions alone."""

from datetime import timedelta

import pytest

from app import permissions
from app.errors import Conflict, Forbidden
from app.extensions import db
from app.models.base import utcnow
from app.models.idea import STATUSES, Idea
from app.models.launch import LAUNCH_STATUSES, Launch, LaunchParticipant, ParticipantState
from app.models.moderation import FLAG_STATUSES, Flag
from app.models.prototype import PROTOTYPE_STATUSES, Prototype
from app.models.roadmap import ROADMAP_STATUSES, RoadmapItem
from app.models.round import FeedbackRound, RoundState
from app.models.user import User
from app.services import intents
from tests.factories import make_idea, make_user

ROLES = ["member", "moderator", "product_manager", "admin"]


def test_idea_predicates():
    takes_votes = {status for status in STATUSES if Idea(status=status).takes_votes}
    assert takes_votes == {"open", "under_review", "planned", "in_progress", "shipped"}
    assert [s for s in STATUSES if Idea(status=s).is_merged] == ["merged"]
    assert [s for s in STATUSES if Idea(status=s).is_declined] == ["declined"]
    assert [s for s in STATUSES if Idea(status=s).is_undecided] == ["open", "under_review"]


def test_prototype_predicates():
    assert [s for s in PROTOTYPE_STATUSES if Prototype(status=s).takes_votes] == ["published"]
    assert [s for s in PROTOTYPE_STATUSES if Prototype(status=s).is_draft] == ["draft"]
    assert [s for s in PROTOTYPE_STATUSES if Prototype(status=s).is_archived] == ["archived"]


def test_launch_predicates():
    def having(predicate: str) -> list[str]:
        return [s for s in LAUNCH_STATUSES if getattr(Launch(status=s), predicate)]

    assert having("is_final") == ["completed", "cancelled"]
    assert having("is_active") == ["recruiting", "running"]
    assert having("has_started") == ["running", "completed"]
    for status in LAUNCH_STATUSES:
        assert having(f"is_{status}") == [status]


def test_participant_states():
    holding = [state for state in ParticipantState if state.holds_place]
    assert holding == ["enrolled", "waitlisted"]
    assert [state for state in ParticipantState if state.is_removed] == ["removed"]
    assert [state for state in ParticipantState if state.is_withdrawn] == ["withdrawn"]
    assert ParticipantState.WAITLISTED == "waitlisted"
    assert LaunchParticipant(state="waitlisted").is_waitlisted
    assert LaunchParticipant(state="enrolled").holds_place
    assert not LaunchParticipant(state="withdrawn").holds_place


def test_roadmap_item_and_flag_predicates():
    assert [s for s in ROADMAP_STATUSES if RoadmapItem(status=s).is_upcoming] == ["planned", "in_progress"]
    assert [s for s in ROADMAP_STATUSES if RoadmapItem(status=s).is_shipped] == ["shipped"]
    assert [s for s in ROADMAP_STATUSES if RoadmapItem(status=s).is_cancelled] == ["cancelled"]
    assert [s for s in FLAG_STATUSES if Flag(status=s).is_open] == ["open"]


def test_round_state_follows_the_clock():
    now = utcnow()
    round_ = FeedbackRound(opens_at=now, closes_at=now + timedelta(days=2))
    before, during, after = (round_.state_at(now + timedelta(days=d)) for d in (-1, 1, 3))
    assert (before, during, after) == ("scheduled", "open", "closed")
    assert [state for state in (before, during, after) if state.is_scheduled] == [before]
    assert [state for state in (before, during, after) if state.is_open] == [during]
    assert [state for state in (before, during, after) if state.is_closed] == [after]
    assert isinstance(during, RoundState)


@pytest.mark.parametrize("role", ROLES)
def test_nobody_votes_for_merged_or_declined_ideas(app, role):
    actor = make_user(role=role)
    for status in STATUSES:
        assert permissions.can(actor, "idea.vote", Idea(status=status)) == (
            status not in ("declined", "merged")
        )
    with pytest.raises(Conflict, match="merged into another one; vote there"):
        permissions.require(actor, "idea.vote", Idea(status="merged"))
    with pytest.raises(Conflict, match="declined, so it takes no more votes"):
        permissions.require(actor, "idea.vote", Idea(status="declined"))


def test_who_is_refused_before_what_state(app):
    # A locked, merged idea refuses the member (Forbidden) before its state (Conflict).
    with pytest.raises(Forbidden, match="locked"):
        permissions.require(make_user(), "idea.vote", Idea(status="merged", is_locked=True))
    with pytest.raises(Forbidden):
        permissions.require(make_user(), "launch.edit", Launch(status="completed"))


@pytest.mark.parametrize("role", ROLES)
def test_merged_ideas_take_no_comments_and_no_status_changes(app, role):
    actor = make_user(role=role)
    assert not permissions.can(actor, "idea.comment", Idea(status="merged"))
    assert permissions.can(actor, "idea.comment", Idea(status="declined"))
    staff = role in ("product_manager", "admin")
    assert permissions.can(actor, "idea.change_status", Idea(status="declined")) == staff
    assert not permissions.can(actor, "idea.change_status", Idea(status="merged"))
    # Without an idea the question is only who may.
    assert permissions.can(actor, "idea.change_status") == staff


@pytest.mark.parametrize("role", ROLES)
def test_only_published_prototypes_take_votes_and_comments(app, role):
    actor = make_user(role=role)
    for action in ("prototype.vote", "prototype.comment"):
        allowed = [s for s in PROTOTYPE_STATUSES if permissions.can(actor, action, Prototype(status=s))]
        assert allowed == ["published"], action
    with pytest.raises(Conflict, match="Drafts take no votes"):
        permissions.require(actor, "prototype.vote", Prototype(status="draft"))
    with pytest.raises(Conflict, match="archived; it takes no new comments"):
        permissions.require(actor, "prototype.comment", Prototype(status="archived"))


def test_launch_rules_follow_the_launch_status(app):
    member, staff = make_user(), make_user(role="product_manager")

    def allowed(actor: User, action: str) -> list[str]:
        return [s for s in LAUNCH_STATUSES if permissions.can(actor, action, Launch(status=s))]

    assert allowed(member, "launch.join") == ["recruiting"]
    assert allowed(staff, "launch.message") == ["recruiting", "running"]
    assert allowed(staff, "launch.edit") == ["draft", "recruiting", "running"]
    assert allowed(member, "launch.message") == allowed(member, "launch.edit") == []
    with pytest.raises(Conflict, match="running already and takes no new participants"):
        permissions.require(member, "launch.join", Launch(status="running"))
    with pytest.raises(Conflict, match="cancelled; its record stays as it is"):
        permissions.require(staff, "launch.edit", Launch(status="cancelled"))


def test_a_service_may_leave_the_state_for_later(app):
    staff = make_user(role="admin")
    merged = Idea(status="merged")
    permissions.require(staff, "idea.change_status", merged, state=False)
    with pytest.raises(Conflict, match="unmerge it first"):
        permissions.require_state("idea.change_status", merged)


def test_every_state_rule_belongs_to_a_permission():
    assert set(permissions.STATE_RULES) <= set(permissions.RULES)


def test_a_comment_intent_on_a_merged_idea_is_told_not_refused(app):
    idea = make_idea()
    idea.status = "merged"
    db.session.commit()
    outcome = intents.carry_out(make_user(), intents.Intent("comment", idea.id))
    assert outcome == intents.Outcome(
        f"“{idea.title}” was merged into another idea, so it takes no new comments.", "info"
    )
    refused = intents.carry_out(make_user(), intents.Intent("vote", idea.id))
    assert refused.message.endswith("merged into another one; vote there instead.")
