"""The worker's request side, in this process: run requests' limits and the line reader.

The full protocol runs through a real worker in test_worker (and a SIGTERM that arrives as the
worker goes back to reading, in test_worker_processes); these are the pieces simpler to drive
directly.
"""
import json
import os
import sys
import unittest

from worker_harness import WORKER_DIR

sys.path.insert(0, WORKER_DIR)
from spool_protocol import ProtocolError, parse_request, read_lines  # noqa: E402  (lives in the worker's directory)


class RunRequestLimitsTest(unittest.TestCase):

    def request(self, **fields):
        run = {"type": "run", "job": "j1", "log": "/l", "result": "/r", "tmpdir": "/t"}
        run.update(fields)
        return parse_request(json.dumps(run).encode())

    def test_absent_limits_are_no_limits(self):
        request = self.request()
        self.assertEqual((request.result_max_bytes, request.log_max_bytes), (0, 0))

    def test_limits_are_read(self):
        request = self.request(resultMaxBytes=100, logMaxBytes=2048)
        self.assertEqual((request.result_max_bytes, request.log_max_bytes), (100, 2048))

    def test_bad_limits_are_refused_naming_the_field(self):
        for fields, reason in ((dict(resultMaxBytes=-5), "'resultMaxBytes' must be 0 (no limit) or more, got -5"),
                               (dict(logMaxBytes=1.5), "'logMaxBytes' must be a JSON integer"),
                               (dict(resultMaxBytes=None), "'resultMaxBytes' must be a JSON integer")):
            with self.subTest(fields=fields):
                with self.assertRaises(ProtocolError) as raised:
                    self.request(**fields)
                self.assertEqual(str(raised.exception), "run request for job 'j1': " + reason)


class ReadLinesTest(unittest.TestCase):

    def setUp(self):
        self.read_fd, self.write_fd = os.pipe()
        self.wakeup_read, self.wakeup_write = os.pipe()
        for fd in (self.read_fd, self.write_fd, self.wakeup_read, self.wakeup_write):
            self.addCleanup(self._close, fd)

    @staticmethod
    def _close(fd):
        try:
            os.close(fd)
        except OSError:
            pass

    def test_lines_are_split_however_they_arrive_and_a_last_line_may_lack_its_newline(self):
        lines = read_lines(self.read_fd, self.wakeup_read)
        os.write(self.write_fd, b"one\ntw")
        self.assertEqual(next(lines), b"one\n")
        os.write(self.write_fd, b"o\nthree\nfour")
        self.assertEqual(next(lines), b"two\n")
        self.assertEqual(next(lines), b"three\n")
        os.close(self.write_fd)
        self.assertEqual(list(lines), [b"four"])


if __name__ == "__main__":
    unittest.main()
