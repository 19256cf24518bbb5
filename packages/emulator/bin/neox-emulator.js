#!/usr/bin/env node
// Stands in for `python deepy.py train.py <configs…>`; sources run through tsx, no build step.
import { register } from "tsx/esm/api";
register();
await import("../src/main.ts");
