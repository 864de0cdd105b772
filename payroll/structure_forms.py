"""Forms for editing one component or one band. They only read the input; the rules a
structure or table must follow are checked by payroll/structure_services.py."""

from dataclasses import asdict

from django import forms
from django.utils.translation import gettext_lazy as _

from payroll.calculation import ComponentData
from payroll.lines import LineKind
from payroll.models import Component, TaxBand, TaxTable
from payroll.structures.rules import COMPONENT_CODE_LENGTH, LABEL_LENGTH

Method = Component.Method


def _money(label: str, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=False, max_digits=12, decimal_places=2, min_value=0, **kwargs
    )


def _rate(label: str, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, max_digits=7, decimal_places=4, min_value=0, max_value=100, **kwargs
    )


class ComponentForm(forms.Form):
    position = forms.IntegerField(
        label=_("Order"),
        min_value=1,
        required=False,
        help_text=_("1 is calculated first. Empty puts a new component last."),
    )
    code = forms.CharField(
        label=_("Code"),
        max_length=COMPONENT_CODE_LENGTH,
        help_text=_("Short and unique in this structure; later components use it as a base."),
    )
    label = forms.CharField(label=_("Label"), max_length=LABEL_LENGTH)
    label_nl = forms.CharField(label=_("Dutch label"), max_length=LABEL_LENGTH, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=LineKind.choices)
    method = forms.ChoiceField(label=_("Method"), choices=Method.choices)
    amount = _money(_("Amount"), help_text=_("For a fixed amount: the monthly amount."))
    rate = _rate(_("Rate (%)"), required=False, help_text=_("For a percentage."))
    base = forms.CharField(
        label=_("Of"),
        max_length=COMPONENT_CODE_LENGTH,
        required=False,
        help_text=_(
            "For a percentage or a table: “gross”, “taxable”, or the code of an earlier component."
        ),
    )
    table_code = forms.ChoiceField(label=_("Tax table"), required=False)
    cap = _money(_("At most"))
    floor = _money(_("At least"))
    prorate = forms.BooleanField(label=_("Prorate by days employed"), required=False)
    taxable = forms.BooleanField(
        label=_("Counts for taxable pay"),
        required=False,
        help_text=_("An earning adds to taxable pay; a deduction lowers it."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        codes = TaxTable.objects.order_by("code").values_list("code", flat=True).distinct()
        self.fields["table_code"].choices = [("", "—"), *((code, code) for code in codes)]

    @staticmethod
    def initial_for(component: Component) -> dict:
        return {"position": component.position, **asdict(ComponentData.from_model(component))}

    def component_data(self) -> ComponentData:
        data = self.cleaned_data
        return ComponentData(
            code=data["code"].strip(),
            label=data["label"].strip(),
            label_nl=data["label_nl"].strip(),
            kind=data["kind"],
            method=data["method"],
            amount=data["amount"],
            rate=data["rate"],
            base=data["base"].strip(),
            table_code=data["table_code"],
            cap=data["cap"],
            floor=data["floor"],
            prorate=data["prorate"],
            taxable=data["taxable"],
        )


class BandForm(forms.Form):
    """A band's end and rate; its start is where the band before it ends."""

    upper = forms.DecimalField(
        label=_("Up to"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
        help_text=_("The next band starts here."),
    )
    rate = _rate(_("Rate (%)"))

    def __init__(self, *args, last: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if last:
            # The last band is open-ended: every amount above its start falls in it.
            del self.fields["upper"]

    @staticmethod
    def initial_for(band: TaxBand) -> dict:
        return {"upper": band.upper, "rate": band.rate}


class NewBandForm(forms.Form):
    lower = forms.DecimalField(
        label=_("From"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
        help_text=_("The band this amount falls in is split here."),
    )
    rate = _rate(_("Rate (%)"))


class StructureFileForm(forms.Form):
    file = forms.FileField(
        label=_("Structures file (TOML)"),
        help_text=_("The whole file is checked first; a file with any problem changes nothing."),
    )

    MAX_SIZE = 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_SIZE:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        return upload
