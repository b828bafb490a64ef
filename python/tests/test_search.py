"""Searches: what goes to the server as filters and sorts, what is checked on what comes back, counting."""
import datetime
import unittest

from spool_client import Blob, Function, FunctionStatus, Job, JobStatus
from spool_client._values import parse_date

from .support import FakeServerTestCase


class ExpressionTest(unittest.TestCase):

    def test_class_attributes_make_expressions_and_values_convert(self):
        e = Job.status == "failure"
        self.assertEqual(("status", "==", JobStatus.FAILURE), (e.name, e.op, e.value))
        d = Function.modified_date >= "2023-10-20"
        self.assertEqual(datetime.datetime(2023, 10, 20, tzinfo=datetime.timezone.utc), d.value)
        self.assertEqual(["a", "b"], (Job.tags.in_(["a", "b"])).value)
        self.assertEqual("prefix", Blob.name.prefix("f1/").op)

    def test_dates(self):
        self.assertEqual(datetime.datetime(2024, 5, 1, 10, 0, 0, 123456, tzinfo=datetime.timezone.utc),
                         parse_date("2024-05-01T10:00:00.123456789Z"))
        self.assertEqual(2, parse_date("2024-05-01T12:00:00+02:00").utcoffset().seconds // 3600)
        with self.assertRaises(ValueError):
            parse_date("yesterday")

    def test_unknown_attributes_are_named(self):
        with self.assertRaises(ValueError):
            Job.search(client=object()).sort("-nope")
        with self.assertRaises(ValueError):
            Job.search(client=object()).filter(nope=1)
        with self.assertRaises(TypeError):
            Job.search(client=object()).filter(True)


class JobSearchTest(FakeServerTestCase):

    def setUp(self):
        super().setUp()
        self.fid = self.fake.add_function()
        self.f = Function.get(self.fid, client=self.client)
        self.jobs = self.f.map([(i,) for i in range(5)], tags=["a"]) + self.f.map([(9,)], tags=["b"])
        self.fake.end_jobs([self.jobs[0].id, self.jobs[5].id], "FAILURE")

    def last_query(self):
        return self.fake.calls("GET", "/api/v1/functions/%s/jobs" % self.fid)[-1][2]

    def test_status_and_tags_go_to_the_server(self):
        found = self.f.jobs.filter(Job.status == JobStatus.FAILURE).filter(Job.tags == "b").collect()
        self.assertEqual([self.jobs[5].id], [j.id for j in found])
        query = self.last_query()
        self.assertEqual(["FAILURE"], query["status"])
        self.assertEqual(["b"], query["tag"])

    def test_not_equal_and_in(self):
        self.assertEqual(4, len(self.f.jobs.filter(Job.status != JobStatus.FAILURE).collect()))
        self.assertEqual(["PENDING,RUNNING,CANCEL,CANCELING,SUCCESS,TIMEOUT,CANCELED"], self.last_query()["status"])
        both = self.f.jobs.filter(Job.status.in_([JobStatus.FAILURE, JobStatus.SUCCESS]))
        self.assertEqual(2, len(both.collect()))

    def test_client_side_filters_limits_and_sorts(self):
        found = self.f.jobs.filter(Job.execution_count >= 1).collect()
        self.assertEqual({self.jobs[0].id, self.jobs[5].id}, {j.id for j in found})
        self.assertEqual(2, len(self.f.jobs.limit(2).collect()))
        self.assertEqual(self.jobs[5].id, self.f.jobs.sort("-id").collect()[0].id)
        self.assertEqual(["desc"], self.last_query()["order"])

    def test_ids_and_counts(self):
        wanted = [self.jobs[1].id, self.jobs[3].id]
        self.assertEqual(wanted, [j.id for j in self.f.jobs.filter(Job.id.in_(wanted))])
        self.assertEqual(6, self.f.jobs.count())
        self.assertEqual(["1"], self.last_query()["pageSize"])
        self.assertEqual(2, self.f.jobs.filter(Job.status == JobStatus.FAILURE).count())
        self.assertEqual(5, self.f.jobs.filter(Job.tags == "a").count())

    def test_paging(self):
        self.f.map([(i,) for i in range(2100)])
        self.assertEqual(2106, sum(1 for _ in self.f.jobs))

    def test_jobs_of_every_function_and_by_function(self):
        other = Function.get(self.fake.add_function(), client=self.client)
        other(1)
        self.assertEqual(7, len(Job.search(client=self.client).collect()))
        self.assertEqual(1, len(Job.search(client=self.client).filter(Job.function_id == other.id).collect()))

    def test_arguments_are_read_when_asked_for(self):
        job = self.f.jobs.filter(Job.id == self.jobs[2].id).collect()[0]
        self.assertEqual([2], job.args)
        self.assertEqual({}, job.kwargs)
        self.assertEqual(JobStatus.PENDING, Job.get(self.jobs[2].id, client=self.client).status)


class FunctionSearchTest(FakeServerTestCase):

    def test_status_name_sort_and_dates(self):
        self.fake.add_function(name="alpha")
        self.fake.add_function(name="beta", status="STOPPED", modifiedDate="2025-01-01T00:00:00Z")
        search = Function.search(client=self.client).param(include=["job_statistics"])
        self.assertEqual(["beta"], [f.name for f in search.filter(Function.status == FunctionStatus.STOPPED)])
        self.assertEqual(["beta"], [f.name for f in search.filter(Function.modified_date >= "2024-06-01")])
        self.assertEqual(["alpha"], [f.name for f in search.filter(Function.name == "alpha")])
        self.assertEqual(2, search.count())
        self.assertEqual(1, search.filter(Function.status == FunctionStatus.READY).count())
        self.assertEqual(["beta", "alpha"], [f.name for f in search.sort("-name")])


if __name__ == "__main__":
    unittest.main()
