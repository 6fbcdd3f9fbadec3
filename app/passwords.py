"""Password hashing (argon2id) and the password policy."""

import gzip
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
MAX_LENGTH = 128
COMMON_PASSWORDS_FILE = Path(__file__).parent / "data" / "common-passwords.txt.gz"

_hasher = PasswordHasher()  # argon2id with argon2-cffi's current recommended parameters


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than the current ones."""
    return _hasher.check_needs_rehash(password_hash)


_DUMMY_HASH: list[str] = []


def burn_verification_time(password: str) -> None:
    """Spend as long as a real check, so unknown accounts answer as slowly as known ones."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(_hasher.hash("not-a-real-password-for-timing"))
    verify_password(_DUMMY_HASH[0], password)


@cache
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip().lower() for line in handle if line.strip())


def password_problems(password: str, email: str | None = None) -> list[str]:
    """The reasons a new password is refused (an empty list means it is acceptable)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters.")
    elif len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    elif password.lower() in common_passwords():
        problems.append("This password is too common; choose one that is harder to guess.")
    elif email and password.strip().lower() == email.strip().lower():
        problems.append("Your password must not be your email address.")
    return problems
