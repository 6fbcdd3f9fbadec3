"""A customer signs in through the company's OpenID Connect provider in a real browser: the
button on the sign-in page, the provider's own page, and back on Cocreate, signed in."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.server import LiveServer
from tests.oidc_provider import TestProvider

LABEL = "Acme Login"
LOOPBACK = re.compile(r"^https?://127\.0\.0\.1[:/]")


@pytest.fixture(scope="module")
def provider():
    started = TestProvider().start()
    yield started
    started.stop()


@pytest.fixture(scope="module")
def sso_site(tmp_path_factory, provider):
    server = LiveServer(tmp_path_factory.mktemp("e2e-sso"))
    client_id, secret = provider.register_client(f"{server.url}/auth/oidc/oidc/callback")
    server.env.update(
        {
            "OIDC_ISSUER": provider.url,
            "OIDC_CLIENT_ID": client_id,
            "OIDC_CLIENT_SECRET": secret,
            "OIDC_LABEL": LABEL,
            # Plain HTTP is refused by Authlib unless allowed; both ends are on loopback here.
            "AUTHLIB_INSECURE_TRANSPORT": "1",
        }
    )
    server.start()
    yield server
    server.stop()


def only_loopback(route):
    # The provider's page asks for a stylesheet from the internet: nothing leaves this machine.
    if LOOPBACK.match(route.request.url):
        route.continue_()
    else:
        route.abort()


@pytest.mark.parametrize("size", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_a_customer_signs_in_through_the_providers_page(browser, sso_site, provider, size):
    sub = f"ana-{size[0]}"
    provider.set_user(sub, email=f"{sub}@customer.example", email_verified=True, name=f"Ana {size[0]}")
    context = browser.new_context(base_url=sso_site.url, viewport={"width": size[0], "height": size[1]})
    context.route("**/*", only_loopback)
    try:
        page = context.new_page()
        page.goto("/sign-in?next=/ideas/")
        button = page.get_by_role("link", name=f"Continue with {LABEL}")
        expect(button).to_be_visible()
        button.focus()
        page.keyboard.press("Enter")

        expect(page).to_have_url(re.compile(rf"^{re.escape(provider.url)}/oauth2/authorize\?"))
        page.locator("input[name=sub]").fill(sub)
        page.get_by_role("button", name="Authorize").click()

        expect(page).to_have_url(re.compile(rf"^{re.escape(sso_site.url)}/ideas/"))
        expect(page.locator(".flash--success")).to_have_text(f"Welcome, Ana {size[0]}.")
        expect(page.get_by_role("link", name="Notifications").first).to_be_visible()  # only when signed in
        page.goto("/account/settings#sign-in-methods")
        methods = page.locator("#sign-in-methods")
        expect(methods).to_contain_text(LABEL)
        expect(methods).to_contain_text(f"{sub}@customer.example")
        expect(methods).to_contain_text("not set")
    finally:
        context.close()


def test_a_member_links_the_provider_from_settings(browser, sso_site, provider):
    """Linking leaves this site for the provider's page: nothing in the page's policy may stop it."""
    from tests.e2e.browser import sign_in

    member = "link-member@example.com"
    sso_site.flask("users", "create", member, "--password", "a long enough secret", "--role", "member")
    provider.set_user("ana-linked", email="ana.linked@customer.example", email_verified=True)
    context = browser.new_context(base_url=sso_site.url)
    context.route("**/*", only_loopback)
    problems = []
    try:
        page = context.new_page()
        page.on("console", lambda message: message.type == "error" and problems.append(message.text))
        sign_in(page, member, "a long enough secret")
        page.goto("/account/settings#sign-in-methods")
        page.get_by_role("link", name=f"Link {LABEL}").click()
        expect(page).to_have_url(re.compile(rf"^{re.escape(provider.url)}/oauth2/authorize\?"))
        page.locator("input[name=sub]").fill("ana-linked")
        page.get_by_role("button", name="Authorize").click()
        expect(page.locator(".flash--success")).to_have_text(
            f"{LABEL} is linked: you can sign in with it from now on."
        )
        expect(page.locator("#sign-in-methods")).to_contain_text("ana.linked@customer.example")
        assert not [text for text in problems if "Content Security Policy" in text]
    finally:
        context.close()
