import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { jsonBody } from '../../../lambdas/http/json-body';
import { lambdaContext, toHttpApiEvent } from '../../../local/http-api-event';

const MAX = 32;

/** jsonBody alone, in front of a handler that returns the event it was given. */
const run = (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyEventV2> =>
  middy<APIGatewayProxyEventV2, APIGatewayProxyEventV2>()
    .use(jsonBody({ maxBytes: MAX }))
    .handler(async (e) => e)(event, lambdaContext('unit'));

const JSON_TYPE = { 'content-type': 'application/json' };
const request = (body: string | undefined, headers: Record<string, string> = JSON_TYPE, method = 'POST') =>
  toHttpApiEvent({ method, path: '/v1/x', headers, body });
/** The body as API Gateway passes bytes it does not treat as text: base64, with isBase64Encoded. */
const base64Request = (bytes: Buffer, headers: Record<string, string> = JSON_TYPE) => ({
  ...request(undefined, headers),
  body: bytes.toString('base64'),
  isBase64Encoded: true,
});
/** A JSON object of exactly `bytes` bytes of UTF-8. */
const bodyOf = (bytes: number) => `{"a":"${'x'.repeat(bytes - 8)}"}`;

const refused = (code: string, status: number, message: string) => expect.objectContaining({ name: 'ApiError', code, status, message });

describe('parsing', () => {
  it('replaces the body with the parsed JSON', async () => {
    expect((await run(request('{"a":[1,{"b":null}]}'))).body).toEqual({ a: [1, { b: null }] });
  });

  it('passes any JSON value on (the schema decides what is allowed)', async () => {
    expect((await run(request('[1]'))).body).toEqual([1]);
    expect((await run(request('"text"'))).body).toBe('text');
    expect((await run(request('null'))).body).toBeNull();
  });

  it('decodes a base64 body first', async () => {
    expect((await run(base64Request(Buffer.from('{"a":"é"}')))).body).toEqual({ a: 'é' });
  });

  it('accepts a UTF-8 byte order mark (RFC 8259 lets a parser ignore it)', async () => {
    expect((await run(base64Request(Buffer.from('\uFEFF{"a":1}')))).body).toEqual({ a: 1 });
  });

  it('refuses text that is not JSON, and bytes that are not UTF-8 (never replaced by U+FFFD)', async () => {
    const notJson = refused('invalid_request', 400, 'Invalid request: the request body is not valid UTF-8 JSON.');
    await expect(run(request('{"a":'))).rejects.toEqual(notJson);
    await expect(run(request("{'a':1}"))).rejects.toEqual(notJson);
    await expect(run(base64Request(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])))).rejects.toEqual(notJson);
  });

  it('refuses a body whose bytes were not UTF-8 when it arrives as text, the bytes replaced by U+FFFD (as the local runtime hands it on)', async () => {
    const bytes = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]);
    const event = toHttpApiEvent({ method: 'POST', path: '/v1/x', headers: JSON_TYPE, body: bytes });
    expect([event.isBase64Encoded, event.body]).toEqual([false, '{"a":"\uFFFD"}']);
    const replaced = refused(
      'invalid_request',
      400,
      'Invalid request: the request body is not valid UTF-8: it has U+FFFD, the replacement character for bytes that are not.',
    );
    await expect(run(event)).rejects.toEqual(replaced);
    // Sent escaped, too: it is never stored in place of what the user typed.
    await expect(run(request('{"a":"\\ufffd"}'))).rejects.toEqual(replaced);
  });

  it('refuses a lone UTF-16 surrogate in any string, key or value, at any depth; a surrogate pair (an emoji) is text', async () => {
    const lone = refused(
      'invalid_request',
      400,
      'Invalid request: the request body has a string that is not valid Unicode: a lone UTF-16 surrogate such as \\ud800.',
    );
    for (const body of ['{"a":"p\\ud800"}', '{"a":{"b":["x","\\udc00"]}}', '{"\\ud83d":1}', '"\\udbff"']) {
      await expect(run(request(body))).rejects.toEqual(lone);
    }
    expect((await run(request('{"a":"\\ud83d\\ude00 \u00e9"}'))).body).toEqual({ a: '\u{1F600} \u00e9' });
  });

  it('refuses an empty body, once the Content-Type is right', async () => {
    const empty = refused('invalid_request', 400, 'Invalid request: the request body is empty; send a JSON object.');
    await expect(run(request(''))).rejects.toEqual(empty);
    await expect(run(request(undefined))).rejects.toEqual(empty);
    await expect(run(request('', {}))).rejects.toEqual(expect.objectContaining({ code: 'unsupported_media_type' }));
  });
});

describe('numbers', () => {
  const notKept = (number: string, reason: string) =>
    refused('invalid_request', 400, `Invalid request: the request body has the number ${number}, which ${reason}; send it as a string.`);
  const big = `is an integer larger than ${Number.MAX_SAFE_INTEGER} in magnitude, which would be rounded`;

  it('refuses a number that is not finite as a double, at any depth', async () => {
    await expect(run(request('{"a":1e400}'))).rejects.toEqual(notKept('1e400', 'is too large to be a number'));
    await expect(run(request('[[{"a":-2E308}]]'))).rejects.toEqual(notKept('-2E308', 'is too large to be a number'));
  });

  it('refuses an integer beyond Number.MAX_SAFE_INTEGER in magnitude', async () => {
    await expect(run(request('{"p":12345678901234567890}'))).rejects.toEqual(notKept('12345678901234567890', big));
    await expect(run(request('[9007199254740992]'))).rejects.toEqual(notKept('9007199254740992', big));
  });

  it('refuses a nonzero number that would become 0', async () => {
    await expect(run(request('[1e-400]'))).rejects.toEqual(notKept('1e-400', 'is too small to be a number (it would be 0)'));
  });

  it('keeps the safe integers, fractions and zero as sent', async () => {
    // Each under the 32-byte limit of this file's middleware.
    for (const text of ['[9007199254740991]', '[-9007199254740991]', '[0.1,1.5e300,5e-324]', '[0,-0.0,0e-999]']) {
      expect((await run(request(text))).body).toEqual(JSON.parse(text));
    }
  });
});

describe('duplicate keys', () => {
  it('refuses a key given twice in one object, at any depth, naming it', async () => {
    await expect(run(request('{"a":1,"a":2}'))).rejects.toEqual(
      refused('invalid_request', 400, 'Invalid request: the request body has the key "a" more than once.'),
    );
    await expect(run(request('{"x":{"b":1,"b":2}}'))).rejects.toEqual(
      refused('invalid_request', 400, 'Invalid request: the request body has the key "b" more than once.'),
    );
  });

  it('allows the same key in different objects', async () => {
    expect((await run(request('[{"a":1},{"a":2}]'))).body).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('quotes at most 64 characters of the key, escaped so it cannot break the message', async () => {
    const run200 = (event: APIGatewayProxyEventV2) =>
      middy<APIGatewayProxyEventV2, APIGatewayProxyEventV2>()
        .use(jsonBody({ maxBytes: 4096 }))
        .handler(async (e) => e)(event, lambdaContext('unit'));
    const long = 'k'.repeat(100);
    await expect(run200(request(`{"${long}":1,"${long}":2}`))).rejects.toEqual(
      refused('invalid_request', 400, `Invalid request: the request body has the key "${'k'.repeat(64)}" more than once.`),
    );
    await expect(run200(request('{"a\\"\\n":1,"a\\"\\n":2}'))).rejects.toEqual(
      refused('invalid_request', 400, 'Invalid request: the request body has the key "a\\"\\n" more than once.'),
    );
  });
});

describe('size limit', () => {
  it('accepts a body of exactly maxBytes and refuses one byte more with 413', async () => {
    expect((await run(request(bodyOf(MAX)))).body).toEqual({ a: 'x'.repeat(MAX - 8) });
    await expect(run(request(bodyOf(MAX + 1)))).rejects.toEqual(refused('payload_too_large', 413, `The request body is larger than ${MAX} bytes.`));
  });

  it('counts bytes, not characters', async () => {
    const body = `{"a":"é${'x'.repeat(MAX - 9)}"}`;
    expect([body.length, Buffer.byteLength(body)]).toEqual([MAX, MAX + 1]);
    await expect(run(request(body))).rejects.toEqual(expect.objectContaining({ code: 'payload_too_large' }));
  });

  it('measures a base64 body after decoding', async () => {
    const exact = Buffer.from(bodyOf(MAX));
    expect(exact.toString('base64').length).toBeGreaterThan(MAX);
    expect((await run(base64Request(exact))).body).toEqual({ a: 'x'.repeat(MAX - 8) });
    await expect(run(base64Request(Buffer.from(bodyOf(MAX + 1))))).rejects.toEqual(expect.objectContaining({ code: 'payload_too_large' }));
  });

  it('is checked before anything else: an oversized body of the wrong type is still 413', async () => {
    await expect(run(request(bodyOf(MAX + 1), { 'content-type': 'application/xml' }))).rejects.toEqual(expect.objectContaining({ code: 'payload_too_large' }));
  });
});

describe('Content-Type', () => {
  it('accepts application/json and text/plain (a CORS "simple" request), in any case, under a header name in any case', async () => {
    for (const type of ['application/json', 'text/plain', 'Application/JSON', 'TEXT/PLAIN']) {
      expect((await run(request('{"a":1}', { 'content-type': type }))).body).toEqual({ a: 1 });
    }
    const event = { ...request('{"a":1}', {}), headers: { 'Content-Type': 'application/json' } };
    expect((await run(event)).body).toEqual({ a: 1 });
  });

  it('refuses a missing or blank Content-Type with 415', async () => {
    const missing = refused('unsupported_media_type', 415, 'Send the body as JSON with Content-Type: application/json.');
    await expect(run(request('{"a":1}', {}))).rejects.toEqual(missing);
    await expect(run(request('{"a":1}', { 'content-type': '  ' }))).rejects.toEqual(missing);
  });

  it('refuses other media types with 415, naming the one sent', async () => {
    await expect(run(request('{"a":1}', { 'content-type': 'application/x-www-form-urlencoded' }))).rejects.toEqual(
      refused('unsupported_media_type', 415, 'Content-Type application/x-www-form-urlencoded is not accepted; send application/json.'),
    );
    await expect(run(request('{"a":1}', { 'content-type': 'application/json-patch+json' }))).rejects.toEqual(
      expect.objectContaining({ code: 'unsupported_media_type' }),
    );
  });

  it('accepts the UTF-8 charset however it is spelled, and ignores other parameters', async () => {
    for (const type of [
      'application/json; charset=utf-8',
      'application/json;charset=UTF-8',
      'application/json; charset="utf-8"',
      'text/plain; charset=utf8',
      'application/json; foo=bar',
    ]) {
      expect((await run(request('{"a":1}', { 'content-type': type }))).body).toEqual({ a: 1 });
    }
  });

  it('refuses any other charset with 415', async () => {
    for (const charset of ['iso-8859-1', 'utf-16', '']) {
      await expect(run(request('{"a":1}', { 'content-type': `application/json; charset=${charset}` }))).rejects.toEqual(
        refused('unsupported_media_type', 415, 'Only the UTF-8 charset is accepted.'),
      );
    }
  });
});

describe('methods without a body', () => {
  it.each(['GET', 'DELETE', 'HEAD', 'OPTIONS'])('%s: any body is dropped unread, whatever its type or size', async (method) => {
    const event = await run(request(bodyOf(MAX + 10), { 'content-type': 'application/xml' }, method));
    expect(event.body).toBeUndefined();
  });

  it('an event without requestContext.http (a direct invocation) is treated as a POST', async () => {
    const { requestContext: _dropped, ...event } = request('{"a":1}');
    expect((await run(event as APIGatewayProxyEventV2)).body).toEqual({ a: 1 });
  });
});

describe('path and query parameters', () => {
  it('are {} when absent, so a schema can name the missing field', async () => {
    const event = await run({ ...request('{}'), pathParameters: undefined, queryStringParameters: undefined });
    expect([event.pathParameters, event.queryStringParameters]).toEqual([{}, {}]);
  });

  it('are kept when present', async () => {
    const event = await run({ ...request(undefined, {}, 'GET'), pathParameters: { entry_id: 'e1' }, queryStringParameters: { a: 'b' } });
    expect([event.pathParameters, event.queryStringParameters]).toEqual([{ entry_id: 'e1' }, { a: 'b' }]);
  });
});
