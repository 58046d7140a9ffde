#!/usr/bin/env python3
"""A stand-in for the Docker Engine API on a unix socket with N compose containers.

For measuring a host too big to make with a real daemon (10,000 containers answer the
list with about 12.7 MiB): `/_ping`, `/version`, the container list (every entry in the
shape and size Docker 20.10 writes for a compose container), inspect, and an events
stream held open. The same shapes as the tests' Swift stand-in
(Tests/TestSupport/DockerEngineStandIn.swift), which the tests check against the real
`docker` CLI; check this one the same way:

    python3 scripts/docker-standin.py /tmp/big.sock --count 10000 &
    docker -H unix:///tmp/big.sock ps -a -q | wc -l

Serves until killed; removes its socket on SIGTERM/SIGINT.
"""
import argparse
import json
import os
import signal
import socketserver
import sys
import threading
from http.server import BaseHTTPRequestHandler

API_VERSION = "1.41"


def hexid(seed, salt):
    value = (seed * 0x9E3779B97F4A7C15 + len(salt)) & 0xFFFFFFFFFFFFFFFF
    text = ""
    while len(text) < 64:
        value = (value * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFFFFFFFF
        text += format(value >> 32, "x")
    return text[:64]


def name(project, number):
    return f"{project}-worker-{number}"


def entry(project, number):
    address = f"172.18.{number // 250 % 250}.{number % 250 + 2}"
    return {
        "Id": hexid(number, "id"), "Names": [f"/{name(project, number)}"], "Image": "busybox:latest",
        "ImageID": "sha256:" + hexid(1, "image"), "Command": "sleep 3600", "Created": 1733400000, "Ports": [],
        "Labels": {
            "com.docker.compose.config-hash": hexid(number, "hash"),
            "com.docker.compose.container-number": "1", "com.docker.compose.depends_on": "",
            "com.docker.compose.image": "sha256:" + hexid(1, "image"), "com.docker.compose.oneoff": "False",
            "com.docker.compose.project": project,
            "com.docker.compose.project.config_files": f"/srv/{project}/docker-compose.yml",
            "com.docker.compose.project.working_dir": f"/srv/{project}",
            "com.docker.compose.service": f"worker-{number}", "com.docker.compose.version": "2.24.6",
        },
        "State": "running", "Status": "Up 2 hours", "HostConfig": {"NetworkMode": f"{project}_default"},
        "NetworkSettings": {"Networks": {f"{project}_default": {
            "IPAMConfig": None, "Links": None, "Aliases": None, "NetworkID": hexid(2, "network"),
            "EndpointID": hexid(number, "endpoint"), "Gateway": "172.18.0.1", "IPAddress": address,
            "IPPrefixLen": 16, "IPv6Gateway": "", "GlobalIPv6Address": "", "GlobalIPv6PrefixLen": 0,
            "MacAddress": "02:42:ac:12:00:02", "DriverOpts": None}}},
        "Mounts": [],
    }


def inspect(project, number):
    return {
        "Id": hexid(number, "id"), "Created": "2026-12-05T10:00:00.000000000Z", "Path": "sleep", "Args": ["3600"],
        "State": {"Status": "running", "Running": True, "Paused": False, "Restarting": False, "OOMKilled": False,
                  "Dead": False, "Pid": 1000 + number, "ExitCode": 0, "Error": "",
                  "StartedAt": "2026-12-05T10:00:01.000000000Z", "FinishedAt": "0001-01-01T00:00:00Z"},
        "Name": f"/{name(project, number)}", "RestartCount": 0,
        "Config": {"Hostname": hexid(number, "id")[:12], "Tty": False, "Image": "busybox:latest",
                   "Labels": {"com.docker.compose.project": project,
                              "com.docker.compose.service": f"worker-{number}"}},
    }


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def handler(project, count, list_body, counts):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def address_string(self):
            return "unix"

        def log_message(self, *_):
            pass

        def send(self, status, body, content_type="application/json"):
            data = body if isinstance(body, bytes) else body.encode()
            self.send_response(status)
            self.send_header("Api-Version", API_VERSION)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def do_HEAD(self):
            self.do_GET()

        def do_GET(self):
            path = self.path.split("?", 1)[0]
            parts = [part for part in path.split("/") if part]
            with counts["lock"]:
                counts["requests"] += 1
            if path == "/_ping":
                return self.send(200, "OK", "text/plain")
            if not parts or not parts[0].startswith("v"):
                return self.send(404, '{"message":"page not found"}')
            rest = parts[1:]
            if rest == ["version"]:
                return self.send(200, json.dumps({"Version": "20.10.24", "ApiVersion": API_VERSION,
                                                  "MinAPIVersion": "1.12", "Os": "linux", "Arch": "amd64"}))
            if rest == ["events"]:
                self.send_response(200)
                self.send_header("Api-Version", API_VERSION)
                self.send_header("Content-Type", "application/json")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                self.wfile.flush()
                threading.Event().wait()
            if rest == ["containers", "json"]:
                with counts["lock"]:
                    counts["lists"] += 1
                return self.send(200, list_body)
            if len(rest) == 3 and rest[0] == "containers" and rest[2] == "json":
                prefix = f"{project}-worker-"
                wanted = rest[1]
                if wanted.startswith(prefix) and wanted[len(prefix):].isdigit():
                    number = int(wanted[len(prefix):])
                    if 1 <= number <= count:
                        return self.send(200, json.dumps(inspect(project, number)))
                return self.send(404, json.dumps({"message": f"No such container: {wanted[:100]}"}))
            return self.send(404, '{"message":"page not found"}')

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("socket")
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--project", default="big")
    arguments = parser.parse_args()
    # Newest first, as Docker lists.
    list_body = json.dumps([entry(arguments.project, n) for n in range(arguments.count, 0, -1)],
                           separators=(",", ":")).encode()
    counts = {"lock": threading.Lock(), "requests": 0, "lists": 0}
    if os.path.exists(arguments.socket):
        os.unlink(arguments.socket)
    server = Server(arguments.socket, handler(arguments.project, arguments.count, list_body, counts))

    def stop(*_):
        try:
            os.unlink(arguments.socket)
        finally:
            os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # A parent may have blocked them (a test runner's threads do), and a child inherits that.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    print(f"listening on {arguments.socket}: {arguments.count} containers, list {len(list_body)} bytes", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
