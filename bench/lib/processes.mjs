// The server processes of a run and what /proc says about them: started on a free port,
// pinned to core 0 while this runner (sandbox + load) holds core 1, their CPU time and
// memory read from /proc, and the TLS certificate the sandbox serves.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

/** Clock ticks per second of /proc's CPU times. */
export const CLK_TCK =
  Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

let pinned = false;

/**
 * The CPU split: with taskset and two cores or more, this process (sandbox + load) moves
 * to core 1 and every server starts on core 0. Answers whether it could.
 */
export function splitCores() {
  const cores = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  pinned = commandExists('taskset') && cores >= 2;
  if (pinned)
    execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
  return pinned;
}

/**
 * Starts `peer.script` (relative to `cwd`) on a free port with the sandbox's app as WX_*, and
 * resolves once it prints `listening <port>`. `env` adds to (or overrides) that environment,
 * `nodeArgs` go before the script, `cpuProfDir` profiles it; with `ipc`, `ask(message)`
 * sends it a message and resolves with its answer (see servers/probe.ts).
 */
export async function startServer(
  peer,
  sandbox,
  { cwd, cpuProfDir, caFile, env = {}, nodeArgs = [], ipc = false },
) {
  const port = await freePort();
  const node = [
    ...nodeArgs,
    ...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : []),
    resolve(cwd, peer.script),
  ];
  const [command, argv] = pinned
    ? ['taskset', ['-c', '0', process.execPath, ...node]]
    : [process.execPath, node];
  const child = spawn(command, argv, {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe', ...(ipc ? ['ipc'] : [])],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      WX_APPID: sandbox.appid,
      WX_SECRET: sandbox.secret,
      WX_API_BASE_URL: sandbox.url,
      WX_OPEN_BASE_URL: sandbox.url,
      ...(caFile ? { NODE_EXTRA_CA_CERTS: caFile } : {}),
      ...peer.env,
      ...env,
    },
  });
  let output = '';
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${peer.name} did not start in 30 s:\n${output}`)),
      30_000,
    );
    child.stdout.on('data', (chunk) => {
      output = (output + chunk).slice(-65536);
      if (/^listening \d+$/m.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr.on('data', (chunk) => (output = (output + chunk).slice(-65536)));
    exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`${peer.name} exited (${how}) before listening:\n${output}`));
    });
  }).catch((error) => {
    child.kill('SIGKILL');
    throw error;
  });
  let asked = 0;
  return {
    pid: child.pid,
    port,
    log: () => output,
    exited,
    startRssKb: procStatus(child.pid, 'VmRSS'),
    url: `http://127.0.0.1:${port}`,
    ask(message, timeoutMs = 30_000) {
      const id = ++asked;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          child.off('message', answer);
          reject(new Error(`${peer.name} did not answer ${message.type} in ${timeoutMs} ms`));
        }, timeoutMs);
        function answer(reply) {
          if (reply?.id !== id) return;
          clearTimeout(timer);
          child.off('message', answer);
          resolve(reply);
        }
        child.on('message', answer);
        child.send({ ...message, id });
      });
    },
    async stop() {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** utime + stime of the whole process, in clock ticks. */
export function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Busy ticks of all CPUs (everything but idle and iowait) from /proc/stat. */
export function busyTicks() {
  const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return user + nice + system + irq + softirq + steal;
}

/**
 * CPU of a window: `lap()` answers the server's CPU seconds since the start (or the last lap),
 * this runner's, and what neither used (other processes on the machine, which skew a run).
 */
export function cpuWindow(pid) {
  let server = cpuTicks(pid);
  let busy = busyTicks();
  let runner = process.cpuUsage();
  return {
    lap() {
      const now = { server: cpuTicks(pid), busy: busyTicks(), runner: process.cpuUsage() };
      const serverSeconds = (now.server - server) / CLK_TCK;
      const runnerSeconds =
        (now.runner.user - runner.user + now.runner.system - runner.system) / 1e6;
      const otherSeconds = (now.busy - busy) / CLK_TCK - serverSeconds - runnerSeconds;
      ({ server, busy, runner } = now);
      return { serverSeconds, runnerSeconds, otherSeconds: Math.max(0, otherSeconds) };
    },
  };
}

/** The process's peak resident set (VmHWM) in kB. */
export function peakRssKb(pid) {
  return procStatus(pid, 'VmHWM');
}

export function procStatus(pid, field) {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
    readFileSync(`/proc/${pid}/status`, 'utf8'),
  );
  return match ? Number(match[1]) : null;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

export function commandExists(name) {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A self-signed certificate for 127.0.0.1, made now; servers trust it through NODE_EXTRA_CA_CERTS. */
export function makeCertificate(dir) {
  if (!commandExists('openssl')) return undefined;
  const keyFile = join(dir, 'sandbox-key.pem');
  const file = join(dir, 'sandbox-cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      keyFile,
      '-out',
      file,
    ],
    { stdio: 'ignore' },
  );
  return { file, pem: { key: readFileSync(keyFile), cert: readFileSync(file) } };
}
