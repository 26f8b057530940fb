"""ID numbers at rest: keyed hash for lookup, Fernet ciphertext for the audited full view."""

from __future__ import annotations

import hmac

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from civicgrid.registry import crypto

NUMBER = "44040219900101123X"


def test_hash_is_keyed_and_stable() -> None:
    first = crypto.id_hash(NUMBER)
    assert first == crypto.id_hash(NUMBER)
    assert len(first) == 64
    with override_settings(CIVICGRID_REGISTRY_HASH_KEY="another key"):
        assert crypto.id_hash(NUMBER) != first


@given(key=st.text(min_size=1, max_size=100), number=st.text(max_size=40))
def test_hash_is_hmac_sha256(key: str, number: str) -> None:
    # Keys shorter and longer than SHA-256's 64-byte block (longer ones are hashed first).
    with override_settings(CIVICGRID_REGISTRY_HASH_KEY=key):
        expected = hmac.digest(key.encode(), number.encode(), "sha256").hex()
        assert crypto.id_hash(number) == expected


def test_seal_round_trip_differs_each_time_and_hides_the_number() -> None:
    token = crypto.seal(NUMBER)
    assert NUMBER not in token
    assert token != crypto.seal(NUMBER)
    assert crypto.unseal(token) == NUMBER


def test_rotation_old_key_still_opens() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(CIVICGRID_REGISTRY_ENCRYPTION_KEYS=old):
        token = crypto.seal(NUMBER)
    with override_settings(CIVICGRID_REGISTRY_ENCRYPTION_KEYS=f"{new},{old}"):
        assert crypto.unseal(token) == NUMBER
    with (
        override_settings(CIVICGRID_REGISTRY_ENCRYPTION_KEYS=new),
        pytest.raises(ValueError, match="cannot be opened"),
    ):
        crypto.unseal(token)


def test_missing_keys_are_refused() -> None:
    with (
        override_settings(CIVICGRID_REGISTRY_HASH_KEY=""),
        pytest.raises(ImproperlyConfigured),
    ):
        crypto.id_hash(NUMBER)
    with (
        override_settings(CIVICGRID_REGISTRY_ENCRYPTION_KEYS=""),
        pytest.raises(ImproperlyConfigured),
    ):
        crypto.seal(NUMBER)
