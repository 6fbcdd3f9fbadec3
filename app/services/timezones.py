"""Times people type in their own time zone: IANA zone names checked, local times to UTC and back.

There is no time zone per account yet: forms send the browser's zone (a script fills a hidden
field) and fall back to UTC without it.
"""

from datetime import UTC, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

DEFAULT_ZONE = "UTC"
ZONE_NAME_MAX = 64


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones() | {DEFAULT_ZONE})


def check_zone(name: Any, fields: dict[str, list[str]], field: str = "time_zone") -> ZoneInfo:
    """The zone called `name` (like Europe/Berlin); an unknown name puts a message in `fields`."""
    if isinstance(name, str) and len(name) <= ZONE_NAME_MAX and name in _known_zones():
        return ZoneInfo(name)
    shown = name if isinstance(name, str) and len(name) <= ZONE_NAME_MAX else "That"
    fields[field] = [
        f"“{shown}” is not a time zone we know. Use a name like Europe/Berlin or America/New_York; "
        "nothing was saved."
    ]
    return ZoneInfo(DEFAULT_ZONE)


def local_to_utc(value: datetime, zone: ZoneInfo, field: str, fields: dict[str, list[str]]) -> datetime:
    """A wall-clock time in `zone` as a UTC moment; a time the clocks skip puts a message in `fields`.

    A time that happens twice (the clocks go back) is the first of the two.
    """
    local = value.replace(tzinfo=zone, fold=0)
    moment = local.astimezone(UTC)
    if moment.astimezone(zone).replace(tzinfo=None) != value.replace(tzinfo=None):
        fields[field] = [
            f"{value:%H:%M} on {value:%-d %b %Y} does not exist in {zone.key}: the clocks go "
            "forward then. Pick a time an hour later."
        ]
    return moment


def utc_to_local(value: datetime, zone: ZoneInfo) -> datetime:
    """A stored (aware) moment as the wall-clock time in `zone`, without a zone attached."""
    return value.astimezone(zone).replace(tzinfo=None)


def zone_or_default(name: Any) -> ZoneInfo:
    """The zone called `name`, or UTC when it is not one (for showing times, never for saving them)."""
    return check_zone(name, {})
