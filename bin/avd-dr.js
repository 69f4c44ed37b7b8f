#!/usr/bin/env node
// The package's command. Node 24 runs the TypeScript sources directly (type stripping),
// so `npx avd-dr …` works straight after `npm ci` with no build step.
import "../src/cli/main.ts";
