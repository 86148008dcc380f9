import assert from "node:assert/strict";
import { createServer as createHttpServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { exportJWK, exportSPKI, generateKeyPair, type JWTPayload, SignJWT } from "jose";
import { createServer, type JwtOptions } from "../index.js";
import { bearer, call, echoWorkflow, type Json, RUNS, startRun, withWhoAmI } from "./auth.test-helper.js";

const SECRET = "a-shared-secret-of-at-least-32-bytes!";
const ISSUER = "https://login.example.com/";
const AUDIENCE = "kern-inbox";

type Signer = (
  claims: Record<string, unknown>,
  options?: { expiresIn?: string | number; alg?: string; key?: Parameters<SignJWT["sign"]>[0] },
) => Promise<string>;

/** The claims without those set to undefined (a token without `sub`). */
function payload(claims: Record<string, unknown>): JWTPayload {
  return Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
}

function signer(defaultKey: Parameters<SignJWT["sign"]>[0], defaultAlg: string, kid?: string): Signer {
  return (claims, options = {}) =>
    new SignJWT(payload({ sub: "alice", roles: ["approver"], name: "Alice", iss: ISSUER, aud: AUDIENCE, ...claims }))
      .setProtectedHeader({ alg: options.alg ?? defaultAlg, ...(kid === undefined ? {} : { kid }) })
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? "5m")
      .sign(options.key ?? defaultKey);
}

function jwtServer(jwt: Partial<JwtOptions>) {
  const echo = echoWorkflow();
  const app = withWhoAmI(
    createServer({
      workflows: [echo.workflow],
      sweepIntervalMs: 0,
      auth: { jwt: { issuer: ISSUER, audience: AUDIENCE, ...jwt } },
    }).app,
  );
  const whoami = async (token: string): Promise<{ status: number; body: Json }> =>
    call(app, "/api/test/whoami", { headers: bearer(token) });
  return { ...echo, app, whoami };
}

describe("auth: { jwt }", () => {
  const sign = signer(new TextEncoder().encode(SECRET), "HS256");

  it("accepts an HS256 token with the right issuer and audience; sub, roles and name make the principal", async () => {
    const { app, whoami, executed } = jwtServer({ secret: SECRET });
    const token = await sign({});
    assert.deepEqual((await whoami(token)).body, { principal: { id: "alice", roles: ["approver"], name: "Alice" } });
    const started = await call(app, RUNS, startRun("hi", bearer(token)));
    assert.equal(started.status, 200);
    assert.deepEqual(executed, ["hi"]);
    assert.equal((await call(app, "/api/inbox", { headers: bearer(token) })).status, 200);
    assert.equal((await call(app, "/api/inbox")).status, 401);
  });

  it("refuses a wrong audience, a wrong issuer, an expired token, a bad signature and a token without sub", async () => {
    const { app, workflow, executed } = jwtServer({ secret: SECRET });
    const otherKey = new TextEncoder().encode("another-secret-of-at-least-32-bytes!!");
    const refused = {
      "wrong audience": await sign({ aud: "someone-else" }),
      "wrong issuer": await sign({ iss: "https://evil.example.com/" }),
      expired: await sign({}, { expiresIn: Math.floor(Date.now() / 1000) - 60 }),
      "bad signature": await sign({}, { key: otherKey }),
      "no sub": await sign({ sub: undefined }),
      "not a JWT": "abc.def.ghi",
    };
    for (const [why, token] of Object.entries(refused)) {
      const answer = await call(app, RUNS, startRun("x", bearer(token)));
      assert.equal(answer.status, 401, why);
      assert.equal(answer.headers.get("www-authenticate"), 'Bearer realm="kern", error="invalid_token"', why);
      const error = answer.body["error"] as Json;
      assert.equal(error["code"], "KERN_UNAUTHENTICATED", why);
      assert.doesNotMatch(
        String(error["message"]),
        /\baud\b|audience|\biss\b|issuer|\bexp\b|signature|someone-else|evil/,
        why,
      );
    }
    assert.deepEqual(executed, []);
    assert.deepEqual(await workflow.listRuns(), []);
  });

  it("reads roles from the configured claim, a nested path included, and ignores roles that are not a list", async () => {
    const nested = jwtServer({ secret: SECRET, rolesClaim: "realm_access.roles", nameClaim: "preferred_username" });
    const token = await sign({ realm_access: { roles: ["kern-admin", 7] }, preferred_username: "alice.w" });
    assert.deepEqual((await nested.whoami(token)).body, {
      principal: { id: "alice", roles: ["kern-admin"], name: "alice.w" },
    });
    const plain = jwtServer({ secret: SECRET });
    assert.deepEqual((await plain.whoami(await sign({ roles: "approver", name: 3 }))).body, {
      principal: { id: "alice", roles: [] },
    });
  });

  it("verifies RS256 tokens with a PEM public key, and refuses HS256 tokens signed with that PEM as the secret", async () => {
    const { publicKey, privateKey } = await generateKeyPair("RS256");
    const pem = await exportSPKI(publicKey);
    const { whoami } = jwtServer({ publicKey: pem });
    const rs256 = signer(privateKey, "RS256");
    assert.equal((await whoami(await rs256({}))).status, 200);
    assert.equal((await whoami(await rs256({ aud: "other" }))).status, 401);
    const confused = await sign({}, { key: new TextEncoder().encode(pem) });
    assert.equal((await whoami(confused)).status, 401);
    const restricted = jwtServer({ publicKey: pem, algorithms: ["PS256"] });
    assert.equal((await restricted.whoami(await rs256({}))).status, 401);
  });

  describe("with a JWKS URL", () => {
    let jwks: Server;
    let url = "";
    let requests = 0;
    let failing = false;
    let es256: Signer;
    before(async () => {
      const { publicKey, privateKey } = await generateKeyPair("ES256");
      const jwk = { ...(await exportJWK(publicKey)), kid: "key-1", alg: "ES256", use: "sig" };
      es256 = signer(privateKey, "ES256", "key-1");
      jwks = createHttpServer((_request, response) => {
        requests += 1;
        if (failing) return void response.writeHead(503).end();
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] }));
      });
      await new Promise<void>((resolve) => jwks.listen(0, "127.0.0.1", resolve));
      url = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
    });
    after(() => new Promise<void>((resolve) => jwks.close(() => resolve())));

    it("verifies tokens with the provider's keys, fetched once, and refuses tokens of unknown keys", async () => {
      const { whoami } = jwtServer({ jwksUrl: url });
      assert.deepEqual((await whoami(await es256({ roles: ["viewer"] }))).body, {
        principal: { id: "alice", roles: ["viewer"], name: "Alice" },
      });
      assert.equal((await whoami(await es256({ sub: "bob" }))).status, 200);
      assert.equal(requests, 1);
      const { privateKey: stranger } = await generateKeyPair("ES256");
      assert.equal((await whoami(await es256({}, { key: stranger }))).status, 401);
      assert.equal((await whoami(await sign({}))).status, 401);
    });

    it("answers 500 without details, not 401, when the key set cannot be fetched", async () => {
      const logged: string[] = [];
      const { workflow } = echoWorkflow();
      const { app } = createServer({
        workflows: [workflow],
        auth: { jwt: { jwksUrl: url, issuer: ISSUER, audience: AUDIENCE } },
        log: (line) => logged.push(line),
      });
      failing = true;
      try {
        const answer = await call(app, "/api/inbox", { headers: bearer(await es256({})) });
        assert.equal(answer.status, 500);
        assert.doesNotMatch(JSON.stringify(answer.body), /127\.0\.0\.1|jwks|503/i);
        assert.equal(logged.length, 1);
      } finally {
        failing = false;
      }
    });
  });

  it("refuses JWT options without exactly one key, with a short secret or a plain-http key set, when the server is created", () => {
    const { workflow } = echoWorkflow();
    const base = { issuer: ISSUER, audience: AUDIENCE };
    for (const jwt of [
      base,
      { ...base, secret: SECRET, jwksUrl: "https://login.example.com/jwks" },
      { ...base, secret: "short" },
      { ...base, publicKey: "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----" },
      { ...base, jwksUrl: "http://login.example.com/jwks" },
      { ...base, jwksUrl: "not a url" },
      { ...base, secret: SECRET, audience: "" },
    ]) {
      assert.throws(() => createServer({ workflows: [workflow], auth: { jwt } }), { name: "ConfigurationError" });
    }
  });
});
