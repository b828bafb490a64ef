"""Waiting: completions are followed (no poll per job), timeouts and failed builds raise, Ctrl-C cancels."""
import io
import threading
import time
import unittest
from unittest import mock

from spool_client import BuildFailedError, Function, JobStatus, WaitTimeoutError
from spool_client import waiting

from .support import FakeServerTestCase


def later(seconds, action):
    timer = threading.Timer(seconds, action)
    timer.daemon = True
    timer.start()
    return timer


class WaitingTest(FakeServerTestCase):

    def setUp(self):
        super().setUp()
        self.fid = self.fake.add_function()
        self.f = Function.get(self.fid, client=self.client)
        self.fake.end_jobs([], "SUCCESS")  # a first log entry: a non-empty cursor

    def test_as_completed_yields_in_completion_order_without_polling_each_job(self):
        jobs = self.f.map((i,) for i in range(6))
        self.fake.end_jobs([jobs[4].id], "SUCCESS", result=4)
        later(0.3, lambda: self.fake.end_jobs([jobs[1].id, jobs[0].id], "FAILURE", error="ValueError: no"))
        later(0.6, lambda: self.fake.end_jobs([j.id for j in jobs[2:4] + jobs[5:]], "SUCCESS", result=0))
        seen = list(self.f.as_completed(jobs, timeout=30))
        self.assertEqual(jobs[4].id, seen[0].id)
        self.assertEqual({jobs[0].id, jobs[1].id}, {j.id for j in seen[1:3]})
        self.assertEqual(6, len(seen))
        self.assertIs(jobs[4], seen[0])
        self.assertEqual(JobStatus.FAILURE, jobs[0].status)
        self.assertEqual("ValueError: no", jobs[0].error_reason)
        self.assertEqual([], self.fake.calls("GET", "/api/v1/jobs/"))
        reads = self.fake.calls("GET", "/api/v1/functions/%s/jobs" % self.fid)
        self.assertEqual(1, len(reads))

    def test_job_wait_for_completion(self):
        job = self.f(1)
        later(0.2, lambda: self.fake.end_jobs([job.id], "SUCCESS", result="hello 1"))
        self.assertEqual(JobStatus.SUCCESS, job.wait_for_completion(timeout=30))
        self.assertEqual("hello 1", job.result())

    def test_an_empty_cursor_is_followed_by_looking_again(self):
        fresh = Function.get(self.fake.add_function(), client=self.client)
        job = fresh(1)
        later(0.5, lambda: self.fake.end_jobs([job.id], "SUCCESS", result=1))
        self.assertEqual(JobStatus.SUCCESS, job.wait_for_completion(timeout=30))

    def test_timeout_names_the_jobs_still_waited_on(self):
        jobs = self.f.map([(1,), (2,)])
        self.fake.end_jobs([jobs[0].id], "SUCCESS", result=1)
        started = time.monotonic()
        with self.assertRaises(WaitTimeoutError) as caught:
            list(self.f.as_completed(jobs, timeout=1.5))
        self.assertLess(time.monotonic() - started, 10)
        self.assertEqual([jobs[1].id], [j.id for j in caught.exception.jobs])
        self.assertIsInstance(caught.exception, TimeoutError)

    def test_a_failed_build_raises_and_points_at_the_build_log(self):
        job = self.f(1)
        self.fake.functions[self.fid]["status"] = "BUILD_FAILED"
        self.fake.functions[self.fid]["statusReason"] = "hello.py line 3: SyntaxError"
        with self.assertRaises(BuildFailedError) as caught:
            job.wait_for_completion(timeout=30)
        self.assertIn("build_log()", str(caught.exception))
        self.assertIn("SyntaxError", str(caught.exception))
        with self.assertRaises(BuildFailedError):
            self.f.wait_for_completion(timeout=30)

    def test_ctrl_c_while_waiting_cancels_the_jobs_waited_on(self):
        jobs = self.f.map([(1,), (2,), (3,)])
        self.fake.end_jobs([jobs[0].id], "SUCCESS", result=1)
        original = self.client.get

        def interrupted(path, query=None, wait=0.0):
            if path.endswith("/completions") and query and query.get("since"):
                raise KeyboardInterrupt
            return original(path, query, wait)

        err = io.StringIO()
        with mock.patch.object(self.client, "get", interrupted), mock.patch("sys.stderr", err):
            with self.assertRaises(KeyboardInterrupt):
                for _ in self.f.as_completed(jobs, progress=False):
                    pass
        ops = [b for b in self.fake.bodies if b.get("verb") == "cancel"]
        self.assertEqual([{"verb": "cancel", "jobIds": [jobs[1].id, jobs[2].id]}], ops)
        self.assertEqual("CANCELED", self.fake.jobs[jobs[1].id]["status"])
        self.assertIn("cancel the 2 job(s)", err.getvalue())

    def test_ctrl_c_can_leave_the_jobs_alone(self):
        job = self.f(1)
        with mock.patch.object(waiting.CompletionWaiter, "_follow", side_effect=KeyboardInterrupt):
            with self.assertRaises(KeyboardInterrupt):
                job.wait_for_completion(cancel_on_interrupt=False)
        self.assertEqual("PENDING", self.fake.jobs[job.id]["status"])

    def test_function_wait_returns_the_counts(self):
        jobs = self.f.map([(1,), (2,)])
        later(0.3, lambda: self.fake.end_jobs([j.id for j in jobs], "SUCCESS", result=1))
        counts = self.f.wait_for_completion(timeout=30, progress=False)
        self.assertEqual(2, counts["SUCCESS"])
        self.assertEqual(0, counts["PENDING"])

    def test_function_wait_ctrl_c_cancels_pending_and_running_jobs(self):
        self.f.map([(1,), (2,)])
        with mock.patch.object(self.client, "get", side_effect=KeyboardInterrupt), \
                mock.patch("sys.stderr", io.StringIO()):
            with self.assertRaises(KeyboardInterrupt):
                self.f.wait_for_completion()
        ops = [b for b in self.fake.bodies if b.get("verb") == "cancel"]
        self.assertEqual([{"verb": "cancel", "filter": {"status": ["PENDING", "RUNNING"]}}], ops)

    def test_jobs_of_another_function_are_refused(self):
        other = Function.get(self.fake.add_function(), client=self.client)
        job = other(1)
        with self.assertRaises(ValueError):
            list(self.f.as_completed([job]))


if __name__ == "__main__":
    unittest.main()
