"""Django's input and select widget templates, written in Python.

A widget drawn through the template engine costs about a millisecond, a select more with
every option; a filter bar of ten fields and a bulk-action form made that the largest part
of the agent workspace. These functions produce the markup of django/forms/widgets/input.html
and of our templates/django/forms/widgets/select.html byte for byte (a test compares them),
and BootstrapFormRenderer uses them for exactly those templates. A widget with a template of
its own still goes through the template engine.
"""

from collections.abc import Callable

from django.utils.html import conditional_escape


def attributes(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: True is a bare attribute, False leaves it out."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(value)}"')
    return "".join(parts)


def render_input(widget: dict) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{conditional_escape(value)}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}"'
        f' name="{conditional_escape(widget["name"])}"{shown}{attributes(widget["attrs"])}>'
    )


def render_select(widget: dict) -> str:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{attributes(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        parts.extend(
            f'\n  <option value="{conditional_escape(option["value"])}"'
            f"{attributes(option['attrs'])}>{conditional_escape(option['label'])}</option>"
            for option in options
        )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


INPUT_TYPES = (
    "text",
    "number",
    "email",
    "url",
    "password",
    "hidden",
    "date",
    "datetime",
    "time",
    "search",
    "tel",
    "color",
)

# Widget template name → the function that draws it.
RENDERERS: dict[str, Callable[[dict], str]] = {
    "django/forms/widgets/select.html": render_select,
    **{f"django/forms/widgets/{kind}.html": render_input for kind in INPUT_TYPES},
}
