from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hr import validation
from hr.models import ChangeRequest
from hr.profile_fields import country_choices

Kind = ChangeRequest.Kind


def _cleaned(field: str, cleaner):
    """A clean_<field> method that runs one validation function."""

    def clean(self):
        return cleaner(self.cleaned_data.get(field, ""))

    return clean


class CountryField(forms.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=country_choices, **kwargs)


class DirectProfileForm(forms.Form):
    preferred_name = forms.CharField(
        label=_("Preferred name"),
        max_length=100,
        required=False,
        help_text=_("What colleagues call you, if not your legal first name."),
    )
    personal_phone = forms.CharField(
        label=_("Personal phone"),
        max_length=32,
        required=False,
        help_text=_("International format, for example +31 6 1234 5678."),
    )
    personal_email = forms.EmailField(label=_("Personal e-mail"), required=False)

    clean_preferred_name = _cleaned("preferred_name", validation.clean_person_name)
    clean_personal_phone = _cleaned("personal_phone", validation.clean_phone)


class EmergencyContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    relationship = forms.CharField(label=_("Relationship"), max_length=60)
    phone = forms.CharField(label=_("Phone"), max_length=32)

    clean_name = _cleaned("name", validation.clean_person_name)
    clean_relationship = _cleaned("relationship", validation.clean_person_name)
    clean_phone = _cleaned("phone", validation.clean_phone)


EmergencyContactFormSet = forms.formset_factory(
    EmergencyContactForm, extra=1, max_num=3, validate_max=True, can_delete=True
)


class ChangeRequestForm(forms.Form):
    """The common part of every change request; subclasses add the fields of one kind."""

    kind: str
    effective_date = forms.DateField(
        label=_("Takes effect on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Today or a later date; HR applies it on that day."),
    )
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    document = forms.FileField(
        label=_("Supporting document (optional)"),
        required=False,
        help_text=_("PDF or image, up to 10 MB."),
    )

    field_order = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective_date"].initial = timezone.localdate()
        common = ("effective_date", "reason", "document")
        self.order_fields([name for name in self.fields if name not in common] + list(common))

    def clean_effective_date(self):
        return validation.clean_effective_date(self.cleaned_data["effective_date"])

    def clean_reason(self):
        return validation.clean_text(self.cleaned_data.get("reason", ""), allow_newlines=True)

    def values(self) -> dict:
        """The profile values this request proposes."""
        common = {"effective_date", "reason", "document"}
        return {name: value for name, value in self.cleaned_data.items() if name not in common}


class LegalNameForm(ChangeRequestForm):
    kind = Kind.LEGAL_NAME
    legal_first_name = forms.CharField(label=_("Legal first name(s)"), max_length=100)
    legal_last_name = forms.CharField(label=_("Legal last name"), max_length=100)

    clean_legal_first_name = _cleaned("legal_first_name", validation.clean_person_name)
    clean_legal_last_name = _cleaned("legal_last_name", validation.clean_person_name)


class DateOfBirthForm(ChangeRequestForm):
    kind = Kind.DATE_OF_BIRTH
    date_of_birth = forms.DateField(
        label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date"})
    )

    clean_date_of_birth = _cleaned("date_of_birth", validation.clean_date_of_birth)


class AddressForm(ChangeRequestForm):
    kind = Kind.ADDRESS
    address_line1 = forms.CharField(label=_("Street and number"), max_length=200)
    address_line2 = forms.CharField(label=_("Address line 2"), max_length=200, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=16)
    city = forms.CharField(label=_("City"), max_length=100)
    country = CountryField(label=_("Country"))

    clean_address_line1 = _cleaned("address_line1", validation.clean_text)
    clean_address_line2 = _cleaned("address_line2", validation.clean_text)
    clean_city = _cleaned("city", validation.clean_text)

    def clean(self):
        data = super().clean()
        if "postcode" in data and data.get("country"):
            try:
                data["postcode"] = validation.clean_postcode(
                    data["postcode"], country=data["country"]
                )
            except ValidationError as error:
                self.add_error("postcode", error)
        return data


class BankAccountForm(ChangeRequestForm):
    kind = Kind.BANK_ACCOUNT
    iban = forms.CharField(label=_("IBAN"), max_length=42)
    bank_account_holder = forms.CharField(label=_("Account holder"), max_length=150)

    clean_iban = _cleaned("iban", validation.clean_iban)
    clean_bank_account_holder = _cleaned("bank_account_holder", validation.clean_person_name)


class NationalIdForm(ChangeRequestForm):
    kind = Kind.NATIONAL_ID
    national_id_country = CountryField(label=_("Issuing country"))
    national_id = forms.CharField(label=_("National ID number"), max_length=40)

    def clean(self):
        data = super().clean()
        if "national_id" in data and data.get("national_id_country"):
            try:
                data["national_id"] = validation.clean_national_id(
                    data["national_id"], country=data["national_id_country"]
                )
            except ValidationError as error:
                self.add_error("national_id", error)
        return data


class TaxResidencyForm(ChangeRequestForm):
    kind = Kind.TAX_RESIDENCY
    tax_residency = CountryField(label=_("Country of tax residence"))


CHANGE_REQUEST_FORMS: dict[str, type[ChangeRequestForm]] = {
    form.kind: form
    for form in (
        LegalNameForm,
        DateOfBirthForm,
        AddressForm,
        BankAccountForm,
        NationalIdForm,
        TaxResidencyForm,
    )
}


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            ("approve", _("Approve")),
            ("ask_info", _("Ask for information")),
            ("reject", _("Reject")),
        ],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    note = forms.CharField(
        label=_("Note to the employee"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you reject or ask for information."),
    )

    def clean_note(self):
        return validation.clean_text(self.cleaned_data.get("note", ""), allow_newlines=True)


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_body(self):
        return validation.clean_text(self.cleaned_data["body"], allow_newlines=True)
