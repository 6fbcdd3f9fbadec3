"""Following ideas: who follows automatically, unfollowing, and who hears about status changes."""

from sqlalchemy import select

from app.extensions import db
from app.models.notification import Notification
from app.services import comments, follows, ideas, votes
from tests.factories import make_idea, make_user


def status_news(user) -> list[str]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Notification.message)
            .where(Notification.user_id == user.id, Notification.kind == "status")
            .order_by(Notification.id)
        )
    )


def test_authors_voters_and_commenters_follow_automatically(app):
    author, voter, commenter, bystander = make_user(), make_user(), make_user(), make_user()
    idea = make_idea(author)
    votes.cast_vote(voter, idea)
    comments.add_comment(commenter, idea, "Good idea")
    db.session.commit()
    assert follows.is_following(author, idea)
    assert follows.is_following(voter, idea)
    assert follows.is_following(commenter, idea)
    assert not follows.is_following(bystander, idea)
    assert sorted(follows.follower_ids(idea.id)) == sorted([author.id, voter.id, commenter.id])


def test_a_status_change_tells_followers_but_not_the_one_who_made_it(app):
    author, voter, watcher = make_user(), make_user(), make_user()
    manager = make_user(role="product_manager")
    idea = make_idea(author)
    votes.cast_vote(voter, idea)
    follows.follow_idea(watcher, idea)
    follows.follow_idea(manager, idea)
    db.session.commit()

    ideas.change_status(manager, idea, "planned", "Coming in May")
    db.session.commit()
    # Each hears which idea moved and why they hear of it.
    assert status_news(author) == ["“Export reports to CSV” is now planned — you proposed it"]
    assert status_news(voter) == ["“Export reports to CSV” is now planned — you voted for it"]
    assert status_news(watcher) == ["“Export reports to CSV” is now planned — you follow it"]
    assert status_news(manager) == []

    ideas.change_status(manager, idea, "shipped")
    db.session.commit()
    assert status_news(voter)[-1] == "“Export reports to CSV” shipped — you voted for it"


def test_no_status_news_after_unfollowing(app):
    author, voter = make_user(), make_user()
    manager = make_user(role="product_manager")
    idea = make_idea(author)
    votes.cast_vote(voter, idea)
    follows.unfollow_idea(voter, idea)
    follows.unfollow_idea(voter, idea)  # twice changes nothing
    db.session.commit()

    ideas.change_status(manager, idea, "under_review")
    db.session.commit()
    assert status_news(voter) == []
    assert len(status_news(author)) == 1


def test_follow_and_unfollow_on_the_idea_page(client, login):
    author, reader = make_user(), make_user()
    manager = make_user(role="product_manager")
    idea = make_idea(author)
    login(reader)
    page = f"/ideas/{idea.id}"

    response = client.post_form(f"/ideas/{idea.id}/follow", {"action": "follow"}, page=page)
    assert response.status_code == 302
    assert follows.is_following(reader, idea)
    assert "You follow this idea" in client.get(page).get_data(as_text=True)
    ideas.change_status(manager, idea, "under_review")
    db.session.commit()
    assert len(status_news(reader)) == 1

    client.post_form(f"/ideas/{idea.id}/follow", {"action": "unfollow"}, page=page)
    assert not follows.is_following(reader, idea)
    ideas.change_status(manager, idea, "planned")
    db.session.commit()
    assert len(status_news(reader)) == 1  # nothing new
    assert len(status_news(author)) == 2


def test_following_needs_sign_in(client):
    idea = make_idea(make_user())
    response = client.post_form(f"/ideas/{idea.id}/follow", {"action": "follow"}, page="/sign-in")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")
    assert follows.follower_ids(idea.id) == [idea.author_id]
