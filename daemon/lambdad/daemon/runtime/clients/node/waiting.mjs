// A Node.js runtime started ahead of need by lambdad's process executor (`node_waiting.py`):
// `node waiting.mjs <fd>`. It loads what the runtime client (index.mjs) imports, says so with
// READY on stdout, then reads the function's start from descriptor <fd> until the daemon closes
// it: one JSON document `{"argv": [node, client], "env": {...}, "cwd": "..."}`.
//
// Then it becomes what `node <client>` started for that function would have been: the
// function's working directory and environment (process.env is the C environment: child
// processes inherit it), the module search path node builds from NODE_PATH and HOME at its
// start built again from them, process.argv as node sets it, and the client run from its own
// file (its import.meta.url, its worker threads). Node cannot exec another program: the daemon
// hands a waiting process only a start that differs in nothing node fixes when it starts
// (locale, NODE_OPTIONS, the dynamic loader's variables, ...); the others start as before.
//
// Standard input was /dev/null from the start, as a runtime started for the function has it;
// the start descriptor is closed before the client runs.
import fs from "node:fs";
import Module from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
// What the runtime client imports besides the above; none of it reads a variable on load.
import "node:http";
import "node:os";
import "node:util";
import "node:async_hooks";
import "node:worker_threads";

// What the daemon reads on stdout once this waits (before any line of the function's).
const READY = "lambdad-waiting-ready\n";

function readStart(fd) {
  const chunks = [];
  const buffer = Buffer.alloc(65536);
  for (;;) {
    const count = fs.readSync(fd, buffer);
    if (count === 0) break;
    chunks.push(Buffer.from(buffer.subarray(0, count)));
  }
  fs.closeSync(fd);
  return Buffer.concat(chunks).toString("utf8");
}

fs.writeSync(1, READY);
const text = readStart(Number(process.argv[2]));
if (!text) process.exit(0); // the daemon let it go without a function
const { argv, env, cwd } = JSON.parse(text);
process.chdir(cwd);
for (const name of Object.keys(process.env)) delete process.env[name];
Object.assign(process.env, env);
Module._initPaths();
// As node sets them for `node <client>`: its own path, then the script's absolute path.
process.argv = [process.argv[0], path.resolve(argv[1])];
await import(pathToFileURL(process.argv[1]).href);
