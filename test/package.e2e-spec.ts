/**
 * The published packages, as users get them: the library and the sandbox are built and
 * packed (`npm pack`), and each app under test/consumers/ is copied outside the monorepo,
 * installs itself from its committed lock file (`npm ci`), then the library with the
 * package README's install command for its Nest line, the sandbox with the README's
 * dev-dependency command (the tarballs for the packages' names) and `@nestjs/jwt` with the
 * README's command for the line, lints itself with the config `nest new` gives its line (the
 * README's whole-file snippets are among its files), and runs its own tests: a Nest 11
 * CommonJS app with jest and ts-jest, and a Nest 12 ES module app with vitest, each logging in
 * through the sandbox, its users and their WeChat identities in TypeORM (0.3 and 1) on sql.js.
 *
 * Unlike the other tests this one never touches the source: jest's
 * `nest-wx-oauth` mapping does not apply to the child processes it runs.
 */
import { execFile, spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const lib = join(repo, 'libs/wx-oauth');
const sandboxLib = join(repo, 'libs/wx-sandbox');
const consumers = join(repo, 'test/consumers');

const MINUTE = 60_000;

/** The env of child processes, without what `npm test` at the root adds, so each sees only its own package. */
const childEnv = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^npm_(package|lifecycle)_/.test(key)),
);

/** Runs a command without a shell; rejects with its output when it fails or times out. */
function run(
  command: string,
  args: string[],
  cwd: string,
  timeout = 2 * MINUTE,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd, timeout, env: childEnv, maxBuffer: 32 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const how = error.killed
            ? `killed after ${timeout} ms`
            : `exit code ${String(error.code)}`;
          reject(
            new Error(
              `${command} ${args.join(' ')} (in ${cwd}) failed, ${how}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`,
            ),
          );
        } else {
          resolve({ stdout, stderr });
        }
      },
    );
  });
}

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

interface PackageJson {
  version: string;
  bin?: Record<string, string>;
  exports: Record<string, string | Record<string, Record<string, string>>>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const ENTRIES = ['.', './testing', './redis', './typeorm'];
const entryDir = (entry: string): string => (entry === '.' ? '' : `${entry.slice(2)}/`);

const APPS = [
  {
    app: 'nest11-cjs-jest',
    nest: '11',
    config: '4',
    typeorm: '0',
    runner: 'jest',
    linter: 'ESLint',
  },
  {
    app: 'nest12-esm-vitest',
    nest: '12',
    config: '12',
    typeorm: '1',
    runner: 'vitest',
    linter: 'oxlint',
  },
];

/** The package README's files that the consumer apps hold whole, as the jest app has them. */
const README_FILES = [
  'src/auth/auth.controller.ts',
  'src/auth/signup.guard.ts',
  'src/auth/handoff.controller.ts',
  'src/auth/wechat-users.ts',
  'src/users/user.entity.ts',
  'src/users/users.module.ts',
  'src/users/users.service.ts',
  'test/wechat-login.e2e-spec.ts',
];
/** Those the ES module app holds alike, but for the `.js` of relative imports (its handoff controller's and validator's constructors have the `@Inject()`s vitest 3 needs). */
const SAME_IN_ESM_APP = README_FILES.filter(
  (file) => !['src/auth/handoff.controller.ts', 'src/auth/wechat-users.ts'].includes(file),
);

/** The package README's Install section. */
async function readmeInstallSection(): Promise<string> {
  const readme = await readFile(join(lib, 'README.md'), 'utf8');
  return readme.slice(readme.indexOf('## Install'), readme.indexOf('## Register'));
}

/** The package README's install command for a Nest line: the block after "Nest <line>". */
async function readmeInstallCommand(nest: string): Promise<string[]> {
  const block = new RegExp(
    `^Nest ${nest}\\b[^\\n]*\\n+\`\`\`bash\\n(npm install [^\\n]+)\\n\`\`\``,
    'm',
  );
  const command = block.exec(await readmeInstallSection())?.[1];
  if (!command) throw new Error(`the README's Install section has no command for Nest ${nest}`);
  return command.split(/\s+/);
}

/** The package README's install command for the sandbox, a dev dependency on either line. */
async function readmeSandboxInstallCommand(): Promise<string[]> {
  const block =
    /^```bash\n(npm (?:i|install) (?:-D|--save-dev) [^\n]*nest-wx-oauth-sandbox\b[^\n]*)\n```/m;
  const command = block.exec(await readmeInstallSection())?.[1];
  if (!command) throw new Error("the README's Install section has no command for the sandbox");
  return command.split(/\s+/);
}

/**
 * The package README's command for `@nestjs/jwt`, which its handoff and mini-program examples
 * use: the one naming the line's major, else the one naming none.
 */
async function readmeJwtInstallCommand(nest: string): Promise<string[]> {
  const readme = await readFile(join(lib, 'README.md'), 'utf8');
  const commands = [...readme.matchAll(/`(npm i @nestjs\/jwt(?:@\^(\d+))?)`/g)];
  const command = (commands.find(([, , major]) => major === nest) ??
    commands.find(([, , major]) => major === undefined))?.[1];
  if (!command) throw new Error(`the README has no command for @nestjs/jwt on Nest ${nest}`);
  return command.split(/\s+/);
}

/** Builds and packs a workspace package into `dir` as `<name>.tgz`; answers the tarball and its files. */
async function buildAndPack(
  pkgDir: string,
  dir: string,
  name: string,
): Promise<{ tarball: string; files: string[] }> {
  await run('npm', ['run', 'build'], pkgDir, 3 * MINUTE);
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], pkgDir);
  const [packed] = JSON.parse(stdout) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  const tarball = join(dir, `${name}.tgz`);
  await rename(join(dir, packed.filename), tarball);
  return { tarball, files: packed.files.map((file) => file.path) };
}

const perEntry = (entries: string[]): string[] =>
  entries.flatMap((entry) =>
    ['esm', 'cjs'].flatMap((format) => [
      `dist/${format}/${entryDir(entry)}index.js`,
      `dist/${format}/${entryDir(entry)}index.d.ts`,
    ]),
  );

/** No sources, specs, build info or maps in a tarball. */
const stray = (files: string[]): string[] =>
  files.filter((path) => path.startsWith('src/') || /\.spec\.|\.tsbuildinfo$|\.map$/.test(path));

describe('the packed nest-wx-oauth package', () => {
  let work: string;
  let tarball: string;
  let files: string[];
  let sandboxTarball: string;
  let sandboxFiles: string[];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'wx-consumers-'));
    // Every app's package.json names ../nest-wx-oauth.tgz and ../nest-wx-oauth-sandbox.tgz
    // once installed, so they sit next to the copies. The library's types need the sandbox's.
    ({ tarball: sandboxTarball, files: sandboxFiles } = await buildAndPack(
      sandboxLib,
      work,
      'nest-wx-oauth-sandbox',
    ));
    ({ tarball, files } = await buildAndPack(lib, work, 'nest-wx-oauth'));
  }, 7 * MINUTE);

  // Two apps' node_modules: removing them can take longer than jest's default 5 s on a busy machine.
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  }, MINUTE);

  it('carries the README, the LICENSE, the CHANGELOG, both module formats with their types, and nothing else', async () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'LICENSE',
        'CHANGELOG.md',
        'dist/cjs/package.json',
        ...perEntry(ENTRIES),
      ]),
    );
    expect(stray(files)).toEqual([]);
    // The sandbox and its command are the sandbox package's.
    expect(files.filter((path) => /(^|\/)bin\//.test(path))).toEqual([]);

    const pkg = await readJson<PackageJson>(join(lib, 'package.json'));
    for (const entry of ENTRIES) {
      expect(pkg.exports[entry]).toEqual({
        import: {
          types: `./dist/esm/${entryDir(entry)}index.d.ts`,
          default: `./dist/esm/${entryDir(entry)}index.js`,
        },
        require: {
          types: `./dist/cjs/${entryDir(entry)}index.d.ts`,
          default: `./dist/cjs/${entryDir(entry)}index.js`,
        },
      });
    }
    expect(pkg.bin).toBeUndefined();
    // Nest and Passport are the app's: peers admitting both majors, never dependencies.
    for (const name of ['@nestjs/common', '@nestjs/core', '@nestjs/passport']) {
      expect(pkg.peerDependencies?.[name]).toBe('^11.0.0 || ^12.0.0');
    }
    expect(pkg.peerDependencies?.passport).toBeDefined();
    expect(
      Object.keys(pkg.dependencies ?? {}).filter(
        (name) => name.startsWith('@nestjs/') || name === 'passport',
      ),
    ).toEqual([]);
    // The sandbox is the app's dev dependency, which nest-wx-oauth/testing re-exports: not
    // declared at all (npm keeps an optional peer that is a dev dependency in production
    // installs), and nothing only it uses among the dependencies.
    expect(pkg.peerDependencies?.['nest-wx-oauth-sandbox']).toBeUndefined();
    expect(pkg.dependencies?.['nest-wx-oauth-sandbox']).toBeUndefined();
    expect(Object.keys(pkg.dependencies ?? {})).not.toContain('qrcode-generator');
  });

  it('packs the sandbox with its README, its LICENSE, both module formats with their types and its command, and nothing else', async () => {
    expect(sandboxFiles).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'LICENSE',
        'dist/cjs/package.json',
        'bin/nest-wx-oauth-sandbox.cjs',
        'dist/cjs/bin/nest-wx-oauth-sandbox.js',
        ...perEntry(['.']),
      ]),
    );
    expect(stray(sandboxFiles)).toEqual([]);

    const pkg = await readJson<PackageJson>(join(sandboxLib, 'package.json'));
    const libPkg = await readJson<PackageJson>(join(lib, 'package.json'));
    expect(pkg.version).toBe(libPkg.version);
    expect(pkg.exports['.']).toEqual({
      import: { types: './dist/esm/index.d.ts', default: './dist/esm/index.js' },
      require: { types: './dist/cjs/index.d.ts', default: './dist/cjs/index.js' },
    });
    expect(pkg.bin).toEqual({ 'nest-wx-oauth-sandbox': './bin/nest-wx-oauth-sandbox.cjs' });
    expect(Object.keys(pkg.dependencies ?? {})).toContain('qrcode-generator');
  });

  describe.each(APPS)('in $app', ({ app, nest, config, typeorm, runner, linter }) => {
    const dir = (): string => join(work, app);

    beforeAll(async () => {
      await cp(join(consumers, app), dir(), {
        recursive: true,
        filter: (source) => !/[\\/](node_modules|dist)$/.test(source),
      });
      expect(dir().startsWith(repo)).toBe(false);
      await run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], dir(), 5 * MINUTE);
      // The README's commands as a user runs them, with the packed tarballs for the packages' names.
      const tarballs: Record<string, string> = {
        'nest-wx-oauth': tarball,
        'nest-wx-oauth-sandbox': sandboxTarball,
      };
      for (const [npm, ...args] of [
        await readmeInstallCommand(nest),
        await readmeSandboxInstallCommand(),
        await readmeJwtInstallCommand(nest),
      ]) {
        const packages = args.map((arg) => tarballs[arg] ?? arg);
        await run(npm, [...packages, '--no-audit', '--no-fund'], dir(), 5 * MINUTE);
      }
    }, 16 * MINUTE);

    it(`installs these very tarballs next to Nest ${nest} with the README's commands`, async () => {
      const pkg = await readJson<PackageJson>(join(lib, 'package.json'));
      const installed = join(dir(), 'node_modules/nest-wx-oauth');
      expect(await readJson(join(installed, 'package.json'))).toEqual(pkg);
      for (const file of [
        'dist/cjs/index.js',
        'dist/esm/index.js',
        'dist/cjs/testing/index.d.ts',
      ]) {
        expect(await readFile(join(installed, file), 'utf8')).toBe(
          await readFile(join(lib, file), 'utf8'),
        );
      }
      const major = async (name: string): Promise<string> =>
        (
          await readJson<PackageJson>(join(dir(), 'node_modules', name, 'package.json'))
        ).version.split('.')[0];
      expect(await major('@nestjs/core')).toBe(nest);
      expect(await major('@nestjs/passport')).toBe(nest);
      expect(await major('@nestjs/config')).toBe(config);
      expect(await major('@nestjs/jwt')).toBe(nest);
      // The app's own TypeORM, which the library's optional peer admits: 0.3 or 1.
      expect(await major('typeorm')).toBe(typeorm);

      // The sandbox, this very tarball too, as a dev dependency.
      const sandboxPkg = await readJson<PackageJson>(join(sandboxLib, 'package.json'));
      const installedSandbox = join(dir(), 'node_modules/nest-wx-oauth-sandbox');
      expect(await readJson(join(installedSandbox, 'package.json'))).toEqual(sandboxPkg);
      expect(await readFile(join(installedSandbox, 'dist/cjs/index.js'), 'utf8')).toBe(
        await readFile(join(sandboxLib, 'dist/cjs/index.js'), 'utf8'),
      );
      const appPkg = await readJson<PackageJson>(join(dir(), 'package.json'));
      expect(Object.keys(appPkg.devDependencies ?? {})).toContain('nest-wx-oauth-sandbox');
      expect(Object.keys(appPkg.dependencies ?? {})).not.toContain('nest-wx-oauth-sandbox');
      // A production install carries nothing of the sandbox, at any depth.
      const { stdout: production } = await run(
        'npm',
        ['ls', '--omit=dev', '--all', '--parseable'],
        dir(),
        MINUTE,
      );
      expect(production).toContain('nest-wx-oauth');
      expect(production).not.toMatch(/nest-wx-oauth-sandbox|qrcode-generator/);
    });

    it(
      `passes the ${linter} config that \`nest new\` makes for Nest ${nest}, the README's snippets among its files`,
      async () => {
        // The app's own lint script; a warning fails it too (no-unsafe-argument is one).
        await run('npm', ['run', 'lint', '--', '--max-warnings', '0'], dir(), 2 * MINUTE);
      },
      3 * MINUTE,
    );

    it(
      `passes its own ${runner} tests: a login through the sandbox`,
      async () => {
        const { stdout, stderr } = await run('npm', ['test'], dir(), 4 * MINUTE);
        // Without colour codes, which a runner adds when it thinks it runs in CI.
        // eslint-disable-next-line no-control-regex -- the escape character starts them
        const output = `${stdout}\n${stderr}`.replace(/\u001b\[[0-9;]*m/g, '');
        expect(output).toMatch(
          runner === 'jest' ? /Tests:\s+16 passed, 16 total/ : /Tests\s+16 passed \(16\)/,
        );
      },
      5 * MINUTE,
    );

    it('holds one copy of the library whether it is imported or required', async () => {
      const script = `
        import { createRequire } from 'node:module';
        const require = createRequire(process.cwd() + '/');
        const esm = await import('nest-wx-oauth');
        const cjs = require('nest-wx-oauth');
        const esmTesting = await import('nest-wx-oauth/testing');
        const cjsTesting = require('nest-wx-oauth/testing');
        const esmSandbox = await import('nest-wx-oauth-sandbox');
        const error = new cjs.WxOAuthError('denied', 'refused');
        console.log(JSON.stringify({
          names: Object.keys(esm).sort().join() === Object.keys(cjs).sort().join(),
          module: esm.WxOAuthModule === cjs.WxOAuthModule,
          guard: esm.WxAuthGuard === cjs.WxAuthGuard,
          error: esm.WxOAuthError === cjs.WxOAuthError && error instanceof esm.WxOAuthError,
          sandbox: esmTesting.WxSandbox === cjsTesting.WxSandbox && esmSandbox.WxSandbox === cjsTesting.WxSandbox,
        }));`;
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], dir());
      expect(JSON.parse(stdout)).toEqual({
        names: true,
        module: true,
        guard: true,
        error: true,
        sandbox: true,
      });
    });
  });

  it(
    "runs the sandbox package's command, which prints what to configure",
    async () => {
      const bin = join(work, APPS[0].app, 'node_modules/.bin/nest-wx-oauth-sandbox');
      expect((await run(bin, ['--help'], work)).stdout).toMatch(/--mp-appid <appid>/);

      const child = spawn(bin, ['--port', '0'], {
        cwd: work,
        env: childEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      try {
        let output = '';
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`no banner in time:\n${output}`)),
            20_000,
          );
          child.stdout.on('data', (chunk: Buffer) => {
            output += chunk.toString();
            if (/Press Ctrl\+C/.test(output)) {
              clearTimeout(timer);
              resolve();
            }
          });
          child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
        });
        const value = (name: string): string =>
          output.match(new RegExp(`^  ${name}=(\\S+)$`, 'm'))?.[1] ?? '';
        const url = value('WX_API_BASE_URL');
        expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect(value('WX_OPEN_BASE_URL')).toBe(url);
        expect(value('WX_MP_SECRET')).toMatch(/^[0-9a-f]{32}$/);
        expect(value('WX_CALLBACK_URL')).toBe('http://localhost:3000/auth/wechat/callback');

        // The official account's consent page, the website app's QR page, and the API for the printed secret.
        const authorize = (path: string, appid: string, scope: string): Promise<Response> =>
          fetch(
            `${url}${path}?${new URLSearchParams([
              ['appid', appid],
              ['redirect_uri', 'http://localhost:3000/auth/wechat/callback'],
              ['response_type', 'code'],
              ['scope', scope],
              ['state', 'abc'],
            ])}`,
          );
        const consent = await authorize(
          '/connect/oauth2/authorize',
          value('WX_MP_APPID'),
          'snsapi_userinfo',
        );
        expect(consent.status).toBe(200);
        expect(await consent.text()).toContain('/connect/sandbox/decide');
        const qr = await authorize('/connect/qrconnect', value('WX_WEB_APPID'), 'snsapi_login');
        expect(qr.status).toBe(200);
        expect(await qr.text()).toContain('<svg');
        const token = await fetch(
          `${url}/sns/oauth2/access_token?${new URLSearchParams({ appid: value('WX_MP_APPID'), secret: value('WX_MP_SECRET'), code: 'bad', grant_type: 'authorization_code' })}`,
        );
        expect(await token.json()).toMatchObject({ errcode: 40029 });
      } finally {
        child.kill('SIGTERM');
      }
    },
    MINUTE,
  );

  it('shows in the package README, whole, the files the consumer apps lint and run', async () => {
    const readme = await readFile(join(lib, 'README.md'), 'utf8');
    const jestApp = (file: string): Promise<string> =>
      readFile(join(consumers, 'nest11-cjs-jest', file), 'utf8');
    for (const file of README_FILES) {
      expect({ file, inReadme: readme.includes(await jestApp(file)) }).toEqual({
        file,
        inReadme: true,
      });
    }
    for (const file of SAME_IN_ESM_APP) {
      const esm = await readFile(join(consumers, 'nest12-esm-vitest', file), 'utf8');
      const asJest = esm.replace(/(from '\.{1,2}\/[^']+)\.js'/g, "$1'");
      expect({ file, asJest }).toEqual({ file, asJest: await jestApp(file) });
    }
  });
});
