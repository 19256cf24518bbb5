export { redactSecrets, redactUrl, REDACTED } from "./redact.ts";
