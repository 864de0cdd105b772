from django import forms
from django.utils.translation import gettext_lazy as _


class EmailPreferencesForm(forms.Form):
    """One checkbox per notification kind; mandatory kinds show ticked and disabled."""

    def __init__(self, *args, choices, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for kind, enabled in choices:
            self.fields[f"kind_{kind.key}"] = forms.BooleanField(
                label=kind.label,
                required=False,
                initial=enabled,
                disabled=kind.mandatory,
                help_text=_("Always sent: it protects your account.") if kind.mandatory else "",
            )

    def cleaned_choices(self) -> dict[str, bool]:
        return {
            name.removeprefix("kind_"): bool(value)
            for name, value in self.cleaned_data.items()
            if not self.fields[name].disabled
        }
