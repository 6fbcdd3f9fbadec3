"""The profile page assembler, in a pinned number of queries."""

from flask_login import AnonymousUserMixin

from app.extensions import db
from app.pages.profiles import profile_page
from app.services import comments, votes
from tests.factories import make_idea, make_user
from tests.pages import signed_in


def test_the_profile_page_runs_the_same_queries_for_few_and_many_ideas_and_comments(app, count_queries):
    member = make_user()
    viewer = make_user()
    idea = make_idea(member)
    comments.add_comment(member, idea, "First")
    db.session.commit()

    def queries() -> int:
        signed_in(viewer)
        with count_queries() as statements:
            page = profile_page(viewer, member.id)
            assert [idea.title for idea in page.ideas]
        return len(statements)

    few = queries()
    for number in range(6):
        other = make_idea(member, title=f"Idea number {number}")
        comments.add_comment(member, other, f"Comment {number}")
        votes.cast_vote(member, make_idea(title=f"Someone else's idea {number}"))
    db.session.commit()
    many = queries()
    assert (few, many) == (7, 7)  # one of them: which private boards the reader may not see


def test_the_profile_page_gives_the_members_ideas_comments_and_counts(app):
    member = make_user()
    idea = make_idea(member)
    comments.add_comment(member, idea, "First")
    db.session.commit()

    page = profile_page(AnonymousUserMixin(), member.id)

    assert (page.user.id, [shown.id for shown in page.ideas]) == (member.id, [idea.id])
    assert (page.idea_count, page.comment_count) == (1, 1)
