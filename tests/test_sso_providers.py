"""Which providers a site offers, and who GitHub says signed in."""

import pytest

from app import sso_providers
from app.sso_providers import Provider, github_person


def test_only_fully_configured_providers_are_offered(app):
    assert sso_providers.providers() == []
    app.config.update(OIDC_ISSUER="https://login.example", OIDC_CLIENT_ID="id", OIDC_CLIENT_SECRET="")
    assert sso_providers.providers() == []
    app.config.update(
        OIDC_CLIENT_SECRET="s", OIDC_LABEL="Okta", GITHUB_CLIENT_ID="g", GITHUB_CLIENT_SECRET="gs"
    )
    app.config.update(GOOGLE_CLIENT_ID="go")
    assert [(p.key, p.label) for p in sso_providers.providers()] == [("oidc", "Okta"), ("github", "GitHub")]


def test_github_gives_its_primary_address_verified_only_when_github_says_so():
    user = {"id": 583231, "login": "octocat", "name": None, "email": None}
    emails = [
        {"email": "old@example.com", "primary": False, "verified": True},
        {"email": "cat@example.com", "primary": True, "verified": True},
    ]
    person = github_person(user, emails)
    assert (person.subject, person.email, person.name, person.email_verified) == (
        "583231",
        "cat@example.com",
        "octocat",
        True,
    )
    emails[1]["verified"] = False
    assert github_person(user, emails).email_verified is False
    assert github_person({**user, "email": "pub@example.com"}, []).email_verified is False


def test_a_github_answer_without_an_id_is_refused():
    with pytest.raises(ValueError, match="did not say who signed in"):
        github_person({"message": "Bad credentials"}, [])


@pytest.mark.parametrize(
    ("email", "allowed"),
    [("ana@acme.example", True), ("ana@ACME.example", True), ("ana@sub.acme.example", False), (None, False)],
)
def test_allowed_domains_match_the_whole_domain(email, allowed):
    provider = Provider("oidc", "Okta", True, ("acme.example",))
    assert sso_providers.domain_allowed(provider, email) is allowed
    assert sso_providers.domain_allowed(Provider("oidc", "Okta", True), email) is True
