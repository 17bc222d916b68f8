"""A local TCP port standing in for api.twilio.com, and Twilio's own HTTP client pointed at
it. While hanging, the port accepts connections and never answers (what an operator saw
when Twilio stopped answering); `answer()` makes it answer every request, the held ones
included, with the JSON Twilio returns for a created message or call."""

from __future__ import annotations

import json
import socket
import threading
from urllib.parse import parse_qs

from twilio.http.http_client import TwilioHttpClient

TWILIO_API = "https://api.twilio.com"


class TwilioPort:
    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.port = self.sock.getsockname()[1]
        self.lock = threading.Lock()
        self.answering = False
        self.held: list[socket.socket] = []
        self.accepted = 0
        self.requests: list[tuple[str, str, dict[str, str]]] = []  # answered requests
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return  # closed
            with self.lock:
                self.accepted += 1
                if not self.answering:
                    self.held.append(conn)  # accepted, never answered
                    continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def answer(self, held: str = "answer") -> None:
        """Twilio recovers: answer every new connection, and the held ones too (`held=
        "answer"`, their clients still waiting) or close them unread (`"drop"`, their
        clients timed out: Twilio never saw those requests)."""
        with self.lock:
            self.answering = True
            waiting, self.held = self.held, []
        for conn in waiting:
            if held == "drop":
                conn.close()
            else:
                threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            data = b""
            try:
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return  # the client gave up before sending a whole request
                    data += chunk
                head, _, body = data.partition(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                length = next((int(line.split(":", 1)[1]) for line in lines[1:]
                               if line.lower().startswith("content-length:")), 0)
                while len(body) < length:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    body += chunk
            except OSError:
                return
            form = {k: v[0] for k, v in parse_qs(body.decode("utf-8")).items()}
            with self.lock:
                self.requests.append((method, path, form))
                number = len(self.requests)
            kind = "CA" if path.endswith("/Calls.json") else "SM"
            reply = json.dumps({
                "sid": f"{kind}{number:032x}", "status": "queued", "to": form.get("To"),
                "from": form.get("From"), "body": form.get("Body"), "num_segments": "1",
                "direction": "outbound-api", "api_version": "2010-04-01",
                "account_sid": path.split("/")[3] if path.count("/") > 3 else "",
                "uri": path.replace(".json", f"/{kind}{number:032x}.json")}).encode()
            try:
                conn.sendall(b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
                             b"Content-Length: " + str(len(reply)).encode() +
                             b"\r\nConnection: close\r\n\r\n" + reply)
            except OSError:
                pass

    def close(self) -> None:
        self.sock.close()
        with self.lock:
            held, self.held = self.held, []
        for conn in held:
            conn.close()


class LocalTwilioHttpClient(TwilioHttpClient):
    """Twilio's stock HTTP client (requests, real sockets, its timeout), with the API's
    base URL replaced by the local port. Nothing else changes."""

    def __init__(self, port: int, timeout: float):
        super().__init__(timeout=timeout)
        self.base = f"http://127.0.0.1:{port}"
        self.session.trust_env = False  # never a proxy for the loopback

    def request(self, method, url, *args, **kwargs):
        return super().request(method, url.replace(TWILIO_API, self.base, 1), *args, **kwargs)
