"""Flask-WTF forms, one module per feature."""

from wtforms.validators import DataRequired, Length


def title_rules(required: str, low: int, high: int) -> list:
    """A title's checks: present, then a message for too short and another for too long.

    The too-long message gives the length, since the title comes back whole to be shortened.
    """
    return [
        DataRequired(required),
        Length(min=low, message=f"Use between {low} and {high} characters."),
        Length(max=high, message=f"Keep the title to {high} characters or fewer (it has %(length)d)."),
    ]
