/** A value in CDATA, as WeChat wraps text; a `]]>` inside is split across two sections. */
function cdata(value: string): string {
  return `<![CDATA[${value.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
}

/** The fields of a scan event, in WeChat's order. */
export interface ScanEventFields {
  toUserName: string;
  fromUserName: string;
  createTime: number;
  event: 'subscribe' | 'SCAN';
  eventKey: string;
  ticket: string;
}

export function scanEventXml(fields: ScanEventFields): string {
  return (
    `<xml><ToUserName>${cdata(fields.toUserName)}</ToUserName>` +
    `<FromUserName>${cdata(fields.fromUserName)}</FromUserName>` +
    `<CreateTime>${fields.createTime}</CreateTime>` +
    `<MsgType>${cdata('event')}</MsgType>` +
    `<Event>${cdata(fields.event)}</Event>` +
    `<EventKey>${cdata(fields.eventKey)}</EventKey>` +
    `<Ticket>${cdata(fields.ticket)}</Ticket></xml>`
  );
}

/** Safe mode's body: only the addressee stays in the clear. */
export function encryptedXml(toUserName: string, encrypt: string): string {
  return `<xml><ToUserName>${cdata(toUserName)}</ToUserName><Encrypt>${cdata(encrypt)}</Encrypt></xml>`;
}

/** A platform's push: its appid stays in the clear beside the `Encrypt`. */
export function componentEnvelopeXml(componentAppid: string, encrypt: string): string {
  return `<xml><AppId>${cdata(componentAppid)}</AppId><Encrypt>${cdata(encrypt)}</Encrypt></xml>`;
}

/** What a platform is told: a new ticket, or a merchant's authorisation changing. */
export type ComponentEventFields =
  | {
      componentAppid: string;
      createTime: number;
      infoType: 'component_verify_ticket';
      ticket: string;
    }
  | {
      componentAppid: string;
      createTime: number;
      infoType: 'authorized' | 'updateauthorized';
      authorizerAppid: string;
      authCode: string;
      /** Unix seconds. */
      authCodeExpiredTime: number;
      preAuthCode: string;
    }
  | {
      componentAppid: string;
      createTime: number;
      infoType: 'unauthorized';
      authorizerAppid: string;
    };

/** The event's XML, in WeChat's order, before encryption. */
export function componentEventXml(fields: ComponentEventFields): string {
  const head =
    `<xml><AppId>${cdata(fields.componentAppid)}</AppId>` +
    `<CreateTime>${fields.createTime}</CreateTime>` +
    `<InfoType>${cdata(fields.infoType)}</InfoType>`;
  switch (fields.infoType) {
    case 'component_verify_ticket':
      return `${head}<ComponentVerifyTicket>${cdata(fields.ticket)}</ComponentVerifyTicket></xml>`;
    case 'unauthorized':
      return `${head}<AuthorizerAppid>${cdata(fields.authorizerAppid)}</AuthorizerAppid></xml>`;
    default:
      return (
        `${head}<AuthorizerAppid>${cdata(fields.authorizerAppid)}</AuthorizerAppid>` +
        `<AuthorizationCode>${cdata(fields.authCode)}</AuthorizationCode>` +
        `<AuthorizationCodeExpiredTime>${fields.authCodeExpiredTime}</AuthorizationCodeExpiredTime>` +
        `<PreAuthCode>${cdata(fields.preAuthCode)}</PreAuthCode></xml>`
      );
  }
}

/**
 * The text of the first `<name>` element, CDATA or plain (with the five XML entities
 * decoded): enough for WeChat's flat messages, no XML parser needed.
 */
export function xmlField(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  if (!match) return undefined;
  const inner = match[1].trim();
  const sections = [...inner.matchAll(/<!\[CDATA\[([\s\S]*?)]]>/g)];
  if (sections.length > 0) return sections.map((section) => section[1]).join('');
  return inner
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}
