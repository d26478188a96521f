// robolm's MicroPython runner: one Node process serves a batch of programs, one JSON request per stdin line:
//   {"id": .., "code": "...", "inputs": {...}, "budget_ms": 5000, "heap": 262144, "max_output": 65536}
// and answers one JSON line {id, events, stdout, end: budget|finished|error, error, t_ms, wall_ms}.
// Each program gets a fresh interpreter (~15 ms), so nothing leaks between samples. The board (vboard.py) and the
// robot library are loaded as source from the paths given on the command line. Wall-time limits are the host's job:
// a program stuck in a loop that never calls the board blocks this process, and the host kills and restarts it.
import { loadMicroPython } from "@micropython/micropython-webassembly-pyscript";
import fs from "fs";
import readline from "readline";

const [vboardPath, robotPath] = process.argv.slice(2);
const vboardSrc = fs.readFileSync(vboardPath);
const robotSrc = robotPath ? fs.readFileSync(robotPath) : null;
const MAX_RSS = 1536 * 1024 * 1024;

const DRIVER = `
import sys, json
sys.path.insert(0, "/robolm")
import vboard
_req = json.loads(open("/robolm/req.json").read())
_res = vboard.run(open("/robolm/user.py").read(), _req.get("inputs") or {}, _req.get("budget_ms", 5000),
                  max_heap=_req.get("heap", 0), max_output=_req.get("max_output", 65536),
                  max_events=_req.get("max_events", 50000))
_RESULT = json.dumps(_res)
`;

async function runOne(req) {
  const t0 = Date.now();
  const cap = req.max_output || 65536;
  let out = "", truncated = false;
  const dec = new TextDecoder();
  const mp = await loadMicroPython({
    heapsize: req.heapsize || 2 * 1024 * 1024, pystack: 4096, linebuffer: false,
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
    res = JSON.parse(mp.globals.get("_RESULT"));
  } catch (e) {
    const msg = String((e && e.message) || e);
    res = { events: [], end: "error", error: "RunnerError: " + (e && e.type ? e.type + ": " : "") + msg.split("\n").slice(-3).join(" ").slice(0, 300), t_ms: 0 };
  }
  res.id = req.id;
  res.stdout = out.slice(0, cap) + (truncated || out.length > cap ? "\n[output truncated]" : "");
  res.wall_ms = Date.now() - t0;
  return res;
}

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of rl) {
  if (!line.trim()) continue;
  let res;
  try { res = await runOne(JSON.parse(line)); }
  catch (e) { res = { end: "error", error: "RunnerError: " + String(e).slice(0, 300), events: [], stdout: "", t_ms: 0 }; }
  process.stdout.write(JSON.stringify(res) + "\n");
  if (process.memoryUsage().rss > MAX_RSS) process.exit(3);   // the host starts a fresh process
}
