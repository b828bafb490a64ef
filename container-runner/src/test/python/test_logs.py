"""The log pump: timestamped lines, partial and long lines, the cap, the drain, and the wrapper mode.

``LogFile`` and ``LogPump`` are driven here through a pipe of the test's own; the wrapper
(``python spool_logs.py --out FILE -- COMMAND``) runs as the build runs it, in a subprocess. The
worker's use of the pump, one per job, is tested through a real worker in test_worker.
"""
import calendar
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import unittest.mock

from worker_harness import WORKER_DIR, strip_timestamps, wait_until

sys.path.insert(0, WORKER_DIR)
import spool_logs  # noqa: E402  (the module under test lives in the worker's directory)
from spool_logs import LogFile, LogPump, pieces, timestamp  # noqa: E402

WRAPPER = os.path.join(WORKER_DIR, "spool_logs.py")
LINE_BYTES = 24 + 1 + 49 + 1  # timestamp, space, the lines of numbered() below, newline


def numbered(start, count):
    """``count`` lines of 49 bytes each, numbered from ``start``."""
    return [b"n%04d" % i + b"." * 44 for i in range(start, start + count)]


def note(dropped_lines, cap):
    return ("[spool] %d bytes (%d lines) dropped from the start of this log: it is capped at %d bytes "
            "(spool.log.max-bytes); the last lines follow\n" % (dropped_lines * LINE_BYTES, dropped_lines, cap))


class LogTestCase(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="spool-logs-test-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.path = os.path.join(self.dir, "logs", "log")

    def raw(self):
        with open(self.path, encoding="utf-8") as f:
            return f.read()

    def lines(self):
        return strip_timestamps(self.raw())

    def pump(self, max_bytes=0):
        """A started pump on a new pipe; returns it with the pipe's write end."""
        read_fd, write_fd = os.pipe()
        pump = LogPump(read_fd, LogFile(self.path, max_bytes))
        pump.start()
        self.addCleanup(self._close, write_fd)
        return pump, write_fd

    @staticmethod
    def _close(fd):
        try:
            os.close(fd)
        except OSError:
            pass


class FormatTest(unittest.TestCase):

    def test_timestamps_are_utc_iso_8601_with_milliseconds(self):
        self.assertEqual(timestamp(0), b"1970-01-01T00:00:00.000Z")
        self.assertEqual(timestamp(1925089445.6789), b"2031-01-02T03:04:05.678Z")

    def test_long_lines_are_cut_into_pieces_never_inside_a_character(self):
        self.assertEqual(pieces(b"a" * 10, 4), [b"aaaa", b"aaaa", b"aa"])
        self.assertEqual(pieces(b"short", 10), [b"short"])
        cut = pieces("ééé".encode(), 3)
        self.assertEqual([piece.decode("utf-8") for piece in cut], ["é", "é", "é"])


class PumpTest(LogTestCase):

    def test_lines_from_the_pipe_are_timestamped_and_appended(self):
        os.makedirs(os.path.dirname(self.path))
        with open(self.path, "w") as f:
            f.write("earlier\n")
        pump, write_fd = self.pump()
        before = time.time()
        os.write(write_fd, b"one\ntw")
        os.write(write_fd, b"o\nthree\n")
        os.close(write_fd)
        pump.finish()
        raw = self.raw()
        self.assertTrue(raw.startswith("earlier\n"), raw)
        self.assertEqual(strip_timestamps(raw[len("earlier\n"):]), ["one\n", "two\n", "three\n"])
        first = raw.splitlines()[1]
        self.assertLessEqual(abs(calendar.timegm(time.strptime(first[:19], "%Y-%m-%dT%H:%M:%S")) - before), 2,
                             "%s is the UTC time now" % first)

    def test_a_partial_line_is_written_out_once_it_has_waited_about_a_second(self):
        pump, write_fd = self.pump()
        start = time.monotonic()
        os.write(write_fd, b"half a line")
        wait_until(lambda: os.path.exists(self.path) and self.raw().endswith(" half a line\n"),
                   what="the partial line")
        waited = time.monotonic() - start
        self.assertGreaterEqual(waited, spool_logs.PARTIAL_WAIT - 0.05)
        self.assertLess(waited, spool_logs.PARTIAL_WAIT + 2)
        os.write(write_fd, b" and the rest\n")
        os.close(write_fd)
        pump.finish()
        self.assertEqual(self.lines(), ["half a line\n", " and the rest\n"])

    def test_a_partial_line_at_eof_gets_its_newline(self):
        pump, write_fd = self.pump()
        os.write(write_fd, b"complete\nno newline")
        os.close(write_fd)
        pump.finish()
        self.assertEqual(self.lines(), ["complete\n", "no newline\n"])

    def test_finish_drains_for_at_most_its_time_when_another_process_holds_the_pipe(self):
        pump, write_fd = self.pump()
        os.write(write_fd, b"before the end\n")
        start = time.monotonic()
        pump.finish(0.2)
        self.assertLess(time.monotonic() - start, 1.5)
        self.assertEqual(self.lines(), ["before the end\n"])

    def test_a_line_longer_than_the_limit_is_cut_into_lines(self):
        with unittest.mock.patch.object(spool_logs, "LINE_LIMIT", 500):
            pump, write_fd = self.pump()
        os.write(write_fd, b"x" * 1200 + b"\n" + b"y" * 700)  # a complete line, then a partial one
        os.close(write_fd)
        pump.finish()
        self.assertEqual(self.lines(), ["x" * 500 + "\n", "x" * 500 + "\n", "x" * 200 + "\n",
                                        "y" * 500 + "\n", "y" * 200 + "\n"])

    def test_a_capped_log_cuts_lines_at_half_its_cap(self):
        pump, write_fd = self.pump(max_bytes=1000)
        os.write(write_fd, b"x" * 600 + b"\n")
        os.close(write_fd)
        pump.finish()
        self.assertEqual(self.lines(), ["x" * 500 + "\n", "x" * 100 + "\n"])

    def test_a_capped_log_keeps_its_tail_with_a_note_of_everything_dropped(self):
        cap = 1000
        pump, write_fd = self.pump(max_bytes=cap)
        for start in range(0, 300, 30):
            os.write(write_fd, b"".join(line + b"\n" for line in numbered(start, 30)))
        os.close(write_fd)
        pump.finish()
        lines = self.lines()
        kept = lines[1:]
        self.assertEqual(lines[0], note(300 - len(kept), cap))
        self.assertEqual(kept, [line.decode() + "\n" for line in numbered(300 - len(kept), len(kept))])
        self.assertEqual(len(kept), cap // LINE_BYTES, "the whole lines that fit in the cap")


class LogFileTest(LogTestCase):

    def test_the_note_is_carried_on_by_a_later_log_file_on_the_same_path(self):
        cap = 1000
        first = LogFile(self.path, cap)
        first.write([(time.time(), line) for line in numbered(0, 100)])
        first.close()
        second = LogFile(self.path, cap)  # the build's next command, through its own pump
        self.assertEqual((second.dropped_lines, second.dropped_bytes),
                         (100 - cap // LINE_BYTES, (100 - cap // LINE_BYTES) * LINE_BYTES))
        second.write([(time.time(), line) for line in numbered(100, 100)])
        second.close()
        lines = self.lines()
        kept = lines[1:]
        self.assertEqual(lines[0], note(200 - len(kept), cap))
        self.assertEqual(kept, [line.decode() + "\n" for line in numbered(200 - len(kept), len(kept))])

    def test_a_log_under_its_cap_is_left_as_it_is(self):
        log = LogFile(self.path, 10000)
        log.write([(0.0, b"one"), (0.5, b"two")])
        log.close()
        self.assertEqual(self.raw(), "1970-01-01T00:00:00.000Z one\n1970-01-01T00:00:00.500Z two\n")

    def test_the_file_is_rewritten_when_its_lines_pass_twice_the_cap(self):
        cap = 1000
        log = LogFile(self.path, cap)
        log.write([(time.time(), line) for line in numbered(0, 2 * cap // LINE_BYTES)])
        self.assertEqual(len(self.lines()), 2 * cap // LINE_BYTES, "not yet past twice the cap")
        log.write([(time.time(), line) for line in numbered(100, 1)])
        self.assertTrue(self.lines()[0].startswith("[spool] "), self.raw())
        self.assertLessEqual(os.path.getsize(self.path), cap + len(self.raw().splitlines()[0]) + 1)
        log.close()


class WrapperTest(LogTestCase):

    def wrap(self, *command, max_bytes=None, timeout=30):
        argv = [sys.executable, WRAPPER, "--out", self.path]
        if max_bytes is not None:
            argv += ["--max-bytes", str(max_bytes)]
        return subprocess.run(argv + ["--"] + list(command), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=timeout)

    def test_the_commands_output_is_timestamped_and_its_exit_status_returned(self):
        os.makedirs(os.path.dirname(self.path))
        with open(self.path, "w") as f:
            f.write("2026-01-01T00:00:00.000Z an earlier step\n")
        process = self.wrap(sys.executable, "-u", "-c", "import sys; print('to stdout'); "
                            "print('to stderr', file=sys.stderr); sys.stdout.write('partial'); sys.exit(3)")
        self.assertEqual(process.returncode, 3, process.stderr)
        self.assertEqual(process.stdout, b"")
        self.assertEqual(self.lines(), ["an earlier step\n", "to stdout\n", "to stderr\n", "partial\n"])

    def test_a_command_killed_by_a_signal_exits_128_plus_the_signal(self):
        process = self.wrap(sys.executable, "-c", "import os, signal; print('dying', flush=True); "
                            "os.kill(os.getpid(), signal.SIGKILL)")
        self.assertEqual(process.returncode, 128 + signal.SIGKILL, process.stderr)
        self.assertEqual(self.lines(), ["dying\n"])

    def test_a_command_that_cannot_start_exits_127_saying_why_in_the_log(self):
        process = self.wrap("/no/such/command", "arg")
        self.assertEqual(process.returncode, 127, process.stderr)
        self.assertEqual(self.lines(), ["[spool] cannot run /no/such/command: No such file or directory\n"])

    def test_the_cap_applies_to_the_wrapped_command(self):
        process = self.wrap(sys.executable, "-c", "for i in range(300): print('n%04d' % i + '.' * 44)", max_bytes=1000)
        self.assertEqual(process.returncode, 0, process.stderr)
        lines = self.lines()
        kept = lines[1:]
        self.assertEqual(lines[0], note(300 - len(kept), 1000))
        self.assertEqual(kept, [line.decode() + "\n" for line in numbered(300 - len(kept), len(kept))])

    def test_a_background_process_holding_the_output_delays_the_exit_by_at_most_the_drain(self):
        pid_file = os.path.join(self.dir, "sleeper.pid")
        start = time.monotonic()
        process = self.wrap("sh", "-c", "sleep 30 & echo $! > %s; echo started" % pid_file)
        elapsed = time.monotonic() - start
        with open(pid_file) as f:
            os.kill(int(f.read()), signal.SIGKILL)
        self.assertEqual(process.returncode, 0, process.stderr)
        self.assertLess(elapsed, spool_logs.DRAIN_SECONDS + 5)
        self.assertEqual(self.lines(), ["started\n"])

    def test_a_bad_command_line_is_a_usage_error(self):
        for argv in ([WRAPPER, "--out", self.path, "echo"], [WRAPPER, "--", "echo"],
                     [WRAPPER, "--out", self.path, "--max-bytes", "-1", "--", "echo"]):
            with self.subTest(argv=argv[1:]):
                process = subprocess.run([sys.executable] + argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                         timeout=30)
                self.assertEqual(process.returncode, spool_logs.EXIT_USAGE)
                self.assertIn(b"usage: spool_logs.py --out FILE", process.stderr)


if __name__ == "__main__":
    unittest.main()
