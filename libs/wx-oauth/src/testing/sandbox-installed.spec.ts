import { assertSandboxInstalled } from './sandbox-installed.js';

const missing = (code: string) => () => {
  throw Object.assign(new Error(`Cannot find module 'nest-wx-oauth-sandbox'`), { code });
};

describe('assertSandboxInstalled', () => {
  it('passes when the sandbox package resolves', () => {
    expect(() =>
      assertSandboxInstalled(() => '/node_modules/nest-wx-oauth-sandbox/index.js'),
    ).not.toThrow();
  });

  it('names the install command when the sandbox package is missing', () => {
    expect(() => assertSandboxInstalled(missing('MODULE_NOT_FOUND'))).toThrow(
      'install it as a dev dependency (npm i -D nest-wx-oauth-sandbox)',
    );
  });

  it('leaves any other failure as it is', () => {
    expect(() => assertSandboxInstalled(missing('EACCES'))).toThrow(/^Cannot find module/);
  });
});
