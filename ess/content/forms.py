"""Forms shared by every kind of versioned content (handbook sections, knowledge articles)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class CompareForm(forms.Form):
    """Pick two versions to compare; `numbers` are the versions the person may see."""

    old = forms.TypedChoiceField(label=_("Compare version"), coerce=int)
    new = forms.TypedChoiceField(label=_("with version"), coerce=int)

    def __init__(self, *args, numbers: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [(n, str(n)) for n in numbers]
        self.fields["old"].choices = self.fields["new"].choices = choices
