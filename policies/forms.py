import datetime

from django import forms
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ess.accounts.models import User
from ess.accounts.roles import Role
from hr.models import Department, Location
from policies.models import Policy, PolicyVersion


class PolicyForm(forms.ModelForm):
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=User.objects.filter(
            groups__name__in=[Role.HR_OFFICER, Role.ADMIN], is_active=True
        ).distinct(),
        help_text=_("Who keeps this policy current and gets its review reminders."),
    )
    audience_departments = forms.ModelMultipleChoiceField(
        label=_("Departments"),
        queryset=Department.objects.all(),
        required=False,
        help_text=_("Sub-departments are included."),
    )
    audience_locations = forms.ModelMultipleChoiceField(
        label=_("Locations"), queryset=Location.objects.all(), required=False
    )
    audience_roles = forms.ModelMultipleChoiceField(
        label=_("Roles"), queryset=Group.objects.order_by("name"), required=False
    )

    class Meta:
        model = Policy
        fields = [
            "title",
            "slug",
            "category",
            "owner",
            "audience_everyone",
            "audience_departments",
            "audience_locations",
            "audience_roles",
        ]

    def clean(self):
        cleaned = super().clean()
        narrowed = any(
            cleaned.get(f) for f in ("audience_departments", "audience_locations", "audience_roles")
        )
        if not cleaned.get("audience_everyone") and not narrowed:
            raise forms.ValidationError(
                _(
                    "Choose who the policy is for: everyone, or at least one department, "
                    "location or role."
                )
            )
        return cleaned


class VersionForm(forms.ModelForm):
    class Meta:
        model = PolicyVersion
        fields = ["body", "change_summary", "significance", "effective_date", "review_by"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 18}),
            "effective_date": forms.DateInput(attrs={"type": "date"}),
            "review_by": forms.DateInput(attrs={"type": "date"}),
            "significance": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["effective_date"].initial = today
        self.fields["review_by"].initial = today + datetime.timedelta(days=365)


class PublishForm(forms.Form):
    acknowledge_by = forms.DateField(
        label=_("Acknowledge by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("For a major version. Empty: 30 days from today."),
    )

    def clean_acknowledge_by(self):
        value = self.cleaned_data["acknowledge_by"]
        if value and value < timezone.localdate():
            raise forms.ValidationError(_("The date is in the past."))
        return value


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("File or image"),
        help_text=_("PDF, PNG, JPEG, GIF, WebP or an Office document."),
    )
