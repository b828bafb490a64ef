"""Timestamped, capped logs: a pump that copies what a process tree writes on a pipe into a log file.

Every line that reaches the file starts with the UTC time it was read and one space,
``2026-11-24T07:05:01.123Z hello``. A partial line (no newline yet) is written out as a line of its
own once it has waited ``PARTIAL_WAIT`` seconds, and at the end; a line longer than the line limit
(1 MiB, or half the cap when that is smaller) is cut into lines of at most that many bytes.

With a cap (``max_bytes`` > 0) the file keeps its tail: when its lines pass twice the cap it is
rewritten as a note plus its last lines (about ``max_bytes`` of them, cut at a line boundary), and
at the end it is cut the same way if it is over the cap. The note says how many bytes and lines
were dropped in all, and a later pump on the same file carries those totals on. Rewrites go to a
temporary file renamed into place, so a reader of the path always sees a whole file.

The worker reads each job's pipe in its select loop through a ``LogPipe``; ``LogPump`` runs a
``LogPipe`` on a thread of its own. The build runs its commands through this module as a wrapper:

    python spool_logs.py --out FILE [--max-bytes N] -- COMMAND ARGS...

runs COMMAND with its stdout and stderr through a pump into FILE (appended to) and exits with
COMMAND's exit status (128 + N when a signal N killed it, 127 when it cannot be started).
"""
import os
import re
import selectors
import subprocess
import sys
import threading
import time
from typing import List, Optional, Sequence, Tuple

PARTIAL_WAIT = 1.0  # seconds a partial line waits for the rest before it is written out
DRAIN_SECONDS = 1.0  # after the writer has gone: the longest wait for what others still hold open
LINE_LIMIT = 1 << 20
EXIT_USAGE = 64
EXIT_CANNOT_RUN = 127

_READ_SIZE = 1 << 16
_COUNT_CHUNK = 1 << 20
_NOTE = re.compile(rb"^\S+ \[spool\] (\d+) bytes \((\d+) lines\) dropped from the start of this log")
_NOTE_MAX = 1024

Line = Tuple[float, bytes]  # (time read, the line without its newline)


def timestamp(t: float) -> bytes:
    """``2026-11-24T07:05:01.123Z`` for epoch seconds ``t``."""
    millis = int(t * 1000)
    seconds, millis = divmod(millis, 1000)
    return ("%s.%03dZ" % (time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)), millis)).encode("ascii")


def pieces(line: bytes, limit: int) -> List[bytes]:
    """``line`` cut into pieces of at most ``limit`` bytes, never inside a UTF-8 character when avoidable."""
    out = []
    while len(line) > limit:
        cut = limit
        while cut > limit - 3 and cut > 1 and (line[cut] & 0xC0) == 0x80:
            cut -= 1
        out.append(line[:cut])
        line = line[cut:]
    out.append(line)
    return out


class LogFile:
    """A log file that takes timestamped lines and, with a cap, keeps its tail. Not thread-safe."""

    def __init__(self, path: str, max_bytes: int = 0) -> None:
        """Opens ``path`` for appending (creating its directory); raises OSError."""
        self.path = path
        self.max_bytes = max_bytes
        # Half the cap at most: the tail kept always starts with a whole line.
        self.line_limit = min(LINE_LIMIT, max(1, max_bytes // 2)) if max_bytes > 0 else LINE_LIMIT
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        self._fd = self._open()
        self._size = os.fstat(self._fd).st_size
        self._note_bytes = 0
        self.dropped_bytes = 0
        self.dropped_lines = 0
        if self._size > 0:
            self._read_note()

    @property
    def fd(self) -> int:
        return self._fd

    def _open(self) -> int:
        return os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def _read_note(self) -> None:
        with open(self.path, "rb") as f:
            first = f.readline(_NOTE_MAX)
        match = _NOTE.match(first)
        if match is not None and first.endswith(b"\n"):
            self._note_bytes = len(first)
            self.dropped_bytes = int(match.group(1))
            self.dropped_lines = int(match.group(2))

    def write(self, lines: Sequence[Line]) -> None:
        """Appends the lines, each with its time; then keeps the tail if the lines have passed twice the cap."""
        if not lines:
            return
        data = bytearray()
        stamped_at, stamp = None, b""
        for t, line in lines:
            if t != stamped_at:
                stamped_at, stamp = t, timestamp(t)
            data += stamp
            data += b" "
            data += line
            data += b"\n"
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view):]
        self._size += len(data)
        if self.max_bytes > 0 and self._size - self._note_bytes > 2 * self.max_bytes:
            self.keep_tail()

    def keep_tail(self) -> None:
        """Rewrites the file as the note and about its last ``max_bytes`` bytes, cut at a line boundary."""
        self._size = os.fstat(self._fd).st_size
        keep = self.max_bytes
        if keep <= 0 or self._size - self._note_bytes <= keep:
            return
        start = self._size - keep - 1  # one byte more: does the kept part start a line?
        with open(self.path, "rb") as f:
            f.seek(start)
            window = f.read(keep + 1)
            newline = window.find(b"\n", 0, len(window) - 1)
            offset = newline + 1 if newline >= 0 else 1  # no line starts there: cut inside the line
            cut = start + offset
            f.seek(self._note_bytes)
            lines = 0
            remaining = cut - self._note_bytes
            while remaining > 0:
                chunk = f.read(min(_COUNT_CHUNK, remaining))
                if not chunk:
                    break
                lines += chunk.count(b"\n")
                remaining -= len(chunk)
        self.dropped_bytes += cut - self._note_bytes
        self.dropped_lines += lines
        note = b"%s [spool] %d bytes (%d lines) dropped from the start of this log: it is capped at %d bytes " \
               b"(spool.log.max-bytes); the last lines follow\n" % (
                   timestamp(time.time()), self.dropped_bytes, self.dropped_lines, self.max_bytes)
        partial = "%s.tail-%d" % (self.path, os.getpid())
        try:
            with open(partial, "wb") as f:
                f.write(note)
                f.write(window[offset:])
            os.replace(partial, self.path)
        except BaseException:
            try:
                os.unlink(partial)
            except OSError:
                pass
            raise
        old, self._fd = self._fd, self._open()
        os.close(old)
        self._note_bytes = len(note)
        self._size = len(note) + len(window) - offset

    def close(self) -> None:
        """Keeps the tail if the file is over the cap, and closes it."""
        try:
            if self.max_bytes > 0:
                self.keep_tail()
        finally:
            os.close(self._fd)


class LogPipe:
    """What a process tree writes on a pipe, cut into timestamped lines for a ``LogFile``.

    Its owner's select loop calls ``read`` when the pipe is readable and ``tick`` when ``due``
    has come (a partial line waits ``PARTIAL_WAIT`` for the rest of it), and ``close`` at the end,
    which writes out what is left and closes the pipe's read end and the log file. Errors of the
    log file are reported once on stderr and the rest of the log is dropped: the pipe is always
    drained, so that the job never blocks on it.
    """

    def __init__(self, read_fd: int, log: LogFile) -> None:
        self._fd = read_fd
        self._log = log
        self._partial = bytearray()
        self._partial_read_at = 0.0  # wall time, for its timestamp
        self._partial_due = 0.0  # monotonic time at which it is written out
        self._broken = False
        self._closed = False

    @property
    def fd(self) -> int:
        return self._fd

    def read(self) -> bool:
        """Reads what the pipe holds (call it when it is readable); False at EOF."""
        data = os.read(self._fd, _READ_SIZE)
        if not data:
            return False
        self._take(data, time.time(), time.monotonic())
        return True

    def due(self) -> Optional[float]:
        """The monotonic time at which ``tick`` has a partial line to write out; None if there is none."""
        return self._partial_due if self._partial else None

    def tick(self, now: float) -> None:
        """Writes out the partial line if it has waited long enough."""
        if self._partial and now >= self._partial_due:
            self._flush_partial()

    def close(self) -> None:
        """Writes out the partial line, closes the pipe and closes the log file (keeping its tail)."""
        if self._closed:
            return
        self._closed = True
        try:
            self._flush_partial()
        finally:
            os.close(self._fd)
            try:
                self._log.close()
            except OSError as e:
                print("spool_logs: cannot close %s: %s" % (self._log.path, e), file=sys.stderr)

    def _flush_partial(self) -> None:
        if self._partial:
            self._write([(self._partial_read_at, bytes(self._partial))])
            self._partial.clear()

    def _take(self, data: bytes, read_at: float, now: float) -> None:
        parts = data.split(b"\n")
        rest = parts.pop()
        lines: List[Line] = []
        for i, part in enumerate(parts):
            if i == 0 and self._partial:
                self._partial += part
                line = bytes(self._partial)
                lines.extend((self._partial_read_at, piece) for piece in pieces(line, self._log.line_limit))
                self._partial.clear()
            else:
                lines.extend((read_at, piece) for piece in pieces(part, self._log.line_limit))
        if rest:
            if not self._partial:
                self._partial_read_at, self._partial_due = read_at, now + PARTIAL_WAIT
            self._partial += rest
            if len(self._partial) > self._log.line_limit:
                cut = pieces(bytes(self._partial), self._log.line_limit)
                lines.extend((self._partial_read_at, piece) for piece in cut[:-1])
                self._partial[:] = cut[-1]
        self._write(lines)

    def _write(self, lines: List[Line]) -> None:
        if self._broken:
            return
        try:
            self._log.write(lines)
        except Exception as e:  # a full disk: keep draining the pipe so that the job never blocks on it
            self._broken = True
            print("spool_logs: cannot write %s, dropping the rest of the log: %s" % (self._log.path, e),
                  file=sys.stderr)


class LogPump:
    """A ``LogPipe`` on a thread of its own, for a caller that has no select loop (the build's wrapper).

    It stops at EOF (every writer has closed the pipe), or after ``finish`` once it has drained for
    at most ``DRAIN_SECONDS``; it closes the pipe's read end and the log file when it stops.
    """

    def __init__(self, read_fd: int, log: LogFile, name: str = "log-pump") -> None:
        self._pipe = LogPipe(read_fd, log)
        self._name = name
        self._deadline: Optional[float] = None
        self._thread: Optional[threading.Thread] = None
        self._wake_read = self._wake_write = -1

    def start(self) -> None:
        self._wake_read, self._wake_write = os.pipe()
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()

    def finish(self, drain_seconds: float = DRAIN_SECONDS) -> None:
        """Lets the pump drain what is left for at most ``drain_seconds``, and waits until it has stopped."""
        assert self._thread is not None
        self._deadline = time.monotonic() + drain_seconds
        try:
            os.write(self._wake_write, b"x")
        except OSError:
            pass
        self._thread.join()
        os.close(self._wake_write)

    def _run(self) -> None:
        selector = selectors.DefaultSelector()
        try:
            selector.register(self._pipe.fd, selectors.EVENT_READ)
            selector.register(self._wake_read, selectors.EVENT_READ)
            while True:
                now = time.monotonic()
                if self._deadline is not None and now >= self._deadline:
                    break
                self._pipe.tick(now)
                ready = selector.select(self._timeout(now))
                if any(key.fd == self._pipe.fd for key, _ in ready) and not self._pipe.read():
                    break
                if any(key.fd == self._wake_read for key, _ in ready):
                    os.read(self._wake_read, 64)
        finally:
            selector.close()
            os.close(self._wake_read)
            self._pipe.close()

    def _timeout(self, now: float) -> Optional[float]:
        waits = [t - now for t in (self._pipe.due(), self._deadline) if t is not None]
        return max(0.0, min(waits)) if waits else None


def run_pumped(command: Sequence[str], out: str, max_bytes: int) -> int:
    """Runs ``command`` with stdout and stderr pumped into the log ``out``; returns its exit status."""
    log = LogFile(out, max_bytes)
    read_fd, write_fd = os.pipe()
    try:
        process = subprocess.Popen(list(command), stdout=write_fd, stderr=write_fd)
    except OSError as e:
        os.close(read_fd)
        log.write([(time.time(), ("[spool] cannot run %s: %s" % (command[0], e.strerror or e)).encode("utf-8"))])
        log.close()
        return EXIT_CANNOT_RUN
    finally:
        os.close(write_fd)
    pump = LogPump(read_fd, log)
    pump.start()
    try:
        status = process.wait()
    finally:
        pump.finish()
    return status if status >= 0 else 128 - status


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    usage = "usage: spool_logs.py --out FILE [--max-bytes N] -- COMMAND ARGS..."
    if "--" not in args:
        print("spool_logs: no command after --; %s" % usage, file=sys.stderr)
        return EXIT_USAGE
    options, command = args[:args.index("--")], args[args.index("--") + 1:]
    out, max_bytes = None, 0
    try:
        while options:
            name = options.pop(0)
            if name == "--out" and options:
                out = options.pop(0)
            elif name == "--max-bytes" and options:
                max_bytes = int(options.pop(0))
                if max_bytes < 0:
                    raise ValueError("--max-bytes must be 0 (no cap) or more")
            else:
                raise ValueError("unknown option or missing value: %s" % name)
        if out is None or not command:
            raise ValueError("--out and a command are required")
    except ValueError as e:
        print("spool_logs: %s; %s" % (e, usage), file=sys.stderr)
        return EXIT_USAGE
    return run_pumped(command, out, max_bytes)


if __name__ == "__main__":
    sys.exit(main())
