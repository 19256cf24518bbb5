export { redactSecrets, redactUrl, registerSecrets, REDACTED } from "./redact.ts";
export { escapeControls } from "./escape-controls.ts";
export type { EscapeOptions } from "./escape-controls.ts";
export { safeText, safeJson, redactValue } from "./safe-output.ts";
