// A real OpenID Connect provider (npm oidc-provider 9.13.3) for the SSO test rigs.
//
// Started by tests/sso/idp.py (OidcProvider); run by hand with:
//   node tests/sso/node/oidc_provider.mjs --issuer http://127.0.0.1:7001 --port 7001 \
//     --clients clients.json --users users.json [--consent form|auto] [--require-pkce]
//
// * clients.json: {"<client_id>": {client_id, client_secret, redirect_uris, ...}}; read again
//   whenever the provider looks a client up, so a test may change redirect_uris at run time.
// * users.json: [{sub, email, email_verified, given_name, family_name, name, groups, password,
//   consent?}]; read again on every findAccount and every sign-in, so a test can change a
//   user's claims between two sign-ins by rewriting the file.
//
// Sign-in and consent are this file's own plain HTML forms (no scripts, no external assets):
// the login form checks the password from users.json; the consent form has "Continue" and
// "Cancel" (Cancel sends the relying party error=access_denied). With --consent auto, or a
// user whose "consent" is "auto", consent is granted without a form.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';
import MemoryAdapter from 'oidc-provider/lib/adapters/memory_adapter.js';

const { values: args } = parseArgs({
  options: {
    issuer: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string' },
    clients: { type: 'string' },
    users: { type: 'string' },
    consent: { type: 'string', default: 'form' },
    'require-pkce': { type: 'boolean', default: false },
  },
});
for (const required of ['issuer', 'port', 'clients', 'users']) {
  if (!args[required]) {
    console.error(`oidc_provider.mjs: --${required} is required`);
    process.exit(2);
  }
}
if (!['form', 'auto'].includes(args.consent)) {
  console.error('oidc_provider.mjs: --consent must be "form" or "auto"');
  process.exit(2);
}

const log = (...parts) => console.log(new Date().toISOString(), ...parts);

// --- files the tests rewrite -------------------------------------------------------------
function readJson(path) {
  return JSON.parse(fs.readFileSync(path, 'utf8'));
}

function readUsers() {
  const data = readJson(args.users);
  return Array.isArray(data) ? data : data.users;
}

function userBySub(sub) {
  return readUsers().find((user) => user.sub === sub);
}

function userByLogin(login) {
  const wanted = String(login ?? '').trim().toLowerCase();
  return readUsers().find(
    (user) => user.sub === login || String(user.email ?? '').toLowerCase() === wanted,
  );
}

// Clients come from the adapter (not the static `clients` option), so clients.json is read
// on each lookup; oidc-provider caches a client by the hash of its metadata.
class RigAdapter extends MemoryAdapter {
  async find(id) {
    if (this.model === 'Client') {
      return readJson(args.clients)[id];
    }
    return super.find(id);
  }
}

// --- HTML ----------------------------------------------------------------------------------
const escape = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => ({
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
})[c]);

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} - Test OpenID Provider</title>
</head>
<body>
<main>
<h1>${escape(title)}</h1>
${body}
</main>
</body>
</html>`;
}

function loginPage(uid, clientId, { login = '', error = '' } = {}) {
  return page('Sign in', `
<p>Sign in to continue to <strong>${escape(clientId)}</strong>.</p>
${error ? `<p id="error" role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<input type="hidden" name="prompt" value="login">
<p><label for="login">Email or username</label>
<input id="login" name="login" type="text" autocomplete="username" required value="${escape(login)}"></p>
<p><label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required></p>
<p><button type="submit">Sign in</button></p>
</form>
<form method="post" action="/interaction/${escape(uid)}/abort">
<p><button type="submit">Cancel</button></p>
</form>`);
}

function consentPage(uid, clientId, account, scopes) {
  const items = scopes.map((scope) => `<li>${escape(scope)}</li>`).join('');
  return page('Authorize', `
<p>Signed in as <strong>${escape(account.email ?? account.sub)}</strong>.</p>
<p><strong>${escape(clientId)}</strong> asks for:</p>
<ul>${items}</ul>
<form method="post" action="/interaction/${escape(uid)}/confirm">
<input type="hidden" name="prompt" value="consent">
<p><button type="submit">Continue</button></p>
</form>
<form method="post" action="/interaction/${escape(uid)}/abort">
<p><button type="submit">Cancel</button></p>
</form>`);
}

function send(res, status, html) {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(html);
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) {
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

// --- provider ------------------------------------------------------------------------------
const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256' };

const provider = new Provider(args.issuer, {
  adapter: RigAdapter,
  jwks: { keys: [signingKey] },
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name', 'groups'],
    groups: ['groups'],
  },
  // Put the claims of the granted scopes into the ID token too, not only into userinfo.
  conformIdTokenClaims: false,
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource(ctx, form) {
        ctx.body = page('Sign out', `${form}
<p><button type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button></p>
<p><button type="submit" form="op.logoutForm">No, stay signed in</button></p>`);
      },
      postLogoutSuccessSource(ctx) {
        ctx.body = page('Signed out', '<p>You are signed out.</p>');
      },
    },
  },
  pkce: { required: () => args['require-pkce'] },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    const user = userBySub(sub);
    if (!user) {
      log('findAccount: no user', sub);
      return undefined;
    }
    return {
      accountId: sub,
      async claims() {
        const fresh = userBySub(sub) ?? user;
        const { password, consent, ...claims } = fresh;
        return claims;
      },
    };
  },
  async renderError(ctx, out, error) {
    log('renderError', JSON.stringify(out), error?.stack ?? error);
    ctx.type = 'html';
    ctx.body = page('Something went wrong', Object.entries(out)
      .map(([key, value]) => `<p><strong>${escape(key)}</strong>: <span id="${escape(key)}">${escape(value)}</span></p>`)
      .join('\n'));
  },
  ttl: {
    AccessToken: 3600,
    AuthorizationCode: 300,
    IdToken: 3600,
    Interaction: 3600,
    Session: 86400,
    Grant: 86400,
  },
});

for (const event of [
  'server_error', 'authorization.error', 'grant.error', 'userinfo.error',
  'end_session.error', 'backchannel.error', 'introspection.error', 'revocation.error',
]) {
  provider.on(event, (ctx, error) => log(event, error?.name, error?.message, error?.error_description ?? ''));
}
provider.on('authorization.success', (ctx) => log('authorization.success', ctx.oidc.client?.clientId));
provider.on('grant.success', (ctx) => log('grant.success', ctx.oidc.client?.clientId));

async function grantConsent(req, res, details) {
  const { prompt, grantId, session, params } = details;
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  const missing = prompt.details;
  if (missing.missingOIDCScope) {
    grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  }
  if (missing.missingOIDCClaims) {
    grant.addOIDCClaims(missing.missingOIDCClaims);
  }
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const result = { consent: { grantId: await grant.save() } };
  log('consent granted', session.accountId, params.client_id, params.scope);
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
}

async function interaction(req, res, url) {
  const [, , uid, action] = url.pathname.split('/');
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch (error) {
    log('interaction', uid, action ?? 'show', 'no interaction:', error.message);
    send(res, 400, page('Sign-in expired', `<p id="error" role="alert">${escape(error.message)}</p>`));
    return;
  }
  if (details.uid !== uid) {
    send(res, 400, page('Sign-in expired', '<p id="error" role="alert">Interaction mismatch.</p>'));
    return;
  }
  const { prompt, params, session } = details;
  const clientId = params.client_id;

  if (req.method === 'GET' && !action) {
    if (prompt.name === 'login') {
      send(res, 200, loginPage(uid, clientId, { login: params.login_hint ?? '' }));
      return;
    }
    if (prompt.name === 'consent') {
      const account = userBySub(session.accountId) ?? { sub: session.accountId };
      const consent = account.consent ?? args.consent;
      if (consent === 'auto') {
        await grantConsent(req, res, details);
        return;
      }
      const scopes = prompt.details.missingOIDCScope ?? String(params.scope ?? '').split(' ');
      send(res, 200, consentPage(uid, clientId, account, scopes));
      return;
    }
    send(res, 501, page('Not implemented', `<p>Prompt ${escape(prompt.name)}</p>`));
    return;
  }

  if (req.method !== 'POST') {
    send(res, 405, page('Method not allowed', ''));
    return;
  }
  const form = await readForm(req);

  if (action === 'login' && prompt.name === 'login') {
    const login = form.get('login') ?? '';
    const user = userByLogin(login);
    if (!user || user.password === undefined || form.get('password') !== String(user.password)) {
      log('login failed', JSON.stringify(login));
      send(res, 200, loginPage(uid, clientId, { login, error: 'Invalid login or password.' }));
      return;
    }
    log('login ok', user.sub);
    await provider.interactionFinished(
      req, res, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false },
    );
    return;
  }
  if (action === 'confirm' && prompt.name === 'consent') {
    await grantConsent(req, res, details);
    return;
  }
  if (action === 'abort') {
    log('interaction aborted', uid, prompt.name);
    await provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'End-User aborted interaction',
    }, { mergeWithLastSubmission: false });
    return;
  }
  send(res, 400, page('Bad request', `<p>Unexpected ${escape(action)} for prompt ${escape(prompt.name)}.</p>`));
}

const handle = provider.callback();
const server = http.createServer((req, res) => {
  const url = new URL(req.url, args.issuer);
  res.on('finish', () => log(req.method, url.pathname, res.statusCode));
  if (url.pathname.startsWith('/interaction/')) {
    interaction(req, res, url).catch((error) => {
      log('interaction error', error.stack ?? error);
      if (!res.headersSent) {
        send(res, 500, page('Server error', `<p id="error" role="alert">${escape(error.message)}</p>`));
      }
    });
    return;
  }
  handle(req, res);
});

server.listen(Number(args.port), args.host, () => {
  log(`oidc-provider ready: issuer ${args.issuer}, listening on ${args.host}:${args.port}`);
});
