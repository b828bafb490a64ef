"""Submitting: one job per call, many in bounded idempotent batches, no duplicates when a reply is lost."""
import math
import unittest

from spool_client import BuildFailedError, ConflictError, Function, InvalidArgumentsError, PartialSubmissionError
from spool_client.submission import submit

from .support import FakeServerTestCase


class SubmissionTest(FakeServerTestCase):

    def setUp(self):
        super().setUp()
        self.fid = self.fake.add_function()
        self.f = Function.get(self.fid, client=self.client)

    def batch_calls(self):
        return self.fake.calls("PUT", "/api/v1/functions/%s/batches/" % self.fid)

    def test_calling_submits_one_job_with_its_arguments(self):
        job = self.f(5, "x", key=[1, 2])
        self.assertEqual(self.fid + "-1", job.id)
        self.assertEqual([5, "x"], job.args)
        self.assertEqual({"key": [1, 2]}, job.kwargs)
        self.assertEqual({"args": [[5, "x"]], "kwargs": [{"key": [1, 2]}]}, self.fake.bodies[-1])

    def test_map_sends_bounded_batches_in_order(self):
        jobs = self.f.map((i,) for i in range(2500))
        self.assertEqual(2500, len(jobs))
        self.assertEqual([self.fid + "-%d" % (i + 1) for i in range(2500)], [j.id for j in jobs])
        self.assertEqual([[i] for i in range(2500)], [j.args for j in jobs])
        calls = self.batch_calls()
        self.assertEqual(3, len(calls))
        self.assertEqual(3, len({path for _, path, _ in calls}))
        self.assertEqual([1000, 1000, 500], [len(b["args"]) for b in self.fake.bodies[-3:]])

    def test_map_with_kwargs_tags_and_environment(self):
        jobs = self.f.map([(1,), (2,)], [{"a": 1}, {"a": 2}], tags=["t"], environment={"MODE": "fast"})
        self.assertEqual({"args": [[1], [2]], "kwargs": [{"a": 1}, {"a": 2}], "tags": ["t"],
                          "environment": {"MODE": "fast"}}, self.fake.bodies[-1])
        self.assertEqual(["t"], jobs[0].tags)

    def test_a_batch_retried_after_a_lost_reply_creates_no_duplicates(self):
        # the server takes the first batch, then the connection drops before its reply: the client sends the same
        # batch id again and gets the same jobs back
        first = "/api/v1/functions/%s/batches/" % self.fid
        self.fake.on_request = lambda method, path: (
            self.fake.drop_reply.setdefault(path, 1) if path.startswith(first) and not self.batch_calls()[:-1]
            else None)
        jobs = self.f.map((i,) for i in range(1500))
        self.fake.on_request = None
        self.assertEqual(1500, len(jobs))
        self.assertEqual(1500, len(self.fake.jobs))
        self.assertEqual(len({j.id for j in jobs}), 1500)
        paths = [path for _, path, _ in self.batch_calls()]
        self.assertEqual(3, len(paths))
        self.assertEqual(paths[0], paths[1])

    def test_non_json_arguments_are_refused_before_sending(self):
        for args in ([(math.nan,)], [({1: "a"},)], [(object(),)]):
            with self.assertRaises(InvalidArgumentsError):
                self.f.map(args)
        loop = []
        loop.append(loop)
        with self.assertRaises(InvalidArgumentsError):
            self.f(loop)
        self.assertEqual([], self.batch_calls())

    def test_a_failed_batch_after_the_first_keeps_the_jobs_that_went_in(self):
        jobs_seen = []

        def fail_third(method, path):
            if method == "PUT" and "/batches/" in path:
                jobs_seen.append(path)
                if len(jobs_seen) == 3:
                    self.fake.fail_path[path] = (400, "too many jobs for this user", "args")

        self.fake.on_request = fail_third
        with self.assertRaises(PartialSubmissionError) as caught:
            submit(self.client, self.fid, [(i,) for i in range(25)], max_jobs=10)
        self.assertEqual(20, len(caught.exception.jobs))
        self.assertIn("batch 3 of 3", str(caught.exception))

    def test_a_disabled_function_refuses(self):
        self.f.disable()
        with self.assertRaises(ConflictError) as caught:
            self.f(1)
        self.assertIn("disabled", str(caught.exception))

    def test_a_function_whose_build_failed_points_at_the_build_log(self):
        self.fake.functions[self.fid]["status"] = "BUILD_FAILED"
        self.fake.functions[self.fid]["statusReason"] = "pip failed: no such package"
        with self.assertRaises(BuildFailedError) as caught:
            self.f(1)
        self.assertIn("build_log()", str(caught.exception))
        self.assertIn("no such package", str(caught.exception))

    def test_job_save_submits_once(self):
        from spool_client import Job

        job = Job(self.fid, [1, 2], {"k": "v"}, tags=["a"], client=self.client)
        job.save()
        job.save()
        self.assertEqual(1, len(self.batch_calls()))
        self.assertEqual(self.fid + "-1", job.id)
        with self.assertRaises(AttributeError):
            job.args = [3]


if __name__ == "__main__":
    unittest.main()
