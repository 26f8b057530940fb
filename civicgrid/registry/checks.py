"""Deployment checks of the base registry (``civicgrid check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def registry_keys_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """The registry's hash and encryption keys must be set (production has no defaults)."""
    errors = []
    if not getattr(settings, "CIVICGRID_REGISTRY_HASH_KEY", ""):
        errors.append(
            Error(
                "CIVICGRID_REGISTRY_HASH_KEY is not set: ID numbers cannot be looked up.",
                hint="Set it to a long random value and keep it with the database backups' keys.",
                id="civicgrid.registry.E001",
            )
        )
    if not getattr(settings, "CIVICGRID_REGISTRY_ENCRYPTION_KEYS", ""):
        errors.append(
            Error(
                "CIVICGRID_REGISTRY_ENCRYPTION_KEYS is not set: ID numbers cannot be stored.",
                hint='Generate one with: python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())"',
                id="civicgrid.registry.E002",
            )
        )
    return errors
