#!/usr/bin/env node
// Stands in for NeoX's tools/ckpts/convert_neox_to_hf.py; sources run through tsx.
import { register } from "tsx/esm/api";
register();
await import("../src/tools/export-hf-main.ts");
