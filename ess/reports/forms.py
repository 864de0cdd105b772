"""The filter bar every report shares: period, department, location, queue, comparison."""

from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from ess.reports.base import ReportFilters
from ess.reports.periods import (
    DEFAULT_PRESET,
    MAX_DAYS,
    PRESET_LABELS,
    Period,
    Preset,
    preset_period,
)
from hr.models import Department, Location


class ReportFilterForm(forms.Form):
    period = forms.ChoiceField(
        label=_("Period"), choices=list(PRESET_LABELS.items()), required=False
    )
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=pgettext_lazy("end of a range", "To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("All departments"),
    )
    location = forms.ModelChoiceField(
        label=_("Location"),
        queryset=Location.objects.none(),
        required=False,
        empty_label=_("All locations"),
    )
    queue = forms.ModelChoiceField(
        label=_("Queue"), queryset=None, required=False, empty_label=_("All queues")
    )
    compare = forms.BooleanField(label=_("Compare with the previous period"), required=False)

    def __init__(self, data=None, *, queues: QuerySet | None = None, uses=frozenset(), **kwargs):
        super().__init__(data, **kwargs)
        self.fields["department"].queryset = Department.objects.order_by("name")
        self.fields["location"].queryset = Location.objects.order_by("name")
        if "queue" in uses and queues is not None:
            self.fields["queue"].queryset = queues
        else:
            del self.fields["queue"]
        for name in ("department", "location"):
            if name not in uses:
                del self.fields[name]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if bool(start) != bool(end) and not self.errors:
            raise ValidationError(_("Give both the first and the last day, or choose a period."))
        if start and end:
            if start > end:
                raise ValidationError(_("The first day must not be after the last day."))
            if (end - start).days >= MAX_DAYS:
                raise ValidationError(
                    ngettext(
                        "Choose at most %(days)d day.", "Choose at most %(days)d days.", MAX_DAYS
                    )
                    % {"days": MAX_DAYS}
                )
        return data

    def filters(self) -> ReportFilters:
        """The chosen filters; on invalid input the default period and no narrowing (the
        page shows the errors beside the figures it could count)."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("start") and data.get("end"):
            period = Period(data["start"], data["end"])
            preset = ""
        else:
            preset = Preset(data.get("period") or DEFAULT_PRESET)
            period = preset_period(preset)
        return ReportFilters(
            period=period,
            preset=str(preset),
            department=data.get("department"),
            location=data.get("location"),
            queue=data.get("queue"),
            compare=bool(data.get("compare")),
        )


def filter_query(filters: ReportFilters, **extra) -> str:
    """The query string that asks for the same filters (and `extra` drill-down keys)."""
    pairs: list[tuple[str, str]] = []
    if filters.preset:
        pairs.append(("period", filters.preset))
    else:
        pairs += [
            ("start", filters.period.start.isoformat()),
            ("end", filters.period.end.isoformat()),
        ]
    for name in ("department", "location", "queue"):
        value = getattr(filters, name)
        if value is not None:
            pairs.append((name, str(value.pk)))
    if filters.compare:
        pairs.append(("compare", "on"))
    pairs += [(key, str(value)) for key, value in extra.items() if value not in (None, "")]
    return urlencode(pairs)
