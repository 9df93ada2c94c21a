// The peers (servers answering WeChat logins on one environment contract, servers/env.mjs)
// and the scenarios (the sandbox's settings) every mode of the bench draws from.
import { TENANTS } from '../servers/tenants.mjs';

export const PEERS = [
  { name: 'baseline', script: 'servers/baseline.mjs', about: 'node:http, one keep-alive agent' },
  {
    name: 'nest-wx-oauth',
    script: 'dist/nest-wx-oauth.js',
    about: 'Nest 12 + Express, WxAuthGuard, state on',
    state: true,
  },
  // Its many-tenants mode, held to the fixed registration above: every login looks its tenant up.
  {
    name: 'nest-wx-oauth-tenants',
    script: 'dist/nest-wx-oauth-tenants.js',
    about: `our module as above with \`tenants\`: ${TENANTS} tenants, each its own official account, logins spread over them round-robin`,
    state: true,
    tenants: TENANTS,
  },
  { name: 'passport-wechat', script: 'servers/passport-wechat.mjs', about: 'express + passport' },
  {
    name: 'wechat-oauth',
    script: 'servers/wechat-oauth.mjs',
    about: 'express, called in the handler',
  },
  // References, not competitors: the baseline's handlers on express, and in a Nest controller (no library, no state).
  {
    name: 'express-plain',
    script: 'servers/express-plain.mjs',
    about: "reference: the baseline's handlers on express",
  },
  {
    name: 'nest-plain',
    script: 'dist/nest-plain.js',
    about: "reference: the baseline's handlers in a Nest controller, no library",
  },
  // References for the login path, to tell framework cost from library cost: WeChat's two calls on a tuned axios instance, without and with Passport.
  {
    name: 'nest-axios',
    script: 'dist/nest-axios.js',
    about:
      'reference: a Nest controller making the two calls on a tuned axios instance, no library',
  },
  {
    name: 'nest-passport-axios',
    script: 'dist/nest-passport-axios.js',
    about:
      'reference: a minimal passport-oauth2 strategy and AuthGuard in Nest, the two calls on the same axios instance, no library',
  },
  // What the Fastify adapter gives, for the targets the Express adapter cannot reach.
  {
    name: 'nest-wx-oauth-fastify',
    script: 'dist/nest-wx-oauth.js',
    about: "our module as above, on Nest's Fastify adapter",
    state: true,
    env: { NEST_ADAPTER: 'fastify' },
  },
  {
    name: 'nest-plain-fastify',
    script: 'dist/nest-plain.js',
    about: "reference: nest-plain on Nest's Fastify adapter",
    env: { NEST_ADAPTER: 'fastify' },
  },
  {
    name: 'nest-axios-fastify',
    script: 'dist/nest-axios.js',
    about: "reference: nest-axios on Nest's Fastify adapter",
    env: { NEST_ADAPTER: 'fastify' },
  },
  {
    name: 'nest-passport-axios-fastify',
    script: 'dist/nest-passport-axios.js',
    about:
      "reference: nest-passport-axios on Nest's Fastify adapter (passport redirects on reply.raw)",
    env: { NEST_ADAPTER: 'fastify' },
  },
];

/** `sandbox` is given to WxSandbox.start; a new connection costs one round trip, as a TCP handshake does. */
export const SCENARIOS = [
  { name: 'redirect', kind: 'redirect', about: 'GET /auth/wechat', sandbox: {} },
  { name: 'callback', kind: 'callback', about: 'fresh code: exchange + userinfo', sandbox: {} },
  {
    name: 'callback-20ms',
    kind: 'callback',
    about: '20 ms per upstream request and per new connection',
    sandbox: { latencyMs: 20, connectionLatencyMs: 20 },
  },
  {
    name: 'callback-tls',
    kind: 'callback',
    about: 'sandbox over HTTPS, certificate made at run time',
    sandbox: { tls: true },
  },
  {
    name: 'callback-tls-20ms',
    kind: 'callback',
    about: 'HTTPS and 20 ms per upstream request and per new connection: what real WeChat costs',
    sandbox: { tls: true, latencyMs: 20, connectionLatencyMs: 20 },
  },
];
