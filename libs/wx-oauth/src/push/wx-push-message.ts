import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { WxOAuthError } from '../client/wx-oauth.error.js';

/**
 * A message or event WeChat pushed, its fields as WeChat names them
 * (`FromUserName`, `MsgType`, `Event`, `EventKey`, `Content`, ...), values as
 * text; nested elements (a few events have them) as objects.
 *
 * @publicApi
 */
export type WxPushFields = Record<string, unknown> & {
  ToUserName?: string;
  FromUserName?: string;
  CreateTime?: string;
  MsgType?: string;
  Event?: string;
  EventKey?: string;
  Ticket?: string;
};

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true });
const builder = new XMLBuilder({ cdataPropName: '#cdata' });

/** Reads WeChat's `<xml>…</xml>`; `invalid_request` for anything else. A DOCTYPE (entity expansion) is refused unread. */
export function parsePushXml(xml: string): WxPushFields {
  if (/<!(DOCTYPE|ENTITY)/i.test(xml)) throw malformed();
  let parsed: unknown;
  try {
    parsed = parser.parse(xml, true);
  } catch {
    throw malformed();
  }
  const root = (parsed as { xml?: unknown } | undefined)?.xml;
  if (root === null || typeof root !== 'object' || Array.isArray(root)) throw malformed();
  return root as WxPushFields;
}

/** WeChat's `<xml>` of `fields`, text in CDATA (numbers as they are). */
export function buildPushXml(fields: Record<string, string | number>): string {
  const xml = Object.fromEntries(
    Object.entries(fields).map(([name, value]) => [
      name,
      typeof value === 'number' ? value : { '#cdata': value },
    ]),
  );
  return builder.build({ xml }) as string;
}

function malformed(): WxOAuthError {
  return new WxOAuthError('invalid_request', 'The push body is not WeChat message XML');
}
