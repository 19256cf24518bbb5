import { readFile } from "node:fs/promises";
import { Client } from "ssh2";
import type { ConnectConfig, ServerHostKeyAlgorithm } from "ssh2";
import type { Duplex } from "node:stream";
import { ExecError } from "@neoxctl/core";
import { fingerprintSha256 } from "./host-key.ts";
import { loadKnownHosts, preferredHostKeyAlgorithms, verifyHostKey } from "./host-key-check.ts";
import type { KnownHosts } from "./host-key-check.ts";
import { describeEndpoint } from "./plan.ts";
import type { ConnectPlan, Endpoint } from "./plan.ts";

/** A live chain: jump clients (first hop first) and the client for the target itself. */
export interface Chain {
  hops: Client[];
  client: Client;
  /** SHA256 fingerprint of the target's host key as trusted */
  fingerprint: string;
}

async function privateKeyOf(endpoint: Endpoint): Promise<Buffer | undefined> {
  if (endpoint.identityFile === undefined) return undefined;
  try {
    return await readFile(endpoint.identityFile);
  } catch (err) {
    throw new ExecError(
      "SSH_AUTH",
      `cannot read identity file ${endpoint.identityFile}: ${(err as Error).message}`,
      {
        target: describeEndpoint(endpoint)
      }
    );
  }
}

function mapClientError(err: Error & { level?: string; code?: string }, endpoint: Endpoint): ExecError {
  const target = describeEndpoint(endpoint);
  if (err.level === "client-authentication") {
    return new ExecError(
      "SSH_AUTH",
      `${target} refused authentication (${err.message})`,
      { target },
      { cause: err }
    );
  }
  return new ExecError(
    "SSH_CONNECT",
    `cannot connect to ${target}: ${err.message}`,
    { target, code: err.code },
    { cause: err }
  );
}

function connectOne(
  endpoint: Endpoint,
  plan: ConnectPlan,
  known: KnownHosts,
  privateKey: Buffer | undefined,
  sock?: Duplex
) {
  return new Promise<{ client: Client; fingerprint: string }>((resolve, reject) => {
    if (privateKey === undefined && plan.agentSocket === undefined) {
      reject(
        new ExecError(
          "SSH_AUTH",
          `no identity file and no SSH agent (SSH_AUTH_SOCK) for ${describeEndpoint(endpoint)}`,
          {
            target: describeEndpoint(endpoint)
          }
        )
      );
      return;
    }
    const client = new Client();
    let refusal: ExecError | null = null;
    let fingerprint = "";
    const algorithms = preferredHostKeyAlgorithms(known, endpoint.host, endpoint.port);
    const config: ConnectConfig = {
      host: endpoint.host,
      port: endpoint.port,
      username: endpoint.user,
      readyTimeout: 20_000,
      keepaliveInterval: plan.keepaliveIntervalMs,
      keepaliveCountMax: 3,
      hostVerifier: (key: Buffer) => {
        fingerprint = fingerprintSha256(key);
        refusal = verifyHostKey(known, endpoint.host, endpoint.port, key);
        return refusal === null;
      },
      ...(privateKey !== undefined ? { privateKey } : {}),
      ...(plan.agentSocket !== undefined ? { agent: plan.agentSocket } : {}),
      ...(sock !== undefined ? { sock } : {}),
      // names come from our own closed table (host-key.ts), all of which ssh2 implements
      ...(algorithms.length > 0
        ? { algorithms: { serverHostKey: algorithms as ServerHostKeyAlgorithm[] } }
        : {})
    };
    client.once("ready", () => {
      client.removeAllListeners("error");
      // later errors surface through 'close' and failed channel opens
      client.on("error", () => undefined);
      resolve({ client, fingerprint });
    });
    client.once("error", (err) => {
      client.end();
      reject(refusal ?? mapClientError(err, endpoint));
    });
    try {
      client.connect(config);
    } catch (err) {
      // ssh2 throws synchronously for keys it cannot use (e.g. passphrase-protected)
      reject(
        new ExecError(
          "SSH_AUTH",
          `cannot use identity ${endpoint.identityFile ?? "(agent)"}: ${(err as Error).message}`,
          {
            target: describeEndpoint(endpoint)
          }
        )
      );
    }
  });
}

function forwardOut(via: Client, endpoint: Endpoint): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    via.forwardOut("127.0.0.1", 0, endpoint.host, endpoint.port, (err, stream) => {
      if (err) {
        reject(
          new ExecError(
            "SSH_CONNECT",
            `jump host could not reach ${describeEndpoint(endpoint)}: ${err.message}`,
            {
              target: describeEndpoint(endpoint)
            }
          )
        );
      } else resolve(stream);
    });
  });
}

/** Connects through every jump hop to the target; each hop's host key is checked like the target's. */
export async function connectChain(plan: ConnectPlan): Promise<Chain> {
  const known = await loadKnownHosts(plan.knownHostsFile);
  const hops: Client[] = [];
  try {
    let previous: Client | undefined;
    for (const endpoint of [...plan.hops, plan.final]) {
      const sock = previous === undefined ? undefined : await forwardOut(previous, endpoint);
      const { client, fingerprint } = await connectOne(
        endpoint,
        plan,
        known,
        await privateKeyOf(endpoint),
        sock
      );
      if (endpoint === plan.final) return { hops, client, fingerprint };
      hops.push(client);
      previous = client;
    }
  } catch (err) {
    for (const h of hops) h.end();
    throw err;
  }
  throw new ExecError("SSH_CONNECT", "internal: empty connection chain");
}
