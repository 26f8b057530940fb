"""Forms of the plans pages. They check the shape of the input; the services check the rest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as lazy
from django.utils.translation import pgettext_lazy

from civicgrid.plans.models import Comparator, DeadlineKind, UnitRole

MAX_DOCUMENT_BYTES = 30 * 1024 * 1024
DOCUMENT_SUFFIXES = (".txt", ".docx", ".pdf", ".xlsx")
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5
NOTE_MAX = 1000
REPORT_TEXT_MAX = 5000


class DocumentUploadForm(forms.Form):
    """导入文件: a policy document, or a new version of one already imported."""

    file = forms.FileField(
        label=lazy("Document file"),
        help_text=lazy("Plain text (UTF-8 or GBK), Word (.docx), text PDF or Excel task table."),
    )
    document = forms.TypedChoiceField(
        label=lazy("New version of"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=lazy(
            "Leave empty for a new document; a document with the same number is found by itself."
        ),
    )
    title = forms.CharField(label=lazy("Title"), max_length=300, required=False)
    doc_number = forms.CharField(label=lazy("Document number"), max_length=100, required=False)

    def __init__(self, *args: Any, documents: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["document"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "—")] + [(document.pk, str(document)) for document in documents]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = Path(upload.name or "").name
        if upload.size == 0:
            raise forms.ValidationError(_("The file %(name)s is empty.") % {"name": name})
        if upload.size > MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(
                _("The file %(name)s is larger than %(limit)s MB.")
                % {"name": name, "limit": MAX_DOCUMENT_BYTES // (1024 * 1024)}
            )
        if Path(name).suffix.lower() not in DOCUMENT_SUFFIXES:
            raise forms.ValidationError(
                _("%(name)s: upload a .txt, .docx, .pdf or .xlsx file.") % {"name": name}
            )
        return upload


class ItemForm(forms.Form):
    """The fields of a plan item staff may correct."""

    number = forms.CharField(label=lazy("Number"), max_length=40, required=False)
    title = forms.CharField(label=lazy("Title"), max_length=500, required=False)
    body = forms.CharField(
        label=lazy("Text"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    is_task = forms.BooleanField(label=lazy("Is a task"), required=False)
    deadline_text = forms.CharField(
        label=lazy("Deadline as written"), max_length=200, required=False
    )
    deadline_date = forms.DateField(
        label=lazy("Deadline"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    deadline_kind = forms.ChoiceField(
        label=lazy("Deadline kind"), choices=DeadlineKind.choices, required=False
    )


class ItemAddForm(forms.Form):
    title = forms.CharField(label=lazy("Title"), max_length=500)
    number = forms.CharField(label=lazy("Number"), max_length=40, required=False)
    body = forms.CharField(
        label=lazy("Text"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    deadline_text = forms.CharField(
        label=lazy("Deadline as written"), max_length=200, required=False
    )
    deadline_date = forms.DateField(
        label=lazy("Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    after = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ItemSplitForm(forms.Form):
    """Split an item: the new item starts where these words start in its text."""

    starts_with = forms.CharField(
        label=lazy("The new item starts with"),
        max_length=200,
        help_text=lazy("Copy the first words of the part that becomes a new item."),
    )


class TargetForm(forms.Form):
    """目标值: what is measured, the comparator, the value (or range), unit and year."""

    subject = forms.CharField(label=lazy("Subject"), max_length=300)
    comparator = forms.ChoiceField(label=lazy("Comparator"), choices=Comparator.choices)
    value = forms.FloatField(label=pgettext_lazy("plans target", "Value"), required=False)
    low = forms.FloatField(label=pgettext_lazy("plans target", "From"), required=False)
    high = forms.FloatField(label=pgettext_lazy("plans target", "To"), required=False)
    unit = forms.CharField(
        label=pgettext_lazy("plans target", "Unit"), max_length=40, required=False
    )
    year = forms.IntegerField(label=lazy("Year"), required=False, min_value=1949, max_value=2100)
    indicator_code = forms.CharField(label=lazy("Indicator code"), max_length=60, required=False)


class UnitResolveForm(forms.Form):
    """Pick the department a name stands for, or say it is no department."""

    NOT_A_DEPARTMENT = "none"
    department = forms.ChoiceField(label=lazy("Department"))
    remember = forms.BooleanField(
        label=lazy("Remember for later documents"), required=False, initial=True
    )

    def __init__(self, *args: Any, departments: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("", "—"),
            (self.NOT_A_DEPARTMENT, _("Not a department (keep as written)")),
        ] + [(str(department.pk), department.name) for department in departments]


class UnitAddForm(forms.Form):
    role = forms.ChoiceField(label=lazy("Role"), choices=UnitRole.choices)
    name = forms.CharField(label=lazy("Name as written"), max_length=200, required=False)
    department = forms.ChoiceField(label=lazy("Department"), required=False)

    def __init__(self, *args: Any, departments: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—")] + [
            (str(department.pk), department.name) for department in departments
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("name") and not data.get("department"):
            raise forms.ValidationError(_("Write the unit's name or pick a department."))
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ProgressReportForm(forms.Form):
    """进度报告: what was done this period, % done, problems, attachments."""

    period = forms.RegexField(
        label=lazy("Period (month)"),
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        max_length=7,
        error_messages={"invalid": lazy("Write the month as YYYY-MM, e.g. 2026-11.")},
        widget=forms.TextInput(attrs={"type": "month"}),
    )
    text = forms.CharField(
        label=pgettext_lazy("plans", "Progress"),
        max_length=REPORT_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    percent_done = forms.IntegerField(label=lazy("Percent done"), min_value=0, max_value=100)
    problems = forms.CharField(
        label=lazy("Problems"),
        max_length=REPORT_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    attachments = MultipleFileField(
        label=lazy("Attachments (PDF, Word, Excel, photos; at most 10 MB each)"), required=False
    )

    def clean_attachments(self) -> list[Any]:
        files = self.cleaned_data.get("attachments") or []
        if len(files) > MAX_ATTACHMENTS:
            raise forms.ValidationError(
                _("At most %(count)s files at a time.") % {"count": MAX_ATTACHMENTS}
            )
        for upload in files:
            if upload.size > MAX_ATTACHMENT_BYTES:
                raise forms.ValidationError(
                    _("%(name)s is larger than 10 MB.") % {"name": Path(upload.name).name}
                )
        return list(files)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=lazy("Reason"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=lazy("Note"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MilestoneForm(forms.Form):
    title = forms.CharField(label=lazy("Milestone"), max_length=300)
    due_on = forms.DateField(label=lazy("Due on"), widget=forms.DateInput(attrs={"type": "date"}))


class DeadlineForm(forms.Form):
    """调整期限: a new deadline (or none) agreed with the departments, with the reason."""

    deadline = forms.DateField(
        label=lazy("New deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=lazy("Reason"), max_length=NOTE_MAX)


class QualityScoreForm(forms.Form):
    department = forms.ChoiceField(label=lazy("Department"))
    score = forms.IntegerField(label=lazy("Quality score (0-100)"), min_value=0, max_value=100)
    comment = forms.CharField(label=lazy("Comment"), max_length=NOTE_MAX, required=False)

    def __init__(self, *args: Any, departments: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(department.pk), department.name) for department in departments]


class WeightsForm(forms.Form):
    """考核权重 (percent, adding up to 100)."""

    weight_on_time = forms.IntegerField(
        label=pgettext_lazy("plans", "On-time rate"), min_value=0, max_value=100
    )
    weight_completion = forms.IntegerField(label=lazy("Completion"), min_value=0, max_value=100)
    weight_quality = forms.IntegerField(label=lazy("Quality score"), min_value=0, max_value=100)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        values = [data.get(name) for name in self.fields]
        if all(value is not None for value in values) and sum(values) != 100:  # type: ignore[arg-type]
            raise forms.ValidationError(
                _("The weights add up to %(total)s; they must add up to 100.")
                % {"total": sum(values)}  # type: ignore[arg-type]
            )
        return data
