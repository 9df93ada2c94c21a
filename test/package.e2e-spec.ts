/**
 * The published package, as a user gets it: the library is built and packed
 * (`npm pack`), the tarball is installed into a scratch Nest app outside the
 * monorepo, the app is type-checked against the tarball's types and then logs
 * in through the sandbox. So the package must carry its types, its `testing`
 * export and peer dependencies that npm can resolve.
 *
 * Unlike the other tests this one never touches the source: jest's
 * `nest-wx-oauth` mapping does not apply to the child processes it runs.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const lib = join(repo, 'libs/wx-oauth');
const fixture = join(repo, 'test/fixtures/scratch-app');
const tscBin = join(repo, 'node_modules/typescript/bin/tsc');

const MINUTE = 60_000;

interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs a command without a shell; rejects with its output when it fails or times out. */
function run(command: string, args: string[], cwd: string, timeout = 2 * MINUTE): Promise<RunResult> {
  // Leave out what `npm test` at the root adds, so the child sees only its own package.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^npm_(package|lifecycle)_/.test(key)),
  );
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, timeout, env, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const how = error.killed ? `killed after ${timeout} ms` : `exit code ${String(error.code)}`;
        reject(new Error(`${command} ${args.join(' ')} (in ${cwd}) failed, ${how}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
      } else {
        resolve({ stdout, stderr });
      }
    });
  });
}

/** The exact version the monorepo's lock file installs, so the scratch app matches it. */
function lockedVersion(lock: { packages: Record<string, { version?: string }> }, name: string): string {
  const version = lock.packages[`node_modules/${name}`]?.version;
  if (!version) throw new Error(`${name} is not in package-lock.json`);
  return version;
}

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

interface PackResult {
  filename: string;
  files: { path: string }[];
}

describe('the packed nest-wx-oauth package', () => {
  let work: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'wx-scratch-'));
  });

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('installs into a scratch Nest app, type-checks there and logs in through the sandbox', async () => {
    const tarballs = join(work, 'tarballs');
    const app = join(work, 'app');
    await mkdir(tarballs);
    await mkdir(app);
    expect(app.startsWith(repo)).toBe(false);

    // Step 1: build and pack the library; the tarball carries the JS, the types and `testing`.
    await run(process.execPath, [tscBin, '-b', 'libs/wx-oauth/tsconfig.lib.json'], repo);
    const pack = await run('npm', ['pack', '--json', '--pack-destination', tarballs], lib);
    const [packed] = JSON.parse(pack.stdout) as PackResult[];
    const files = packed.files.map((file) => file.path);
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'dist/index.js',
        'dist/index.d.ts',
        'dist/testing/index.js',
        'dist/testing/index.d.ts',
      ]),
    );
    expect(files.filter((path) => path.startsWith('src/') || /\.spec\.|\.tsbuildinfo$/.test(path))).toEqual([]);
    const tarball = join(tarballs, packed.filename);

    // Step 2: a scratch app outside the monorepo installs the tarball and its peers, as a user would.
    const lock = await readJson<{ packages: Record<string, { version?: string }> }>(join(repo, 'package-lock.json'));
    const pinned = (names: string[]): Record<string, string> =>
      Object.fromEntries(names.map((name) => [name, lockedVersion(lock, name)]));
    const scratchPackage = {
      name: 'wx-scratch-app',
      private: true,
      type: 'module',
      dependencies: {
        'nest-wx-oauth': `file:${tarball}`,
        ...pinned(['@nestjs/common', '@nestjs/core', '@nestjs/platform-express', '@nestjs/passport', 'passport', 'reflect-metadata', 'rxjs']),
      },
      devDependencies: pinned(['@types/express', '@types/node']),
    };
    expect(scratchPackage.devDependencies['@types/node']).toMatch(/^20\./);
    await writeFile(join(app, 'package.json'), `${JSON.stringify(scratchPackage, null, 2)}\n`);
    const install = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], app, 3 * MINUTE);
    expect(install.stderr).not.toMatch(/ERESOLVE|peer dep missing|Conflicting peer dependency/i);

    // Step 3: the packed package.json declares Nest and Passport as peers, never as dependencies.
    const installed = await readJson<{ dependencies?: Record<string, string>; peerDependencies?: Record<string, string> }>(
      join(app, 'node_modules/nest-wx-oauth/package.json'),
    );
    expect(Object.keys(installed.peerDependencies ?? {})).toEqual(
      expect.arrayContaining(['@nestjs/common', '@nestjs/core', '@nestjs/passport', 'passport']),
    );
    expect(Object.keys(installed.dependencies ?? {}).filter((name) => name.startsWith('@nestjs/'))).toEqual([]);

    // Step 4: the app type-checks against the tarball's types, `nest-wx-oauth/testing` included.
    await copyFile(join(fixture, 'main.ts'), join(app, 'main.ts'));
    await copyFile(join(fixture, 'tsconfig.json'), join(app, 'tsconfig.json'));
    await run(process.execPath, [tscBin, '-p', join(app, 'tsconfig.json')], app);

    // Step 5: the compiled app logs in through the sandbox as alice and prints the profile.
    const { stdout } = await run(process.execPath, ['dist/main.js'], app, MINUTE);
    const lastLine = stdout.trim().split('\n').at(-1) ?? '';
    const { profile, sandboxUser } = JSON.parse(lastLine) as {
      profile: { provider: string; openid: string; nickname?: string; scope: string[] };
      sandboxUser: { openid: string; nickname: string };
    };
    expect(sandboxUser.nickname).toBe('Alice');
    expect(profile).toMatchObject({
      provider: 'wechat',
      openid: sandboxUser.openid,
      nickname: sandboxUser.nickname,
      scope: ['snsapi_userinfo'],
    });
    expect(profile.openid).toMatch(/^o\S+$/);
    // The profile carries no token (and the app never prints the secret).
    expect(lastLine).not.toMatch(/access_token|refresh_token|secret/);
  }, 240_000);
});
