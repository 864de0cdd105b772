"""Who may do what with letters. HR officers (and administrators) run the letter desk;
everyone else sees only their own letters. A manager sees nothing of a report's letters:
a salary statement is between the employee and HR."""

from django.http import Http404

from ess.accounts.models import User
from hr.permissions import is_hr


def can_manage_letters(user: User) -> bool:
    return is_hr(user)


def require(allowed: bool) -> None:
    if not allowed:
        raise Http404
