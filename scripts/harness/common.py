"""What every part of the harness shares: the secrets it plants, one lock, the clock
and loopback HTTP servers."""

import http.server
import socket
import socketserver
import threading
import time

TOKEN = "7345012345:AAF-soak-harness-secret-token-do-not-log"
PING_TOKEN = "ping-secret-3f9a1c77e2"
ORCH_SECRET = "orch-query-secret-81d2"
DEP_PASSWORD = "dep-password-5e0b"
SECRETS = [TOKEN, TOKEN.split(":")[1], PING_TOKEN, ORCH_SECRET, DEP_PASSWORD]
CHAT_ID = "424242"
HTTP_TIMEOUT = 0.3
LOCK = threading.Lock()


def now():
    return time.monotonic()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def serve(handler):
    server = Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
