import { WxOAuthError } from './wx-oauth.error.js';

/** A caller's argument WeChat needs: a non-empty string, else `invalid_request` before any call. */
export function assertPresent(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new WxOAuthError('invalid_request', `${name} must be a non-empty string`);
  }
}
