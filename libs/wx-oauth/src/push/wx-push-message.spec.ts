import { buildPushXml, parsePushXml } from './wx-push-message.js';

describe('push XML', () => {
  it("reads WeChat's event, CDATA and plain values alike", () => {
    const xml =
      '<xml><ToUserName><![CDATA[gh_123]]></ToUserName><FromUserName><![CDATA[o_abc]]></FromUserName>' +
      '<CreateTime>1700000000</CreateTime><MsgType><![CDATA[event]]></MsgType>' +
      '<Event><![CDATA[subscribe]]></Event><EventKey><![CDATA[qrscene_x]]></EventKey></xml>';
    expect(parsePushXml(xml)).toEqual({
      ToUserName: 'gh_123',
      FromUserName: 'o_abc',
      CreateTime: '1700000000',
      MsgType: 'event',
      Event: 'subscribe',
      EventKey: 'qrscene_x',
    });
  });

  it('refuses what is not message XML, and any DOCTYPE unread', () => {
    const malformed = expect.objectContaining({ kind: 'invalid_request' });
    expect(() => parsePushXml('<xml><a>1</a>')).toThrow(malformed);
    expect(() => parsePushXml('{"a":1}')).toThrow(malformed);
    expect(() => parsePushXml('<other><a>1</a></other>')).toThrow(malformed);
    expect(() =>
      parsePushXml('<!DOCTYPE x [<!ENTITY a "aaaaaaaa">]><xml><A>&a;&a;</A></xml>'),
    ).toThrow(malformed);
  });

  it('writes text in CDATA, even text that contains its end', () => {
    const xml = buildPushXml({ Content: '登录成功 ]]> <b>', CreateTime: 1 });
    expect(parsePushXml(xml)).toEqual({ Content: '登录成功 ]]> <b>', CreateTime: '1' });
  });
});
