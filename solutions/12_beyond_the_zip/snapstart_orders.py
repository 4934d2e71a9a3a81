"""Exercise snapstart-hooks (12_beyond_the_zip): make a function safe to restore from a snapshot.

This function hands out order ids and records each one in a ledger over a TCP connection it
keeps open between invocations (``LEDGER_ADDRESS``, ``host:port``). Both are made at INIT, as a
warm function should: a random generator, and the connection.

Turn SnapStart on and INIT runs once, when a version is published; Lambda snapshots the
environment's memory and restores *every* new environment of that version from it. So, unless
your runtime hooks say otherwise:

* every restored environment starts with the same generator state and hands out the same
  "random" order ids (AWS: "Handling uniqueness with Lambda SnapStart");
* the connection opened at INIT is in the snapshot: restored environments share a socket that
  the server may long have closed.

Write the two hooks (``snapshot_restore_py``, bundled in AWS's Python runtimes and declared in
``REQUIREMENTS`` here so the zip carries it too):

* ``before_snapshot`` closes the ledger connection, so none is in the snapshot;
* ``after_restore`` gives the generator fresh entropy and opens a new connection.

``lambda_handler`` is given. Check your work with ``lab.check("snapstart-hooks")``: it restores
one snapshot into two environments (``os.fork``, the same memory twice) and asks each for an order
id, then publishes a SnapStart version on the emulator and invokes it.
"""

from __future__ import annotations

import os
import random
import socket
from typing import Any

from snapshot_restore_py import register_after_restore, register_before_snapshot

REQUIREMENTS = ("snapshot-restore-py",)

_ids = random.Random()  # seeded at INIT
_ledger: socket.socket | None = None
_reader: Any = None


def connect() -> None:
    """Open the ledger connection (and its line reader)."""
    global _ledger, _reader
    host, port = os.environ["LEDGER_ADDRESS"].rsplit(":", 1)
    _ledger = socket.create_connection((host, int(port)), timeout=3)
    _reader = _ledger.makefile("r", encoding="utf-8")


def disconnect() -> None:
    """Close the ledger connection, if one is open."""
    global _ledger, _reader
    if _reader is not None:
        _reader.close()
    if _ledger is not None:
        _ledger.close()
    _ledger = _reader = None


connect()  # INIT: warm invocations reuse it


@register_before_snapshot
def before_snapshot() -> None:
    """Runs once, before Lambda snapshots the initialized environment."""
    # BEGIN SOLUTION hint="Nothing open may go into the snapshot: close the ledger connection (disconnect())."
    disconnect()
    # END SOLUTION


@register_after_restore
def after_restore() -> None:
    """Runs in every environment restored from the snapshot, before its first invocation."""
    # BEGIN SOLUTION hint="Two things were made at INIT and must be made again per environment: fresh entropy for _ids (Random.seed() with no argument reads os.urandom) and a new ledger connection (connect())."
    _ids.seed()
    connect()
    # END SOLUTION


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if _ledger is None:
        raise ConnectionError("the ledger connection is closed")
    order_id = f"ord-{_ids.getrandbits(64):016x}"
    _ledger.sendall(f"RECORD {order_id}\n".encode())
    answer = _reader.readline().strip()
    if not answer.startswith("ok "):
        raise ConnectionError(f"the ledger did not answer ({answer!r})")
    return {"order_id": order_id, "ledger": answer}
