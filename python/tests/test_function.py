"""A function's life: save (upload and spec), attribute updates, actions, operations on its jobs."""
import io
import os
import tempfile
import unittest
import zipfile

from spool_client import (BadRequestError, ConflictError, Function, FunctionStatus, Job, JobStatus)

from .support import FakeServerTestCase

ENTRY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sample_entry.py")


def hello(i):
    return "hello {}".format(i)


class SaveTest(FakeServerTestCase):

    def test_save_uploads_the_bundle_and_posts_the_spec(self):
        f = Function(hello, name="my-compute-hello", image="python3.11:latest", cpus=0.25, memory=512,
                     maximum_concurrency=1, timeout=600, retry_count=0, requirements=["geopandas"],
                     environment={"MODE": "x"}, client=self.client)
        self.assertEqual("Function 'my-compute-hello' (not saved)", repr(f))
        f.save()
        self.assertEqual(FunctionStatus.BUILDING, f.status)
        self.assertTrue(f.id)
        spec = self.fake.functions[f.id]["spec"]
        self.assertEqual("test_function.py:hello", spec["entrypoint"])
        self.assertEqual(["spool_client"], spec["includeModules"])
        self.assertEqual(["geopandas"], spec["requirements"])
        self.assertEqual({"name": "my-compute-hello", "image": "python3.11:latest", "cpus": 0.25, "memory": 512,
                          "maximumConcurrency": 1, "timeout": 600, "retryCount": 0, "environment": {"MODE": "x"}},
                         {k: spec[k] for k in ("name", "image", "cpus", "memory", "maximumConcurrency", "timeout",
                                               "retryCount", "environment")})
        with zipfile.ZipFile(io.BytesIO(self.fake.bundles[spec["bundle"]])) as z:
            names = z.namelist()
        self.assertIn("test_function.py", names)
        self.assertIn("spool_client/results.py", names)
        self.assertEqual(["geopandas"], f.requirements)

    def test_a_bad_attribute_is_a_bad_request_naming_the_field(self):
        f = Function(hello, memory="lots", client=self.client)
        with self.assertRaises(BadRequestError) as caught:
            f.save()
        self.assertEqual("memory", caught.exception.field)
        self.assertIn("invalid memory", str(caught.exception))
        f = Function(hello, maximum_concurrency="many", client=self.client)
        with self.assertRaises(BadRequestError) as caught:
            f.save()
        self.assertEqual("maximum_concurrency", caught.exception.field)

    def test_unknown_arguments_are_refused(self):
        with self.assertRaises(TypeError) as caught:
            Function(hello, memroy=5, client=self.client)
        self.assertIn("memroy", str(caught.exception))

    def test_disabled_at_creation(self):
        f = Function(hello, enabled=False, client=self.client).save()
        self.assertFalse(f.enabled)
        self.assertFalse(self.fake.functions[f.id]["enabled"])

    def test_the_seed_s_function_keyword(self):
        self.assertIs(hello, Function(function=hello, client=self.client).entrypoint)

    def test_no_entrypoint(self):
        with self.assertRaises(ValueError):
            Function(client=self.client).save()

    def test_a_requirements_file(self):
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as req:
            req.write("idna==3.20\n# comment\n")
        self.addCleanup(os.unlink, req.name)
        f = Function(hello, requirements=req.name, client=self.client).save()
        self.assertEqual(["idna==3.20"], self.fake.functions[f.id]["spec"]["requirements"])


class AttributesTest(FakeServerTestCase):

    def setUp(self):
        super().setUp()
        self.fid = self.fake.add_function(name="tiles")
        self.f = Function.get(self.fid, client=self.client)

    def test_attributes_from_the_server(self):
        f = self.f
        self.assertEqual("tiles", f.name)
        self.assertEqual(FunctionStatus.READY, f.status)
        self.assertEqual(2048, f.memory)
        self.assertEqual(5, f.maximum_concurrency)
        self.assertEqual(2024, f.creation_date.year)
        self.assertEqual(123456, f.creation_date.microsecond)
        self.assertEqual(0, f.job_statistics["PENDING"])
        self.assertEqual(0, f.job_statistics[JobStatus.SUCCESS])

    def test_assignment_then_save_sends_only_what_changed(self):
        self.f.memory = 4096
        self.f.maximum_concurrency = 9
        self.assertTrue(self.f.is_modified)
        self.f.save()
        self.assertEqual({"memory": 4096, "maximumConcurrency": 9}, self.fake.bodies[-1])
        self.assertEqual(4096, self.f.memory)
        self.assertFalse(self.f.is_modified)
        calls = len(self.fake.requests)
        self.f.save()
        self.assertEqual(calls, len(self.fake.requests))

    def test_immutable_and_read_only_attributes(self):
        with self.assertRaises(AttributeError) as caught:
            self.f.image = "python3.12"
        self.assertIn("cannot be changed once the function is saved", str(caught.exception))
        with self.assertRaises(AttributeError):
            self.f.status = FunctionStatus.READY
        with self.assertRaises(AttributeError):
            self.f.id = "x"

    def test_actions(self):
        self.assertEqual(FunctionStatus.STOPPED, self.f.stop().status)
        self.assertEqual(FunctionStatus.READY, self.f.start().status)
        self.assertFalse(self.f.disable().enabled)
        self.assertTrue(self.f.enable().enabled)
        self.assertIn("pip install", self.f.build_log())

    def test_delete_refused_while_jobs_run(self):
        job = self.f(1)
        self.fake.jobs[job.id]["status"] = "RUNNING"
        with self.assertRaises(ConflictError):
            self.f.delete()
        self.fake.jobs[job.id]["status"] = "SUCCESS"
        self.f.delete(delete_results=True)
        self.assertNotIn(self.fid, self.fake.functions)
        self.assertEqual(["true"], self.fake.requests[-1][2]["deleteResults"])


class JobOperationsTest(FakeServerTestCase):

    def setUp(self):
        super().setUp()
        self.fid = self.fake.add_function()
        self.f = Function.get(self.fid, client=self.client)
        self.jobs = self.f.map([(i,) for i in range(6)], tags=["t"])
        self.fake.end_jobs([j.id for j in self.jobs[:2]], "FAILURE", error="boom")
        self.fake.end_jobs([j.id for j in self.jobs[2:4]], "SUCCESS", result=7)

    def test_rerun_everything_that_failed(self):
        self.assertEqual(2, self.f.rerun())
        self.assertEqual({"verb": "rerun", "filter": {}}, self.fake.bodies[-1])

    def test_cancel_jobs_with_a_search_sends_a_filter(self):
        self.assertEqual(2, self.f.cancel_jobs(self.f.jobs.filter(Job.status == JobStatus.PENDING)))
        self.assertEqual({"verb": "cancel", "filter": {"status": ["PENDING"]}}, self.fake.bodies[-1])

    def test_delete_jobs_with_a_search(self):
        canceled = self.f.jobs.filter(Job.status == JobStatus.FAILURE).filter(Job.tags == "t")
        self.assertEqual(2, self.f.delete_jobs(canceled, delete_results=True))
        self.assertEqual({"verb": "delete", "filter": {"status": ["FAILURE"], "tags": ["t"]},
                          "deleteResults": True}, self.fake.bodies[-1])
        self.assertEqual(4, len(self.fake.jobs))

    def test_a_search_the_server_cannot_express_goes_by_ids(self):
        search = self.f.jobs.filter(Job.execution_count >= 1).filter(Job.status == JobStatus.FAILURE)
        self.assertEqual(2, self.f.rerun(search))
        self.assertEqual({"verb": "rerun", "jobIds": [self.jobs[0].id, self.jobs[1].id]}, self.fake.bodies[-1])

    def test_jobs_given_as_a_list(self):
        self.assertEqual(1, self.f.cancel_jobs([self.jobs[5]]))

    def test_a_search_matching_nothing_does_nothing(self):
        none = self.f.jobs.filter(Job.status == JobStatus.FAILURE).filter(Job.status == JobStatus.SUCCESS)
        calls = len(self.fake.requests)
        self.assertEqual(0, self.f.cancel_jobs(none))
        self.assertEqual(calls, len(self.fake.requests))

    def test_results_of_the_successful_jobs(self):
        self.assertEqual([7, 7], self.f.results())
        self.assertEqual([7, 7], list(self.f.iter_results()))

    def test_job_actions(self):
        job = self.jobs[0]
        job.rerun()
        self.assertEqual(JobStatus.PENDING, job.status)
        self.assertEqual(JobStatus.CANCELED, job.cancel())
        self.assertIn("log of", job.log())
        job.delete()
        self.assertNotIn(job.id, self.fake.jobs)


if __name__ == "__main__":
    unittest.main()
