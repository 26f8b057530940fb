"""API token authentication that keeps a token's user briefly per process (令牌认证).

:class:`KeptTokenAuthentication` is DRF's ``Authorization: Token <key>`` authentication. A key
it accepted is answered from memory for ``CIVICGRID_API_TOKEN_CHECK_SECONDS`` (default 5; 0 =
one database read per request, as in the tests), which spares a busy endpoint a query per
request. A deleted token, a deactivated user or a changed role or scope therefore takes effect
within that many seconds in each web process. Unknown keys are never kept: every request with
one is checked against the database and refused as before.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.conf import settings
from django.db import models
from drf_spectacular.drainage import set_override
from rest_framework.authentication import TokenAuthentication

DEFAULT_CHECK_SECONDS = 5.0
MAX_KEPT = 10_000  # accepted keys kept per process; beyond, all are read again

_lock = threading.Lock()
# key -> (read at, token values, user values), values in the models' concrete field order
_kept: dict[str, tuple[float, tuple[Any, ...], tuple[Any, ...]]] = {}


def forget_kept_tokens() -> None:
    """Read every token again on its next use (in this process)."""
    with _lock:
        _kept.clear()


def _values(obj: models.Model) -> tuple[Any, ...]:
    return tuple(getattr(obj, field.attname) for field in obj._meta.concrete_fields)


def _rebuilt(model: type[models.Model], db: str | None, values: tuple[Any, ...]) -> Any:
    names = [field.attname for field in model._meta.concrete_fields]
    return model.from_db(db, names, values)


class KeptTokenAuthentication(TokenAuthentication):
    """Token authentication with the accepted token's user kept briefly (module docstring).

    Every request gets its own user and token objects, built from the kept values: what one
    request caches or changes on them never reaches another.
    """

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        interval = float(
            getattr(settings, "CIVICGRID_API_TOKEN_CHECK_SECONDS", DEFAULT_CHECK_SECONDS)
        )
        if interval <= 0:
            return super().authenticate_credentials(key)
        now = time.monotonic()
        with _lock:
            kept = _kept.get(key)
        if kept is None or now - kept[0] >= interval:
            user, token = super().authenticate_credentials(key)  # refuses unknown and inactive
            with _lock:
                if len(_kept) >= MAX_KEPT:
                    _kept.clear()
                _kept[key] = (now, _values(token), _values(user))
            return user, token
        _read_at, token_values, user_values = kept
        model: Any = self.get_model()
        db = model.objects.db
        user = _rebuilt(model._meta.get_field("user").related_model, db, user_values)
        token = _rebuilt(model, db, token_values)
        token.user = user
        return user, token


# The same security scheme as DRF's token authentication ("tokenAuth" in the OpenAPI schema).
set_override(KeptTokenAuthentication, "suppress_collision_warning", True)
