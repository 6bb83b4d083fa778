// A real OpenID Connect provider for caseload's service tests (tests/service.rs), built on
// oauth2-mock-server: discovery, JWKS, the authorization code flow with PKCE and nonce,
// and ID tokens, on 127.0.0.1 at a free port. Beside it, a small control server on
// another port lets the tests mint tokens of every kind:
//   GET  /token?sub&email&name&groups=a,b&aud&expires_in&kid&kind=good|other-key|none|hs256
//   POST /next-user?sub&email&name&groups   (whom the next code-flow sign-in signs in)
//   POST /rotate?kid                         (a new signing key, published in the JWKS)
// The first line on standard output is {"issuer": URL, "control": URL}.
import http from "node:http";
import { createHmac } from "node:crypto";
import { OAuth2Issuer, OAuth2Server } from "oauth2-mock-server";

const server = new OAuth2Server();
await server.issuer.keys.generate("RS256", { kid: "k1" });
await server.start(0, "127.0.0.1");
const issuerUrl = server.issuer.url;

// A key the issuer never publishes: tokens signed with it must be refused.
const stranger = new OAuth2Issuer();
stranger.url = issuerUrl;
await stranger.keys.generate("RS256", { kid: "k1" });
await stranger.keys.generate("RS256", { kid: "zz" });

let nextUser = { sub: "johndoe" };
server.service.on("beforeTokenSigning", (token) => {
  Object.assign(token.payload, nextUser);
});

function claims(q) {
  const c = {};
  for (const k of ["sub", "email", "name"]) if (q.get(k) !== null) c[k] = q.get(k);
  if (q.get("groups") !== null) c.groups = q.get("groups").split(",").filter((g) => g);
  return c;
}

const b64 = (obj) => Buffer.from(JSON.stringify(obj)).toString("base64url");

async function mint(q) {
  const kind = q.get("kind") ?? "good";
  const expiresIn = Number(q.get("expires_in") ?? 3600);
  const extra = { sub: "script", ...claims(q) };
  const aud = q.get("aud") ?? "caseload";
  const transform = (_header, payload) => Object.assign(payload, { aud }, extra);
  if (kind === "none" || kind === "hs256") {
    const now = Math.floor(Date.now() / 1000);
    const payload = { iss: issuerUrl, iat: now, exp: now + expiresIn, aud, ...extra };
    if (kind === "none") return `${b64({ alg: "none", typ: "JWT" })}.${b64(payload)}.`;
    const body = `${b64({ alg: "HS256", typ: "JWT", kid: "k1" })}.${b64(payload)}`;
    return `${body}.${createHmac("sha256", "secret").update(body).digest("base64url")}`;
  }
  const issuer = kind === "other-key" ? stranger : server.issuer;
  return issuer.buildToken({ kid: q.get("kid") ?? "k1", expiresIn, scopesOrTransform: transform });
}

const control = http.createServer(async (req, res) => {
  const url = new URL(req.url, "http://127.0.0.1");
  try {
    if (req.method === "GET" && url.pathname === "/token") {
      res.end(await mint(url.searchParams));
    } else if (req.method === "POST" && url.pathname === "/next-user") {
      nextUser = claims(url.searchParams);
      res.end("ok");
    } else if (req.method === "POST" && url.pathname === "/rotate") {
      const key = await server.issuer.keys.generate("RS256", { kid: url.searchParams.get("kid") ?? "k2" });
      res.end(key.kid);
    } else {
      res.statusCode = 404;
      res.end("no such call");
    }
  } catch (e) {
    res.statusCode = 500;
    res.end(String(e));
  }
});
control.listen(0, "127.0.0.1", () => {
  const { port } = control.address();
  process.stdout.write(JSON.stringify({ issuer: issuerUrl, control: `http://127.0.0.1:${port}` }) + "\n");
});

// Stop with the test: when standard input closes (the test dropped its handle).
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
