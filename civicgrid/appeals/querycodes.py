"""Query codes (查询码): the 6-digit code a citizen gets with the appeal number to follow it
without an account. Only a keyed hash is stored."""

from __future__ import annotations

import hmac
import secrets

from django.utils.crypto import salted_hmac


def new_query_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def query_code_hash(number: str, code: str) -> str:
    return salted_hmac("civicgrid.appeals.query-code", f"{number}:{code.strip()}").hexdigest()


def query_code_matches(number: str, stored_hash: str, code: str) -> bool:
    """Whether ``code`` is the query code of appeal ``number`` (constant-time comparison)."""
    return hmac.compare_digest(query_code_hash(number, code or ""), stored_hash)
