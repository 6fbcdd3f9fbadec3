"""Page numbers in the address of a list page, read the way people expect.

A page that is no page number (0, -1, abc) shows page 1 and says pages start at 1; a page past
the end shows the last page and says how many there are. Both redirect, so the address always
names the page shown, and neither is ever an error page. The API keeps refusing such numbers
with a 400 (app/services/pagination.page_args), as its contract says.
"""

from typing import Any

from flask import abort, flash, redirect, request, url_for

from app.services.pagination import DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE, Page

BAD_PAGE = "Pages start at 1. Here is page 1."
BAD_PER_PAGE = f"A page shows 1 to {MAX_PER_PAGE} entries. Here is the usual number."


def _whole_number(raw: str) -> int | None:
    # isascii: "²" is a digit to str.isdigit() but not to int().
    return int(raw) if raw.isascii() and raw.isdigit() else None


def _same_list(**changes: Any):
    """A redirect to this list with the query arguments changed (None drops one)."""
    args = request.args.to_dict(flat=False)
    for name, value in changes.items():
        if value is None:
            args.pop(name, None)
        else:
            args[name] = [str(value)]
    return redirect(url_for(request.endpoint, **(request.view_args or {}), **args))


def list_page_args(default_per_page: int = DEFAULT_PER_PAGE) -> tuple[int, int]:
    """The page and per_page the address asks for; a bad value redirects with a message.

    A page number too large for any list is past its end: `keep_in_range` sends it to the last page.
    """
    raw_page = request.args.get("page", "")
    raw_per_page = request.args.get("per_page", "")
    page = _whole_number(raw_page) if raw_page else 1
    per_page = _whole_number(raw_per_page) if raw_per_page else default_per_page
    if page is None or page < 1:
        flash(BAD_PAGE, "info")
        abort(_same_list(page=None))
    if per_page is None or not 1 <= per_page <= MAX_PER_PAGE:
        flash(BAD_PER_PAGE, "info")
        abort(_same_list(per_page=None))
    return min(page, MAX_PAGE), per_page


def keep_in_range(page: Page, singular: str, plural: str) -> None:
    """Past the last page, redirect to the last page, saying how many entries and pages there are."""
    if page.page <= page.pages:
        return
    asked = request.args.get("page", str(page.page))
    if page.total == 0:
        flash(f"Page {asked} is past the end: there are no {plural} here.", "info")
    else:
        entries = f"{page.total:,} {singular if page.total == 1 else plural}"
        pages = f"{page.pages:,} page{'' if page.pages == 1 else 's'}"
        flash(f"Page {asked} is past the end: {entries} on {pages}. Here is the last page.", "info")
    abort(_same_list(page=page.pages if page.pages > 1 else None))
