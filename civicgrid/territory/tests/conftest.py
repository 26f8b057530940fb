"""Territory test helpers: messages in English (the msgids) so assertions do not depend on the
Chinese catalogue, and a fresh locator cache for every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from civicgrid.territory.locator import invalidate_locator


@pytest.fixture(autouse=True)
def _english_and_fresh_locator() -> Iterator[None]:
    invalidate_locator()
    with translation.override("en"):
        yield
    invalidate_locator()
