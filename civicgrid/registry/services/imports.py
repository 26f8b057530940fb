"""Registry imports (数据导入): persons, households, addresses and legal entities from CSV or Excel.

Flow of :func:`registry_import` (CLI, tests, bench) = :func:`import_start` (permission, the run
record, audit) + :func:`import_execute` (the work; the web runs it in the background):

1. the file is opened (:mod:`.rows`: UTF-8 or GBK CSV, or .xlsx; the header is found by
   column name, in English or Chinese); missing required columns fail the whole file with one
   message naming them;
2. every row is checked (:mod:`.validation`); a row whose natural key (ID number, USCC,
   address key, household + member) already came earlier in the file is a duplicate and is
   reported with the line of the first;
3. rows are written in chunks (``chunk_size``, 20,000 by default), **one transaction per chunk**
   holding the chunk's records, source records, conflicts, row errors and the run's counters
   and ``committed_lines``. A killed process loses at most the chunk in flight, never half of
   it. ``resume`` continues the unfinished run of the same file, source and kind after its
   last committed line; repeating an import instead is safe as well: rows whose content this
   source already delivered are recognised by their fingerprint and write nothing.

With ``pipeline`` (CLI, web, bench) a writer thread with its own connection writes chunk N while
the reading thread checks chunk N+1 (persons on PostgreSQL: two writers taking chunks in turn,
kept in file order by :class:`_Turns`, so the result is the same as without the pipeline);
the writing itself is set-based (:mod:`.writers`,
:mod:`.bulk`: COPY and ``INSERT … ON CONFLICT`` / ``UPDATE … FROM`` per chunk). Why it is
built this way, and what it costs per row: ``docs/adr/0006-registry-import.md``.

Bad rows never stop good ones: they are counted as invalid and kept as :class:`ImportRowError`
(line, column, masked value, reason), downloadable as a CSV report (:func:`error_report_csv`).
Messages are rendered in the site language (Chinese) whatever the caller's.

Who may import: administrators and the programme office, and department staff for the sources
of their own department. The CLI runs as the system (no user). Every start and end is audited.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from civicgrid.core.audit import audit_record
from civicgrid.core.errors import DomainError, NotFoundError, PermissionDeniedError
from civicgrid.territory.models import AdminUnit

from ..models import EntityKind, ImportRowError, ImportRun, ImportStatus, Source, SourceRecord
from ..selectors.imports import (  # noqa: F401 - re-exported
    IMPORT_ROLES,
    import_is_stalled,
    imports_visible_to,
    may_import,
    sources_for,
)
from .bulk import (
    advisory_lock,
    can_pipeline,
    insert_rows,
    is_postgres,
    relax_commit,
    session_advisory_lock,
)
from .merge import Authority
from .place_writers import write_addresses, write_households
from .placement import Placer, address_key
from .rows import RowFile, column_label
from .validation import RowChecker, RowError
from .writers import ChunkCounts, Context, prepare_person, write_entities, write_persons

logger = logging.getLogger(__name__)

CHUNK_ROWS = 20_000  # larger chunks write the random index keys of persons in fewer, denser runs
KIND_NAMES = {
    "persons": EntityKind.PERSON,
    "households": EntityKind.HOUSEHOLD,
    "addresses": EntityKind.ADDRESS,
    "entities": EntityKind.ENTITY,
}
MAX_FILE_BYTES = 2 * 1024 * 1024 * 1024


class SimulatedCrash(RuntimeError):
    """Raised by :func:`import_execute` after ``crash_after_chunks`` chunks (tests, drills)."""


@dataclass(frozen=True)
class _Kind:
    check: str  # RowChecker method
    write: Callable[[Context, Any], ChunkCounts]
    duplicate: Callable[[Any], str]
    what: str  # untranslated description of the natural key
    prepare: Callable[[Any], Any] | None = None  # work on a valid row that needs no database


_KINDS: dict[str, _Kind] = {
    EntityKind.PERSON: _Kind(
        "person",
        write_persons,
        lambda row: row.id_number,
        gettext_noop("ID number"),
        prepare=prepare_person,
    ),
    EntityKind.ENTITY: _Kind(
        "entity", write_entities, lambda row: row.uscc, gettext_noop("credit code")
    ),
    EntityKind.ADDRESS: _Kind(
        "address_row",
        write_addresses,
        lambda row: address_key(row.address),
        gettext_noop("address"),
    ),
    EntityKind.HOUSEHOLD: _Kind(
        "household",
        write_households,
        lambda row: f"{row.number}\n{row.id_number}",
        gettext_noop("household member"),
    ),
}


# ------------------------------------------------------------------------------ starting


def import_resume(*, actor: Any, run: ImportRun) -> ImportRun:
    """Continue a failed or stalled run from its stored file (web); audited."""
    if not may_import(actor, run.source):
        raise PermissionDeniedError(_("You may not import data of this source."))
    if run.status == ImportStatus.COMPLETED or (
        run.status == ImportStatus.RUNNING and not import_is_stalled(run)
    ):
        raise DomainError(_("This import is not interrupted."), code="conflict")
    return import_start(
        actor=actor,
        kind=run.entity_kind,
        source=run.source.code,
        path=run.file_path,
        file_name=run.file_name,
        resume=True,
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def import_start(
    *,
    actor: Any,
    kind: str,
    source: str,
    path: str | Path,
    file_name: str = "",
    resume: bool = False,
) -> ImportRun:
    """The run that will import ``path``: the unfinished run of the same file, source and kind
    when ``resume`` (if there is one), else a new run. Checks the actor; audited."""
    kind = KIND_NAMES.get(kind, kind)
    if kind not in _KINDS:
        raise DomainError(
            _("Unknown record kind “%(kind)s” (persons, households, addresses or entities).")
            % {"kind": kind},
            code="invalid",
            field="kind",
        )
    found = Source.objects.filter(code=source).first()
    if found is None or not found.is_active:
        raise NotFoundError(
            _("Unknown data source “%(source)s”; known: %(codes)s.")
            % {
                "source": source,
                "codes": ", ".join(
                    Source.objects.filter(is_active=True).values_list("code", flat=True)
                ),
            },
            field="source",
        )
    if not may_import(actor, found):
        raise PermissionDeniedError(_("You may not import data of this source."))
    file_path = Path(path).resolve()
    if not file_path.is_file():
        raise DomainError(
            _("The file %(path)s does not exist.") % {"path": str(path)},
            code="invalid",
            field="file",
        )
    if file_path.stat().st_size > MAX_FILE_BYTES:
        raise DomainError(_("The file is too large."), code="invalid", field="file")
    sha = _sha256(file_path)
    run = None
    if resume:
        run = (
            ImportRun.objects.filter(entity_kind=kind, source=found, file_sha256=sha)
            .exclude(status=ImportStatus.COMPLETED)
            .order_by("-created_at", "-pk")
            .first()
        )
    is_resumed = run is not None
    if run is None:
        run = ImportRun.objects.create(
            entity_kind=kind,
            source=found,
            file_name=(file_name or file_path.name)[:255],
            file_sha256=sha,
            file_path=str(file_path)[:500],
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
    else:
        run.status = ImportStatus.RUNNING
        run.file_path = str(file_path)[:500]
        run.message = ""
        run.finished_at = None
        run.save(update_fields=["status", "file_path", "message", "finished_at", "updated_at"])
    audit_record(
        actor=actor,
        action="registry.import_start",
        target=run,
        admin_unit_code="",
        details={
            "kind": kind,
            "source": found.code,
            "file": run.file_name,
            "sha256": sha,
            "resumed_after_line": run.committed_lines if is_resumed else None,
        },
    )
    return run


# ------------------------------------------------------------------------------ running


def _city() -> tuple[str, int | None]:
    code = str(getattr(settings, "CIVICGRID_CITY_CODE", "") or "")
    pk = AdminUnit.objects.filter(code=code).values_list("pk", flat=True).first()
    return code, pk


def import_execute(
    *,
    run: ImportRun,
    chunk_size: int = CHUNK_ROWS,
    crash_after_chunks: int | None = None,
    content: bytes | None = None,
    pipeline: bool = False,
) -> ImportRun:
    """Import the run's file (see the module docstring); returns the finished run.

    ``crash_after_chunks`` raises :class:`SimulatedCrash` after that many chunks committed
    (for tests of resuming). ``pipeline`` writes in a second thread with its own database
    connection while this one checks the next chunk (CLI, web, bench; not inside a test's
    transaction, which the writer's connection cannot see). Any other exception marks the
    run failed and is raised again.
    """
    # Millions of long-lived small objects (the file's keys, caches) make the cyclic garbage
    # collector rescan them over and over; import rows form no cycles worth collecting.
    collecting = gc.isenabled()
    gc.disable()
    with translation.override(settings.LANGUAGE_CODE):
        try:
            return _execute(run, chunk_size, crash_after_chunks, content, pipeline)
        except SimulatedCrash:
            raise
        except DomainError as error:
            _finish(run, ImportStatus.FAILED, str(error.message))
            return run
        except Exception as error:
            logger.exception("registry import %s failed", run.pk)
            _finish(run, ImportStatus.FAILED, _("The import stopped: %(error)s") % {"error": error})
            raise
        finally:
            if collecting:
                gc.enable()


def _execute(
    run: ImportRun,
    chunk_size: int,
    crash_after_chunks: int | None,
    content: bytes | None,
    pipeline: bool,
) -> ImportRun:
    kind = run.entity_kind
    spec = _KINDS[kind]
    started = time.perf_counter()
    if content is None:
        try:
            content = Path(run.file_path).read_bytes()
        except OSError as error:
            raise DomainError(
                _("The file of this import cannot be read: %(error)s") % {"error": error},
                code="invalid",
                field="file",
            ) from error
    rows = RowFile(content, run.file_name, kind)
    del content
    if not run.total_rows or run.total_rows < rows.estimated_rows:
        ImportRun.objects.filter(pk=run.pk).update(total_rows=max(0, rows.estimated_rows - 1))
    lock_key = int(hashlib.sha256(f"{run.source_id}:{kind}".encode()).hexdigest()[:15], 16)
    writers = _person_writers() if pipeline and kind == EntityKind.PERSON and is_postgres() else 1
    # With several writers the run holds its lock throughout (taken before it looks for
    # earlier deliveries of this source, so a second run of the source waits for this one).
    with session_advisory_lock(lock_key) if writers > 1 else nullcontext():
        _write_rows(run, spec, rows, chunk_size, writers, lock_key, crash_after_chunks, pipeline)
    rows.close()
    run.refresh_from_db()
    ImportRun.objects.filter(pk=run.pk).update(
        total_rows=run.created_count + run.updated_count + run.unchanged_count + run.invalid_count
    )
    _finish(run, ImportStatus.COMPLETED, "", seconds=time.perf_counter() - started)
    return run


def _write_rows(
    run: ImportRun,
    spec: _Kind,
    rows: RowFile,
    chunk_size: int,
    writers: int,
    lock_key: int,
    crash_after_chunks: int | None,
    pipeline: bool,
) -> None:
    kind = run.entity_kind
    placer = Placer.from_database()
    ctx = Context(
        source_id=run.source_id,
        source_code=run.source.code,
        run_id=run.pk,
        at=timezone.now(),
        placer=placer,
        authority=Authority.from_database(),
        city=_city(),
        is_first_delivery=not SourceRecord.objects.filter(source_id=run.source_id, entity_kind=kind)
        .exclude(run_id=run.pk)
        .exists(),
    )
    checker = RowChecker(kind, placer, today=timezone.localdate())
    check = getattr(checker, spec.check)
    seen: dict[str, int] = {}
    resume_after = run.committed_lines
    chunk: list[Any] = []
    in_chunk = 0
    last_line = resume_after
    committer = _Committer(
        run,
        ctx,
        spec,
        lock_key,
        crash_after_chunks,
        threaded=pipeline,
        writers=writers,
        session_lock=writers > 1,
    )
    try:
        for line, values in rows.rows():
            record = check(line, values)
            if record is not None:
                duplicate_key = spec.duplicate(record)
                first = seen.get(duplicate_key)
                if first is not None:
                    checker.error(
                        "",
                        _(
                            "Duplicate row: the same %(what)s as line %(first)s; only the first "
                            "is imported."
                        )
                        % {"what": _(spec.what), "first": first},
                    )
                    record = None
                else:
                    seen[duplicate_key] = line
            if line <= resume_after:
                checker.errors.clear()  # committed before the interruption
                continue
            if record is not None:
                chunk.append(record if spec.prepare is None else spec.prepare(record))
            in_chunk += 1
            last_line = line
            if in_chunk >= chunk_size:
                committer.commit(chunk, checker.errors, last_line)
                checker.errors = []
                chunk, in_chunk = [], 0
        if in_chunk:
            committer.commit(chunk, checker.errors, last_line)
            checker.errors = []
    finally:
        committer.close()


# Writer connections of a pipelined person import on PostgreSQL (setting
# ``CIVICGRID_REGISTRY_IMPORT_WRITERS``, 2 by default). Two let the database work on one chunk
# (its writes, then the foreign-key checks at commit) while the next chunk's writes go on;
# on two cores more only add contention (ADR 0006).
def _person_writers() -> int:
    return max(1, int(getattr(settings, "CIVICGRID_REGISTRY_IMPORT_WRITERS", 2)))


class _Broken(Exception):
    """An earlier chunk failed: this one gives up (its transaction rolls back)."""


class _Turns:
    """File order for chunks written by several writers: chunk *n* (from 1) may create and
    place addresses only after chunk *n-1* did (they share addresses and buildings, and the
    order also rules out a deadlock between two chunks inserting the same new ones), and may
    commit only after chunk *n-1* committed, so ``committed_lines`` only ever grows and a
    resume starts after whole chunks. Once chunk *n* fails, every later chunk gives up."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.placed = 0  # chunks 1..placed are past their address step
        self.committed = 0
        self.broken_at: int | None = None
        self.waited = {"placed": 0.0, "committed": 0.0}  # seconds, all writers together

    def wait(self, step: str, number: int) -> None:
        started = time.perf_counter()
        try:
            with self._changed:
                while getattr(self, step) < number - 1:
                    self._check(number)
                    self._changed.wait(0.5)
                self._check(number)
        finally:
            self.waited[step] += time.perf_counter() - started

    def _check(self, number: int) -> None:
        if self.broken_at is not None and self.broken_at < number:
            raise _Broken

    def done(self, step: str, number: int) -> None:
        with self._changed:
            setattr(self, step, max(getattr(self, step), number))
            self._changed.notify_all()

    def fail(self, number: int) -> None:
        with self._changed:
            if self.broken_at is None or number < self.broken_at:
                self.broken_at = number
            self._changed.notify_all()


class _Committer:
    """Writes chunks, one transaction each: in this thread, or (``threaded``) in writer
    threads with database connections of their own, so that checking the next chunk (Python)
    overlaps writing this one (the database). With ``writers`` > 1 (PostgreSQL, persons) the
    writers take chunks in turn and :class:`_Turns` keeps them in file order where it matters;
    the run then holds its advisory lock for its whole length (``session_lock``) instead of
    each chunk taking it. An error in a writer stops the import at the next chunk handed
    over; chunks before it still commit, none after it."""

    def __init__(
        self,
        run: ImportRun,
        ctx: Context,
        spec: _Kind,
        lock_key: int,
        crash_after_chunks: int | None,
        *,
        threaded: bool,
        writers: int = 1,
        session_lock: bool = False,
    ) -> None:
        self.run = run
        self.ctx = ctx
        self.spec = spec
        self.lock_key = lock_key
        self.session_lock = session_lock
        self.crash_after_chunks = crash_after_chunks
        self.chunks = 0  # handed over
        # Where the pipeline waits (seconds), logged at the end: the reading thread for the
        # writers (the database side is the bottleneck) or the writers for the next chunk.
        self.reader_waited = 0.0
        self.writer_idle = 0.0
        self.writer_cpu = 0.0  # the writers' own CPU (the rest of their time: the database)
        self.error: BaseException | None = None
        self.turns = _Turns()
        self.numbers = threading.local()  # the chunk a writer thread is on
        self.threads: list[threading.Thread] = []
        if threaded:
            if writers > 1:
                ctx.address_turn = self._address_turn
            self.queue: queue.Queue[tuple[int, list[Any], list[RowError], int] | None] = (
                queue.Queue(maxsize=1)
            )
            self.language = translation.get_language()
            for index in range(writers):
                thread = threading.Thread(
                    target=self._work, name=f"registry-import-writer-{run.pk}-{index}", daemon=True
                )
                thread.start()
                self.threads.append(thread)

    def commit(self, chunk: list[Any], errors: list[RowError], last_line: int) -> None:
        self.chunks += 1
        if not self.threads:
            self._commit(self.chunks, chunk, errors, last_line)
            return
        item = (self.chunks, chunk, errors, last_line)
        started = time.perf_counter()
        while True:
            self._raise()
            try:
                self.queue.put(item, timeout=0.5)
                self.reader_waited += time.perf_counter() - started
                return
            except queue.Full:
                continue

    def close(self) -> None:
        if self.threads:
            # One end mark per writer (any writer may take any mark); a writer stopped by an
            # error takes none, hence the check that some writer is still there to take them.
            marks = len(self.threads)
            while marks and any(thread.is_alive() for thread in self.threads):
                try:
                    self.queue.put(None, timeout=0.5)
                    marks -= 1
                except queue.Full:
                    continue
            for thread in self.threads:
                thread.join()
            self.threads = []
            logger.info(
                "registry import %s: the reading thread waited %.1f s for the writers, the "
                "writers %.1f s for chunks, %.1f s for their turn to place addresses and %.1f s "
                "to commit; the writers' own CPU %.1f s",
                self.run.pk,
                self.reader_waited,
                self.writer_idle,
                self.turns.waited["placed"],
                self.turns.waited["committed"],
                self.writer_cpu,
                extra={
                    "reader_waited": self.reader_waited,
                    "writer_idle": self.writer_idle,
                    "writer_cpu": self.writer_cpu,
                    "turn_waited_place": self.turns.waited["placed"],
                    "turn_waited_commit": self.turns.waited["committed"],
                },
            )
        self._raise()

    def _raise(self) -> None:
        if self.error is not None:
            error, self.error = self.error, None
            raise error

    def _work(self) -> None:
        try:
            with translation.override(self.language):
                while True:
                    started = time.perf_counter()
                    item = self.queue.get()
                    self.writer_idle += time.perf_counter() - started
                    if item is None:
                        return
                    cpu = time.thread_time()
                    try:
                        self._commit(*item)
                    except _Broken:
                        continue  # an earlier chunk's error is the one raised
                    finally:
                        self.writer_cpu += time.thread_time() - cpu
        except BaseException as error:  # handed to the reading thread
            if self.error is None:
                self.error = error
        finally:
            connection.close()

    @contextmanager
    def _address_turn(self) -> Iterator[None]:
        number = self.numbers.value
        self.turns.wait("placed", number)
        yield
        self.turns.done("placed", number)

    def _commit(
        self, number: int, chunk: list[Any], errors: list[RowError], last_line: int
    ) -> None:
        self.numbers.value = number
        try:
            _commit(
                self.run,
                self.ctx,
                self.spec,
                chunk,
                errors,
                last_line,
                None if self.session_lock else self.lock_key,
                before_commit=lambda: self._before_commit(number),
            )
            if self.crash_after_chunks is not None and number >= self.crash_after_chunks:
                raise SimulatedCrash(f"simulated crash after {number} chunk(s)")
        except BaseException:
            self.turns.fail(number)
            raise
        self.turns.done("committed", number)

    def _before_commit(self, number: int) -> None:
        self.turns.done("placed", number)  # a chunk that had no address step
        self.turns.wait("committed", number)


def _commit(
    run: ImportRun,
    ctx: Context,
    spec: _Kind,
    chunk: list[Any],
    row_errors: list[RowError],
    last_line: int,
    lock_key: int | None,
    *,
    before_commit: Callable[[], None] | None = None,
) -> None:
    ctx.addresses.forget_moves()
    with transaction.atomic():
        relax_commit()
        if lock_key is not None:
            advisory_lock(lock_key)
        counts = spec.write(ctx, chunk) if chunk else ChunkCounts()
        errors = [*row_errors, *counts.errors]
        _save_errors(run, errors)
        if before_commit is not None:
            before_commit()
        ctx.addresses.write_moves()  # after the chunk before committed (see AddressBook)
        ImportRun.objects.filter(pk=run.pk).update(
            committed_lines=last_line,
            created_count=F("created_count") + counts.created,
            updated_count=F("updated_count") + counts.updated,
            unchanged_count=F("unchanged_count") + counts.unchanged,
            invalid_count=F("invalid_count") + len({error.line for error in errors}),
            conflict_count=F("conflict_count") + counts.conflicts,
            updated_at=timezone.now(),
        )


def _save_errors(run: ImportRun, errors: list[RowError]) -> None:
    insert_rows(
        ImportRowError._meta.db_table,
        ["run_id", "line", "field_name", "value", "message"],
        (
            [run.pk, error.line, error.field[:40], error.value[:100], error.message[:300]]
            for error in sorted(errors, key=lambda error: error.line)
        ),
    )


def _finish(run: ImportRun, status: str, message: str, *, seconds: float | None = None) -> None:
    ImportRun.objects.filter(pk=run.pk).update(
        status=status, message=message[:2000], finished_at=timezone.now()
    )
    run.refresh_from_db()
    audit_record(
        actor=run.created_by,
        action="registry.import_finish",
        target=run,
        admin_unit_code="",
        details={
            "status": status,
            "created": run.created_count,
            "updated": run.updated_count,
            "unchanged": run.unchanged_count,
            "invalid": run.invalid_count,
            "conflicts": run.conflict_count,
            "seconds": round(seconds, 2) if seconds is not None else None,
            "message": message[:300],
        },
    )


def registry_import(
    *,
    actor: Any,
    kind: str,
    source: str,
    path: str | Path,
    file_name: str = "",
    resume: bool = False,
    chunk_size: int = CHUNK_ROWS,
    crash_after_chunks: int | None = None,
    pipeline: bool = False,
) -> ImportRun:
    """Start (or resume) and run an import to its end; returns the run with its counts."""
    run = import_start(
        actor=actor, kind=kind, source=source, path=path, file_name=file_name, resume=resume
    )
    return import_execute(
        run=run, chunk_size=chunk_size, crash_after_chunks=crash_after_chunks, pipeline=pipeline
    )


# --------------------------------------------------------------------------- background


def import_execute_later(run: ImportRun) -> None:
    """Run the import in the background: a Celery task when a broker is configured, else a
    thread of this process (the embedded set-up); ``CIVICGRID_REGISTRY_IMPORT_INLINE`` runs
    it at once (tests)."""
    if getattr(settings, "CIVICGRID_REGISTRY_IMPORT_INLINE", False):
        import_execute(run=run)
        return
    if getattr(settings, "CELERY_BROKER_URL", ""):
        from ..tasks import run_import

        transaction.on_commit(lambda: run_import.delay(run.pk))
        return
    thread = threading.Thread(
        target=run_import_by_id, args=(run.pk,), name=f"registry-import-{run.pk}", daemon=True
    )
    transaction.on_commit(thread.start)


def run_import_by_id(run_id: int) -> None:
    """Entry point of the background thread or task."""
    close_old_connections()
    try:
        run = ImportRun.objects.select_related("source").get(pk=run_id)
        if run.status == ImportStatus.RUNNING:
            import_execute(run=run, pipeline=can_pipeline())
    except Exception:  # logged and recorded on the run by import_execute
        logger.exception("registry import %s failed in the background", run_id)
    finally:
        connection.close()


# -------------------------------------------------------------------------------- report


def error_report_csv(run: ImportRun) -> bytes:
    """The run's row errors as CSV (UTF-8 with BOM so that Excel opens it): 行号 line,
    列 field, 值 value (masked), 原因 reason."""
    out = io.StringIO()
    writer = csv.writer(out)
    with translation.override(settings.LANGUAGE_CODE):
        writer.writerow([_("line"), _("field"), _("value"), _("reason")])
        for line, field_name, value, message in (
            run.row_errors.order_by("line", "pk")
            .values_list("line", "field_name", "value", "message")
            .iterator()
        ):
            label = column_label(run.entity_kind, field_name) if field_name else ""
            writer.writerow([line, label, value, message])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_error_report(run: ImportRun, path: str | Path | None = None) -> Path:
    """Write :func:`error_report_csv` to ``path`` (default: under ``VAR_DIR``); the path."""
    target = (
        Path(path)
        if path
        else Path(settings.VAR_DIR) / "registry_imports" / (f"import-{run.pk}-errors.csv")
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(error_report_csv(run))
    return target


def run_summary(run: ImportRun) -> dict[str, Any]:
    """The run's counts as one JSON-able mapping (CLI, API)."""
    return {
        "run": run.pk,
        "kind": run.entity_kind,
        "source": run.source.code,
        "file": run.file_name,
        "status": run.status,
        "rows": run.total_rows,
        "committed_lines": run.committed_lines,
        "created": run.created_count,
        "updated": run.updated_count,
        "unchanged": run.unchanged_count,
        "invalid": run.invalid_count,
        "conflicts": run.conflict_count,
        "message": run.message,
    }
