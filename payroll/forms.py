from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from payroll.periods import parse_period_code

MAX_IMPORT_BYTES = 20 * 1024 * 1024


class PeriodField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Pay period"))
        kwargs.setdefault("help_text", _("Year and month, like 2026-10."))
        kwargs.setdefault("max_length", 7)
        super().__init__(**kwargs)
        self.widget.attrs.update({"placeholder": "2026-10", "inputmode": "numeric"})

    def clean(self, value):
        value = super().clean(value)
        parse_period_code(value)
        return value.strip()


class CalculateForm(forms.Form):
    period = PeriodField()


class ImportForm(forms.Form):
    period = PeriodField()
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns employee_number, code, label, kind, amount, and optionally quantity, rate."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(_("The file is larger than 20 MB."), code="too_large")
        return upload


class ApproveForm(forms.Form):
    release_at = forms.DateTimeField(
        label=_("Release at"),
        required=False,
        help_text=_("Leave empty to release by hand once every PDF is ready."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def clean_release_at(self):
        value = self.cleaned_data["release_at"]
        if value is not None and value <= timezone.now():
            raise ValidationError(_("Choose a release time in the future."), code="past")
        return value


class CorrectionForm(forms.Form):
    lines = forms.CharField(
        label=_("Corrected lines"),
        widget=forms.Textarea(attrs={"rows": 14, "class": "font-monospace", "spellcheck": "false"}),
        help_text=_(
            "The whole payslip as it should be, in the import format: one line per row. "
            "Year-to-date figures are recalculated."
        ),
        max_length=50_000,
    )
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=500,
        help_text=_("The employee sees this on the corrected payslip."),
    )
