// The public API of @neoxctl/dashboard: what other packages import, named one by one.
export { WebhookNotifier } from "./alerts/webhook-notifier.ts";
export { WebhookQueue } from "./alerts/webhook-queue.ts";
export type { AlertLogger } from "./alerts/webhook-queue.ts";
export { serveDashboard } from "./serve.ts";
export { buildDashboard } from "./server/app.ts";
export type { Dashboard, DashboardOptions } from "./server/app.ts";
export { SupervisorActions, SupervisorReadModel } from "./supervisor-adapter.ts";
