"""The SSO test rigs themselves work: a real OIDC provider and a real SAML IdP, no ESS code.

The relying party here is `requests` against a redirect URI where nothing listens: each flow
stops at the redirect back to it and reads ``code``/``error`` from the URL.
"""

import base64
import hashlib
import secrets
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import jwt
import pytest
import requests
from lxml import etree
from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.settings import OneLogin_Saml2_Settings

from tests.sso import idp as rigs
from tests.sso.idp import (
    MissingTool,
    OidcInteractionError,
    OidcProvider,
    SamlIdp,
    form_posting_to,
    oidc_provider,
    oidc_provider_server,
    saml_idp,
    saml_idp_server,
)

__all__ = ["oidc_provider", "oidc_provider_server", "saml_idp", "saml_idp_server"]

# python3-saml's own use of datetime.utcnow().
pytestmark = pytest.mark.filterwarnings("ignore:datetime.datetime.utcnow:DeprecationWarning")

REDIRECT_URI = "http://127.0.0.1:9/accounts/oidc/test-oidc/login/callback/"
SAML = {
    "samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
    "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
    "md": "urn:oasis:names:tc:SAML:2.0:metadata",
}


# --- OpenID Connect ------------------------------------------------------------------------
@pytest.fixture
def op(oidc_provider: OidcProvider) -> OidcProvider:
    oidc_provider.set_client(redirect_uris=[REDIRECT_URI])
    return oidc_provider


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def callback_params(location: str) -> dict[str, str]:
    assert location.startswith(REDIRECT_URI), location
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def sign_in(
    op: OidcProvider, session: requests.Session, *, login: str, password: str
) -> tuple[dict, dict]:
    """A full authorization-code + PKCE flow; returns (ID token claims, userinfo)."""
    verifier, challenge = pkce_pair()
    state, nonce = secrets.token_urlsafe(8), secrets.token_urlsafe(8)
    url = op.authorization_url(state=state, nonce=nonce, code_challenge=challenge)
    params = callback_params(op.authorize(url, login=login, password=password, session=session))
    assert params["state"] == state
    assert params["iss"] == op.issuer

    token = requests.post(
        op.token_endpoint,
        auth=(op.client_id, op.client_secret),  # client_secret_basic
        data={
            "grant_type": "authorization_code",
            "code": params["code"],
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        },
        timeout=10,
    )
    assert token.status_code == 200, token.text
    tokens = token.json()
    signing_key = jwt.PyJWKClient(op.jwks_uri).get_signing_key_from_jwt(tokens["id_token"])
    id_token = jwt.decode(
        tokens["id_token"],
        signing_key.key,
        algorithms=["RS256"],
        audience=op.client_id,
        issuer=op.issuer,
    )
    assert id_token["nonce"] == nonce
    userinfo = requests.get(
        op.userinfo_endpoint,
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        timeout=10,
    )
    assert userinfo.status_code == 200, userinfo.text
    return id_token, userinfo.json()


def test_oidc_discovery(op: OidcProvider) -> None:
    config = requests.get(op.discovery_url, timeout=10).json()
    assert config["issuer"] == op.issuer
    assert config["authorization_endpoint"] == op.authorization_endpoint
    assert config["token_endpoint"] == op.token_endpoint
    assert config["userinfo_endpoint"] == op.userinfo_endpoint
    assert "client_secret_basic" in config["token_endpoint_auth_methods_supported"]
    assert config["code_challenge_methods_supported"] == ["S256"]
    assert {"openid", "email", "profile", "groups"} <= set(config["scopes_supported"])
    assert {"email", "email_verified", "groups", "given_name"} <= set(config["claims_supported"])


def test_oidc_code_flow_with_pkce_and_claims_that_change(op: OidcProvider) -> None:
    session = requests.Session()
    id_token, userinfo = sign_in(op, session, login="Alice@Example.org", password="alice-pw")
    for claims in (id_token, userinfo):
        assert claims["sub"] == "alice"
        assert claims["email"] == "alice@example.org"
        assert claims["email_verified"] is True
        assert claims["given_name"] == "Alice"
        assert claims["groups"] == ["staff"]
        assert "password" not in claims

    op.update_user("alice", groups=["staff", "hr-officers"], family_name="Archer")
    # Same browser session: no login form, no consent form, straight back with a code.
    id_token, userinfo = sign_in(op, session, login="unused", password="unused")
    assert id_token["groups"] == userinfo["groups"] == ["staff", "hr-officers"]
    assert userinfo["family_name"] == "Archer"


def test_oidc_wrong_password_shows_error_and_issues_no_code(op: OidcProvider) -> None:
    session = requests.Session()
    url = op.authorization_url()
    with pytest.raises(OidcInteractionError, match="Invalid login or password") as failure:
        op.authorize(url, login="alice@example.org", password="wrong", session=session)
    page = failure.value.response  # the answer to the login POST: no redirect, no code
    assert page.status_code == 200
    assert "Location" not in page.headers
    assert 'role="alert"' in page.text
    # The login form is shown again, filled in; the right password then goes through.
    form = form_posting_to(page.text, "/login")
    assert form.fields["login"] == "alice@example.org"
    form.fields["password"] = "alice-pw"
    answer = session.post(
        urljoin(page.url, form.action), data=form.fields, allow_redirects=False, timeout=10
    )
    assert answer.is_redirect
    assert not answer.headers["Location"].startswith(REDIRECT_URI)  # consent comes first


def test_oidc_cancel_at_consent_gives_access_denied(op: OidcProvider) -> None:
    location = op.authorize(
        op.authorization_url(state="s1"), login="bob", password="bob-pw", consent=False
    )
    params = callback_params(location)
    assert params["error"] == "access_denied"
    assert params["state"] == "s1"
    assert "code" not in params


def test_oidc_consent_auto_per_user_and_unverified_email(op: OidcProvider) -> None:
    op.update_user("bob", consent="auto")
    # No consent form is shown, so even "cancel at consent" comes back with a code.
    location = op.authorize(op.authorization_url(), login="bob", password="bob-pw", consent=False)
    assert "code" in callback_params(location)
    _, userinfo = sign_in(op, requests.Session(), login="bob@example.org", password="bob-pw")
    assert userinfo["email_verified"] is False
    assert userinfo["groups"] == []


# --- SAML ----------------------------------------------------------------------------------
ACS_URL = "http://127.0.0.1:9/accounts/saml/test-saml/acs/"
SP_ENTITY_ID = "http://127.0.0.1:9/accounts/saml/test-saml/metadata/"


@pytest.fixture
def idp(saml_idp: SamlIdp) -> SamlIdp:
    saml_idp.set_sp(acs_url=ACS_URL, audience=SP_ENTITY_ID)
    return saml_idp


def attributes_of(xml: str) -> dict[str, tuple[str, list[str]]]:
    root = etree.fromstring(xml.encode())
    return {
        a.get("Name"): (
            a.get("NameFormat"),
            [v.text or "" for v in a.findall("saml:AttributeValue", SAML)],
        )
        for a in root.iterfind(".//saml:Attribute", SAML)
    }


def validate_like_allauth(
    idp: SamlIdp, saml_response: str, request_id: str | None = None
) -> OneLogin_Saml2_Response:
    """python3-saml (what allauth uses) accepts it with signed assertion and message."""
    settings = OneLogin_Saml2_Settings(
        {
            "strict": True,
            "sp": {
                "entityId": SP_ENTITY_ID,
                "assertionConsumerService": {"url": ACS_URL},
            },
            "idp": {
                "entityId": idp.entity_id,
                "singleSignOnService": {"url": idp.sso_url},
                "x509cert": idp.cert_base64,
            },
            "security": {"wantAssertionsSigned": True, "wantMessagesSigned": True},
        },
        sp_validation_only=True,
    )
    response = OneLogin_Saml2_Response(settings, saml_response)
    acs = urlsplit(ACS_URL)
    request_data = {
        "https": "off",
        "http_host": acs.netloc,
        "script_name": acs.path,
        "get_data": {},
        "post_data": {"SAMLResponse": saml_response},
    }
    assert response.is_valid(request_data, request_id, raise_exceptions=True)
    return response


def test_saml_metadata_has_the_generated_certificate(idp: SamlIdp) -> None:
    xml = requests.get(idp.metadata_url, timeout=10).content
    root = etree.fromstring(xml)
    assert root.get("entityID") == idp.entity_id
    certs = [
        "".join(c.text.split())
        for c in root.iterfind(".//md:KeyDescriptor//ds:X509Certificate", SAML)
    ]
    assert certs
    assert set(certs) == {idp.cert_base64}
    sso = root.find(".//md:SingleSignOnService", SAML)
    assert sso.get("Location").endswith("/saml/sso")


def test_saml_idp_initiated_sign_in_asserts_profile_signed(idp: SamlIdp) -> None:
    posted = idp.sign_in()
    assert posted.acs_url == ACS_URL
    xml = posted.xml
    root = etree.fromstring(xml.encode())
    assertion = root.find("saml:Assertion", SAML)
    # Both the Response and the Assertion carry an enveloped signature.
    assert root.find("ds:Signature", SAML) is not None
    assert assertion.find("ds:Signature", SAML) is not None
    assert root.get("Destination") == ACS_URL
    assert assertion.findtext(".//saml:Audience", namespaces=SAML) == SP_ENTITY_ID
    assert assertion.findtext("saml:Subject/saml:NameID", namespaces=SAML) == "sam@example.org"
    basic = "urn:oasis:names:tc:SAML:2.0:attrname-format:basic"
    assert attributes_of(xml) == {
        "email": (basic, ["sam@example.org"]),
        "firstName": (basic, ["Sam"]),
        "lastName": (basic, ["Saml"]),
        "displayName": (basic, ["Sam Saml"]),
        "groups": (basic, ["staff"]),
    }
    response = validate_like_allauth(idp, posted.saml_response)
    assert response.get_attributes()["groups"] == ["staff"]


def test_saml_sp_initiated_with_changed_profile(idp: SamlIdp) -> None:
    idp.update_attributes(groups=["staff", "payroll, officers"], email="sam.new@example.org")
    url = idp.authn_request_url(request_id="_req42", relay_state="/after/")
    posted = idp.sign_in(url)
    assert posted.relay_state == "/after/"
    root = etree.fromstring(posted.xml.encode())
    assert root.get("InResponseTo") == "_req42"
    attributes = attributes_of(posted.xml)
    assert attributes["groups"][1] == ["staff", "payroll, officers"]
    assert attributes["email"][1] == ["sam.new@example.org"]
    validate_like_allauth(idp, posted.saml_response, request_id="_req42")

    # An empty list leaves the attribute out; a URI name gets the uri NameFormat.
    idp.update_attributes(groups=[], **{"urn:oid:0.9.2342.19200300.100.1.3": "sam@example.org"})
    attributes = attributes_of(idp.sign_in().xml)
    assert "groups" not in attributes
    assert attributes["urn:oid:0.9.2342.19200300.100.1.3"] == (
        "urn:oasis:names:tc:SAML:2.0:attrname-format:uri",
        ["sam@example.org"],
    )
    # What a browser user types into the form wins for that one response.
    attributes = attributes_of(idp.sign_in(groups="a, b").xml)
    assert attributes["groups"][1] == ["a", "b"]


# --- prerequisites -------------------------------------------------------------------------
def test_missing_npm_packages_say_what_to_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(rigs, "NODE_MODULES", tmp_path / "node_modules")
    with pytest.raises(MissingTool, match=r"oidc-provider@9\.13\.3 is missing.*npm ci"):
        OidcProvider(workdir=tmp_path).start()
    with pytest.raises(MissingTool, match=r"saml-idp@1\.2\.1 is missing.*make assets"):
        SamlIdp(workdir=tmp_path).start()


def test_missing_node_says_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(MissingTool, match=r"apt-get .*install -y nodejs npm"):
        OidcProvider(workdir=tmp_path).start()
