"""The worker's request side, in this process: run requests' limits and process mode, and the line buffer.

The full protocol runs through a real worker in test_worker (and a SIGTERM that arrives as the
worker goes back to reading, in test_worker_processes); these are the pieces simpler to drive
directly.
"""
import json
import sys
import unittest

from worker_harness import WORKER_DIR

sys.path.insert(0, WORKER_DIR)
from spool_protocol import (LineBuffer, ProtocolError, decode_run, encode_run,  # noqa: E402  (worker's directory)
                            parse_request)


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


class ProcessModeTest(unittest.TestCase):

    def request(self, **fields):
        run = {"type": "run", "job": "j1", "log": "/l", "result": "/r", "tmpdir": "/t"}
        run.update(fields)
        return parse_request(json.dumps(run).encode())

    def test_a_request_without_a_mode_gets_a_fresh_process_without_limits(self):
        request = self.request()
        self.assertEqual((request.process, request.max_jobs_per_process, request.process_memory_bytes),
                         ("fresh", 0, 0))

    def test_mode_and_process_limits_are_read(self):
        request = self.request(process="reused", maxJobsPerProcess=10, processMemoryBytes=1 << 30)
        self.assertEqual((request.process, request.max_jobs_per_process, request.process_memory_bytes),
                         ("reused", 10, 1 << 30))

    def test_bad_mode_or_process_limits_are_refused_naming_the_field(self):
        for fields, reason in ((dict(process="forked"), "'process' must be \"fresh\" or \"reused\", got \"forked\""),
                               (dict(process=1), "'process' must be a JSON string"),
                               (dict(maxJobsPerProcess=-1), "'maxJobsPerProcess' must be 0 (no limit) or more, got -1"),
                               (dict(processMemoryBytes="20M"), "'processMemoryBytes' must be a JSON integer")):
            with self.subTest(fields=fields):
                with self.assertRaises(ProtocolError) as raised:
                    self.request(**fields)
                self.assertEqual(str(raised.exception), "run request for job 'j1': " + reason)
                self.assertEqual(raised.exception.job, "j1")

    def test_a_request_travels_to_the_job_process_unchanged(self):
        request = self.request(args=[1, {"a": [2]}], kwargs={"k": "v"}, env={"E": "1"}, process="reused",
                               maxJobsPerProcess=3, processMemoryBytes=5, resultMaxBytes=7, logMaxBytes=9)
        line = encode_run(request)
        self.assertTrue(line.endswith(b"\n") and line.count(b"\n") == 1, line)
        self.assertEqual(decode_run(line), request)


class LineBufferTest(unittest.TestCase):

    def test_lines_are_split_however_they_arrive_and_a_last_line_may_lack_its_newline(self):
        lines = LineBuffer()
        self.assertEqual(lines.feed(b"one\ntw"), [b"one\n"])
        self.assertEqual(lines.feed(b"o"), [])
        self.assertEqual(lines.feed(b"\nthree\n\nfour"), [b"two\n", b"three\n", b"\n"])
        self.assertEqual(lines.rest(), b"four")
        self.assertEqual(lines.rest(), b"")


if __name__ == "__main__":
    unittest.main()
