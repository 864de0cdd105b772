"""OpenID Connect and SAML sign-in against real identity providers on loopback.

The portal side runs in Django's test client; the provider side is the real server, walked
by the rig in tests/sso as a browser would. Browser journeys live in tests/e2e.
"""

import base64
import re
from urllib.parse import urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.core.cache import cache
from django.urls import reverse

from ess.accounts.models import RoleGrant, User
from ess.accounts.roles import Role
from ess.audit.models import AuditEvent
from tests.factories import UserFactory
from tests.sso.idp import oidc_provider, oidc_provider_server, saml_idp, saml_idp_server

__all__ = ["oidc_provider", "oidc_provider_server", "saml_idp", "saml_idp_server"]

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore:datetime.datetime.utcnow:DeprecationWarning"),
]

CALLBACK = "http://testserver/accounts/oidc/corp/login/callback/"
SP_ENTITY_ID = "urn:ess:test-sp"
ROLE_MAP = {"hr_officer": frozenset({"hr"}), "it_agent": frozenset({"it-support"})}


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


@pytest.fixture
def oidc(settings, oidc_provider):
    oidc_provider.set_client(redirect_uris=[CALLBACK])
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [oidc_provider.allauth_app("corp", "Northwind account")],
        }
    }
    settings.ESS_ROLE_MAP = ROLE_MAP
    return oidc_provider


def oidc_sign_in(client, provider, login="alice@example.org", password="alice-pw", consent=True):
    start = client.post("/accounts/oidc/corp/login/")
    assert start.status_code == 302, start.content[:500]
    callback = provider.authorize(
        start["Location"], login=login, password=password, consent=consent
    )
    assert callback.startswith(CALLBACK), callback
    return client.get(_path(callback))


def test_sign_in_page_shows_a_button_per_provider(client, oidc):
    html = client.get(reverse("account_login")).content.decode()
    assert "Sign in with Northwind account" in html


def test_oidc_sign_in_provisions_the_person_just_in_time(client, oidc):
    response = oidc_sign_in(client, oidc)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    user = User.objects.get(email="alice@example.org")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert SocialAccount.objects.get(user=user).uid == "alice"
    assert user.employee.employee_number.startswith("DIR")
    assert user.has_role(Role.EMPLOYEE)
    assert AuditEvent.objects.filter(action="user.provisioned", target_id=str(user.pk)).exists()


def test_groups_claim_grants_roles_and_a_later_sign_in_updates_them(client, oidc):
    oidc.update_user("alice", groups=["hr", "staff"])
    oidc_sign_in(client, oidc)
    alice = User.objects.get(email="alice@example.org")
    assert alice.has_role(Role.HR_OFFICER)
    assert RoleGrant.objects.get(user=alice, role="hr_officer").source == "directory"

    client.post(reverse("account_logout"))
    oidc.update_user("alice", groups=["it-support"])
    oidc_sign_in(client, oidc)
    alice = User.objects.get(pk=alice.pk)
    assert not alice.has_role(Role.HR_OFFICER)
    assert alice.has_role(Role.IT_AGENT)


def test_same_email_with_another_subject_is_not_merged(client, oidc):
    existing = UserFactory(email="alice@example.org")
    response = oidc_sign_in(client, oidc)
    assert response.status_code == 403
    assert "not linked" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not SocialAccount.objects.filter(user=existing).exists()
    assert AuditEvent.objects.filter(
        action="auth.sso_refused", detail__reason="email_in_use"
    ).exists()


def test_linking_by_verified_email_when_the_company_allows_it(client, oidc, settings):
    settings.ESS_SSO_LINK_BY_VERIFIED_EMAIL = True
    existing = UserFactory(email="alice@example.org")
    assert oidc_sign_in(client, oidc).status_code == 302
    assert client.session["_auth_user_id"] == str(existing.pk)
    assert SocialAccount.objects.get(user=existing).uid == "alice"


def test_unverified_email_is_never_linked(client, oidc, settings):
    settings.ESS_SSO_LINK_BY_VERIFIED_EMAIL = True
    existing = UserFactory(email="bob@example.org")
    response = oidc_sign_in(client, oidc, login="bob@example.org", password="bob-pw")
    assert response.status_code == 403
    assert not SocialAccount.objects.filter(user=existing).exists()


def test_refused_consent_explains_and_signs_nobody_in(client, oidc):
    response = oidc_sign_in(client, oidc, consent=False)
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "Sign-in was cancelled" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_forged_callback_state_is_refused_with_a_message(client, oidc):
    client.post("/accounts/oidc/corp/login/")
    response = client.get("/accounts/oidc/corp/login/callback/?code=forged&state=forged")
    assert response.status_code == 401
    assert "could not be accepted" in response.content.decode()
    assert "_auth_user_id" not in client.session


# --- SAML ---------------------------------------------------------------------------------


@pytest.fixture
def saml(settings, saml_idp, client):
    client.defaults["HTTP_HOST"] = "testserver"  # python3-saml reads the Host header
    cache.clear()  # allauth caches IdP metadata
    saml_idp.set_sp(acs_url="http://testserver/accounts/saml/corp/acs/", audience=SP_ENTITY_ID)
    app = saml_idp.allauth_app(org="corp", name="Northwind SAML", sp_entity_id=SP_ENTITY_ID)
    app["settings"]["advanced"] = {
        "want_assertion_signed": True,
        "want_message_signed": False,
        "allow_single_label_domains": True,  # the test client's host is "testserver"
    }
    settings.SOCIALACCOUNT_PROVIDERS = {"saml": {"APPS": [app]}}
    settings.SAML_GROUPS_ATTRIBUTE = "groups"
    settings.ESS_ROLE_MAP = ROLE_MAP
    return saml_idp


def saml_response(client, idp):
    start = client.post("/accounts/saml/corp/login/")
    assert start.status_code == 302, start.content[:500]
    return idp.sign_in(start["Location"])


def post_to_acs(client, post, saml_response=None):
    data = {"SAMLResponse": saml_response or post.saml_response}
    if post.relay_state:
        data["RelayState"] = post.relay_state
    acs = client.post(urlsplit(post.acs_url).path, data)
    assert acs.status_code == 302
    return client.get(acs["Location"])


def test_saml_sign_in_maps_attributes_and_groups(client, saml):
    saml.update_attributes(
        email="sam@example.org", firstName="Sam", lastName="Sæther", groups=["hr", "staff"]
    )
    response = post_to_acs(client, saml_response(client, saml))
    assert response.status_code == 302, response.content.decode()[:1500]
    sam = User.objects.get(email="sam@example.org")
    assert (sam.first_name, sam.last_name) == ("Sam", "Sæther")
    assert client.session["_auth_user_id"] == str(sam.pk)
    assert sam.has_role(Role.HR_OFFICER)
    assert hasattr(sam, "employee")


def _tamper(saml_b64: str) -> str:
    xml = base64.b64decode(saml_b64).decode()
    forged = re.sub(r"sam@example\.org", "mallory@example.org", xml)
    assert forged != xml
    return base64.b64encode(forged.encode()).decode()


def _strip_signatures(saml_b64: str) -> str:
    xml = base64.b64decode(saml_b64).decode()
    bare = re.sub(r"<(\w+:)?Signature\b.*?</(\w+:)?Signature>", "", xml, flags=re.S)
    assert bare != xml
    return base64.b64encode(bare.encode()).decode()


@pytest.mark.parametrize("forge", [_tamper, _strip_signatures], ids=["tampered", "unsigned"])
def test_tampered_or_unsigned_assertion_is_rejected_clearly(client, saml, forge):
    saml.update_attributes(email="sam@example.org")
    post = saml_response(client, saml)
    response = post_to_acs(client, post, forge(post.saml_response))
    assert response.status_code == 401
    assert "signature did not check out" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email__in=["sam@example.org", "mallory@example.org"]).exists()


def test_replayed_assertion_is_rejected(client, saml):
    saml.update_attributes(email="sam@example.org")
    post = saml_response(client, saml)
    assert post_to_acs(client, post).status_code == 302
    client.post(reverse("account_logout"))
    replay = post_to_acs(client, post)
    assert replay.status_code in (401, 403)
    assert "_auth_user_id" not in client.session
