#!/usr/bin/env node
// The kubectl plugin: on PATH as `kubectl-avddr` (npm installs it from package.json "bin"), it
// makes `kubectl avddr status`, `kubectl avddr failover …` and the rest work.
import "../src/cli/kubectl-plugin.ts";
