import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** An HTTP API (payload format 2.0) event whose JSON body has been parsed by `jsonBody`. */
export type JsonEvent<TBody> = Omit<APIGatewayProxyEventV2, 'body'> & { body: TBody };

export type HttpResult = APIGatewayProxyStructuredResultV2 & { headers?: Record<string, string> };

export const jsonResult = (statusCode: number, payload: unknown, headers: Record<string, string> = {}): HttpResult => ({
  statusCode,
  headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(payload),
});
