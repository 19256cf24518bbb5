import { z } from "zod";

/**
 * Which inter-node transport RCCL should end up on, and when the job logs RCCL's choice. On Slingshot
 * (LUMI, Frontier) RCCL needs a libfabric network plugin (aws-ofi-rccl) to use the CXI NICs; without
 * it RCCL silently falls back to TCP sockets and collectives run several times slower (OLCF "PyTorch
 * on Frontier": RCCL "defaults to … TCP/IP sockets"). The monitor reads RCCL's `Using network …`
 * line, which RCCL prints only with `NCCL_DEBUG=INFO` (INIT subsystem).
 */
export const NetworkProfileSchema = z
  .object({
    expected_transport: z
      .enum(["ofi", "socket", "any"])
      .default("any")
      .describe(
        "transport RCCL should choose: ofi (the libfabric plugin; Slingshot), socket, or any (no check). A run on another one raises rccl_socket_fallback"
      ),
    expected_provider: z
      .string()
      .regex(/^[a-z][a-z0-9_;+-]*$/)
      .optional()
      .describe(
        "libfabric provider the OFI plugin should select (Slingshot: cxi); the plugin over another provider (tcp) is a fallback too"
      ),
    log_selection: z
      .enum(["first_attempt", "every_attempt", "never"])
      .default("first_attempt")
      .describe(
        "attempts that run with NCCL_DEBUG=INFO NCCL_DEBUG_SUBSYS=INIT,NET so RCCL logs its network choice; the others get NCCL_DEBUG=WARN. A profile env NCCL_DEBUG wins"
      )
  })
  .strict();

export type NetworkProfile = z.infer<typeof NetworkProfileSchema>;
