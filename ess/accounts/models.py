from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ess.accounts.roles import Role


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> "User":
        if not email:
            raise ValueError("Users need an e-mail address")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> "User":
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str) -> "User":
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person or service account that signs in. E-mail is the login."""

    email = models.EmailField(_("e-mail address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("The portal's language for this person; empty follows the browser."),
    )
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    is_service_account = models.BooleanField(
        _("service account"),
        default=False,
        help_text=_("Integration and break-glass accounts that are not employees."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "email"]
        # Directory, queues and reports list people by name; without it every such page
        # sorts the whole user table.
        indexes = [models.Index(fields=["last_name", "first_name", "email"], name="user_by_name")]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email

    def get_absolute_url(self) -> str:
        return reverse("accounts:settings")

    @cached_property
    def role_names(self) -> frozenset[str]:
        """The role groups this user holds; one query, cached on the instance."""
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, *roles: Role) -> bool:
        if self.is_superuser:
            return True
        return any(role in self.role_names for role in roles)


class RoleGrant(models.Model):
    """Why someone holds a role: given by hand in the portal, or by a directory group.

    Group membership is derived from these rows (plus the org chart for `employee` and
    `manager`), so a directory sign-in can take back what the directory gave without
    touching what an administrator granted.
    """

    class Source(models.TextChoices):
        DIRECTORY = "directory", _("Directory")
        MANUAL = "manual", _("Granted in the portal")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("role"), max_length=32, choices=[(r.value, r.value) for r in Role])
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "source"], name="one_grant_per_source")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.role} ({self.source})"


class DirectoryIdentity(models.Model):
    """A person's entry in the LDAP directory, keyed by the login attribute (uid)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="directory_identities")
    source = models.CharField(max_length=32, default="ldap")
    subject = models.CharField(_("directory user name"), max_length=255)
    dn = models.CharField(_("distinguished name"), max_length=1000, blank=True)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("directory identity")
        verbose_name_plural = _("directory identities")
        constraints = [
            models.UniqueConstraint(fields=["source", "subject"], name="one_user_per_subject")
        ]
        indexes = [models.Index(fields=["source", "dn"])]

    def __str__(self) -> str:
        return f"{self.source}:{self.subject}"
