// The AWS endpoints' stand-in: a pass-through HTTP proxy in front of moto that
// keeps client connections alive and, given a certificate, terminates TLS.
//
// moto's server (Werkzeug) answers every request with `Connection: close`, so
// against it no client can reuse a connection and HTTP keep-alive cannot be
// observed. Behind this proxy the Lambdas' SDK clients keep their connections,
// as they do with the real AWS endpoints, and the harnesses count the
// connections they open. moto also speaks plain HTTP, where a new connection
// costs next to nothing; AWS endpoints speak only HTTPS, where each new
// connection is a TLS handshake. With `--tls` the proxy serves HTTPS, so a
// client pays for its handshakes here as it does in AWS (the certificate is
// self-signed: the clients trust it through NODE_EXTRA_CA_CERTS).
//
// Usage: node keep-alive-proxy.mjs <moto endpoint> [--tls <cert.pem> <key.pem>] [--listen <n>]
// Listens on n ports (default 1), one per service, as AWS has one host per
// service; prints their endpoints on its first line of stdout, space-separated.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';

const args = process.argv.slice(2);
const upstream = new URL(args[0]);
const tlsAt = args.indexOf('--tls');
const tls = tlsAt > 0 ? { cert: readFileSync(args[tlsAt + 1]), key: readFileSync(args[tlsAt + 2]) } : undefined;
const listenAt = args.indexOf('--listen');
const count = listenAt > 0 ? Number(args[listenAt + 1]) : 1;

const forward = (req, res) => {
  const out = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
    const headers = { ...answer.headers };
    delete headers.connection;
    res.writeHead(answer.statusCode ?? 502, headers);
    answer.pipe(res);
  });
  out.on('error', () => {
    res.writeHead(502).end();
  });
  req.pipe(out);
};

const servers = Array.from({ length: count }, () => {
  const server = tls ? https.createServer({ ...tls, keepAlive: true }, forward) : http.createServer({ keepAlive: true }, forward);
  server.keepAliveTimeout = 60_000;
  return server;
});
const endpoints = await Promise.all(
  servers.map(
    (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`${tls ? 'https' : 'http'}://127.0.0.1:${server.address().port}`))),
  ),
);
process.stdout.write(`${endpoints.join(' ')}\n`);
process.on('SIGTERM', () => {
  let open = servers.length;
  for (const server of servers) {
    server.closeAllConnections();
    server.close(() => --open === 0 && process.exit(0));
  }
});
