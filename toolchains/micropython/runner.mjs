// robolm's MicroPython runner: one Node process serves a batch of programs, one JSON request per stdin line:
//   {"id": .., "code": "...", "inputs": {...}, "budget_ms": 5000, "heap": 262144, "max_output": 65536}
// and answers one JSON line {id, events, stdout, end: budget|finished|error, error, t_ms, wall_ms} on the file
// descriptor named first on the command line: a pipe the program cannot reach (its print() output is captured, never written to a Node stream).
//
// Untrusted code runs here, so this file is one of three walls (robolm/sandbox.py has the others):
// 1. No JavaScript bridge. The pyscript build of MicroPython reaches JavaScript only through the wasm module's
//    imports (attribute get/set, calls, iteration, promises). They are replaced below, before the module is
//    instantiated, by functions that end the run, so `js`, `jsffi` and every other spelling find nothing to call.
//    The wasm memory may not grow past `wasm_mb`, so a program cannot allocate its way out of the heap cap.
// 2. Node's permission model (the host starts Node with it): reads only of this folder, no writes, no child
//    processes, no workers, no addons, no code from strings.
// 3. An OS sandbox around Node (bubblewrap: no network, a read-only view of the toolchain, an unprivileged user,
//    resource limits).
// Each program gets a fresh interpreter (the compiled wasm module is reused), so nothing leaks between samples.
// Wall-time limits are the host's job: a program stuck in a loop that never calls the board blocks this process,
// and the host kills and restarts it.
import { loadMicroPython } from "./micropython.mjs";
import fs from "fs";
import readline from "readline";

const [resultFd, vboardPath, robotPath] = process.argv.slice(2);
const RESULT_FD = Number(resultFd);
const vboardSrc = fs.readFileSync(vboardPath);
const robotSrc = robotPath ? fs.readFileSync(robotPath) : null;
const MAX_RSS = 768 * 1024 * 1024;
const PAGE = 65536;

// The wasm imports through which Python reaches JavaScript objects (ports/webassembly proxy_js.c / proxy_c.c).
const BRIDGE = ["lookup_attr", "store_attr", "has_attr", "call0", "call1", "call2", "calln", "call0_kwarg",
  "calln_kwarg", "js_reflect_construct", "js_get_iter", "js_iter_next", "js_subscr_load", "js_subscr_store",
  "js_check_existing", "js_get_error_info", "js_get_proxy_js_ref_info", "js_then_resolve", "js_then_reject",
  "js_then_continue", "create_promise", "proxy_convert_mp_to_js_then_js_to_mp_obj_jsside",
  "proxy_convert_mp_to_js_then_js_to_js_then_js_to_mp_obj_jsside"];

class BridgeBlocked extends Error {}
let wasmModule = null, memoryCap = 64 * 1024 * 1024;

const instantiate = WebAssembly.instantiate.bind(WebAssembly);
WebAssembly.instantiate = async (binary, imports) => {
  const env = imports.env;
  for (const name of BRIDGE) {
    if (!(name in env)) throw new Error(`runner.mjs: the wasm build has no import ${name}; review BRIDGE`);
    env[name] = () => { throw new BridgeBlocked(`SandboxViolation: the JavaScript bridge is not available (${name})`); };
  }
  env.proxy_js_free_obj = () => {};               // a JsProxy being collected: nothing to free, nothing to reach
  const grow = env.emscripten_resize_heap;
  env.emscripten_resize_heap = (size) => (size >>> 0) > memoryCap ? 0 : grow(size);
  wasmModule ??= binary instanceof WebAssembly.Module ? binary : await WebAssembly.compile(binary);
  return { module: wasmModule, instance: await instantiate(wasmModule, imports) };
};

// The driver runs the board and the program; it hides the board's module and the request from the program first.
const DRIVER = `
import sys, json
sys.path.insert(0, "/robolm")
import vboard, os
_req = json.loads(open("/robolm/req.json").read())
_src = open("/robolm/user.py").read()
os.remove("/robolm/req.json"); os.remove("/robolm/user.py"); os.remove("/robolm/vboard.py")
del sys.modules["vboard"]
_res = vboard.run(_src, _req.get("inputs") or {}, _req.get("budget_ms", 5000),
                  max_heap=_req.get("heap", 0), max_output=_req.get("max_output", 65536),
                  max_events=_req.get("max_events", 50000))
del _src
_RESULT = json.dumps(_res)
`;

function isEvent(e) {
  return Array.isArray(e) && e.length === 4 && typeof e[0] === "number" && typeof e[1] === "string";
}

// A result of the expected shape, or a runner error: the host trusts nothing else.
function checked(res) {
  if (!res || typeof res !== "object" || !Array.isArray(res.events) || !res.events.every(isEvent)
      || !["budget", "finished", "error"].includes(res.end) || typeof res.error !== "string")
    return { events: [], end: "error", error: "RunnerError: the board returned a malformed result", t_ms: 0 };
  return { events: res.events, end: res.end, error: res.error, t_ms: +res.t_ms || 0 };
}

async function runOne(req) {
  const t0 = Date.now();
  const cap = req.max_output || 65536;
  memoryCap = (req.wasm_mb || 64) * 1024 * 1024;
  let out = "", truncated = false;
  const dec = new TextDecoder();
  const mp = await loadMicroPython({
    heapsize: 2 * 1024 * 1024, pystack: 4096, linebuffer: false,
    stdout: (s) => { if (out.length < cap + 1024) out += typeof s === "string" ? s : dec.decode(s); else truncated = true; },
  });
  mp.FS.mkdir("/robolm");
  mp.FS.writeFile("/robolm/vboard.py", vboardSrc);
  if (robotSrc) mp.FS.writeFile("/robolm/robot.py", robotSrc);
  mp.FS.writeFile("/robolm/user.py", req.code);
  mp.FS.writeFile("/robolm/req.json", JSON.stringify(req));
  let res;
  try {
    mp.runPython(DRIVER);
    res = checked(JSON.parse(mp.globals.get("_RESULT")));
  } catch (e) {
    const msg = String((e && e.message) || e);
    const text = e instanceof BridgeBlocked ? msg
      : "RunnerError: " + (e && e.type ? e.type + ": " : "") + msg.split("\n").slice(-3).join(" ").slice(0, 300);
    res = { events: [], end: "error", error: text, t_ms: 0 };
  }
  res.id = req.id;
  res.stdout = out.slice(0, cap) + (truncated || out.length > cap ? "\n[output truncated]" : "");
  res.wall_ms = Date.now() - t0;
  return res;
}

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of rl) {
  if (!line.trim()) continue;
  let req, res;
  try { req = JSON.parse(line); res = await runOne(req); }
  catch (e) { res = { id: req && req.id, end: "error", error: "RunnerError: " + String(e).slice(0, 300), events: [], stdout: "", t_ms: 0 }; }
  fs.writeSync(RESULT_FD, JSON.stringify(res) + "\n");
  if (process.memoryUsage().rss > MAX_RSS) process.exit(3);   // the host starts a fresh process
}
