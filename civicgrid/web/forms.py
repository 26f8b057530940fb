"""Forms of the web interface."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from civicgrid.appeals.models import AppealStatus, AppealType, Category, Satisfaction, Urgency
from civicgrid.territory.models import Department

from .appeals.attachments import AttachmentsField


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


# --- Appeals (诉求) ----------------------------------------------------------------------------


class AppealSubmitForm(forms.Form):
    """网上诉求: what a citizen fills in on /appeals/new/ (no account needed).

    ``idempotency_key`` is new on every render, so a double submit of one form registers one
    appeal. The services check the values again; the form only gives early, per-field messages.
    """

    appeal_type = forms.ChoiceField(label=_("Type"), choices=AppealType.choices)
    title = forms.CharField(label=_("Title"), max_length=100, strip=True)
    text = forms.CharField(
        label=_("What happened"),
        max_length=5000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False, strip=True)
    lon = forms.FloatField(label=_("Longitude"), required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(label=_("Latitude"), required=False, widget=forms.HiddenInput)
    citizen_name = forms.CharField(label=_("Your name"), max_length=60, required=False)
    citizen_phone = forms.CharField(
        label=_("Your phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    is_confidential = forms.BooleanField(
        label=_("Keep my name and phone confidential"), required=False
    )
    is_public_consent = forms.BooleanField(
        label=_("I agree that the reply is published (without personal data)"), required=False
    )  # 同意公开答复（不含个人信息）
    idempotency_key = forms.CharField(max_length=40, widget=forms.HiddenInput)
    attachments = AttachmentsField()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("lon") is None) != (data.get("lat") is None):
            raise forms.ValidationError(_("Pick the place on the map again."))
        return data


class AppealIntakeForm(AppealSubmitForm):
    """热线/网格受理: the staff intake form; the channel comes from the user's role."""

    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    category: forms.ModelChoiceField[Category] = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False
    )
    citizen_name = forms.CharField(label=_("Citizen's name"), max_length=60, required=False)
    citizen_phone = forms.CharField(
        label=_("Citizen's phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    is_confidential = forms.BooleanField(
        label=_("The citizen asks for confidentiality"), required=False
    )
    is_public_consent = forms.BooleanField(
        label=_("The citizen agrees that the reply is published (without personal data)"),
        required=False,
    )

    field_order = [
        "citizen_phone",
        "citizen_name",
        "appeal_type",
        "urgency",
        "category",
        "title",
        "text",
        "address",
        "lon",
        "lat",
        "is_confidential",
        "is_public_consent",
        "idempotency_key",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category_field = self.fields["category"]
        assert isinstance(category_field, forms.ModelChoiceField)
        category_field.queryset = Category.objects.filter(is_active=True).order_by("code")
        self.fields["citizen_phone"].widget.attrs["autofocus"] = True


class AppealTrackForm(forms.Form):
    """查询: the appeal number and the query code given at submission."""

    number = forms.CharField(
        label=_("Appeal number"),
        max_length=24,
        strip=True,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    query_code = forms.CharField(
        label=_("Query code"),
        max_length=12,
        strip=True,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class AppealRateForm(AppealTrackForm):
    """评价: the citizen's satisfaction with the reply (and, if unsatisfied, a reopening)."""

    number = forms.CharField(max_length=24, widget=forms.HiddenInput)
    query_code = forms.CharField(max_length=12, widget=forms.HiddenInput)
    satisfaction = forms.ChoiceField(
        label=_("How satisfied are you with the reply?"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reopen = forms.BooleanField(label=_("Ask for the appeal to be handled again"), required=False)


class _VersionedForm(forms.Form):
    """Every workflow step posts the version the person saw (optimistic concurrency)."""

    expected_version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class AppealDispatchForm(_VersionedForm):
    """派单: lead department, cooperating departments and a note for them."""

    department: forms.ModelChoiceField[Department] = forms.ModelChoiceField(
        label=_("Lead department"), queryset=Department.objects.none()
    )
    cooperating: forms.ModelMultipleChoiceField[Department] = forms.ModelMultipleChoiceField(
        label=_("Cooperating departments"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Note for the department"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("department", "cooperating"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = departments


class AppealStepForm(_VersionedForm):
    """A step without input of its own (签收, 办结)."""


class AppealReasonForm(_VersionedForm):
    """退单/重办/作废: a step that needs a reason."""

    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class AppealReplyForm(_VersionedForm):
    """答复: the department's answer to the citizen."""

    reply = forms.CharField(
        label=_("Reply to the citizen"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )


class AppealFollowUpForm(_VersionedForm):
    """回访: the satisfaction the citizen told the hotline."""

    satisfaction = forms.ChoiceField(
        label=_("Citizen's satisfaction"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RevealCitizenForm(forms.Form):
    """Why the citizen's full name and phone are needed (查看目的); goes to the audit trail."""

    purpose = forms.CharField(
        label=_("Purpose (recorded in the audit trail)"),
        min_length=2,
        max_length=300,
        strip=True,
        error_messages={"required": _("Please state why you need the citizen's contact data.")},
    )


class AppealFilterForm(forms.Form):
    """Filters of the appeal lists (all optional)."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("any")), *AppealStatus.choices]
    )
    appeal_type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("any")), *AppealType.choices]
    )
    light = forms.ChoiceField(
        label=_("Deadline light"),
        required=False,
        choices=(
            ("", _("any")),
            ("red", _("red: overdue")),
            ("yellow", _("yellow: due soon")),
            ("green", _("green: in time")),
        ),
    )
