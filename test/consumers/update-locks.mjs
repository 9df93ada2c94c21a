// Refreshes the consumer apps' lock files: each app as `nest new` makes it, before the
// library and the sandbox. The package test copies an app, installs it from this lock file
// (`npm ci`), then runs the package README's install commands, the app's Nest line's, the
// sandbox's (a dev dependency) and `@nestjs/jwt`'s, with the packed tarballs.
//
// Usage: npm run consumers:lock   (after changing an app's package.json)
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

for (const app of readdirSync(here).filter((name) => statSync(join(here, name)).isDirectory())) {
  const dir = join(here, app);
  rmSync(join(dir, 'node_modules'), { recursive: true, force: true });
  console.log(`${app}: npm install`);
  execFileSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
}
