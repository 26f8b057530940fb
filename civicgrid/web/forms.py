"""Forms of the web interface."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class RevealPhoneForm(forms.Form):
    """Asks why the full phone number is needed (查看目的); the purpose goes to the audit trail."""

    purpose = forms.CharField(
        label=_("Purpose"),
        min_length=2,
        max_length=300,
        strip=True,
        error_messages={
            "required": _("Please state why you need the full number."),
            "min_length": _("Please describe the purpose in at least 2 characters."),
            "max_length": _("The purpose may be at most 300 characters long."),
        },
        widget=forms.TextInput(attrs={"placeholder": _("e.g. calling about appeal 2026-0012")}),
    )
