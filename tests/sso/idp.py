"""Real SSO identity providers on loopback for tests: an OpenID Connect provider and a SAML IdP.

* `OidcProvider` runs npm `oidc-provider` 9.13.3 (tests/sso/node/oidc_provider.mjs) with one
  client, a users JSON file it reads again on every lookup, and its own plain-HTML login and
  consent forms (the password is checked; "Cancel" sends the RP ``error=access_denied``).
* `SamlIdp` runs npm `saml-idp` 1.2.1 (node_modules/saml-idp/bin/run.js) with a key and
  certificate made by openssl, and a profile JSON file it reads again on every request.

Both start on 127.0.0.1 on a free port, answer within 15 s, and are stopped by PID. They need
Node.js and the packages from package.json (`npm ci`, which `make assets` runs); when either
is missing they raise `MissingTool` saying what to run, they never skip.

Use them as context managers, or through the pytest fixtures at the end of this module: import
them into a conftest.py (``from tests.sso.idp import oidc_provider, saml_idp  # noqa: F401``).
The session-scoped servers start only when a test asks for them; the function-scoped
fixtures reset users, client and profile to the defaults before each test.

    with OidcProvider(redirect_uris=["http://127.0.0.1:8001/cb/"]) as op:
        location = op.authorize(auth_url, login="alice@example.org", password="alice-pw")

Without a browser, `OidcProvider.authorize` and `SamlIdp.sign_in` walk the IdP's own pages
with `requests` and hand back what the browser would carry to the relying party.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import copy
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
NODE_DIR = Path(__file__).resolve().parent / "node"
NODE_MODULES = REPO / "node_modules"
WATCHDOG = NODE_DIR / "watchdog.cjs"
OIDC_SCRIPT = NODE_DIR / "oidc_provider.mjs"
SAML_PROFILE_MODULE = NODE_DIR / "saml_profile.cjs"
SAML_IDP_RUN = NODE_MODULES / "saml-idp" / "bin" / "run.js"
NPM_PACKAGES = {"oidc-provider": "9.13.3", "saml-idp": "1.2.1", "samlp": "7.1.1"}
STARTUP_TIMEOUT = 15.0
EMAIL_NAME_ID = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"

DEFAULT_OIDC_USERS: tuple[dict[str, Any], ...] = (
    {
        "sub": "alice",
        "email": "alice@example.org",
        "email_verified": True,
        "given_name": "Alice",
        "family_name": "Adams",
        "name": "Alice Adams",
        "groups": ["staff"],
        "password": "alice-pw",
    },
    {
        "sub": "bob",
        "email": "bob@example.org",
        "email_verified": False,
        "given_name": "Bob",
        "family_name": "Brown",
        "name": "Bob Brown",
        "groups": [],
        "password": "bob-pw",
    },
)
DEFAULT_SAML_NAME_ID = "sam@example.org"
DEFAULT_SAML_ATTRIBUTES: dict[str, Any] = {
    "email": "sam@example.org",
    "firstName": "Sam",
    "lastName": "Saml",
    "displayName": "Sam Saml",
    "groups": ["staff"],
}


class MissingTool(RuntimeError):
    """Node.js, an npm package or openssl that the SSO rigs need is not installed."""


class RigError(RuntimeError):
    """An IdP did not start, stop or answer as it should."""


class OidcInteractionError(RigError):
    """`OidcProvider.authorize` stopped on an IdP page (e.g. a wrong password's error)."""

    def __init__(self, message: str, response: requests.Response):
        super().__init__(message)
        self.response = response


# --- prerequisites -------------------------------------------------------------------------
def require_node() -> str:
    node = shutil.which("node")
    if not node:
        raise MissingTool(
            "Node.js is not installed; the SSO test IdPs run on it. Install it with "
            "`apt-get -o DPkg::Lock::Timeout=300 install -y nodejs npm` (or `make system-deps`), "
            f"then run `npm ci --no-audit --no-fund` in {REPO} (or `make assets`)."
        )
    return node


def require_npm_packages(*names: str) -> None:
    for name in names:
        manifest = NODE_MODULES / name / "package.json"
        want = NPM_PACKAGES[name]
        try:
            have = json.loads(manifest.read_text())["version"]
        except (OSError, ValueError, KeyError):
            have = None
        if have != want:
            found = f"version {have}" if have else "missing"
            raise MissingTool(
                f"npm package {name}@{want} is {found} in {NODE_MODULES}. Run "
                f"`npm ci --no-audit --no-fund` in {REPO} (or `make assets`); it installs the "
                "devDependencies of package.json."
            )


def require_openssl() -> str:
    openssl = shutil.which("openssl")
    if not openssl:
        raise MissingTool(
            "openssl is not installed; the SAML IdP's certificate is made with it. Install it "
            "with `apt-get -o DPkg::Lock::Timeout=300 install -y openssl`."
        )
    return openssl


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_session() -> requests.Session:
    """A requests session that talks to loopback directly, whatever *_PROXY says."""
    session = requests.Session()
    session.trust_env = False
    return session


def write_json(path: Path, data: Any) -> None:
    """Replace `path` atomically, so the IdP never reads a half-written file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2))
    os.replace(tmp, path)


# --- HTML forms ----------------------------------------------------------------------------
@dataclass
class HtmlForm:
    """One <form> of a page: where it posts and the fields a browser would send."""

    action: str
    method: str = "get"
    fields: dict[str, str] = field(default_factory=dict)
    buttons: list[str] = field(default_factory=list)  # the text of its buttons


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[HtmlForm] = []
        self._form: HtmlForm | None = None
        self._select: str | None = None
        self._options: list[tuple[str | None, str, bool]] = []
        self._option: list[Any] | None = None
        self._button: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = HtmlForm(action=a.get("action", ""), method=a.get("method", "get"))
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            if kind not in {"submit", "button", "image", "reset", "file"}:
                self._form.fields[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select, self._options = a.get("name"), []
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "", "selected" in a]
        elif tag == "button":
            self._button = []

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option[1] += data
        if self._button is not None:
            self._button.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._option is not None:
            value, text, selected = self._option
            self._options.append((value, text.strip(), selected))
            self._option = None
        elif tag == "select" and self._form is not None and self._select:
            chosen = next((o for o in self._options if o[2]), None)
            chosen = chosen or (self._options[0] if self._options else None)
            if chosen:
                self._form.fields[self._select] = chosen[0] if chosen[0] is not None else chosen[1]
            self._select = None
        elif tag == "button" and self._form is not None and self._button is not None:
            self._form.buttons.append(" ".join("".join(self._button).split()))
            self._button = None
        elif tag == "form":
            self._form = None


def parse_forms(html: str) -> list[HtmlForm]:
    """The forms of an HTML page, with the values a browser would submit by default."""
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms


def form_posting_to(html: str, path_suffix: str) -> HtmlForm | None:
    return next((f for f in parse_forms(html) if f.action.endswith(path_suffix)), None)


# --- a Node.js server process --------------------------------------------------------------
class _NodeServer:
    """A node process on 127.0.0.1:<port>, logging to `log_path`, stopped by its PID."""

    name = "node server"
    ready_path = "/"

    def __init__(
        self, *, workdir: Path | str | None, port: int | None, startup_timeout: float
    ) -> None:
        self._own_workdir = workdir is None
        self.workdir = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="ess-sso-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._fixed_port = port
        self.port = port or 0
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = self.workdir / f"{self.name}.log"

    # subclasses: write their files, and give the command line for self.port
    def _prepare(self) -> None:
        raise NotImplementedError

    def _command(self) -> list[str]:
        raise NotImplementedError

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in {"HOST", "PORT", "NODE_OPTIONS"}}
        env.update({"NO_COLOR": "1", "FORCE_COLOR": "0", "NODE_ENV": "test"})
        return env

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def _log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def start(self):
        if self.process and self.process.poll() is None:
            return self
        require_node()
        attempts = 0
        while attempts < 3:
            attempts += 1
            self.port = self._fixed_port or free_port()
            self._prepare()
            with self.log_path.open("ab") as log:
                log.write(f"--- starting {self.name} on port {self.port}\n".encode())
                log.flush()
                self.process = subprocess.Popen(
                    self._command(),
                    cwd=REPO,
                    env=self._env(),
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            atexit.register(self.stop)
            if self._wait_ready():
                return self
            exited = self.process.poll() is not None
            self.stop()
            if exited and "EADDRINUSE" in self._log_tail() and not self._fixed_port:
                continue  # another process took the free port first: pick a new one
            break
        raise RigError(
            f"{self.name} did not answer on {self.url}{self.ready_path} within "
            f"{self.startup_timeout:.0f} s (attempt {attempts}). Log {self.log_path}:\n"
            f"{self._log_tail()}"
        )

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            with contextlib.suppress(requests.RequestException), http_session() as http:
                if http.get(self.url + self.ready_path, timeout=2).status_code == 200:
                    return True
            time.sleep(0.05)
        return False

    def stop(self) -> None:
        process, self.process = self.process, None
        atexit.unregister(self.stop)
        if process is None:
            return
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(process.pid, signal.SIGKILL)
                process.wait(timeout=5)

    def close(self) -> None:
        """Stop, and remove the work folder if this object made it."""
        self.stop()
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- OpenID Connect ------------------------------------------------------------------------
class OidcProvider(_NodeServer):
    """npm oidc-provider with one confidential client (client_secret_basic, PKCE S256 allowed).

    Scopes and claims: ``openid`` → sub; ``email`` → email, email_verified; ``profile`` →
    name, given_name, family_name, groups; ``groups`` → groups. The claims of the granted
    scopes are in the ID token as well as at userinfo.

    Users: dicts with sub, email, email_verified, given_name, family_name, name, groups,
    password, and optionally ``"consent": "auto" | "form"`` to override the provider-wide
    consent mode for that user. Sign in with the e-mail (any case) or the sub.
    """

    name = "oidc-provider"
    ready_path = "/.well-known/openid-configuration"

    def __init__(
        self,
        *,
        redirect_uris: Iterable[str] = (),
        users: Iterable[Mapping[str, Any]] = DEFAULT_OIDC_USERS,
        client_id: str = "ess-test",
        client_secret: str | None = None,
        consent: str = "form",
        require_pkce: bool = False,
        client_metadata: Mapping[str, Any] | None = None,
        workdir: Path | str | None = None,
        port: int | None = None,
        startup_timeout: float = STARTUP_TIMEOUT,
    ) -> None:
        if consent not in {"form", "auto"}:
            raise ValueError('consent must be "form" or "auto"')
        super().__init__(workdir=workdir, port=port, startup_timeout=startup_timeout)
        self.consent = consent
        self.require_pkce = require_pkce
        self.users_path = self.workdir / "oidc-users.json"
        self.clients_path = self.workdir / "oidc-clients.json"
        self._default_users = [dict(u) for u in users]
        self._default_client: dict[str, Any] = {
            "client_id": client_id,
            "client_secret": client_secret or secrets.token_urlsafe(24),
            "redirect_uris": list(redirect_uris),
            "token_endpoint_auth_method": "client_secret_basic",
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            **(client_metadata or {}),
        }
        self._client = copy.deepcopy(self._default_client)
        self._users = copy.deepcopy(self._default_users)

    # endpoints
    @property
    def issuer(self) -> str:
        return self.url

    @property
    def discovery_url(self) -> str:
        return self.issuer + "/.well-known/openid-configuration"

    @property
    def authorization_endpoint(self) -> str:
        return self.issuer + "/auth"

    @property
    def token_endpoint(self) -> str:
        return self.issuer + "/token"

    @property
    def userinfo_endpoint(self) -> str:
        return self.issuer + "/me"

    @property
    def jwks_uri(self) -> str:
        return self.issuer + "/jwks"

    # the client
    @property
    def client(self) -> dict[str, Any]:
        return copy.deepcopy(self._client)

    @property
    def client_id(self) -> str:
        return self._client["client_id"]

    @property
    def client_secret(self) -> str:
        return self._client["client_secret"]

    def set_client(self, **metadata: Any) -> None:
        """Change the client's metadata (e.g. ``redirect_uris=[...]``); takes effect at once.
        The client_id stays the same."""
        if "client_id" in metadata and metadata["client_id"] != self.client_id:
            raise ValueError("set_client cannot change the client_id; start another provider")
        self._client.update(metadata)
        self._write_clients()

    def _write_clients(self) -> None:
        write_json(self.clients_path, {self.client_id: self._client})

    # the users
    @property
    def users(self) -> list[dict[str, Any]]:
        return copy.deepcopy(self._users)

    def user(self, sub: str) -> dict[str, Any]:
        for user in self._users:
            if user["sub"] == sub:
                return copy.deepcopy(user)
        raise KeyError(sub)

    def set_users(self, users: Iterable[Mapping[str, Any]]) -> None:
        """Replace all users; the next sign-in, token or userinfo request sees them."""
        self._users = [dict(u) for u in users]
        write_json(self.users_path, self._users)

    def update_user(self, sub: str, **changes: Any) -> dict[str, Any]:
        """Change some claims of one user, e.g. ``update_user("alice", groups=["hr"])``."""
        users = self.users
        for user in users:
            if user["sub"] == sub:
                user.update(changes)
                self.set_users(users)
                return copy.deepcopy(user)
        raise KeyError(sub)

    def add_user(self, **user: Any) -> None:
        self.set_users([*self._users, user])

    def reset(self) -> None:
        """Back to the users and client given at construction."""
        self._client = copy.deepcopy(self._default_client)
        self._write_clients()
        self.set_users(self._default_users)

    # process
    def _prepare(self) -> None:
        require_npm_packages("oidc-provider")
        self._write_clients()
        write_json(self.users_path, self._users)

    def _command(self) -> list[str]:
        command = [
            require_node(),
            "--require",
            str(WATCHDOG),
            str(OIDC_SCRIPT),
            "--issuer",
            self.issuer,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--clients",
            str(self.clients_path),
            "--users",
            str(self.users_path),
            "--consent",
            self.consent,
        ]
        if self.require_pkce:
            command.append("--require-pkce")
        return command

    # helpers for tests
    def authorization_url(
        self,
        *,
        redirect_uri: str | None = None,
        scope: str = "openid profile email",
        state: str | None = None,
        nonce: str | None = None,
        code_challenge: str | None = None,
        **params: str,
    ) -> str:
        """An authorization-code request URL for the client (what a relying party builds)."""
        query = {
            "client_id": self.client_id,
            "response_type": "code",
            "redirect_uri": redirect_uri or self._client["redirect_uris"][0],
            "scope": scope,
            "state": state or secrets.token_urlsafe(12),
            "nonce": nonce or secrets.token_urlsafe(12),
        }
        if code_challenge:
            query.update(code_challenge=code_challenge, code_challenge_method="S256")
        query.update(params)
        return f"{self.authorization_endpoint}?{urlencode(query)}"

    def authorize(
        self,
        url: str,
        *,
        login: str | None = None,
        password: str | None = None,
        consent: bool = True,
        session: requests.Session | None = None,
        max_steps: int = 20,
    ) -> str:
        """Walk the provider's pages from `url` (its /auth URL, or a relying party's redirect
        to it) as a browser would, and return the first redirect that leaves the provider:
        the relying party's callback URL carrying ``code``/``state`` or ``error``.

        Fills the login form with `login`/`password` and answers the consent form with
        Continue (`consent=True`) or Cancel. Pass the same `session` to keep the provider's
        session cookie between two authorizations (then no login form is shown again).
        Raises `OidcInteractionError` when a page has no way forward, e.g. a wrong password.
        """
        http = session or http_session()
        response = http.get(url, allow_redirects=False, timeout=10)
        for _ in range(max_steps):
            if response.is_redirect:
                location = urljoin(response.url, response.headers["Location"])
                if not location.startswith(self.issuer + "/"):
                    return location
                response = http.get(location, allow_redirects=False, timeout=10)
                continue
            html = response.text
            if response.status_code == 200 and "/login" in html and 'name="password"' in html:
                if login is None or password is None:
                    raise OidcInteractionError("the provider asks for login and password", response)
                if 'role="alert"' in html and response.request.method == "POST":
                    raise OidcInteractionError(_alert_text(html), response)
                form = form_posting_to(html, "/login")
                form.fields.update(login=login, password=password)
                response = http.post(
                    urljoin(response.url, form.action),
                    data=form.fields,
                    allow_redirects=False,
                    timeout=10,
                )
                continue
            if response.status_code == 200 and form_posting_to(html, "/confirm"):
                form = form_posting_to(html, "/confirm" if consent else "/abort")
                response = http.post(
                    urljoin(response.url, form.action),
                    data=form.fields,
                    allow_redirects=False,
                    timeout=10,
                )
                continue
            raise OidcInteractionError(
                f"stuck at {response.url} ({response.status_code}): {_alert_text(html)}", response
            )
        raise RigError(f"no redirect back to the client after {max_steps} steps")

    def allauth_app(self, provider_id: str = "test-oidc", name: str = "Test OIDC") -> dict:
        """An entry for SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"] (allauth)."""
        return {
            "provider_id": provider_id,
            "name": name,
            "client_id": self.client_id,
            "secret": self.client_secret,
            "settings": {"server_url": self.issuer, "token_auth_method": "client_secret_basic"},
        }


def _alert_text(html: str) -> str:
    start = html.find('role="alert">')
    if start < 0:
        return html[:500]
    end = html.find("</", start)
    return html[start + len('role="alert">') : end].strip()


# --- SAML ----------------------------------------------------------------------------------
@dataclass
class SamlPost:
    """What the IdP's auto-submitting page posts to the service provider's ACS."""

    acs_url: str
    saml_response: str  # base64, as posted
    relay_state: str | None

    @property
    def xml(self) -> str:
        return base64.b64decode(self.saml_response).decode()

    @property
    def form_data(self) -> dict[str, str]:
        data = {"SAMLResponse": self.saml_response}
        if self.relay_state:
            data["RelayState"] = self.relay_state
        return data


class SamlIdp(_NodeServer):
    """npm saml-idp: a SAML 2.0 IdP whose "Sign in" form posts whatever profile it shows.

    It checks no password. The profile (NameID and attributes) comes from a JSON file read on
    every request (`set_profile`). Attribute names in the assertion are exactly the keys of
    `attributes` (default: email, firstName, lastName, displayName, groups); a list value is a
    multi-valued attribute. NameFormat is ``...:attrname-format:basic`` for plain names and
    ``...:attrname-format:uri`` for URIs. Both the Response and the Assertion are signed
    (RSA-SHA256, SHA-256 digest, exclusive c14n, the certificate in KeyInfo).

    The ACS URL and audience (the SP entity ID) can change at run time with `set_sp`; an
    AuthnRequest's AssertionConsumerServiceURL is honoured as well.
    """

    name = "saml-idp"
    ready_path = "/metadata"

    def __init__(
        self,
        *,
        acs_url: str = "http://127.0.0.1/acs/",
        audience: str = "urn:ess:test-sp",
        issuer: str = "urn:ess:test-saml-idp",
        name_id: str = DEFAULT_SAML_NAME_ID,
        attributes: Mapping[str, Any] | None = None,
        name_id_format: str = EMAIL_NAME_ID,
        workdir: Path | str | None = None,
        port: int | None = None,
        startup_timeout: float = STARTUP_TIMEOUT,
    ) -> None:
        super().__init__(workdir=workdir, port=port, startup_timeout=startup_timeout)
        self.issuer = issuer
        self._default_sp = {"acs_url": acs_url, "audience": audience}
        self.acs_url, self.audience = acs_url, audience
        self._default_profile = {
            "nameId": name_id,
            "nameIdFormat": name_id_format,
            "attributes": dict(DEFAULT_SAML_ATTRIBUTES if attributes is None else attributes),
        }
        self._profile = copy.deepcopy(self._default_profile)
        self.profile_path = self.workdir / "saml-profile.json"
        self.key_path = self.workdir / "saml-idp-key.pem"
        self.cert_path = self.workdir / "saml-idp-cert.pem"

    @property
    def entity_id(self) -> str:
        return self.issuer

    @property
    def metadata_url(self) -> str:
        return self.url + "/metadata"

    @property
    def sso_url(self) -> str:
        return self.url + "/saml/sso"

    @property
    def cert_pem(self) -> str:
        return self.cert_path.read_text()

    @property
    def cert_base64(self) -> str:
        """The certificate as it appears in metadata and in <ds:X509Certificate>."""
        lines = self.cert_pem.strip().splitlines()
        return "".join(line for line in lines if not line.startswith("-----"))

    @property
    def profile(self) -> dict[str, Any]:
        return copy.deepcopy(self._profile)

    def set_profile(
        self,
        *,
        name_id: str | None = None,
        attributes: Mapping[str, Any] | None = None,
        name_id_format: str | None = None,
    ) -> None:
        """Change what the next sign-in asserts. `attributes` replaces all attributes."""
        if name_id is not None:
            self._profile["nameId"] = name_id
        if name_id_format is not None:
            self._profile["nameIdFormat"] = name_id_format
        if attributes is not None:
            self._profile["attributes"] = dict(attributes)
        write_json(self.profile_path, self._profile)

    def update_attributes(self, **attributes: Any) -> None:
        """Change some attributes, e.g. ``update_attributes(groups=["hr"])``; None removes."""
        merged = {**self._profile["attributes"], **attributes}
        self.set_profile(attributes={k: v for k, v in merged.items() if v is not None})

    def set_sp(self, *, acs_url: str | None = None, audience: str | None = None) -> None:
        """Point the running IdP at another ACS URL and/or audience (saml-idp's /settings)."""
        self.acs_url = acs_url or self.acs_url
        self.audience = audience or self.audience
        if self.process is None:
            return
        with http_session() as http:
            response = http.post(
                self.url + "/settings",
                data={
                    "acsUrl": self.acs_url,
                    "recipient": self.acs_url,
                    "destination": self.acs_url,
                    "audience": self.audience,
                    "serviceProviderId": self.audience,
                },
                allow_redirects=False,
                timeout=10,
            )
        if response.status_code != 302:
            raise RigError(f"saml-idp /settings answered {response.status_code}")

    def reset(self) -> None:
        """Back to the profile, ACS URL and audience given at construction."""
        self._profile = copy.deepcopy(self._default_profile)
        write_json(self.profile_path, self._profile)
        self.set_sp(**self._default_sp)

    def _prepare(self) -> None:
        require_npm_packages("saml-idp", "samlp")
        if not (self.key_path.exists() and self.cert_path.exists()):
            result = subprocess.run(
                [
                    require_openssl(),
                    "req",
                    "-x509",
                    "-new",
                    "-newkey",
                    "rsa:2048",
                    "-nodes",
                    "-subj",
                    "/CN=ESS test SAML IdP",
                    "-keyout",
                    str(self.key_path),
                    "-out",
                    str(self.cert_path),
                    "-days",
                    "3650",
                ],
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            if result.returncode != 0:
                raise RigError(f"openssl failed ({result.returncode}):\n{result.stderr}")
        write_json(self.profile_path, self._profile)

    def _env(self) -> dict[str, str]:
        return {**super()._env(), "SAML_IDP_PROFILE": str(self.profile_path)}

    def _command(self) -> list[str]:
        return [
            require_node(),
            "--require",
            str(WATCHDOG),
            str(SAML_IDP_RUN),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--cert",
            str(self.cert_path),
            "--key",
            str(self.key_path),
            "--issuer",
            self.issuer,
            "--acsUrl",
            self.acs_url,
            "--audience",
            self.audience,
            "--configFile",
            str(SAML_PROFILE_MODULE),
        ]

    # helpers for tests
    def authn_request_url(
        self,
        *,
        acs_url: str | None = None,
        sp_entity_id: str | None = None,
        request_id: str | None = None,
        relay_state: str | None = None,
    ) -> str:
        """An SP-initiated HTTP-Redirect AuthnRequest URL (what a service provider builds)."""
        request_id = request_id or "_" + secrets.token_hex(16)
        instant = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        xml = (
            '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
            'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
            f'ID="{request_id}" Version="2.0" IssueInstant="{instant}" '
            f'Destination="{self.sso_url}" '
            'ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" '
            f'AssertionConsumerServiceURL="{acs_url or self.acs_url}">'
            f"<saml:Issuer>{sp_entity_id or self.audience}</saml:Issuer>"
            "</samlp:AuthnRequest>"
        )
        deflated = zlib.compressobj(9, zlib.DEFLATED, -15)
        raw = deflated.compress(xml.encode()) + deflated.flush()
        query = {"SAMLRequest": base64.b64encode(raw).decode()}
        if relay_state:
            query["RelayState"] = relay_state
        return f"{self.sso_url}?{urlencode(query)}"

    def sign_in(
        self,
        url: str | None = None,
        *,
        session: requests.Session | None = None,
        **fields: str,
    ) -> SamlPost:
        """Open the IdP's page at `url` (a service provider's redirect to /saml/sso with a
        SAMLRequest; by default the IdP's own start page, i.e. IdP-initiated), press
        "Sign in" as a browser would, and return what its auto-submitting page posts to the
        ACS. `fields` override form fields first (e.g. ``groups="a,b"``, ``email=...``)."""
        http = session or http_session()
        page = http.get(url or self.url + "/", timeout=10)
        page.raise_for_status()
        form = form_posting_to(page.text, "/signin")
        if form is None:
            raise RigError(f"no sign-in form at {page.url}:\n{page.text[:500]}")
        form.fields.update(fields)
        posted = http.post(urljoin(page.url, form.action), data=form.fields, timeout=10)
        posted.raise_for_status()
        forms = [f for f in parse_forms(posted.text) if "SAMLResponse" in f.fields]
        if not forms:
            raise RigError(f"no SAMLResponse form after sign-in:\n{posted.text[:1000]}")
        found = forms[0]
        return SamlPost(
            acs_url=found.action,
            saml_response=found.fields["SAMLResponse"],
            relay_state=found.fields.get("RelayState") or None,
        )

    def allauth_app(
        self, org: str = "test-saml", name: str = "Test SAML", sp_entity_id: str | None = None
    ) -> dict:
        """A starting point for an allauth SOCIALACCOUNT_PROVIDERS["saml"]["APPS"] entry. No
        "uid" mapping: allauth then keys the account by the NameID. Give `sp_entity_id` (and
        the same value to `set_sp(audience=...)`) to make the audience independent of the live
        server's port; allauth's default SP entity ID is its /metadata/ URL."""
        app: dict[str, Any] = {
            "name": name,
            "provider_id": self.entity_id,
            "client_id": org,
            "settings": {
                "attribute_mapping": {
                    "email": "email",
                    "first_name": "firstName",
                    "last_name": "lastName",
                },
                "idp": {"entity_id": self.entity_id, "metadata_url": self.metadata_url},
                "advanced": {"want_assertion_signed": True, "want_message_signed": True},
            },
        }
        if sp_entity_id:
            app["settings"]["sp"] = {"entity_id": sp_entity_id}
        return app


# --- browsers ------------------------------------------------------------------------------
SAML_IDP_EXTERNAL_CSS = "**/fonts.googleapis.com/**"


def stub_saml_idp_fonts(target: Any) -> None:
    """saml-idp's bootstrap.css @imports a Google Fonts stylesheet; offline that request fails
    and Chromium logs "Failed to load resource: net::ERR_NAME_NOT_RESOLVED" as a console
    error. Call this with a Playwright Page or BrowserContext before visiting the IdP so the
    request is answered with an empty stylesheet instead."""
    target.route(
        SAML_IDP_EXTERNAL_CSS,
        lambda route: route.fulfill(status=200, content_type="text/css", body=""),
    )


# --- pytest fixtures -----------------------------------------------------------------------
@pytest.fixture(scope="session")
def oidc_provider_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    """One OpenID Connect provider for the whole run, started by the first test that needs it.
    Tests usually want `oidc_provider`, which also resets it."""
    provider = OidcProvider(
        workdir=tmp_path_factory.mktemp("oidc"),
        redirect_uris=["http://127.0.0.1/unset-redirect-uri/"],
    )
    provider.start()
    yield provider
    provider.stop()


@pytest.fixture
def oidc_provider(oidc_provider_server: OidcProvider) -> OidcProvider:
    """The session's OIDC provider with the default users and client (`DEFAULT_OIDC_USERS`);
    call `set_client(redirect_uris=[...])` with your callback URL."""
    oidc_provider_server.reset()
    return oidc_provider_server


@pytest.fixture(scope="session")
def saml_idp_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SamlIdp]:
    """One SAML IdP for the whole run, started by the first test that needs it. Tests
    usually want `saml_idp`, which also resets it."""
    idp = SamlIdp(workdir=tmp_path_factory.mktemp("saml"))
    idp.start()
    yield idp
    idp.stop()


@pytest.fixture
def saml_idp(saml_idp_server: SamlIdp) -> SamlIdp:
    """The session's SAML IdP with the default profile (`DEFAULT_SAML_ATTRIBUTES`); call
    `set_sp(acs_url=..., audience=...)` for your service provider."""
    saml_idp_server.reset()
    return saml_idp_server
