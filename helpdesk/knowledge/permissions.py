"""Who may read and edit the knowledge base.

Readers see an article while it is live — published, or being edited after it was published
(the published version stays up until the new one replaces it) — and only when they are in
its audience: everyone; service desk agents; or selected departments (a department also
covers everything under it), locations and roles. Editors and administrators read and write
everything. `audience_keys` says the same in the search index's terms, so a search never
shows a title that the article page would then refuse.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from ess.accounts.models import User
from ess.accounts.roles import Role
from helpdesk.knowledge.models import Article, ArticleStatus, Audience
from helpdesk.permissions import AGENT_ROLES
from hr.models import Department

KB_EDITOR_ROLES = (Role.KB_EDITOR, Role.ADMIN)

# Live for readers: published, or a draft / review of an article whose published text stays up.
LIVE_ARTICLES = Q(status=ArticleStatus.PUBLISHED) | Q(
    status__in=[ArticleStatus.DRAFT, ArticleStatus.IN_REVIEW], published_version__isnull=False
)


def can_edit_knowledge(user: User) -> bool:
    return user.is_authenticated and user.has_role(*KB_EDITOR_ROLES)


def require_editor(user: User) -> None:
    if not can_edit_knowledge(user):
        raise PermissionDenied


def is_live(article: Article) -> bool:
    if article.status == ArticleStatus.PUBLISHED:
        return True
    return (
        article.status in (ArticleStatus.DRAFT, ArticleStatus.IN_REVIEW)
        and article.published_version_id is not None
    )


def department_and_ancestors(department_id: int | None) -> list[int]:
    """The person's department and every department above it (one query for the tree)."""
    if department_id is None:
        return []
    parent_of = dict(Department.objects.values_list("pk", "parent_id"))
    chain: list[int] = []
    current: int | None = department_id
    while current is not None and current not in chain:  # a loop in bad data stops here
        chain.append(current)
        current = parent_of.get(current)
    return chain


def audience_filter(user: User) -> Q:
    """The articles whose audience includes this person, as one filter (no joins that
    duplicate rows: the many-to-many tests are subqueries)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if can_edit_knowledge(user):
        return Q()
    allowed = Q(audience=Audience.EVERYONE)
    if user.has_role(*AGENT_ROLES):
        allowed |= Q(audience=Audience.AGENTS)
    through_departments = Article.audience_departments.through
    through_locations = Article.audience_locations.through
    through_roles = Article.audience_roles.through
    employee = _employee_of(user)
    restricted = Q(
        pk__in=through_roles.objects.filter(group__name__in=user.role_names).values("article_id")
    )
    if employee is not None:
        restricted |= Q(
            pk__in=through_departments.objects.filter(
                department_id__in=department_and_ancestors(employee.department_id)
            ).values("article_id")
        )
        if employee.location_id is not None:
            restricted |= Q(
                pk__in=through_locations.objects.filter(location_id=employee.location_id).values(
                    "article_id"
                )
            )
    return allowed | (Q(audience=Audience.RESTRICTED) & restricted)


def _employee_of(user: User):
    try:
        return user.employee
    except User.employee.RelatedObjectDoesNotExist:  # accounts without an HR record
        return None


def readable_filter(user: User) -> Q:
    """Live and in the person's audience; editors see every live article."""
    return LIVE_ARTICLES & audience_filter(user)


def can_read_article(user: User, article: Article) -> bool:
    """Editors read everything, drafts included; others live articles in their audience."""
    if not user.is_authenticated:
        return False
    if can_edit_knowledge(user):
        return True
    if not is_live(article):
        return False
    return Article.objects.filter(audience_filter(user), pk=article.pk).exists()


def audience_keys(article: Article) -> str | list[str]:
    """Who may find the article, in the search index's terms: "everyone", or keys such as
    "dept:3", "loc:1", "role:it_agent". Editors are always listed, so they find everything.

    Reads the audience through `.all()`, so a caller that prefetched the three relations
    pays no queries here."""
    if article.audience == Audience.EVERYONE:
        return "everyone"
    keys: list[str] = []
    if article.audience == Audience.AGENTS:
        keys.extend(f"role:{role}" for role in AGENT_ROLES)
    else:
        keys.extend(f"dept:{department.pk}" for department in article.audience_departments.all())
        keys.extend(f"loc:{location.pk}" for location in article.audience_locations.all())
        keys.extend(f"role:{group.name}" for group in article.audience_roles.all())
    for role in KB_EDITOR_ROLES:
        if f"role:{role}" not in keys:
            keys.append(f"role:{role}")
    return keys
