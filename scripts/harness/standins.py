"""The orchestrator, the HTTP dependency and the TCP dependency, with their faults."""

import http.server
import json
import socket
import threading
import time

from .common import HTTP_TIMEOUT, LOCK, free_port


def orchestrator_handler(world):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if not self.path.startswith("/metrics"):
                return self.answer(404, "text/plain", b"not found")
            with LOCK:
                state = world.orchestrator
                if state != "stale":
                    world.generated_at = time.time()
                if state != "hung":
                    world.cpu_ticks += 7
                generated_at, cpu_ticks = world.generated_at, world.cpu_ticks
            if state == "down":
                return self.answer(503, "text/html", b"<html><body>502 Bad Gateway</body></html>")
            envelope = {
                "schema_version": 1,
                "generated_at": generated_at,
                "queue": {"counts": {"queued": 1, "running": 1, "failed": 3, "done": 100}},
                "agents": [{"run_id": "run-1", "job_id": "job-1", "pid": 4242, "cpu_ticks": cpu_ticks,
                            "started_at": "2026-11-23T11:02:10Z"}],
            }
            self.answer(200, "application/json", json.dumps(envelope).encode())

        def answer(self, status, content_type, body):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    return Handler


def api_handler(world):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            with LOCK:
                hanging = world.api == "hang"
            if hanging:
                time.sleep(HTTP_TIMEOUT * 4)
            try:
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            except OSError:
                pass

        def log_message(self, *args):
            pass

    return Handler


class TCPDependency:
    """A TCP port that accepts while healthy and refuses (nothing listens) in a fault."""

    def __init__(self):
        self.port = free_port()
        self.listener = None
        self.open()

    def open(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self.accept, args=(listener,), daemon=True).start()

    def accept(self, listener):
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            connection.close()

    def close(self):
        listener, self.listener = self.listener, None
        if listener:
            try:
                listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
            except OSError:
                pass
            listener.close()
