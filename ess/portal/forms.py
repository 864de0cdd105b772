"""Bootstrap rendering for every Django form, so templates just write {{ form }}."""

from django.core.exceptions import ValidationError
from django.forms import BoundField
from django.forms.renderers import TemplatesSetting
from django.forms.widgets import (
    CheckboxInput,
    CheckboxSelectMultiple,
    RadioSelect,
    Select,
    SelectMultiple,
)

from ess.portal.widget_rendering import RENDERERS


class BootstrapBoundField(BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if isinstance(widget, (CheckboxInput, CheckboxSelectMultiple, RadioSelect)):
            css = "form-check-input"
        elif isinstance(widget, (Select, SelectMultiple)):
            css = "form-select"
        else:
            css = "form-control"
        if self.errors:
            css += " is-invalid"
            attrs["aria-invalid"] = "true"
        attrs["class"] = f"{attrs.get('class', '')} {css}".strip()
        return attrs


class BootstrapFormRenderer(TemplatesSetting):
    form_template_name = "forms/div.html"
    field_template_name = "forms/field.html"
    bound_field_class = BootstrapBoundField

    def render(self, template_name, context, request=None):
        # Inputs and selects are drawn in Python: the same markup at a fraction of the cost.
        draw = RENDERERS.get(template_name)
        if draw is not None and "widget" in context:
            return draw(context["widget"])
        return super().render(template_name, context, request=request)


def show_refusal(form, error: ValidationError) -> None:
    """Show a service's refusal on the form that asked for it: next to the field it names
    when the form has that field, otherwise above the form. The typed values stay."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
