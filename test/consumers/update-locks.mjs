// Refreshes the consumer apps' lock files against the library as it is now:
// builds and packs it to ./nest-wx-oauth.tgz (the path their package.json names),
// runs `npm install` in each app, then drops the tarball's integrity from the lock.
//
// The tarball changes with every build, and npm ci trusts a recorded integrity over
// the file: it would install a stale copy from its cache, or fail. Without it, npm ci
// unpacks whatever tarball the test has just packed, and everything else stays locked.
//
// Usage: npm run consumers:lock   (after changing the library's dependencies or peers,
// or an app's package.json)
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const lib = join(here, '../../libs/wx-oauth');

const run = (command, args, cwd) =>
  execFileSync(command, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });

run('npm', ['run', 'build'], lib);
const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', here], lib));
renameSync(join(here, packed.filename), join(here, 'nest-wx-oauth.tgz'));

for (const app of readdirSync(here).filter((name) => statSync(join(here, name)).isDirectory())) {
  const dir = join(here, app);
  const lockFile = join(dir, 'package-lock.json');
  const readLock = () => JSON.parse(readFileSync(lockFile, 'utf8'));
  const writeLock = (lock) => writeFileSync(lockFile, `${JSON.stringify(lock, null, 2)}\n`);
  // Forget the installed copy: with the same version and no integrity, npm would keep it
  // and never read the new tarball's dependencies and peers.
  if (existsSync(lockFile)) {
    const lock = readLock();
    delete lock.packages['node_modules/nest-wx-oauth'];
    writeLock(lock);
  }
  rmSync(join(dir, 'node_modules/nest-wx-oauth'), { recursive: true, force: true });
  console.log(`${app}: npm install`);
  run('npm', ['install', '--no-audit', '--no-fund'], dir);
  const lock = readLock();
  delete lock.packages['node_modules/nest-wx-oauth'].integrity;
  writeLock(lock);
}
