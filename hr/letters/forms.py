import re

from django import forms
from django.utils.translation import gettext_lazy as _

from hr.letters import placeholders
from hr.letters.models import Letterhead, LetterTemplate
from hr.letters.selectors import requestable_templates

REFUSED_SIGNS = re.compile(r"[<>{}\\]")
WEB_ADDRESS = re.compile(r"(?i)\b(?:[a-z][a-z0-9+.-]*://|www\.)")


def clean_free_text(value: str) -> str:
    """One line of plain text for a letter: no control characters, markup signs or links."""
    if placeholders.CONTROL.search(value):
        raise forms.ValidationError(_("Remove the invisible control characters."))
    value = " ".join(value.split())
    if REFUSED_SIGNS.search(value):
        raise forms.ValidationError(_("Leave out the signs < > { } and \\."))
    if WEB_ADDRESS.search(value):
        raise forms.ValidationError(_("Leave out web addresses."))
    return value


class LetterRequestForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("Letter"),
        queryset=LetterTemplate.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )
    addressee = forms.CharField(
        label=_("Addressed to"),
        max_length=200,
        help_text=_(
            "Who will read it, for example “Embassy of Japan, The Hague” or “To whom it may "
            "concern”."
        ),
    )
    purpose = forms.CharField(
        label=_("What it is for"),
        max_length=300,
        help_text=_("For example “rental application” or “visa for Japan”. It may be printed."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = requestable_templates()

    def clean_addressee(self) -> str:
        value = clean_free_text(self.cleaned_data["addressee"])
        if len(value) < 2 or not any(ch.isalpha() for ch in value):
            raise forms.ValidationError(_("Write who the letter is addressed to."))
        return value

    def clean_purpose(self) -> str:
        return clean_free_text(self.cleaned_data["purpose"])


class TemplateForm(forms.ModelForm):
    subject = forms.CharField(
        label=_("Subject line"),
        max_length=200,
        help_text=_("Printed in bold above the text. Placeholders work here too."),
    )
    body = forms.CharField(
        label=_("Letter text"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "Plain text; an empty line starts a new paragraph. The closing, signature and "
            "letterhead are added when the letter is printed."
        ),
    )

    class Meta:
        model = LetterTemplate
        fields = ["name", "purpose", "language", "description", "is_active"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        version = self.instance.current_version if self.instance.pk else None
        if version is not None:
            self.fields["subject"].initial = version.subject
            self.fields["body"].initial = version.body

    def clean_subject(self) -> str:
        value = self.cleaned_data["subject"]
        placeholders.validate(value)
        return value

    def clean_body(self) -> str:
        value = self.cleaned_data["body"]
        placeholders.validate(value)
        return value


class LetterheadForm(forms.ModelForm):
    class Meta:
        model = Letterhead
        fields = ["company_name", "address", "contact_line", "signatory_name", "signatory_title"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the employee"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you decline."),
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason for revoking"), max_length=500)


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=40,
        help_text=_("As printed at the foot of the letter; spaces, dashes and case do not matter."),
    )
