"""The linked-ideas part of the prototype, launch and roadmap item forms (staff), for their views."""

from flask import request
from flask_wtf import FlaskForm

from app.services import idea_links
from app.web.support import call_with_form, current_actor

# The plain search's query parameter (the picker's fallback without JavaScript).
FIND = "find_ideas"


def chosen_idea_ids(form: FlaskForm) -> list[int] | None:
    """The ideas a posted form links: the ticked ones, then those its text names.

    Call it after validating, so its message is shown with the others. When a reference names
    no idea the form gets the message and None comes back. Once read, the form shows every
    chosen idea ticked by title and its text field empty.
    """
    if not form.is_submitted():
        return None
    actor = current_actor()
    ok, ids = call_with_form(
        form, idea_links.resolve_references, actor, form.linked_ideas.data, form.idea_ids.data
    )
    if not ok:
        return None
    form.linked_ideas.data = ids
    form.idea_ids.data = ""
    return ids


def picker(form: FlaskForm) -> idea_links.Picker:
    """What the form's linked ideas show: the chosen ones, and what the plain search or the text found."""
    words = request.args.get(FIND, "")
    if form.idea_ids.errors:
        words = idea_links.search_words(form.idea_ids.data)
    return idea_links.picker(current_actor(), form.linked_ideas.data or [], words)
