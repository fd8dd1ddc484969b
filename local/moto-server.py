"""
moto's server as `moto_server` starts it (local/moto.ts), less the work it repeats on every request, and with each
request applied whole before the next (below). Given the same arguments as `moto_server`, and:

  --serial   one request at a time, so that conditional writes are atomic as DynamoDB's (`npm run load`, `npm run soak`,
             which race writes to one item on purpose): moto's threaded server applies a conditional write as a read, a
             check and a write that another request can run between (bench/moto-atomicity.ts).
  --quiet    no line per request on stderr (the test run and the local runtime discard moto's output anyway).

To find a request's service, moto lists its own package folder (a stat per service, about 250) and matches the host
against every service's URL patterns; to call the operation, it lists the members of the service's response class.
None of these changes while the server runs, so each is computed once here: with them, a third of moto's CPU per
request went to finding where to send it. What moto answers is unchanged. A moto whose internals moved (another
version than requirements-dev.txt pins) keeps its own code for what is not found.
"""

import functools
import logging
import sys
import threading

import moto.backends
import moto.core.responses
import moto.server
import werkzeug.serving
from moto.moto_server.werkzeug_app import DomainDispatcherApplication

args = sys.argv[1:]

if hasattr(moto.backends, "list_of_moto_modules"):
    modules = list(moto.backends.list_of_moto_modules())
    moto.backends.list_of_moto_modules = lambda: modules
if hasattr(DomainDispatcherApplication, "get_backend_for_host"):
    DomainDispatcherApplication.get_backend_for_host = functools.lru_cache(maxsize=None)(DomainDispatcherApplication.get_backend_for_host)
if hasattr(moto.core.responses, "method_names_from_class"):
    moto.core.responses.method_names_from_class = functools.lru_cache(maxsize=None)(moto.core.responses.method_names_from_class)

# One DynamoDB or Secrets Manager request dispatched at a time, connections still served by threads (kept alive): moto
# applies a conditional write as a read, a check and a write, and without this lock another request's can run between
# them, so two writes whose conditions exclude each other both succeed (bench/moto-atomicity.ts;
# test/integration/moto-atomicity.test.ts), which DynamoDB never lets happen; Secrets Manager's version stages are the
# credentials' compare-and-swap. Python runs one thread at a time anyway, so the lock costs moto little throughput.
# Other services are left out: an SQS long poll (local/event-bus.ts) waits inside its request for up to 20 s.
LOCKED_TARGETS = ("DynamoDB_", "secretsmanager.")
# For test/integration/moto-atomicity.test.ts only: `--unlocked` leaves moto's dispatch as it is, and
# `--switch-interval S` makes Python switch threads every S seconds (default 0.005), so that a race a loaded machine
# shows now and then shows in a short test.
unlocked = "--unlocked" in args
if unlocked:
    args.remove("--unlocked")
if "--switch-interval" in args:
    i = args.index("--switch-interval")
    sys.setswitchinterval(float(args[i + 1]))
    del args[i : i + 2]

if not unlocked:
    dispatch = DomainDispatcherApplication.__call__
    one_request = threading.Lock()

    def atomically(self, environ, start_response):
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith(LOCKED_TARGETS):
            return dispatch(self, environ, start_response)
        with one_request:
            return dispatch(self, environ, start_response)

    DomainDispatcherApplication.__call__ = atomically

if "--quiet" in args:
    args.remove("--quiet")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

if "--serial" in args:
    args.remove("--serial")
    run_simple = werkzeug.serving.run_simple

    def one_at_a_time(*a, **kwargs):
        kwargs["threaded"] = False
        return run_simple(*a, **kwargs)

    moto.server.run_simple = one_at_a_time

# Connections wait in the listen queue until the server's one accepting thread, which needs Python's lock like every
# other, takes them: the queue must hold a burst's. With socketserver's default of 5, a full queue dropped the
# connection attempts past it and the client's SYN was retried a second later, past the SDK's 1 s connectionTimeout
# (test/integration/moto-atomicity.test.ts: 134 of 300 connections opened at once took over a second).
werkzeug.serving.BaseWSGIServer.request_queue_size = 4096

sys.argv = ["moto_server", *args]
moto.server.main()
