// The library's layering, held by dependency-cruiser in `npm run lint`.
//
// The written-down layering of libs/wx-oauth/src, lowest layer first. Each folder
// may import its own files, the files of the folders it names here, and the
// leaves (utils/ and wx-oauth.constants.ts), which anything may import. An
// import of anything else in the library is an error.
//
//   utils/, wx-oauth.constants.ts   leaves: import nothing of the library (utils/ only utils/)
//   client/         (leaves only; framework-free: no Nest, Passport, Express, Fastify, RxJS)
//   http/           client
//   store/          client
//   options/        client, http, store
//   component/      options, store, client  (the third-party platform: its ticket, token, merchants' authorisations)
//   apps/           options, client, http, store, component
//   tokens/         apps, options, store, client
//   state/          http, store, options, client
//   profile/        options, client
//   errors/         client
//   push/           apps, component, options, store, http, client
//   logins/oauth/, logins/follow/, logins/mini-program/, logins/app/, logins/wecom/
//                   every folder above (the core), but not each other
//   guard/          logins/*, and the core
//   identities/     profile, apps, client  (the links of identities to the app's users; no login imports it)
//   wx-oauth.module.ts, wx-oauth.module-definition.ts, wx-oauth.providers.ts,
//   wx-oauth.decorators.ts, index.ts
//                   anything but the subpaths; nothing in a folder imports them
//   redis/          store, client          (the `nest-wx-oauth/redis` subpath)
//   typeorm/        identities             (`nest-wx-oauth/typeorm`: the identity store in TypeORM)
//   config/         options, wx-oauth.module(-definition).ts  (`nest-wx-oauth/config`)
//   testing/        nothing of the library: it re-exports the sandbox package
//                   (`nest-wx-oauth/testing`)
//
// Nothing else in the library imports redis/, typeorm/, config/ or testing/. Spec files
// (*.spec.ts, *.spec-helper.ts) are exempt from the layers; no production file
// imports them. Type-only imports count like any other.

const SRC = '^libs/wx-oauth/src/';
const SPEC = '\\.spec(-helper)?\\.ts$';
const LEAVES = `${SRC}(utils/|wx-oauth\\.constants\\.ts$)`;
const CORE = [
  'utils',
  'client',
  'http',
  'store',
  'options',
  'component',
  'apps',
  'tokens',
  'state',
  'profile',
  'errors',
  'push',
];

/** A folder's rule: besides its own files and the leaves, it imports only `allowed` of the library. */
function layer(folder, allowed, { leaves = true } = {}) {
  const pathNot = [`${SRC}${folder}/`, ...allowed.map((to) => `${SRC}${to}/`)];
  if (leaves) pathNot.push(LEAVES);
  return {
    name: `layer-${folder}`,
    severity: 'error',
    comment: `${folder}/ may import only ${[...allowed, ...(leaves ? ['the leaves'] : [])].join(', ') || 'nothing of the library'} (see the layering above).`,
    from: { path: `${SRC}${folder}/`, pathNot: SPEC },
    to: { path: SRC, pathNot },
  };
}

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: a module reaches itself again through its imports.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'leaf-constants',
      severity: 'error',
      comment: 'wx-oauth.constants.ts is a leaf: it imports nothing of the library.',
      from: { path: `${SRC}wx-oauth\\.constants\\.ts$` },
      to: { path: SRC },
    },
    layer('utils', [], { leaves: false }),
    layer('client', []),
    layer('http', ['client']),
    layer('store', ['client']),
    layer('options', ['client', 'http', 'store']),
    layer('component', ['options', 'store', 'client']),
    layer('apps', ['options', 'client', 'http', 'store', 'component']),
    layer('tokens', ['apps', 'options', 'store', 'client']),
    layer('state', ['http', 'store', 'options', 'client']),
    layer('profile', ['options', 'client']),
    layer('errors', ['client']),
    layer('push', ['apps', 'component', 'options', 'store', 'http', 'client']),
    {
      name: 'layer-logins',
      severity: 'error',
      comment: 'A login (logins/<name>/) may import its own folder and the core only.',
      from: { path: `${SRC}(logins/[^/]+)/`, pathNot: SPEC },
      to: {
        path: SRC,
        // Another login is no-login-to-login's to report.
        pathNot: [`${SRC}(logins|$1)/`, LEAVES, ...CORE.map((to) => `${SRC}${to}/`)],
      },
    },
    {
      name: 'no-login-to-login',
      severity: 'error',
      comment:
        'logins/oauth, logins/follow, logins/mini-program, logins/app and logins/wecom do not import each other.',
      from: { path: `${SRC}logins/([^/]+)/`, pathNot: SPEC },
      to: { path: `${SRC}logins/`, pathNot: `${SRC}logins/$1/` },
    },
    layer('guard', ['logins', ...CORE]),
    layer('identities', ['profile', 'apps', 'client']),
    layer('redis', ['store', 'client']),
    layer('typeorm', ['identities']),
    {
      ...layer('config', ['options']),
      to: {
        path: SRC,
        pathNot: [`${SRC}(config|options)/`, LEAVES, `${SRC}wx-oauth\\.module(-definition)?\\.ts$`],
      },
      comment: 'config/ may import options/, the top-level module and the leaves.',
    },
    layer('testing', [], { leaves: false }),
    {
      name: 'subpaths-not-imported',
      severity: 'error',
      comment:
        'redis/, typeorm/, config/ and testing/ are subpaths of the package: nothing else in the library imports them.',
      from: { path: SRC, pathNot: [`${SRC}(redis|typeorm|config|testing)/`, SPEC] },
      to: { path: `${SRC}(redis|typeorm|config|testing)/` },
    },
    {
      name: 'sandbox-only-via-testing',
      severity: 'error',
      comment: 'Only testing/ imports the sandbox package (an optional peer dependency).',
      from: { path: SRC, pathNot: [`${SRC}testing/`, SPEC] },
      to: { path: '^libs/wx-sandbox/|(^|/)node_modules/nest-wx-oauth-sandbox/' },
    },
    {
      name: 'client-framework-free',
      severity: 'error',
      comment:
        'client/ is the framework-free WeChat HTTP API: no Nest, Passport, Express, Fastify or RxJS.',
      from: { path: `${SRC}client/`, pathNot: SPEC },
      to: {
        path: '(^|/)node_modules/(@nestjs/|passport[^/]*/|express/|fastify/|@fastify/|rxjs/)',
      },
    },
    {
      name: 'not-to-spec',
      severity: 'error',
      comment:
        'Production files do not import spec files or spec helpers (the build leaves them out).',
      from: { path: SRC, pathNot: SPEC },
      to: { path: SPEC },
    },
    {
      name: 'library-not-to-outside',
      severity: 'error',
      comment: 'The library imports nothing of the apps, the tests or the bench (its specs may).',
      from: { path: SRC, pathNot: SPEC },
      to: { path: '^(apps|test|bench)/' },
    },
    {
      name: 'sandbox-not-to-library',
      severity: 'error',
      comment: 'The sandbox package stands alone: the library re-exports it, never the reverse.',
      from: { path: '^libs/wx-sandbox/' },
      to: { path: '^libs/wx-oauth/|(^|/)node_modules/nest-wx-oauth/' },
    },
  ],
  options: {
    doNotFollow: { path: '(^|/)node_modules/' },
    exclude: { path: '(^|/)dist/' },
    // Type-only imports are part of the design too.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts', '.json'],
    },
    skipAnalysisNotInRules: true,
  },
};
