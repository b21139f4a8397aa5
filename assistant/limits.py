"""Limits shared by every entry point: the per-visitor rate limit, the one concurrency gate, and
the staff-token lockout. Each is plain threading code with bounded memory, so the Gradio worker
threads, the FastAPI routes (through a thread) and the CLI all use the same objects.

    >>> limiter = RateLimiter(per_minute=2)
    >>> [limiter.allow("a") for _ in range(3)], limiter.allow("b")
    ([True, True, False], True)
    >>> gate = Gate(workers=1, queue=0)
    >>> with gate.slot():
    ...     gate.reserve()
    Traceback (most recent call last):
    ...
    assistant.errors.BusyError: We're answering a lot of questions right now. Please try again in a few seconds.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from .errors import BusyError, LockedOutError

T = TypeVar("T")

# Clients tracked at once by each limiter. Past this the least recently seen client is
# forgotten (its window starts again), so a flood of spoofed or rotating addresses costs a
# bounded amount of memory (~200 bytes each) instead of growing without limit.
MAX_CLIENTS = 10_000
WINDOW = 60.0  # seconds: the rate limit is "per minute"


def client_key(address: str) -> str:
    """What one visitor is, for limits: an IPv4 address, or the /64 network of an IPv6 one (a
    single home or phone is handed a whole /64, so per-address limits would be per-request).

    >>> client_key("2001:db8:1:2:aaaa::1"), client_key("::ffff:192.0.2.7"), client_key("192.0.2.7")
    ('2001:db8:1:2::/64', '192.0.2.7', '192.0.2.7')
    """
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)))
    return address


class RateLimiter:
    """Sliding one-minute window per client address. CORS and framing rules only bind
    browsers; this is what slows a script hammering the server."""

    def __init__(self, per_minute: int, *, max_clients: int = MAX_CLIENTS, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.max_clients = max(1, max_clients)
        self._clock = clock
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        """Count one request for `client`; False when it is over the limit (not counted)."""
        return self.check(client) == 0

    def check(self, client: str) -> int:
        """Count one request; 0 when allowed, else the whole seconds until it would be."""
        if self.per_minute <= 0:
            return 0
        client = client_key(client)
        now = self._clock()
        with self._lock:
            q = self._hits.get(client)
            if q is None:
                q = self._hits[client] = deque(maxlen=self.per_minute)
                while len(self._hits) > self.max_clients:
                    self._hits.popitem(last=False)  # least recently seen
            else:
                self._hits.move_to_end(client)
            while q and now - q[0] >= WINDOW:
                q.popleft()
            if len(q) >= self.per_minute:
                return max(1, math.ceil(WINDOW - (now - q[0])))
            q.append(now)
            return 0

    def __len__(self) -> int:
        return len(self._hits)


class Gate:
    """At most `workers` questions computed at once, and at most `queue` more waiting; past
    that, `BusyError` at once rather than a wait that grows without bound. ONE gate is shared by
    every entry point of a process, so the bound holds whatever mix of chat, API and CLI calls
    arrive. onnxruntime and FAISS release the GIL, so `workers` threads use that many cores.

    `reserve()` takes a place without blocking (the async server does it on the event loop and
    then computes in a thread); `slot()` is reserve + wait for a turn, for threads."""

    def __init__(self, workers: int, queue: int, *, max_wait: float = 30.0) -> None:
        self.workers = max(1, workers)
        self.capacity = self.workers + max(0, queue)
        self.max_wait = max_wait
        self._cond = threading.Condition()
        self._inside = 0  # reserved: computing or waiting
        self._computing = 0

    @property
    def inside(self) -> int:
        return self._inside

    @property
    def computing(self) -> int:
        return self._computing

    def reserve(self) -> Ticket:
        with self._cond:
            if self._inside >= self.capacity:
                raise BusyError()
            self._inside += 1
        return Ticket(self)

    @contextmanager
    def slot(self) -> Iterator[None]:
        ticket = self.reserve()
        try:
            with ticket.turn():
                yield
        finally:
            ticket.release()

    def run(self, fn: Callable[..., T], *args: Any) -> T:
        with self.slot():
            return fn(*args)


class Ticket:
    """A reserved place in the gate. `release()` is idempotent, so the async wrapper can call
    it again in a `finally` when the thread never ran (a visitor who went away)."""

    def __init__(self, gate: Gate) -> None:
        self._gate = gate
        self._released = False
        self._computing = False

    @contextmanager
    def turn(self) -> Iterator[None]:
        gate = self._gate
        with gate._cond:
            if not gate._cond.wait_for(lambda: gate._computing < gate.workers, timeout=gate.max_wait):
                raise BusyError()
            gate._computing += 1
            self._computing = True
        try:
            yield
        finally:
            with gate._cond:
                gate._computing -= 1
                self._computing = False
                gate._cond.notify()

    def release(self) -> None:
        gate = self._gate
        with gate._cond:
            if self._released:
                return
            self._released = True
            gate._inside -= 1


class StaffLockout:
    """Failed staff-token attempts per client: the first `free` failures cost nothing, each
    one after that locks the client out for twice as long (1 s, 2 s, 4 s ... up to `max_lock`),
    also for the right token, so guessing is slowed to a crawl. A success clears the record.
    Failures older than `forget` seconds no longer count. Memory is bounded like RateLimiter's.

    >>> t = [0.0]
    >>> lock = StaffLockout(free=2, clock=lambda: t[0])
    >>> lock.failed("x"); lock.failed("x"); lock.check("x")
    >>> lock.failed("x"); lock.check("x")
    Traceback (most recent call last):
    ...
    assistant.errors.LockedOutError: Too many wrong staff tokens from your address. Try again in 1 s.
    >>> t[0] = 1.5; lock.check("x")
    """

    def __init__(self, *, free: int = 5, max_lock: float = 900.0, forget: float = 3600.0,
                 max_clients: int = MAX_CLIENTS, clock: Callable[[], float] = time.monotonic) -> None:
        self.free = free
        self.max_lock = max_lock
        self.forget = forget
        self.max_clients = max(1, max_clients)
        self._clock = clock
        self._state: OrderedDict[str, tuple[int, float, float]] = OrderedDict()  # failures, last, locked until
        self._lock = threading.Lock()

    def check(self, client: str) -> None:
        """Raise LockedOutError while `client` is locked out."""
        client = client_key(client)
        now = self._clock()
        with self._lock:
            state = self._state.get(client)
            if state is None:
                return
            failures, last, until = state
            if now - last > self.forget:
                del self._state[client]
                return
            if now < until:
                raise LockedOutError(max(1, math.ceil(until - now)))

    def failed(self, client: str) -> None:
        client = client_key(client)
        now = self._clock()
        with self._lock:
            failures, last, _ = self._state.pop(client, (0, now, 0.0))
            if now - last > self.forget:
                failures = 0
            failures += 1
            over = failures - self.free
            until = now + min(self.max_lock, 2.0 ** (over - 1)) if over > 0 else 0.0
            self._state[client] = (failures, now, until)
            while len(self._state) > self.max_clients:
                self._state.popitem(last=False)

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._state.pop(client_key(client), None)
