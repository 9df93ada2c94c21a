// Nest 12 ships ES modules only, so Jest runs in its native ESM mode
// (node --experimental-vm-modules) and ts-jest emits ESM.
const tsJest = ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }];
const shared = {
  rootDir: '.',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': tsJest },
  moduleNameMapper: {
    '^nest-wx-oauth$': '<rootDir>/libs/wx-oauth/src/index.ts',
    '^nest-wx-oauth/(.*)$': '<rootDir>/libs/wx-oauth/src/$1/index.ts',
    '^nest-wx-oauth-sandbox$': '<rootDir>/libs/wx-sandbox/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
};

export default {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      roots: ['<rootDir>/libs', '<rootDir>/apps'],
      testRegex: '\\.spec\\.ts$',
    },
    {
      ...shared,
      displayName: 'e2e',
      roots: ['<rootDir>/test'],
      testRegex: '\\.e2e-spec\\.ts$',
      // The consumer apps run their own jest and vitest, through test/package.e2e-spec.ts.
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/consumers/'],
      modulePathIgnorePatterns: ['<rootDir>/test/consumers/'],
    },
  ],
};
