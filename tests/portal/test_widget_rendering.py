"""The Python drawing of input and select widgets must give the templates' markup exactly."""

import datetime

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.safestring import mark_safe

from ess.portal.forms import BootstrapFormRenderer
from ess.portal.widget_rendering import RENDERERS

HOSTILE = '"><script>alert(1)</script>&amp;'

CHOICES = [
    ("", "—"),
    ("a", "Alpha"),
    (HOSTILE, HOSTILE),
    ("Group <b>", [("g1", "One & two"), ("g2", mark_safe("<em>safe</em>"))]),
]

WIDGETS = [
    (forms.TextInput(), "plain"),
    (forms.TextInput(attrs={"placeholder": HOSTILE, "required": True, "disabled": False}), HOSTILE),
    (forms.TextInput(), None),
    (forms.TextInput(), ""),
    (forms.NumberInput(attrs={"min": 0, "max": 10}), 5),
    (forms.EmailInput(), "a@example.com"),
    (forms.URLInput(), "javascript:alert(1)"),
    (forms.PasswordInput(render_value=True), "secret"),
    (forms.HiddenInput(), 42),
    (forms.DateInput(attrs={"type": "date"}), datetime.date(2026, 11, 23)),
    (forms.SearchInput(), "x"),
    (forms.Select(choices=CHOICES), "a"),
    (forms.Select(choices=CHOICES), HOSTILE),
    (forms.Select(choices=CHOICES, attrs={"aria-describedby": "help", "size": 3}), "g1"),
    (forms.Select(choices=[]), None),
    (forms.SelectMultiple(choices=CHOICES), ["a", "g2"]),
    (forms.NullBooleanSelect(), True),
]


@pytest.mark.parametrize(("widget", "value"), WIDGETS, ids=lambda item: type(item).__name__)
def test_python_drawing_matches_the_template(widget, value):
    context = widget.get_context("field", value, {"id": "id_field", "class": "form-control"})
    assert widget.template_name in RENDERERS
    from_template = TemplatesSetting().render(widget.template_name, context)
    drawn = BootstrapFormRenderer().render(widget.template_name, context)
    assert drawn == from_template


def test_hostile_values_are_escaped():
    html = forms.Select(choices=CHOICES).render("field", HOSTILE, renderer=BootstrapFormRenderer())
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert '<option value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;amp;" selected>' in (
        html
    )


def test_other_widget_templates_still_use_the_template_engine():
    widget = forms.Textarea()
    html = widget.render("notes", "<b>x</b>", renderer=BootstrapFormRenderer())
    assert widget.template_name not in RENDERERS
    assert html.startswith('<textarea name="notes"')
    assert "&lt;b&gt;x&lt;/b&gt;" in html
