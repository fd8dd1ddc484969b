export interface ApiClientOptions {
  /** Base URL: the local runtime (http://127.0.0.1:3000) or the deployed ApiUrl. */
  readonly endpoint: string;
  /** Sign with SigV4: `auto` signs everything but loopback endpoints. */
  readonly sign: 'auto' | 'always' | 'never';
  /** Region for signing; derived from an execute-api host name when omitted. */
  readonly region?: string;
}

export interface ApiReply {
  readonly status: number;
  readonly json: unknown;
  readonly headers: Headers;
}

/** Thrown when the call could not be made at all (network, credentials). */
export class TransportError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransportError';
  }
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

const regionOf = (url: URL, explicit?: string): string => {
  const fromHost = /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$/.exec(url.hostname)?.[1];
  const region = explicit ?? fromHost ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) throw new TransportError('Cannot tell the AWS region to sign for: pass --region or set AWS_REGION.');
  return region;
};

/**
 * Calls the session-recovery HTTP API. Requests to AWS are SigV4-signed with the
 * default AWS credential chain (environment, profile, SSO, instance role), as the
 * API's IAM authorization requires.
 */
export class ApiClient {
  private readonly base: URL;

  constructor(private readonly options: ApiClientOptions) {
    try {
      this.base = new URL(options.endpoint);
    } catch {
      throw new TransportError(`--endpoint is not a URL: ${options.endpoint}`);
    }
  }

  private shouldSign(): boolean {
    if (this.options.sign === 'auto') return !LOOPBACK.has(this.base.hostname);
    return this.options.sign === 'always';
  }

  /** The full URL of an API path, e.g. `urlOf('/v1/load-entry-data')`. */
  urlOf(path: string): URL {
    return new URL(this.base.pathname.replace(/\/$/, '') + path, this.base);
  }

  /** `unsigned`: a public route (load-entry-data), which a browser calls with no credentials. */
  async request(method: string, path: string, options: { body?: unknown; query?: Record<string, string>; unsigned?: boolean } = {}): Promise<ApiReply> {
    const url = this.urlOf(path);
    for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    let headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (!options.unsigned && this.shouldSign()) headers = await this.sign(method, url, headers, body);
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body });
    } catch (error) {
      // fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, …) is its cause's code.
      const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
      const reason = String(cause?.code ?? cause?.message ?? (error as Error).message);
      const hint = LOOPBACK.has(url.hostname)
        ? `Is the local runtime running? Start it with \`npm start\` in the session-recovery folder (it listens on http://127.0.0.1:3000 unless PORT says otherwise).`
        : "Check --endpoint (the stack's ApiUrl output) and your network.";
      throw new TransportError(`Could not reach ${url.origin} (${reason}). ${hint}`, { cause: error });
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = { error: { code: 'unexpected_response', message: text.slice(0, 200) } };
    }
    return { status: res.status, json, headers: res.headers };
  }

  /** Loaded only when a call is signed (calls to the local runtime are not), so other commands start faster. */
  private async sign(method: string, url: URL, headers: Record<string, string>, body: string | undefined) {
    const [{ fromNodeProviderChain }, { Sha256 }, { HttpRequest }, { SignatureV4 }] = await Promise.all([
      import('@aws-sdk/credential-providers'),
      import('@aws-crypto/sha256-js'),
      import('@smithy/protocol-http'),
      import('@smithy/signature-v4'),
    ]);
    const signer = new SignatureV4({
      service: 'execute-api',
      region: regionOf(url, this.options.region),
      credentials: fromNodeProviderChain(),
      sha256: Sha256,
    });
    const request = new HttpRequest({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { ...headers, host: url.host },
      body,
    });
    try {
      const signed = await signer.sign(request);
      return signed.headers as Record<string, string>;
    } catch (error) {
      throw new TransportError(`Could not sign the request with your AWS credentials: ${(error as Error).message}`, { cause: error });
    }
  }
}
