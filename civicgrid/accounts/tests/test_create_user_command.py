"""``civicgrid create_user``."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from civicgrid.accounts.models import User
from civicgrid.core.models import AuditRecord


def test_creates_an_audited_account(territory, monkeypatch, capsys):
    monkeypatch.setenv("NEW_PASSWORD", "Secure-pass-2026")
    call_command(
        "create_user",
        "dm-dispatcher",
        "--role=dispatcher",
        "--scope=440403",
        "--full-name=李四",
        "--password-env=NEW_PASSWORD",
    )
    user = User.objects.get(username="dm-dispatcher")
    assert (user.role, user.scope_unit, user.full_name) == ("dispatcher", territory.doumen, "李四")
    assert user.check_password("Secure-pass-2026")
    assert AuditRecord.objects.get().action == "user.create"
    assert "dm-dispatcher" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--role=dispatcher", "--scope=999999"], "--scope"),
        (["--role=dispatcher", "--department=nope"], "--department"),
        (["--role=dispatcher"], "scope_unit"),
        (["--role=citizen", "--password-env=UNSET_VARIABLE_X"], "--password-env"),
    ],
)
def test_bad_arguments_are_named_and_nothing_is_written(territory, monkeypatch, arguments, message):
    monkeypatch.setenv("NEW_PASSWORD", "Secure-pass-2026")
    monkeypatch.delenv("UNSET_VARIABLE_X", raising=False)
    if not any(a.startswith("--password-env") for a in arguments):
        arguments = [*arguments, "--password-env=NEW_PASSWORD"]
    with pytest.raises(CommandError) as raised:
        call_command("create_user", "someone", *arguments)
    assert message in str(raised.value)
    assert not User.objects.filter(username="someone").exists()
    assert AuditRecord.objects.count() == 0
