import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // describe/it/expect as globals, as in jest.
    globals: true,
    include: ['test/**/*.e2e-spec.ts'],
  },
});
