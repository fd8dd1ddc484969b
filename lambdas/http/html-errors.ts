import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HttpResult } from './types';

/** What a person is told, by status, on a page they opened. */
const PAGES: Readonly<Record<number, { readonly title: string; readonly text: string }>> = {
  404: { title: 'This link has expired or does not exist', text: 'Ask for a new link to carry on where you stopped.' },
  503: { title: 'This link cannot be opened right now', text: 'Try again in a moment.' },
};
const FALLBACK = { title: 'This link cannot be opened', text: 'Try again later, or ask for a new link.' };

const page = (status: number): string => {
  const { title, text } = PAGES[status] ?? FALLBACK;
  return `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><h1>${title}</h1><p>${text}</p></html>\n`;
};

/** Only a client that asks for JSON and not for HTML (a script) gets the JSON error; a browser, curl and scanners get the page. */
const wantsJson = (event: APIGatewayProxyEventV2): boolean => {
  const accept = event.headers?.accept ?? '';
  return /application\/json/i.test(accept) && !/text\/html/i.test(accept);
};

const isHead = (request: Request): boolean => (request.event as APIGatewayProxyEventV2).requestContext?.http?.method === 'HEAD';

/**
 * For routes people open in a browser (the short-link redirect): an error
 * formatted by errorResponse becomes a small HTML page, unless the client asked
 * for JSON; a HEAD request's answer has GET's status and headers and no body.
 * Goes before errorResponse in the chain, so its onError runs after it.
 */
export const htmlErrors = (): MiddlewareObj => {
  const noBodyForHead = (request: Request): void => {
    if (isHead(request) && request.response) (request.response as HttpResult).body = '';
  };
  return {
    after: noBodyForHead,
    onError: (request) => {
      const response = request.response as HttpResult | undefined;
      if (!response) return;
      if (!wantsJson(request.event as APIGatewayProxyEventV2)) {
        response.headers = { ...response.headers, 'Content-Type': 'text/html; charset=utf-8' };
        response.body = page(response.statusCode ?? 500);
      }
      noBodyForHead(request);
    },
  };
};
