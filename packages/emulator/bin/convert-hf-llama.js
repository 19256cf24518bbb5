#!/usr/bin/env node
// Stands in for NeoX's tools/ckpts/convert_hf_llama_to_neox.py; sources run through tsx.
import { register } from "tsx/esm/api";
register();
await import("../src/tools/convert-hf-main.ts");
