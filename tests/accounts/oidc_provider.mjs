// A real OpenID Connect provider for the tests: the certified `oidc-provider` package (npm,
// installed by `npm ci` from package.json), started by tests/accounts/provider.py on a free
// loopback port with the configuration the test chooses, passed as JSON in OIDC_TEST_CONFIG:
//
//   port          the port to listen on (default: a free one)
//   clients       the registered clients (client_id, client_secret or jwks, redirect_uris, …)
//   accounts      { "<login>": { claims } } for the people who may sign in (any other login
//                 signs in with a sub equal to the login and an e-mail made from it)
//   acr           the authentication assurance level the provider records for a sign-in
//   idTokenTtl    seconds an ID token lasts
//   clockOffsetSeconds  the provider's clock runs this far from the real one (an expired token)
//   tamper        "wrong-key": the ID token is re-signed with a key not in the JWKS;
//                 "wrong-audience": re-signed with the provider's own key for another audience
//
// The sign-in page is the provider's own (this script's interaction routes): a username box and a
// "Sign in" button. Consent is granted for the registered clients, as a national IdP does for a
// service it has onboarded. Prints "READY <issuer>" once listening.
import crypto from 'node:crypto';
import http from 'node:http';
import { URLSearchParams } from 'node:url';

import Provider from 'oidc-provider';

const config = JSON.parse(process.env.OIDC_TEST_CONFIG || '{}');

if (config.clockOffsetSeconds) {
  const realNow = Date.now;
  Date.now = () => realNow() + config.clockOffsetSeconds * 1000;
}

function signingKey(kid) {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
}

const providerKey = signingKey('portal-test-key');
const rogueKey = signingKey('portal-test-key'); // the same kid: only the signature can tell

const b64url = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function resign(idToken, jwk, changes) {
  const [header, payload] = idToken.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url')));
  const input = `${b64url(header)}.${b64url({ ...payload, ...changes })}`;
  const key = crypto.createPrivateKey({ key: jwk, format: 'jwk' });
  return `${input}.${crypto.sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

function claimsFor(login) {
  const known = (config.accounts || {})[login] || {};
  return {
    sub: login,
    name: login,
    given_name: login,
    family_name: 'Tester',
    email: `${login}@example.nhs.uk`,
    email_verified: true,
    ...known,
  };
}

const html = (body) => `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Test identity provider</title></head>
<body><main>${body}</main></body></html>`;

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString());
}

const server = http.createServer();
server.listen(config.port || 0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: config.clients || [],
    jwks: { keys: [providerKey] },
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    claims: {
      openid: ['sub'],
      profile: ['name', 'given_name', 'family_name'],
      email: ['email', 'email_verified'],
      nationalrbacaccess: ['nhsid_nrbac_roles'],
      associatedorgs: ['nhsid_user_orgs'],
    },
    scopes: ['openid', 'offline_access'],
    acrValues: ['AAL1_USERPASS', 'AAL2_OR_HIGHER', 'AAL3_ANY'],
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true },
    },
    ttl: {
      IdToken: config.idTokenTtl || 600,
      AccessToken: 600,
      AuthorizationCode: 60,
      // Long enough that cookies outlive a provider whose clock runs an hour slow.
      Interaction: 4 * 60 * 60,
      Session: 8 * 60 * 60,
      Grant: 8 * 60 * 60,
    },
    findAccount: async (ctx, id) => ({ accountId: id, claims: async () => claimsFor(id) }),
    // A registered client's consent is given: the provider onboarded the portal.
    loadExistingGrant: async (ctx) => {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid profile email nationalrbacaccess associatedorgs');
      grant.addOIDCClaims(['acr']);
      await grant.save();
      return grant;
    },
  });

  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/token' && ctx.body && ctx.body.id_token && config.tamper) {
      if (config.tamper === 'wrong-key') ctx.body.id_token = resign(ctx.body.id_token, rogueKey, {});
      if (config.tamper === 'wrong-audience') ctx.body.id_token = resign(ctx.body.id_token, providerKey, { aud: 'another-service' });
    }
  });

  const callback = provider.callback();
  server.on('request', async (req, res) => {
    const match = req.url.match(/^\/interaction\/([^/?]+)(\/login)?/);
    if (!match) return callback(req, res);
    try {
      if (req.method === 'GET') {
        const details = await provider.interactionDetails(req, res);
        res.setHeader('content-type', 'text/html; charset=utf-8');
        res.end(html(`<h1>Sign in to the test identity provider</h1>
<p>Signing in to ${details.params.client_id}</p>
<form method="post" action="/interaction/${details.uid}/login">
<label for="login">Username</label> <input id="login" name="login" autocomplete="off">
<button type="submit">Sign in</button></form>`));
        return undefined;
      }
      const form = await readForm(req);
      const login = (form.get('login') || '').trim();
      if (!login) {
        res.statusCode = 400;
        res.end(html('<p>Enter a username.</p>'));
        return undefined;
      }
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: login, acr: config.acr || 'AAL3_ANY', amr: ['pwd'] } },
        { mergeWithLastSubmission: false },
      );
    } catch (err) {
      res.statusCode = 400;
      res.end(html(`<p>${String(err.message).replace(/[<>&]/g, '')}</p>`));
    }
    return undefined;
  });
  process.stdout.write(`READY ${issuer}\n`);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
