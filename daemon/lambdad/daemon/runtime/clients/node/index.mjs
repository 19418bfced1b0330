// lambdad's Node.js runtime client: the Lambda Runtime API loop for Node.js handlers.
// Self-contained (no npm dependencies) so that it can be copied into runtime images.
// Run as `node index.mjs` with AWS_LAMBDA_RUNTIME_API, _HANDLER and LAMBDA_TASK_ROOT set.
//
// With AWS_LAMBDA_MAX_CONCURRENCY above 1 (Lambda Managed Instances) it works as AWS's Node.js
// runtime does there: worker threads (AWS_LAMBDA_NODEJS_WORKER_COUNT, else one per CPU), each
// initializing the function once and running its share of the concurrent invocations
// asynchronously (an async handler takes several at once; a synchronous one, one at a time).
// A worker that crashes fails its own invocations; the others go on.
import http from "node:http";
import os from "node:os";
import path from "node:path";
import fs from "node:fs";
import util from "node:util";
import { AsyncLocalStorage } from "node:async_hooks";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { fileURLToPath, pathToFileURL } from "node:url";

const API = process.env.AWS_LAMBDA_RUNTIME_API;
const [HOST, PORT] = [API.slice(0, API.lastIndexOf(":")), Number(API.slice(API.lastIndexOf(":") + 1))];
const ROOT = process.env.LAMBDA_TASK_ROOT || process.cwd();
const HANDLER = process.env._HANDLER || "";
const MAX_CONCURRENCY = Math.max(1, Number.parseInt(process.env.AWS_LAMBDA_MAX_CONCURRENCY || "1", 10) || 1);
// Each concurrent poll holds a connection of its own.
const agent = new http.Agent({ keepAlive: true, maxSockets: MAX_CONCURRENCY === 1 ? 1 : Infinity });
const STREAMING = Symbol.for("aws.lambda.runtime.handler.streaming");
let currentId = "";
// The request id of the invocation the running code belongs to (several share a thread).
const requestIds = new AsyncLocalStorage();
// Invocations this thread has taken and not yet answered.
const inflight = new Set();

class RuntimeError extends Error {
  constructor(name, message) { super(message); this.name = name; }
}

function call(method, urlPath, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: HOST, port: PORT, path: urlPath, method, agent, headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

function errorBody(err) {
  const e = err instanceof Error ? err : new Error(typeof err === "string" ? err : util.inspect(err));
  return { errorType: e.name || "Error", errorMessage: e.message || "", trace: String(e.stack || "").split("\n") };
}

function postError(urlPath, err) {
  const body = errorBody(err);
  return call("POST", urlPath, JSON.stringify(body), {
    "Content-Type": "application/json",
    "Lambda-Runtime-Function-Error-Type": body.errorType,
  });
}

// console.* lines carry timestamp, request id and level, as in AWS's Node.js runtimes; in the
// JSON log format (LoggingConfig, and always on Managed Instances) as one JSON record each,
// below AWS_LAMBDA_LOG_LEVEL dropped.
const JSON_LOGS = process.env.AWS_LAMBDA_LOG_FORMAT === "JSON";
// A worker thread's process.stdout reaches the real one later, through the main thread: its
// lines are written to fd 1 at once, so each is out before the invocation is answered.
function writeLine(line) {
  if (isMainThread) {
    process.stdout.write(line);
    return;
  }
  const bytes = Buffer.from(line);
  for (let done = 0; done < bytes.length;) {
    try {
      done += fs.writeSync(1, bytes, done);
    } catch (err) {
      if (err.code !== "EAGAIN") throw err;
    }
  }
}
const LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];
const MIN_LEVEL = Math.max(0, LEVELS.indexOf((process.env.AWS_LAMBDA_LOG_LEVEL || "INFO").toUpperCase()));
for (const [method, level] of [["log", "INFO"], ["info", "INFO"], ["warn", "WARN"], ["error", "ERROR"], ["debug", "DEBUG"], ["trace", "TRACE"]]) {
  console[method] = (...args) => {
    const requestId = requestIds.getStore() || currentId || undefined;
    if (JSON_LOGS) {
      if (LEVELS.indexOf(level) < MIN_LEVEL) return;
      const record = { timestamp: new Date().toISOString(), level, requestId, message: util.format(...args) };
      writeLine(`${JSON.stringify(record)}\n`);
      return;
    }
    const text = util.format(...args).replace(/\n/g, "\r");
    writeLine(`${new Date().toISOString()}\t${requestId || "undefined"}\t${level}\t${text}\n`);
  };
}

globalThis.awslambda = {
  streamifyResponse(handler) { handler[STREAMING] = true; return handler; },
  // Function URL answers: a JSON prelude (statusCode, headers, cookies) and 8 NUL bytes
  // before the body, under the HTTP integration content type (as AWS's Node.js runtime).
  HttpResponseStream: {
    from(stream, prelude) {
      stream.setContentType("application/vnd.awslambda.http-integration-response");
      stream.write(JSON.stringify(prelude || {}));
      stream.write(Buffer.alloc(8));
      return stream;
    },
  },
};

async function loadHandler() {
  const match = /^(.*?)\.([^/]+)$/.exec(path.basename(HANDLER));
  if (!match) throw new RuntimeError("Runtime.MalformedHandlerName", `Bad handler ${HANDLER}`);
  const modulePath = path.join(ROOT, path.dirname(HANDLER), match[1]);
  const fnPath = match[2].split(".");
  const file = [".js", ".mjs", ".cjs"].map((ext) => modulePath + ext).find((f) => fs.existsSync(f));
  if (!file) {
    throw new RuntimeError("Runtime.ImportModuleError", `Error: Cannot find module '${match[1]}'\nRequire stack:\n- ${process.argv[1]}`);
  }
  let mod;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (err) {
    if (err instanceof SyntaxError) throw new RuntimeError("Runtime.UserCodeSyntaxError", `${err.name}: ${err.message}`);
    throw new RuntimeError("Runtime.ImportModuleError", `${err.name}: ${err.message}`);
  }
  let fn = fnPath.reduce((obj, key) => (obj == null ? undefined : obj[key]), mod);
  if (typeof fn !== "function" && mod.default) fn = fnPath.reduce((obj, key) => (obj == null ? undefined : obj[key]), mod.default);
  if (typeof fn !== "function") {
    throw new RuntimeError("Runtime.HandlerNotFound", `${match[1]}.${match[2]} is undefined or not exported`);
  }
  return fn;
}

function makeContext(headers) {
  const deadline = Number(headers["lambda-runtime-deadline-ms"]);
  const parse = (value) => (value ? JSON.parse(value) : undefined);
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    invokedFunctionArn: headers["lambda-runtime-invoked-function-arn"],
    awsRequestId: headers["lambda-runtime-aws-request-id"],
    clientContext: parse(headers["lambda-runtime-client-context"]),
    identity: parse(headers["lambda-runtime-cognito-identity"]),
    tenantId: headers["lambda-runtime-aws-tenant-id"],
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

function runHandler(fn, event, context) {
  return new Promise((resolve, reject) => {
    const callback = (err, result) => (err != null ? reject(err) : resolve(result));
    context.done = callback;
    context.succeed = (result) => resolve(result);
    context.fail = (err) => reject(err);
    try {
      const returned = fn(event, context, callback);
      if (returned && typeof returned.then === "function") returned.then(resolve, reject);
      else if (fn.length < 3) resolve(returned);
    } catch (err) {
      reject(err);
    }
  });
}

function streamInvocation(fn, id, event, context) {
  const stream = http.request({
    host: HOST, port: PORT, method: "POST", agent: false,
    path: `/2018-06-01/runtime/invocation/${id}/response`,
    headers: {
      "Lambda-Runtime-Function-Response-Mode": "streaming",
      "Transfer-Encoding": "chunked",
      "Content-Type": "application/octet-stream",
      Trailer: "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body",
    },
  });
  const answered = new Promise((resolve, reject) => {
    stream.on("response", (res) => { res.resume(); res.on("end", resolve); });
    stream.on("error", reject);
  });
  stream.setContentType = (type) => stream.setHeader("Content-Type", type);
  return Promise.resolve()
    .then(() => fn(event, stream, context))
    .catch((err) => {
      const body = errorBody(err);
      stream.addTrailers({
        "Lambda-Runtime-Function-Error-Type": body.errorType,
        "Lambda-Runtime-Function-Error-Body": Buffer.from(JSON.stringify(body)).toString("base64"),
      });
    })
    .then(() => { if (!stream.writableEnded) stream.end(); return answered; });
}

async function invokeOnce(fn) {
  const next = await call("GET", "/2018-06-01/runtime/invocation/next");
  const id = next.headers["lambda-runtime-aws-request-id"];
  if (MAX_CONCURRENCY === 1) currentId = id;
  if (next.headers["lambda-runtime-trace-id"]) process.env._X_AMZN_TRACE_ID = next.headers["lambda-runtime-trace-id"];
  else delete process.env._X_AMZN_TRACE_ID;
  const context = makeContext(next.headers);
  inflight.add(id);
  try {
    await requestIds.run(id, () => answer(fn, id, next.body, context));
  } finally {
    inflight.delete(id);
    if (MAX_CONCURRENCY === 1) currentId = "";
  }
}

async function answer(fn, id, payload, context) {
  let event;
  try {
    event = payload.length ? JSON.parse(payload.toString("utf8")) : {};
  } catch (err) {
    await postError(`/2018-06-01/runtime/invocation/${id}/error`, new RuntimeError("Runtime.UnmarshalError", err.message));
    return;
  }
  if (fn[STREAMING]) {
    await streamInvocation(fn, id, event, context);
    return;
  }
  try {
    const result = await runHandler(fn, event, context);
    const body = JSON.stringify(result === undefined ? null : result);
    await call("POST", `/2018-06-01/runtime/invocation/${id}/response`, body, { "Content-Type": "application/json" });
  } catch (err) {
    console.error(`${err && err.name ? err.name : "Error"}\t${util.format(err)}`);
    await postError(`/2018-06-01/runtime/invocation/${id}/error`, err);
  }
}

async function pollForever(fn) {
  for (;;) await invokeOnce(fn);
}

// A fatal error of this thread: the invocations it holds fail with it, then it ends (the
// process, or on Managed Instances only this worker thread).
async function fail(err, exitCode) {
  console.error(util.format(err));
  const ids = MAX_CONCURRENCY === 1 ? [currentId].filter(Boolean) : [...inflight];
  await Promise.all(ids.map((id) => postError(`/2018-06-01/runtime/invocation/${id}/error`, err).catch(() => {})));
  process.exit(exitCode);
}

// Load the handler and run `loops` polls at once on this thread.
async function serve(loops) {
  let fn;
  try {
    fn = await loadHandler();
  } catch (err) {
    console.error(util.format(err));
    await postError("/2018-06-01/runtime/init/error", err).catch(() => {});
    process.exit(1);
  }
  process.on("uncaughtException", (err) => fail(err, 129));
  process.on("unhandledRejection", (reason) => fail(new RuntimeError("Runtime.UnhandledPromiseRejection", util.format(reason)), 128));
  if (parentPort) parentPort.postMessage("ready");
  await Promise.all(Array.from({ length: loops }, () => pollForever(fn)));
}

// Managed Instances: worker threads share the environment's concurrency between them.
function startWorkers() {
  process.stdout.write(""); // set up (blocking, on Linux pipes) before the workers write to fd 1
  const cpus = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
  const wanted = Number.parseInt(process.env.AWS_LAMBDA_NODEJS_WORKER_COUNT || "", 10) || cpus;
  const count = Math.max(1, Math.min(wanted, MAX_CONCURRENCY));
  let alive = count;
  for (let i = 0; i < count; i += 1) {
    const loops = Math.floor(MAX_CONCURRENCY / count) + (i < MAX_CONCURRENCY % count ? 1 : 0);
    const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { loops } });
    let ready = false;
    worker.on("message", (message) => { if (message === "ready") ready = true; });
    worker.on("error", () => {}); // its own handlers reported it; "exit" follows
    worker.on("exit", (code) => {
      alive -= 1;
      // A failed init ends the environment (the worker reported it); so does the last worker.
      if (!ready || alive === 0) process.exit(code || 1);
    });
  }
}

if (!isMainThread) serve(workerData.loops);
else if (MAX_CONCURRENCY > 1) startWorkers();
else serve(1);
