"""Page assemblers: everything one HTML page shows, gathered from the services in one call.

A view parses its arguments, calls one function here and renders what it returns; templates and
template globals never query. The JSON API calls the services directly.
"""

from dataclasses import fields
from typing import Any


def extended(page_class: type, core: Any, **extra: Any) -> Any:
    """A page built on the service's page `core`: its fields as they are, and what the page adds.

    `page_class` subclasses the service's dataclass with `kw_only=True`, so it lists only the
    fields it adds.
    """
    return page_class(**{field.name: getattr(core, field.name) for field in fields(core)}, **extra)
