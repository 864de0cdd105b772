from allauth.account.forms import LoginForm
from django import forms
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.utils.translation import gettext_lazy as _

from ess.accounts.ldap import ldap_enabled


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("Follow my browser")), *settings.LANGUAGES],
        required=False,
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


def break_glass_allowed(user) -> bool:
    """Who may still sign in with a portal password when local sign-in is off."""
    return user.is_superuser or user.is_service_account


class SignInForm(LoginForm):
    """allauth's sign-in form, taught about directory user names and local sign-in policy."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if ldap_enabled():
            # Directory users sign in with their user name (uid / sAMAccountName).
            self.fields["login"] = forms.CharField(
                label=_("E-mail or user name"),
                max_length=254,
                widget=forms.TextInput(attrs={"autocomplete": "username"}),
            )

    def user_credentials(self) -> dict:
        credentials = super().user_credentials()
        # `username` reaches every backend: Django's (e-mail is the user name) and LDAP.
        credentials["username"] = self.cleaned_data["login"]
        credentials.pop("email", None)
        return credentials

    def clean(self):
        cleaned = super().clean()
        user = getattr(self, "user", None)
        if (
            user is not None
            and not settings.ESS_LOCAL_LOGIN
            and getattr(user, "backend", "").endswith(ModelBackend.__name__)
            and not break_glass_allowed(user)
        ):
            self.user = None
            raise forms.ValidationError(
                _("Sign in with your company account using the button below."),
                code="local_login_disabled",
            )
        return cleaned
