"""Driving Debian's Chromium with Playwright: where it is, how it starts, how a person signs in."""

import os
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_SCRIPT = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"

NO_CHROMIUM = "browser tests not run: install Debian's chromium (apt-get install chromium) to run them"
NO_PLAYWRIGHT = (
    "browser tests not run: install Playwright for Python (pip install -r requirements-dev.txt) to run them"
)
NO_AXE = "accessibility checks not run: install axe-core with `npm ci --prefix tests/e2e` to run them"


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return NO_PLAYWRIGHT
    if not os.access(CHROMIUM, os.X_OK):
        return NO_CHROMIUM
    return None


def launch(playwright):
    """Start headless Chromium (Debian's build; Playwright's own download is never used)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def sign_in(page, email: str, password: str) -> None:
    """Sign in on the sign-in page as a person would, and wait for the welcome."""
    from playwright.sync_api import expect

    page.goto("/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator(".flash--success")).to_contain_text("Welcome back")
