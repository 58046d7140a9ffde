#!/usr/bin/env python3
"""Local peers for scripts/bench.sh: an HTTP server that answers 200 at once, and a
TCP server that accepts connections and never answers. Prints the two ports, then
serves until killed. Loopback only."""
import http.server
import socket
import socketserver
import threading


class Quiet(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


healthy = Server(("127.0.0.1", 0), Quiet)
silent = socket.socket()
silent.bind(("127.0.0.1", 0))
silent.listen(128)
held = []


def hold():
    while True:
        connection, _ = silent.accept()
        held.append(connection)  # never answered, never closed


threading.Thread(target=hold, daemon=True).start()
print(healthy.server_address[1], silent.getsockname()[1], flush=True)
healthy.serve_forever()
