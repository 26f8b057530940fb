"""Query codes (查询码): the 6-digit code a citizen gets with the appeal number to follow it
without an account. Only a keyed hash is stored."""

from __future__ import annotations

import hmac
import secrets

from django.utils.crypto import salted_hmac


def new_query_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


KEY_SALT = "civicgrid.appeals.query-code"


def query_code_hash(number: str, code: str) -> str:
    return salted_hmac(KEY_SALT, f"{number}:{code.strip()}").hexdigest()


def query_code_hashes(prefix: str, sequences: range, code: str) -> list[str]:
    """``query_code_hash(prefix + f"{n:06d}", code)`` for every ``n`` of ``sequences``, the
    common prefix hashed once (the keyed hash runs over the message from left to right)."""
    start = salted_hmac(KEY_SALT, prefix)
    hashes = []
    for sequence in sequences:
        continued = start.copy()
        continued.update(f"{sequence:06d}:{code.strip()}".encode())
        hashes.append(continued.hexdigest())
    return hashes


def query_code_matches(number: str, stored_hash: str, code: str) -> bool:
    """Whether ``code`` is the query code of appeal ``number`` (constant-time comparison)."""
    return hmac.compare_digest(query_code_hash(number, code or ""), stored_hash)
