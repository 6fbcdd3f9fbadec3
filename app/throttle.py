"""Growing delays after failed sign-ins, instead of a lock that others could trigger on purpose.

Failures count per account from one address and per account from everywhere. The first few are
free; after them each further try must wait 1, 2, 4, 8 … seconds, up to a cap: a quarter of an
hour from the address that keeps failing, half a minute for the account as a whole, so that
failing on purpose from elsewhere never keeps the owner out for long. A correct sign-in clears
its address's count, and a password-reset link always signs the owner in. Counts live in the
rate limiter's storage (Redis in production), so every worker process sees them.
"""

import hashlib
import math
import time

from flask import current_app
from flask_limiter.util import get_remote_address

from app.extensions import limiter

WINDOW_SECONDS = 3600  # failures are forgotten an hour after the first of them
GENERATION_SECONDS = 2 * WINDOW_SECONDS  # outlives every count it made stale
FREE_FROM_ADDRESS = 5
FREE_FOR_ACCOUNT = 20


def _account(email: str) -> str:
    return hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:32]


def _keys(email: str) -> tuple[tuple[str, int, int], ...]:
    """(key prefix, free failures, delay cap in seconds) for each count that applies.

    The account's generation is part of every key, so a password reset forgets every count
    of the account, from all addresses, at once.
    """
    account = _account(email)
    generation = limiter.storage.get(f"signin:{account}:generation")
    account = f"{account}:{generation}"
    config = current_app.config
    return (
        (f"signin:{account}:{get_remote_address()}", FREE_FROM_ADDRESS, config["SIGNIN_DELAY_CAP_ADDRESS"]),
        (f"signin:{account}", FREE_FOR_ACCOUNT, config["SIGNIN_DELAY_CAP_ACCOUNT"]),
    )


def _enabled() -> bool:
    return bool(limiter.enabled and current_app.config.get("RATELIMIT_ENABLED", True))


def wait_seconds(email: str) -> int:
    """Whole seconds before this address may try this account again (0: now)."""
    if not _enabled():
        return 0
    storage = limiter.storage
    now = time.time()
    waits = [
        storage.get_expiry(f"{prefix}:wait") - now
        for prefix, _, _ in _keys(email)
        if storage.get(f"{prefix}:wait") > 0
    ]
    return max((math.ceil(wait) for wait in waits if wait > 0), default=0)


def record_failure(email: str) -> None:
    """Count a failed sign-in; past the free ones, the next try has to wait longer each time."""
    if not _enabled():
        return
    storage = limiter.storage
    for prefix, free, cap in _keys(email):
        failures = storage.incr(f"{prefix}:failures", WINDOW_SECONDS)
        if failures >= free:
            delay = min(2 ** (failures - free), cap)
            storage.incr(f"{prefix}:wait", delay)


def record_success(email: str) -> None:
    """A correct sign-in from this address forgets this address's failures."""
    if not _enabled():
        return
    prefix = _keys(email)[0][0]
    limiter.storage.clear(f"{prefix}:failures")
    limiter.storage.clear(f"{prefix}:wait")


def forget_account(email: str) -> None:
    """After a password reset: the account starts with a clean slate, from every address."""
    if not _enabled():
        return
    limiter.storage.incr(f"signin:{_account(email)}:generation", GENERATION_SECONDS)
