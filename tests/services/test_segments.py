"""Customer segments: admins define them, weigh them and put members in them."""

import pytest
from sqlalchemy import func, select

from app.errors import Forbidden, Invalid, NotFound
from app.extensions import db
from app.models.moderation import AuditEntry
from app.models.segment import Segment, UserSegment
from app.services import segments
from tests.factories import make_user


@pytest.fixture
def admin(app):
    return make_user(role="admin", name="Ada Admin")


def audit_actions() -> list[tuple[str, str | None, str | None]]:
    return [
        (entry.action, entry.before, entry.after)
        for entry in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
    ]


def test_an_admin_creates_renames_reweighs_and_deletes_a_segment(admin):
    segment = segments.create_segment(admin, "  Enterprise   plan ", 3, "Paying 50+ seats")
    db.session.commit()
    assert (segment.name, segment.weight, segment.description) == ("Enterprise plan", 3.0, "Paying 50+ seats")
    segments.update_segment(admin, segment, name="Enterprise", weight=2.5)
    db.session.commit()
    assert (segment.name, segment.weight) == ("Enterprise", 2.5)
    segments.delete_segment(admin, segment)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Segment)) == 0
    assert audit_actions() == [
        ("segment.create", None, "Enterprise plan (weight 3)"),
        ("segment.update", "Enterprise plan (weight 3)", "Enterprise (weight 2.5)"),
        ("segment.delete", "Enterprise", None),
    ]


@pytest.mark.parametrize(
    ("name", "weight", "field", "message"),
    [
        ("", 1, "name", "Give the segment a name"),
        ("x" * 61, 1, "name", "60 characters or fewer"),
        ("Startup", 0, "weight", "above 0 and at most 100"),
        ("Startup", -2, "weight", "above 0 and at most 100"),
        ("Startup", 100.5, "weight", "above 0 and at most 100"),
        ("Startup", float("nan"), "weight", "above 0 and at most 100"),
        ("Startup", "3", "weight", "above 0 and at most 100"),
        ("Startup", True, "weight", "above 0 and at most 100"),
    ],
)
def test_bad_names_and_weights_are_refused(admin, name, weight, field, message):
    with pytest.raises(Invalid) as error:
        segments.create_segment(admin, name, weight)
    assert message in error.value.fields[field][0]
    assert db.session.scalar(select(Segment)) is None


def test_names_are_unique_whatever_their_case(admin):
    first = segments.create_segment(admin, "Enterprise", 3)
    other = segments.create_segment(admin, "Startup", 1)
    with pytest.raises(Invalid) as error:
        segments.create_segment(admin, "ENTERPRISE", 2)
    assert "already a segment" in error.value.fields["name"][0]
    with pytest.raises(Invalid):
        segments.update_segment(admin, other, name="enterprise")
    # Renaming a segment to its own name (another case) is fine.
    segments.update_segment(admin, first, name="ENTERPRISE")
    assert first.name == "ENTERPRISE"
    assert segments.update_segment(admin, first, weight=100).weight == 100.0


def test_only_admins_manage_segments(admin):
    segment = segments.create_segment(admin, "Enterprise", 3)
    for role in ("member", "moderator", "product_manager"):
        person = make_user(role=role)
        with pytest.raises(Forbidden):
            segments.create_segment(person, "Startup", 1)
        with pytest.raises(Forbidden):
            segments.update_segment(person, segment, weight=5)
        with pytest.raises(Forbidden):
            segments.assign_emails(person, segment, person.email)
        with pytest.raises(Forbidden):
            segments.delete_segment(person, segment)
    # Product managers read the list (the dashboard shows segments), members do not.
    assert [row.segment.name for row in segments.list_segments(make_user(role="product_manager"))] == [
        "Enterprise"
    ]
    with pytest.raises(Forbidden):
        segments.list_segments(make_user())
    with pytest.raises(NotFound):
        segments.get_segment(admin, 999)


def test_members_are_assigned_once_and_unassigned(admin):
    segment = segments.create_segment(admin, "Enterprise", 3)
    person = make_user(email="ana@example.com")
    assert segments.assign_emails(admin, segment, person.email).added == [person]
    assert segments.assign_emails(admin, segment, person.email).already == [person]
    db.session.commit()
    assert [s.name for s in segments.user_segments(person.id)] == ["Enterprise"]
    assert [user.id for user in segments.members(admin, segment).items] == [person.id]
    assert segments.unassign_member(admin, segment, person.id) is True
    assert segments.unassign_member(admin, segment, person.id) is False
    db.session.commit()
    assert segments.user_segments(person.id) == []
    assert [action for action, _, _ in audit_actions()] == [
        "segment.create",
        "segment.assign",
        "segment.unassign",
    ]


def test_members_are_added_by_email_in_bulk(admin, count_queries):
    segment = segments.create_segment(admin, "Enterprise", 3)
    ana = make_user(email="ana@example.com")
    make_user(email="ben@example.com")
    make_user(email="cai@example.com")
    segments.assign_emails(admin, segment, ana.email)
    db.session.commit()
    text = "ana@example.com, BEN@example.com;\n<cai@example.com>\nnobody@example.com ben@example.com"
    with count_queries() as statements:
        result = segments.assign_emails(admin, segment, text)
    db.session.commit()
    assert [user.email for user in result.added] == ["ben@example.com", "cai@example.com"]
    assert [user.email for user in result.already] == ["ana@example.com"]
    assert result.unknown == ["nobody@example.com"]
    members = {user.email for user in segments.members(admin, segment).items}
    assert members == {"ana@example.com", "ben@example.com", "cai@example.com"}
    assert audit_actions()[-1] == ("segment.assign", None, "ben@example.com, cai@example.com")
    # The same number of queries for many more addresses.
    more = [make_user().email for _ in range(8)]
    with count_queries() as again:
        segments.assign_emails(admin, segment, "\n".join(more))
    assert len(again) == len(statements)


def test_adding_no_addresses_or_too_many_is_refused(admin):
    segment = segments.create_segment(admin, "Enterprise", 3)
    with pytest.raises(Invalid) as error:
        segments.assign_emails(admin, segment, " ,\n ")
    assert "Enter one or more email addresses" in error.value.fields["emails"][0]
    many = "\n".join(f"person{number}@example.com" for number in range(501))
    with pytest.raises(Invalid) as error:
        segments.assign_emails(admin, segment, many)
    assert "at most 500" in error.value.fields["emails"][0]


def test_the_list_counts_members_in_one_query(admin, count_queries):
    enterprise = segments.create_segment(admin, "Enterprise", 3)
    segments.create_segment(admin, "Agency", 1)
    for _ in range(3):
        segments.assign_emails(admin, enterprise, make_user().email)
    db.session.commit()
    admin_id = admin.id
    db.session.expire_all()
    admin = db.session.get(type(admin), admin_id)
    with count_queries() as statements:
        rows = segments.list_segments(admin)
        counts = [(row.segment.name, row.member_count) for row in rows]
    assert counts == [("Agency", 0), ("Enterprise", 3)]
    assert len(statements) == 1


def test_deleting_a_segment_keeps_its_members(admin):
    segment = segments.create_segment(admin, "Enterprise", 3)
    person = make_user()
    segments.assign_emails(admin, segment, person.email)
    segments.delete_segment(admin, segment)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(UserSegment)) == 0
    assert db.session.get(type(person), person.id) is not None


def test_the_heaviest_segment_counts():
    light = Segment(id=1, name="Light", weight=1.5)
    heavy = Segment(id=2, name="Heavy", weight=4)
    assert segments.heaviest_segment([light, heavy]) is heavy
    assert segments.heaviest_segment([]) is None
