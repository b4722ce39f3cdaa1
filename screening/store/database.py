"""The results store on ASE's database: SQLite by default, PostgreSQL by URL.

One row per calculation, found by its content key (``calc_key``). A row
moves through ``running`` (claimed by a worker: host, pid, a heartbeat
time, the run that claimed it and, inside a SLURM job, the job id) to
``done`` (final structure with energy and forces, parameters, versions,
wall time) or ``failed`` (the reason). A failure is attempted again by a
later run, never by the run that stored it. A row is only ever rewritten
in one database transaction, so a crash leaves either the old row or the
new one, never half of one. Rows are read back as the typed
:class:`~screening.schemas.Record` and :class:`~screening.schemas.Calculation`.

Claims are serialised per store: a file lock (``flock``, released by the
kernel if the process dies) next to a SQLite file, a PostgreSQL advisory
lock otherwise. A ``running`` row whose owner is gone (same host and the
process no longer exists, or no heartbeat for ``stale_after`` seconds) is
taken over, so a killed run resumes.

ase.db is opened ``serial``: under MPI only the rank that opens a store
touches it (ase.db's default would make every rank wait for rank 0).

SQLite needs working POSIX locks: keep the file on a local disk, not on
NFS/Lustre shared by several nodes; use PostgreSQL for that.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import threading
import time
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import numpy as np
from ase import Atoms
from ase.db import connect
from ase.db.row import AtomsRow

from screening.errors import ScreeningError, one_line
from screening.schemas import Calculation, Record, Status, TaskKind
from screening.settings import POSTGRES_PREFIXES

HOST = socket.gethostname()


class StoreError(ScreeningError):
    """The results store cannot be opened or written."""


@dataclass(frozen=True)
class Claim:
    """A row this process now owns and must complete or fail."""

    id: int
    key: str
    attempt: int
    #: True if the row was taken over from a dead or silent owner.
    takeover: bool


def redact(url: str) -> str:
    """The URL with any password replaced by ``***`` (for messages)."""
    if "://" not in url or "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in credentials else url


#: Keys claimed by this process and still being computed (any thread).
_ACTIVE: set[str] = set()
_ACTIVE_LOCK = threading.Lock()


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Store:
    """Calculations keyed by content hash, in an ase.db database."""

    def __init__(self, url: str | Path, stale_after: float = 300.0) -> None:
        self.url = str(url)
        self.stale_after = stale_after
        self.is_postgres = self.url.startswith(POSTGRES_PREFIXES)
        try:
            if self.is_postgres:
                self.db = connect(self.url, serial=True)
                self.db.get_last_id = _session_last_id
            else:
                if not self.url.endswith(".db"):
                    raise StoreError(f"database {self.url}: a SQLite file must end in .db")
                Path(self.url).parent.mkdir(parents=True, exist_ok=True)
                self.db = connect(self.url, use_lock_file=False, serial=True)
            # ase.db 3.29 drops ``serial`` for PostgreSQL: under MPI its
            # select/update on rank 0 would then broadcast to ranks not listening
            self.db.serial = True
            with self._lock("schema"):  # two workers creating one new database
                self.db.count()  # opens (and initialises) the database now
        except StoreError:
            raise
        except ImportError as exc:
            raise StoreError(f"database {redact(self.url)}: PostgreSQL needs the [postgres]"
                             f" extra ({exc})") from None
        except Exception as exc:  # noqa: BLE001 - any driver error, one line
            message = one_line(exc)
            raise StoreError(f"database {redact(self.url)}: cannot open ({message})") from None

    def __repr__(self) -> str:
        return f"Store({redact(self.url)!r})"

    # -- reading ----------------------------------------------------------
    def find(self, key: str) -> AtomsRow | None:
        """The raw ase.db row of calculation ``key``, if any."""
        for row in self.db.select(calc_key=key, limit=1):
            return row
        return None

    def key_from_prefix(self, prefix: str) -> str:
        """The one stored calculation key that starts with ``prefix`` (e.g. the 12
        characters ``znscreen calculations`` shows)."""
        return self.keys_from_prefixes([prefix])[prefix]

    def keys_from_prefixes(self, prefixes: list[str]) -> dict[str, str]:
        """Each prefix's one stored calculation key, found in a single pass over the
        store (a key's first characters cannot be queried)."""
        wanted = {p: p.strip().lower() for p in prefixes}
        for prefix, clean in wanted.items():
            if len(clean) < 6 or any(c not in "0123456789abcdef" for c in clean):
                raise StoreError(f"{prefix!r} is not a calculation key (at least 6 hex digits)")
        found: dict[str, set[str]] = {p: set() for p in wanted}
        for row in self.db.select(columns=["key_value_pairs"]):
            key = row.get("calc_key", "")
            for prefix, clean in wanted.items():
                if key.startswith(clean):
                    found[prefix].add(key)
        for prefix, keys in found.items():
            if len(keys) != 1:
                raise StoreError(
                    f"no calculation key starts with {wanted[prefix]!r} in {redact(self.url)}"
                    if not keys else
                    f"{len(keys)} calculation keys start with {wanted[prefix]!r}: give more")
        return {prefix: keys.pop() for prefix, keys in found.items()}

    def rows(self, **selection: Any) -> Iterator[AtomsRow]:
        """Raw rows matching key-value pairs, e.g. ``rows(status="done", level="mlip")``."""
        return self.db.select(**selection)

    def count(self, **selection: Any) -> int:
        return self.db.count(**selection)

    def record(self, key: str) -> Record | None:
        """The row of calculation ``key`` as a :class:`Record`, if any."""
        row = self.find(key)
        return None if row is None else _record(row)

    def records(self, **selection: Any) -> Iterator[Record]:
        """Rows matching key-value pairs as :class:`Record`s."""
        return (_record(row) for row in self.db.select(**selection))

    def calculation(self, key: str, computed: bool = False) -> Calculation:
        """The finished calculation ``key`` (``computed``: made by this call's caller)."""
        row = self.find(key)
        if row is None or row.get("status") != Status.DONE:
            state = "not in the store" if row is None else row.get("status")
            raise StoreError(f"calculation {key[:12]} is {state}, not done")
        return Calculation(
            key=row.calc_key, row_id=row.id, label=row.get("label", ""), level=row.level,
            task=TaskKind(row.task), atoms=row.toatoms(), energy=float(row.energy),
            forces=np.array(row.forces), converged=bool(row.converged),
            n_steps=int(row.n_steps), scf_rung=int(row.scf_rung),
            wall_time=float(row.wall_time), host=row.host, computed=computed,
            data=dict(row.data))

    @contextmanager
    def _writing(self, what: str) -> Iterator[None]:
        """Turn any driver error during a write into a one-line StoreError."""
        try:
            yield
        except StoreError:
            raise
        except Exception as exc:  # noqa: BLE001 - sqlite3/psycopg2/OSError alike
            message = one_line(exc)
            raise StoreError(f"database {redact(self.url)}: {what} failed ({message})") from exc

    # -- claiming ---------------------------------------------------------
    @contextmanager
    def _lock(self, key: str) -> Iterator[None]:
        if self.is_postgres:
            import psycopg2
            number = zlib.crc32(key.encode())
            connection = psycopg2.connect(self.url)
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_lock(%s)", (number,))
                yield
            finally:
                connection.close()  # ends the session, releasing the lock
        else:
            with open(self.url + ".claims", "a") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                yield

    def is_stale(self, row: AtomsRow, now: float | None = None) -> bool:
        """True if the owner of a ``running`` row is gone.

        Gone means: on this host, the process no longer exists (or it is this
        process and no thread here is computing the key, e.g. after a failed
        write); anywhere, no heartbeat for ``stale_after`` seconds.
        """
        now = time.time() if now is None else now
        if row.get("host") == HOST:
            pid = int(row.get("pid", 0))
            if not _process_alive(pid):
                return True
            if pid == os.getpid():
                with _ACTIVE_LOCK:
                    return row.calc_key not in _ACTIVE
        return now - float(row.get("heartbeat", 0.0)) > self.stale_after

    def claim(self, key: str, meta: dict[str, Any], run: str) -> Claim | None:
        """Reserve ``key`` for this process in ``run``, or None if it is done, being
        computed, or failed in this same run.

        ``meta`` holds searchable key-value pairs (task, level, label). A
        failure stored by an earlier run is attempted again; one stored by
        ``run`` itself is not (its callers get the stored reason).
        """
        now = time.time()
        owner = {"status": Status.RUNNING.value, "host": HOST, "pid": os.getpid(),
                 "heartbeat": now, "started": now, "run": run}
        if os.environ.get("SLURM_JOB_ID", "").isdigit():
            owner["slurm_job"] = int(os.environ["SLURM_JOB_ID"])
        with self._writing("claim"), self._lock(key):
            row = self.find(key)
            if row is None:
                row_id = self.db.write(Atoms(), calc_key=key, attempt=1, **meta, **owner)
                claim = Claim(row_id, key, 1, takeover=False)
            else:
                status = row.get("status")
                if status == Status.DONE or (status == Status.FAILED and row.get("run") == run):
                    return None
                if status == Status.RUNNING and not self.is_stale(row, now):
                    return None
                attempt = int(row.get("attempt", 1)) + 1
                self.db.update(row.id, delete_keys=["error", "slurm_job"], attempt=attempt,
                               **owner)
                claim = Claim(row.id, key, attempt, takeover=status == Status.RUNNING)
            with _ACTIVE_LOCK:
                _ACTIVE.add(key)
            return claim

    def release(self, claim: Claim) -> None:
        """This process stops working on ``claim`` (after complete, fail or a crash)."""
        with _ACTIVE_LOCK:
            _ACTIVE.discard(claim.key)

    def beat(self, claim: Claim) -> None:
        """Record that the owner of ``claim`` is alive."""
        with self._writing("heartbeat"):
            self.db.update(claim.id, heartbeat=time.time())

    @contextmanager
    def heartbeat(self, claim: Claim, interval: float | None = None) -> Iterator[None]:
        """Beat for ``claim`` from a background thread (its own connection) every
        ``interval`` s (default: a fifth of ``stale_after``) while the block runs."""
        stop = threading.Event()
        period = interval or max(self.stale_after / 5, 1.0)

        def beat() -> None:
            own = Store(self.url, self.stale_after)
            while not stop.wait(period):
                try:
                    own.beat(claim)
                except Exception:  # noqa: BLE001 - a missed beat only risks a takeover
                    pass

        thread = threading.Thread(target=beat, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    def stage(self, claim: Claim, atoms: Atoms, data: dict[str, Any]) -> None:
        """Put a claimed calculation's input in its row, for another process to run.

        The structure goes in the row's atoms, ``data`` (JSON) in the key
        ``staged``, which :meth:`complete` and :meth:`fail` remove.
        """
        with self._writing("staging the input"):
            self.db.update(claim.id, atoms=atoms, staged=json.dumps(data))

    def staged(self, key: str) -> tuple[Claim, Atoms, dict[str, Any]]:
        """The claim, structure and input staged for ``key`` (see :meth:`stage`)."""
        row = self.find(key)
        if row is None or row.get("status") != Status.RUNNING or "staged" not in row:
            state = "missing" if row is None else row.get("status")
            raise StoreError(f"calculation {key[:12]}: no staged input (row {state})")
        claim = Claim(row.id, key, int(row.get("attempt", 1)), takeover=False)
        return claim, row.toatoms(), json.loads(row.staged)

    # -- finishing ----------------------------------------------------------
    def complete(self, claim: Claim, atoms: Atoms, values: dict[str, Any],
                 data: dict[str, Any]) -> None:
        """Write the result (structure with energy/forces) and mark the row done."""
        with self._writing("storing the result"):
            self.db.update(claim.id, atoms=atoms, data=data, delete_keys=["staged"],
                           status=Status.DONE.value, **values)

    def fail(self, claim: Claim, reason: str) -> None:
        """Mark the row failed with a one-line reason."""
        with self._writing("recording a failure"):
            self.db.update(claim.id, delete_keys=["staged"], status=Status.FAILED.value,
                           error=reason.splitlines()[0][:500])


def _session_last_id(cursor) -> int:
    """The id the INSERT just made in this session took.

    ase_db_backends 0.11 reads the sequence's global ``last_value``, which
    another worker's insert may already have moved: its keys then failed, or
    landed on that worker's row. ``currval`` is this session's own.
    """
    cursor.execute("SELECT currval('systems_id_seq')")
    return int(cursor.fetchone()[0])


def _record(row: AtomsRow) -> Record:
    def number(name: str, kind: type) -> Any:
        value = row.get(name)
        return None if value is None else kind(value)

    return Record(key=row.calc_key, row_id=row.id, status=Status(row.get("status")),
                  label=row.get("label", ""), level=row.get("level", ""),
                  task=TaskKind(row.get("task", TaskKind.SINGLEPOINT)),
                  attempt=int(row.get("attempt", 1)), host=row.get("host", ""),
                  error=row.get("error", ""), energy=number("energy", float),
                  converged=number("converged", bool), n_steps=number("n_steps", int),
                  n_calls=number("n_calls", int),
                  wall_time=number("wall_time", float), run=row.get("run", ""))
