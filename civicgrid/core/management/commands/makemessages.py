"""``makemessages`` that also extracts ``lazy("...")``: modules import ``gettext_lazy as lazy``
where ``_`` is already the eager ``gettext`` (forms, choices and menu labels), and xgettext
only knows the standard names."""

from __future__ import annotations

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=lazy"]
