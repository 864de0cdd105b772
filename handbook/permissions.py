"""Who may read and edit the handbook.

Everyone signed in reads published sections. Editors (HR officers and administrators) see
drafts too, and write, review and publish. A section someone may not see answers 404; one
they may read but not change answers 403.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from ess.accounts.models import User
from ess.accounts.roles import Role
from handbook.models import Section, SectionVersion

HANDBOOK_EDITOR_ROLES = (Role.HR_OFFICER, Role.ADMIN)

# A section is published when it has a published version; a sub-section also needs its
# parent published, so nobody reads a fragment whose context is still a draft.
PUBLISHED_SECTIONS = Q(current_version__isnull=False) & (
    Q(parent__isnull=True) | Q(parent__current_version__isnull=False)
)


def can_edit_handbook(user: User) -> bool:
    return user.is_authenticated and user.has_role(*HANDBOOK_EDITOR_ROLES)


def is_own_work(version: SectionVersion, user: User) -> bool:
    """The author and the last editor of a version may not review it."""
    return user.pk in (version.author_id, version.last_edited_by_id)


def require_editor(user: User) -> None:
    if not can_edit_handbook(user):
        raise PermissionDenied


def readable_sections(user: User) -> QuerySet[Section]:
    """The sections this person may open: every one for editors, published ones otherwise."""
    sections = Section.objects.all()
    return sections if can_edit_handbook(user) else sections.filter(PUBLISHED_SECTIONS)


def readable_versions(user: User, section: Section) -> QuerySet[SectionVersion]:
    versions = section.versions.all()
    if can_edit_handbook(user):
        return versions
    return versions.filter(status__in=SectionVersion.READABLE_STATUSES)


def get_section_for_editor(user: User, pk: int) -> Section:
    """A section to change: 404 if the person cannot even read it, 403 if they only read."""
    section = get_object_or_404(
        readable_sections(user).select_related("chapter", "owner", "current_version"), pk=pk
    )
    require_editor(user)
    return section


def get_version_for_editor(user: User, pk: int) -> SectionVersion:
    version = get_object_or_404(
        SectionVersion.objects.select_related("section__chapter", "author", "reviewer"), pk=pk
    )
    if not can_edit_handbook(user):
        readable = (
            version.status in SectionVersion.READABLE_STATUSES
            and readable_sections(user).filter(pk=version.section_id).exists()
        )
        if not readable:
            raise Http404
        raise PermissionDenied
    return version
