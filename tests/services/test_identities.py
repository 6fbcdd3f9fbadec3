"""The one rule for signing in by an identity at another provider, and linking and unlinking them."""

import pytest
from sqlalchemy import func, select

from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.models.identity import Identity
from app.models.user import User
from app.services import identities
from tests.factories import make_identity, make_user


def sign_in(subject="sub-1", email="ana@example.com", name="Ana Lima", verified=True, key="oidc"):
    user = identities.sign_in_identity(key, "Okta", subject, email, name, verified)
    db.session.commit()
    return user


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_new_identity_with_a_verified_email_becomes_a_verified_member_without_password(app):
    user = sign_in()
    assert (user.email, user.display_name, user.role) == ("ana@example.com", "Ana Lima", "member")
    assert user.is_email_verified
    assert not user.has_password
    assert count(Identity) == 1


def test_a_known_identity_signs_in_its_account_even_after_the_address_changes(app):
    first = sign_in()
    again = sign_in(email="ana.lima@example.com")
    assert again.id == first.id
    assert count(User) == 1
    assert db.session.scalar(select(Identity.email)) == "ana.lima@example.com"


def test_a_verified_email_joins_the_existing_account_and_confirms_it(app):
    member = make_user(email="ana@example.com", name="Ana Before")
    member.email_verified_at = None
    db.session.commit()
    user = sign_in(email="ANA@example.com")
    assert user.id == member.id
    assert user.is_email_verified
    assert db.session.scalar(select(Identity.user_id)) == member.id


def test_an_unverified_email_never_joins_an_existing_account(app):
    make_user(email="ana@example.com")
    with pytest.raises(Conflict, match="does not say the address is confirmed"):
        sign_in(verified=False)
    db.session.rollback()
    assert count(Identity) == 0


def test_a_new_member_from_an_unverified_email_is_unconfirmed_and_gets_the_link(app, outbox_mail):
    user = sign_in(verified=False)
    assert not user.is_email_verified
    [mail] = outbox_mail()
    assert mail["To"] == "ana@example.com"
    assert "/verify-email/" in mail.get_content()


def test_a_subject_longer_than_an_identity_keeps_is_refused(app):
    with pytest.raises(Invalid):
        sign_in(subject="x" * 256)
    db.session.rollback()
    assert count(User) == 0


@pytest.mark.parametrize("email", [None, "", "not an address"])
def test_a_missing_or_malformed_email_is_refused(app, email):
    with pytest.raises(Invalid):
        sign_in(email=email)
    db.session.rollback()
    assert count(User) == 0


def test_a_long_or_missing_name_falls_back_to_a_name_that_fits(app):
    user = sign_in(name="x" * 80)
    assert len(user.display_name) == 50
    other = sign_in(subject="sub-2", email="bo@example.com", name=None)
    assert other.display_name == "bo"
    third = sign_in(subject="sub-3", email="c@example.com", name="")
    assert third.display_name == "Member"


def test_linking_an_identity_of_another_member_is_refused(app):
    owner, other = make_user(), make_user()
    make_identity(owner, subject="shared")
    with pytest.raises(Conflict, match="already linked to another member"):
        identities.link_identity(other, "oidc", "Okta", "shared", other.email)


def test_the_last_way_in_cannot_be_unlinked(app):
    user = sign_in()
    [identity] = identities.identities_of(user)
    with pytest.raises(Conflict, match="only way into your account"):
        identities.unlink_identity(user, identity.id)
    extra = make_identity(user, provider="github", subject="gh-1")
    identities.unlink_identity(user, extra.id)
    db.session.commit()
    assert [i.provider for i in identities.identities_of(user)] == ["oidc"]


def test_a_password_account_may_unlink_its_only_identity(app):
    user = make_user()
    identity = make_identity(user)
    identities.unlink_identity(user, identity.id)
    db.session.commit()
    assert identities.identities_of(user) == []


def test_unlinking_someone_elses_identity_is_not_found(app):
    owner, other = make_user(), make_user()
    identity = make_identity(owner)
    with pytest.raises(NotFound):
        identities.unlink_identity(other, identity.id)
