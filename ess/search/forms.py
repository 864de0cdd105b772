"""The search page's query, the analytics date range, and the synonym group editor."""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from ess.search.models import DocumentType

# Longer queries are cut, not refused: a pasted error message should still find something.
QUERY_MAX_LENGTH = 200
PAGE_SIZE = 10
# Nobody reads result page 100; the cap keeps offsets (and the engine's work) bounded.
MAX_PAGE = 50


@dataclass(frozen=True)
class SearchCriteria:
    """What the search page was asked for. Unknown filter values are dropped rather than
    refused, so a stale bookmark or a hand-edited URL still shows results for the query."""

    q: str = ""
    types: tuple[str, ...] = ()
    space: str = ""
    lang: str = ""
    page: int = 1

    @classmethod
    def from_query(cls, params: QueryDict) -> "SearchCriteria":
        try:
            page = min(max(int(params.get("page", "1")), 1), MAX_PAGE)
        except ValueError:
            page = 1
        return cls(
            q=" ".join(params.get("q", "").split())[:QUERY_MAX_LENGTH],
            types=tuple(
                t for t in dict.fromkeys(params.getlist("type")) if t in DocumentType.values
            ),
            space=params.get("space", "")[:100],
            lang=params.get("lang", "")[:8],
            page=page,
        )

    @property
    def offset(self) -> int:
        return (self.page - 1) * PAGE_SIZE

    def url_params(self, **changes) -> str:
        """The query string for the same search with some criteria changed (page reset)."""
        values = {
            "q": self.q,
            "type": list(self.types),
            "space": self.space,
            "lang": self.lang,
            "page": 1,
            **changes,
        }
        pairs = [
            (k, v)
            for k, vs in values.items()
            for v in (vs if isinstance(vs, list | tuple) else [vs])
            if v not in ("", None) and not (k == "page" and v == 1)
        ]
        return urlencode(pairs)


PERIOD_CHOICES = [("7", _("Last 7 days")), ("30", _("Last 30 days")), ("90", _("Last 90 days"))]
DEFAULT_PERIOD = "30"


# Longer ranges make the per-day chart unreadable and the aggregates slow to no purpose.
MAX_RANGE_DAYS = 366


class DateRangeForm(forms.Form):
    """A preset (7, 30, 90 days up to today) or explicit first and last days, inclusive."""

    period = forms.ChoiceField(label=_("Period"), choices=PERIOD_CHOICES, required=False)
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=pgettext_lazy("end of a range", "To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                raise ValidationError(_("The first day must not be after the last day."))
            if (end - start).days >= MAX_RANGE_DAYS:
                raise ValidationError(
                    ngettext(
                        "Choose at most %(days)d day.",
                        "Choose at most %(days)d days.",
                        MAX_RANGE_DAYS,
                    )
                    % {"days": MAX_RANGE_DAYS}
                )
        return data

    def date_range(self) -> tuple[datetime.date, datetime.date]:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("start") and data.get("end"):
            return data["start"], data["end"]
        days = int(data.get("period") or DEFAULT_PERIOD)
        return today - datetime.timedelta(days=days - 1), today


SYNONYM_MAX_PHRASE = 60


class SynonymForm(forms.Form):
    terms = forms.CharField(
        label=_("Words or phrases that mean the same"),
        help_text=_("Separate them with commas, for example: laptop, notebook, computer."),
        max_length=1000,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def clean_terms(self) -> str:
        phrases = [" ".join(p.split()) for p in self.cleaned_data["terms"].split(",")]
        phrases = [p for p in phrases if p]
        if len(phrases) < 2:
            raise ValidationError(_("Give at least two words or phrases, separated by commas."))
        too_long = [p for p in phrases if len(p) > SYNONYM_MAX_PHRASE]
        if too_long:
            raise ValidationError(
                _("Keep each phrase to %(max)d characters; too long: %(phrase)s")
                % {"max": SYNONYM_MAX_PHRASE, "phrase": too_long[0]}
            )
        seen: set[str] = set()
        for phrase in phrases:
            if phrase.casefold() in seen:
                raise ValidationError(
                    _("“%(phrase)s” appears twice in the group.") % {"phrase": phrase}
                )
            seen.add(phrase.casefold())
        return ", ".join(phrases)
