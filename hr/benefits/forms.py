import datetime

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from ess.portal.templatetags.ess import money
from hr.benefits.models import (
    CoverageLevel,
    Dependent,
    EnrolmentWindow,
    LifeEvent,
    Plan,
)
from hr.models import Department, Employee, Location

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CheckboxChoices(forms.CheckboxSelectMultiple):
    """Bootstrap's form-check markup: one box and its label per line."""

    template_name = "benefits/widgets/choices.html"
    option_template_name = "benefits/widgets/choice_option.html"


class RadioChoices(forms.RadioSelect):
    template_name = "benefits/widgets/choices.html"
    option_template_name = "benefits/widgets/choice_option.html"


WAIVE = "waive"


class PlanForm(forms.ModelForm):
    eligible_locations = forms.ModelMultipleChoiceField(
        label=_("Locations"),
        queryset=Location.objects.all(),
        required=False,
        widget=CheckboxChoices,
        help_text=_("None ticked: every location."),
    )
    eligible_departments = forms.ModelMultipleChoiceField(
        label=_("Departments"),
        queryset=Department.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Sub-departments are included. None selected: every department."),
    )
    eligible_contract_types = forms.MultipleChoiceField(
        label=_("Contract types"),
        choices=Employee.ContractType.choices,
        required=False,
        widget=CheckboxChoices,
        help_text=_("None ticked: every contract type."),
    )

    class Meta:
        model = Plan
        fields = [
            "name",
            "category",
            "description",
            "provider",
            "currency",
            "is_active",
            "eligible_locations",
            "eligible_departments",
            "eligible_contract_types",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}


class CoverageLevelForm(forms.ModelForm):
    class Meta:
        model = CoverageLevel
        fields = [
            "name",
            "covers",
            "employee_monthly_cost",
            "employer_monthly_contribution",
            "position",
        ]


class WindowForm(forms.ModelForm):
    class Meta:
        model = EnrolmentWindow
        fields = ["plan_year", "opens_on", "closes_on"]
        widgets = {"opens_on": DATE, "closes_on": DATE}


class DependentForm(forms.ModelForm):
    class Meta:
        model = Dependent
        fields = ["full_name", "relationship", "date_of_birth"]
        widgets = {"date_of_birth": DATE}


class DependentChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Dependent) -> str:
        return f"{obj.full_name} ({obj.get_relationship_display()})"


class ElectionForm(forms.Form):
    """Choose one coverage level of a plan, or waive it; tick who the level covers."""

    choice = forms.ChoiceField(label=_("Coverage"), widget=RadioChoices)
    dependents = DependentChoiceField(
        label=_("Who is covered besides you"),
        queryset=Dependent.objects.none(),
        required=False,
        widget=CheckboxChoices,
        help_text=_("Only for coverage levels that include a partner, children or family."),
    )

    def __init__(self, *args, plan: Plan, dependents, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.levels = {str(level.pk): level for level in plan.levels.all()}
        choices = [
            (
                key,
                _("%(level)s: you pay %(cost)s, the employer %(employer)s per month")
                % {
                    "level": level.name,
                    "cost": money(level.employee_monthly_cost, plan.currency),
                    "employer": money(level.employer_monthly_contribution, plan.currency),
                },
            )
            for key, level in self.levels.items()
        ]
        self.fields["choice"].choices = [*choices, (WAIVE, _("Waive this plan"))]
        self.fields["dependents"].queryset = dependents
        if not dependents:
            del self.fields["dependents"]

    @property
    def coverage_level(self) -> CoverageLevel | None:
        return self.levels.get(self.cleaned_data["choice"])


class LifeEventForm(forms.ModelForm):
    document = forms.FileField(
        label=_("Supporting document (optional)"),
        required=False,
        help_text=_("A certificate or letter: PDF, an image or an Office document."),
    )

    class Meta:
        model = LifeEvent
        fields = ["kind", "event_date", "description"]
        widgets = {"event_date": DATE, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event_date"].initial = timezone.localdate()


class DocumentForm(forms.Form):
    document = forms.FileField(label=_("Supporting document"))


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the employee (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ExtraLeaveDecisionForm(DecisionForm):
    seen = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def clean_seen(self) -> datetime.datetime:
        try:
            value = parse_datetime(self.cleaned_data["seen"])
        except ValueError:
            value = None
        if value is None:
            raise forms.ValidationError(_("Reload the page and try again."))
        return value
