"""Driving Debian's Chromium with Playwright: where it is, how it starts, how a person signs in,
and the checks every page passes (axe-core finds nothing; nothing is wider than the screen)."""

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


AXE_LOADED = "() => typeof window.axe === 'object' && typeof window.axe.run === 'function'"
AXE_RUN = "() => axe.run(document, {resultTypes: ['violations']})"


def axe_violations(page, axe_source: str | None) -> list[str]:
    """axe-core's violations of any impact on the page as it is now, as readable lines.

    Each violation gives its rule, impact, help and the elements at fault. axe-core is added to
    the page (which needs a context opened with `bypass_csp=True`) unless it is there already.
    [] when there is no violation, or when axe-core is not installed (`axe_source` is None).
    """
    if axe_source is None:
        return []
    if not page.evaluate(AXE_LOADED):
        page.add_script_tag(content=axe_source)
    lines = []
    for violation in page.evaluate(AXE_RUN)["violations"]:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"    {violation['helpUrl']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    at {', '.join(map(str, node['target']))}: {node['html'][:160]}")
            summary = node.get("failureSummary", "").replace("\n", " ")
            lines.append(f"       {summary[:300]}")
    return lines


# The page's width, and the innermost elements that stick out past the right edge of the screen.
MEASURE_WIDTH = """(edge) => {
    const out = [...document.body.querySelectorAll("*")].filter(
        (el) => el.getBoundingClientRect().right > edge + 1
    );
    const innermost = out.filter((el) => !out.some((other) => other !== el && el.contains(other)));
    return {
        width: document.scrollingElement.scrollWidth,
        culprits: innermost.slice(0, 4).map((el) => el.outerHTML.slice(0, 120)),
    };
}"""


def too_wide(page) -> list[str]:
    """What makes the page scroll sideways past the viewport, as readable lines; [] when it fits."""
    edge = page.viewport_size["width"]
    measured = page.evaluate(MEASURE_WIDTH, edge)
    if measured["width"] <= edge:
        return []
    lines = [
        f"the page scrolls sideways: it is {measured['width']} px wide, the screen {edge} px; sticking out:"
    ]
    return lines + [f"    {culprit}" for culprit in measured["culprits"]]
