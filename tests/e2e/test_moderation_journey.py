"""Journey 3: a member flags; a moderator works the review queue, hides and merges; the audit log shows it."""

import re

from playwright.sync_api import expect

from tests.e2e.test_ideas_journeys import unique_word


def add_comment(site, author, idea_id: int, body: str) -> int:
    from app.extensions import db
    from app.models.idea import Idea
    from app.models.user import User
    from tests.factories import make_comment

    def make():
        return make_comment(db.session.get(Idea, idea_id), db.session.get(User, author.id), body).id

    return site.run(make)


def test_a_flag_reaches_a_moderator_who_hides_and_merges_and_the_audit_log_shows_both(open_page, site):
    word = unique_word()
    member, troll, voter = site.person(), site.person(), site.person()
    moderator = site.person("moderator")
    admin = site.person("admin")
    idea_id = site.idea(site.person(), f"Bulk {word} archive", "Archive many at once.")
    rude = f"Only an idiot would want {word} archiving."
    add_comment(site, troll, idea_id, rude)
    kept = site.idea(site.person(), f"Dark {word} theme", "Easier on the eyes.", voters=(voter,))
    duplicate = site.idea(site.person(), f"{word} theme in the dark", "Night mode.", voters=(voter,))

    # A member flags the rude comment, and the duplicate idea.
    page = open_page(member)
    page.goto(f"/ideas/{idea_id}")
    comment = page.locator(".comment").filter(has_text=rude)
    comment.get_by_text("Flag", exact=True).click()
    comment.get_by_label("Abusive or rude").check()
    comment.get_by_label("Note for the moderators").fill("Name-calling.")
    comment.get_by_role("button", name="Send flag").click()
    expect(page.locator(".flash--success")).to_have_text("Thanks — a moderator will look at it.")
    page.goto(f"/ideas/{duplicate}")
    page.get_by_text("Flag", exact=True).click()
    page.get_by_label("Duplicate of another idea").check()
    page.get_by_label("Which idea does it duplicate?").fill(str(kept))
    page.get_by_role("button", name="Send flag").click()
    expect(page.locator(".flash--success")).to_have_text("Thanks — a moderator will look at it.")

    # The moderator sees both in the review queue, with who flagged them and why.
    mod = open_page(moderator)
    mod.get_by_role("link", name=re.compile(r"^Moderation")).click()
    expect(mod.get_by_role("heading", name="Review queue", level=1)).to_be_visible()
    flagged_comment = mod.locator(".queue-item").filter(has_text=rude)
    expect(flagged_comment).to_contain_text("1 open flag")
    expect(flagged_comment.locator(".flag-list")).to_contain_text(f"Abusive or rude by {member.name}")
    expect(flagged_comment.locator(".flag-list__note")).to_have_text("“Name-calling.”")
    flagged_idea = mod.locator(".queue-item").filter(
        has=mod.get_by_role("heading", name=f"{word} theme in the dark")
    )
    expect(flagged_idea.locator(".flag-list")).to_contain_text(f"Duplicate of another idea by {member.name}")
    expect(flagged_idea.get_by_role("link", name=f"idea #{kept}")).to_be_visible()

    flagged_comment.get_by_text("Hide…").click()
    flagged_comment.get_by_label("Why is it hidden?").fill("Personal attacks are not allowed here.")
    flagged_comment.get_by_role("button", name="Hide comment").click()
    expect(mod.locator(".flash--success")).to_contain_text("The comment is hidden.")
    expect(mod.locator(".queue-item").filter(has_text=rude)).to_have_count(0)

    # The merge: from the duplicate's page, find the idea that stays and merge into it.
    flagged_idea.get_by_role("link", name=f"{word} theme in the dark").first.click()
    mod.get_by_text("Merge into another idea…").click()
    mod.get_by_label("Or find it").fill(f"{word} theme")
    mod.get_by_role("button", name="Find").click()
    expect(mod.get_by_role("heading", name=re.compile("^Merge “"))).to_be_visible()
    mod.get_by_role("button", name=f"Merge into this idea: “Dark {word} theme”").click()
    expect(mod.locator(".flash--success")).to_contain_text(f"Merged into “Dark {word} theme”")
    expect(mod.locator(".notice").first).to_contain_text("This idea was merged into")
    mod.get_by_role("link", name=f"“Dark {word} theme”").first.click()
    # Three people voted across the two ideas; the one who voted for both counts once.
    expect(mod.get_by_text("3 voters")).to_be_visible()

    # Everyone else no longer sees the rude comment.
    page.goto(f"/ideas/{idea_id}")
    expect(page.get_by_text(rude)).to_have_count(0)
    # Its author sees why it is hidden.
    author_page = open_page(troll)
    author_page.goto(f"/ideas/{idea_id}")
    expect(author_page.locator(".comment").filter(has_text=rude)).to_contain_text(
        "Hidden by a moderator: Personal attacks are not allowed here. Only you and moderators can see it."
    )

    # The admin finds both actions in the audit log.
    audit = open_page(admin)
    audit.get_by_role("link", name="Admin").click()
    audit.get_by_role("link", name="Audit log").click()
    audit.get_by_label("Who").select_option(label=moderator.name)
    audit.get_by_role("button", name="Apply").click()
    rows = audit.locator(".audit-table tbody tr")
    expect(rows).to_have_count(2)
    merge_row = rows.filter(has_text="Merged an idea")
    expect(merge_row).to_contain_text(moderator.name)
    expect(merge_row).to_contain_text(f"{word} theme in the dark")
    hide_row = rows.filter(has_text="Hid a comment")
    expect(hide_row).to_contain_text("Personal attacks are not allowed here.")
