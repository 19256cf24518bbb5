import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { html } from "../render/html.ts";
import { renderLayout } from "../render/layout.ts";
import { allowedHostSet, hostOfHeader } from "./exposure.ts";
import { readAllowed, sessionCookie, tokenMatches } from "./read-auth.ts";

export interface GuardOptions {
  /** the bind address, allowed as a Host name unless it is a wildcard */
  bindHost?: string;
  /** more Host names to accept (`--allowed-host`) */
  allowedHosts?: readonly string[];
  /** when set, pages, API, SSE and metrics need it (Bearer) or the login cookie */
  readToken?: string;
  /** the server speaks TLS: the session cookie is marked Secure */
  tls?: boolean;
}

/** Open without read access: liveness, the login form and the page scripts/styles it needs. */
function isPublic(req: FastifyRequest): boolean {
  const path = req.url.split("?")[0] ?? "";
  if (path === "/healthz" || path === "/login" || path.startsWith("/static/")) return true;
  // actions check the stronger action token themselves
  return req.method === "POST" && /^\/api\/runs\/[^/]+\/actions\/[^/]+$/.test(path);
}

function wantsPage(req: FastifyRequest): boolean {
  const path = req.url.split("?")[0] ?? "";
  return req.method === "GET" && (path === "/" || path.startsWith("/runs/") || path === "/silences");
}

function loginPage(problem?: string): string {
  return renderLayout({
    title: "Sign in",
    body: html`<section>
      <h2>This dashboard needs its read token</h2>
      ${problem ? html`<p id="login-problem">${problem}</p>` : ""}
      <form method="post" action="/login">
        <label
          >Read token <input type="password" name="token" autocomplete="current-password" required
        /></label>
        <button type="submit">Sign in</button>
      </form>
    </section>`,
    scripts: []
  });
}

/**
 * The checks every request passes before any route: the Host header against the allowlist, then
 * read access when a read token is configured. Also registers the login form and its form parser.
 */
export function registerGuards(app: FastifyInstance, opts: GuardOptions): void {
  const hosts = allowedHostSet(opts.bindHost, opts.allowedHosts);
  const readToken = opts.readToken !== undefined && opts.readToken !== "" ? opts.readToken : undefined;

  app.addHook("onRequest", async (req: FastifyRequest, reply: FastifyReply) => {
    const host = hostOfHeader(req.headers.host);
    if (host === undefined || !hosts.has(host))
      return reply.code(403).type("text/plain; charset=utf-8").send("host not allowed\n");
    if (readToken === undefined || isPublic(req) || readAllowed(readToken, req.headers)) return;
    if (wantsPage(req)) return reply.code(303).header("location", "/login").send();
    return reply
      .code(401)
      .header("www-authenticate", 'Bearer realm="neoxctl-read"')
      .send({ error: "read access needs the read token (Bearer) or a sign-in" });
  });

  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string", bodyLimit: 4096 },
    (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body))))
  );

  app.get("/login", async (_req, reply) =>
    reply
      .type("text/html; charset=utf-8")
      .send(loginPage(readToken ? undefined : "No read token is configured."))
  );

  app.post<{ Body: { token?: unknown } | null }>("/login", async (req, reply) => {
    const given = typeof req.body?.token === "string" ? req.body.token : "";
    if (readToken === undefined) return reply.code(303).header("location", "/").send();
    if (!tokenMatches(readToken, given))
      return reply.code(401).type("text/html; charset=utf-8").send(loginPage("That token is not valid."));
    return reply
      .code(303)
      .header("set-cookie", sessionCookie(readToken, opts.tls === true))
      .header("location", "/")
      .send();
  });
}
