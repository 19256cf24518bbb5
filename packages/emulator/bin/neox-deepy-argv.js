#!/usr/bin/env node
// Stands in for the plan's launch/deepy-argv.py (deepy.py's argument building); sources run through tsx.
import { register } from "tsx/esm/api";
register();
await import("../src/deepy-argv-main.ts");
