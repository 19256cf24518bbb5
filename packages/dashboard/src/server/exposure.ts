import { isIP } from "node:net";

/** Names every local browser may use to reach a loopback-bound dashboard. */
const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "::1"] as const;

/** Addresses that mean "every interface": never a name a browser sends in `Host`. */
const WILDCARDS = new Set(["0.0.0.0", "::", "0:0:0:0:0:0:0:0"]);

export function isLoopbackHost(host: string): boolean {
  const h = normalizeHost(host);
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  if (isIP(h) === 4) return h.startsWith("127.");
  if (isIP(h) === 6) return h === "::1" || /^::ffff:127\./.test(h);
  return false;
}

/** Lower case, no brackets around an IPv6 literal, no trailing dot of a fully qualified name. */
function normalizeHost(host: string): string {
  const h = host.trim().toLowerCase();
  return (h.startsWith("[") && h.endsWith("]") ? h.slice(1, -1) : h).replace(/\.$/, "");
}

/**
 * The `Host` names a request may carry: loopback names, the bind address (unless it is a wildcard)
 * and those the operator added. Anything else is refused, so a page on another site whose name was
 * rebound to this address (DNS rebinding) cannot read the dashboard.
 */
export function allowedHostSet(bindHost: string | undefined, extra: readonly string[] = []): Set<string> {
  const out = new Set<string>(LOOPBACK_NAMES);
  if (bindHost !== undefined && !WILDCARDS.has(normalizeHost(bindHost))) out.add(normalizeHost(bindHost));
  for (const h of extra) if (h.trim() !== "") out.add(normalizeHost(h));
  return out;
}

/** The host name of a `Host` header without its port; undefined when absent or malformed. */
export function hostOfHeader(header: string | undefined): string | undefined {
  if (header === undefined || header === "" || /[\s/@?#\\]/.test(header)) return undefined;
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(header);
  return m?.[1] !== undefined ? normalizeHost(m[1]) : undefined;
}

export interface BindRequest {
  host: string;
  allowRemote: boolean;
  tls: boolean;
  readToken: boolean;
}

/**
 * Whether `neoxctl dashboard` may bind where asked, and what to warn about. A non-loopback bind
 * exposes run names, paths and log lines to the network, so it needs an explicit `--allow-remote`.
 */
export function bindPolicy(r: BindRequest): { refused?: string; warnings: string[] } {
  if (isLoopbackHost(r.host)) return { warnings: [] };
  if (!r.allowRemote)
    return {
      refused:
        "binding to a non-loopback address exposes the dashboard to the network; pass --allow-remote to do so on purpose",
      warnings: []
    };
  const warnings: string[] = [];
  if (!r.tls)
    warnings.push(
      "serving plain HTTP on a non-loopback address: tokens, cookies and pages cross the network unencrypted (use --tls-cert/--tls-key or a TLS proxy)"
    );
  if (!r.readToken)
    warnings.push(
      "no read token: anyone who can reach this address can read every run (set NEOXCTL_DASHBOARD_READ_TOKEN)"
    );
  if (WILDCARDS.has(normalizeHost(r.host)))
    warnings.push(
      "bound to every interface: requests must name localhost or a host given with --allowed-host"
    );
  return { warnings };
}
