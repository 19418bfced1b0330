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
//
// Before it waits it also takes once the paths a first start takes that node initializes lazily
// (`warmUp`); nothing of them stays: no module in require's cache, no handle, no descriptor.
import fs from "node:fs";
import http from "node:http";
import Module from "node:module";
import path from "node:path";
import { Duplex } from "node:stream";
import { fileURLToPath, pathToFileURL } from "node:url";
// What the runtime client imports besides the above; none of it reads a variable on load.
import "node:os";
import "node:util";
import "node:async_hooks";
import "node:worker_threads";

// What the daemon reads on stdout once this waits (before any line of the function's).
const READY = "lambdad-waiting-ready\n";

// A CommonJS module imported from ESM (as a CommonJS handler is), and an HTTP request and its
// response (the runtime client's first call) over an in-memory stream: no socket, since a
// socket's end makes node set up process.stderr (which puts the shared stdout/stderr pipe in
// non-blocking mode) earlier than a fresh start would. About half of what is left of a pooled
// start's own time (measured 2026-12-03, start message -> first request: 20 -> 11.5 ms).
async function warmUp() {
  const warm = fileURLToPath(new URL("./warm.cjs", import.meta.url));
  await import(pathToFileURL(warm).href);
  delete Module._cache[warm];
  await new Promise((resolve, reject) => {
    let answered = false;
    const wire = new Duplex({
      read() {},
      write(chunk, encoding, callback) {
        callback();
        if (!answered) {
          answered = true;
          this.push("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
          this.push(null);
        }
      },
    });
    const options = { host: "127.0.0.1", path: "/", createConnection: () => wire };
    const request = http.request(options, (response) => response.resume().on("end", resolve));
    request.on("error", reject).end();
  });
}

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

try {
  await warmUp();
} catch {
  // Only slower: the function's start takes these paths itself.
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
