"""What keeps one learner's (or a stranger's) requests from taking the collector away from the room.

* :class:`Buckets`: token buckets per address and kind of request. A bucket refills, so a
  limit delays a caller (``429`` with ``Retry-After`` of a few seconds) and never locks a
  real learner out; limits are per address, never global, and generous enough for a whole
  room behind one address (a hub, or a school's NAT).
* :class:`BoundedServer`: at most :data:`MAX_CONNECTIONS` requests in flight, at most
  :data:`PER_ADDRESS` from one address, and each connection closed after
  :data:`DEADLINE_S` seconds whatever it sends (a request sent one byte at a time holds
  nothing for long). A refused connection gets ``503`` and is closed at once.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from http.server import ThreadingHTTPServer

MAX_CONNECTIONS = 64
PER_ADDRESS = 24
DEADLINE_S = 10.0
SOCKET_TIMEOUT_S = 5.0

# kind: (burst, per second)
RATES: dict[str, tuple[float, float]] = {
    "request": (120, 20.0),  # every request: a check posts once; a hub of 60 checking at once fits
    "new learner": (60, 0.5),  # joins under a new name: a whole room behind one address at once
    "bad code": (10, 1 / 30),  # wrong join codes: ten, then one every 30 s (2^40 codes stay out of reach)
}


class Buckets:
    def __init__(self, rates: dict[str, tuple[float, float]] = RATES):
        self.rates = rates
        self.state: dict[tuple[str, str], tuple[float, float]] = {}
        self.lock = threading.Lock()

    def _level(self, kind: str, address: str, now: float) -> float:
        burst, rate = self.rates[kind]
        level, then = self.state.get((kind, address), (burst, now))
        return min(burst, level + (now - then) * rate)

    def wait(self, kind: str, address: str) -> float:
        """Seconds until ``address`` may make a request of ``kind`` (0: now; the request is counted)."""
        now = time.monotonic()
        with self.lock:
            level = self._level(kind, address, now)
            if level >= 1:
                self.state[(kind, address)] = (level - 1, now)
                return 0.0
            self.state[(kind, address)] = (level, now)
            return (1 - level) / self.rates[kind][1]

    def blocked(self, kind: str, address: str) -> float:
        """Seconds until ``address`` has one ``kind`` left (0: it has), counting nothing."""
        with self.lock:
            level = self._level(kind, address, time.monotonic())
        return 0.0 if level >= 1 else (1 - level) / self.rates[kind][1]

    def spend(self, kind: str, address: str) -> None:
        self.wait(kind, address)


class BoundedServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._lock = threading.Lock()
        self._open: dict[socket.socket, float] = {}
        self._by_address: Counter[str] = Counter()
        self._closed = threading.Event()
        threading.Thread(target=self._watch, name="room-deadlines", daemon=True).start()

    def process_request(self, request, client_address):
        address = client_address[0]
        with self._lock:
            refused = len(self._open) >= MAX_CONNECTIONS or self._by_address[address] >= PER_ADDRESS
            if not refused:
                self._open[request] = time.monotonic() + DEADLINE_S
                self._by_address[address] += 1
        if refused:
            try:
                request.settimeout(1)
                request.sendall(b"HTTP/1.0 503 Service Unavailable\r\nRetry-After: 2\r\nContent-Length: 0\r\n\r\n")
            except OSError:
                pass
            self.shutdown_request(request)
            return
        request.settimeout(SOCKET_TIMEOUT_S)
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._lock:
                self._open.pop(request, None)
                self._by_address[client_address[0]] -= 1
                if self._by_address[client_address[0]] <= 0:
                    del self._by_address[client_address[0]]

    def handle_error(self, request, client_address) -> None:  # no traceback in the instructor's terminal
        pass

    def _watch(self) -> None:
        while not self._closed.wait(0.5):
            now = time.monotonic()
            with self._lock:
                late = [sock for sock, deadline in self._open.items() if deadline < now]
            for sock in late:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def in_flight(self) -> int:
        with self._lock:
            return len(self._open)

    def server_close(self) -> None:
        self._closed.set()
        super().server_close()
