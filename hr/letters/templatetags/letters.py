from django import template

from hr.letters.models import Letter
from hr.letters.tables import status_badge as _status_badge

register = template.Library()


@register.simple_tag
def status_badge(letter: Letter) -> str:
    return _status_badge(letter)
