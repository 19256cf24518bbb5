#!/usr/bin/env node
// Runs the compiled CLI (dist/, made by `npm run build`, which pretest, CI and the demo run). A
// checkout that was never built falls back to the TypeScript sources through tsx, which is slower
// to start; `npm run neoxctl` always runs the sources.
import { existsSync } from "node:fs";

const compiled = new URL("../dist/main.js", import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/main.ts");
}
