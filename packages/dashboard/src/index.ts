// The public API of @neoxctl/dashboard: what other packages import, named one by one.
export { WebhookNotifier } from "./alerts/webhook-notifier.ts";
export { AlertStateStore, OpenAlertSchema, ResolvedAlertSchema } from "./alerts/alert-state.ts";
export type { OpenAlert, ResolvedAlert } from "./alerts/alert-state.ts";
export { WebhookQueue } from "./alerts/webhook-queue.ts";
export type { AlertLogger } from "./alerts/webhook-queue.ts";
export { serveDashboard } from "./serve.ts";
export { buildDashboard } from "./server/app.ts";
export type { Dashboard, DashboardOptions } from "./server/app.ts";
export { SupervisorActions, SupervisorReadModel } from "./supervisor-adapter.ts";
export {
  DEFAULT_TOKEN_NAME,
  legacyTokenWarnings,
  NamedTokenSchema,
  newNamedToken,
  parseTokensEnv,
  parseTokensFile,
  TokenNameSchema,
  tokenFormat,
  tokensFileLine
} from "./server/tokens.ts";
export type { NamedToken, TokenFormat } from "./server/tokens.ts";
export { alertSeverity } from "./alerts/alert.ts";
export { AlertRoutesSchema, chooseRoute, parseAlertRoutes, routeAlert } from "./alerts/routes.ts";
export type { AlertRoutes, RouteChoice } from "./alerts/routes.ts";
export {
  parseDuration,
  parseSilenceTarget,
  SilenceSchema,
  SilenceStore,
  targetText
} from "./alerts/silences.ts";
export type { Silence, SilenceTarget } from "./alerts/silences.ts";
export type { NotifierStats } from "./alerts/webhook-notifier.ts";
