// A pass-through HTTP proxy in front of moto that keeps client connections alive.
// moto's server (Werkzeug) answers every request with `Connection: close`, so
// against it no client can reuse a connection and HTTP keep-alive cannot be
// observed. Behind this proxy the Lambdas' SDK clients can keep one connection,
// as they do with the real AWS endpoints, and the warm harness counts the
// connections they open. Usage: node keep-alive-proxy.mjs <moto endpoint>;
// prints the proxy's endpoint on its first line of stdout.
import http from 'node:http';

const upstream = new URL(process.argv[2]);
const server = http.createServer({ keepAlive: true }, (req, res) => {
  const forward = http.request(
    { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      const headers = { ...answer.headers };
      delete headers.connection;
      res.writeHead(answer.statusCode ?? 502, headers);
      answer.pipe(res);
    },
  );
  forward.on('error', () => {
    res.writeHead(502).end();
  });
  req.pipe(forward);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  process.stdout.write(`http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
