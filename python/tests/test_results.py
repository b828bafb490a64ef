"""Results: JSON and bytes, cast_type with Serializable, unsuccessful jobs, blobs and their search."""
import unittest

from spool_client import Blob, ComputeResult, Function, JobNotSucceededError, Serializable

from .support import FakeServerTestCase


class Pair(Serializable):
    def __init__(self, a, b):
        self.a, self.b = a, b

    def serialize(self):
        return ("%d,%d" % (self.a, self.b)).encode()

    @classmethod
    def deserialize(cls, data):
        a, b = data.decode().split(",")
        return cls(int(a), int(b))


class ResultsTest(FakeServerTestCase):

    def setUp(self):
        super().setUp()
        self.fid = self.fake.add_function()
        self.f = Function.get(self.fid, client=self.client)
        self.job = self.f(1)

    def test_json_result(self):
        self.fake.end_jobs([self.job.id], "SUCCESS", result={"a": [1, 2]})
        self.assertEqual({"a": [1, 2]}, self.job.result())

    def test_bytes_result_and_cast_type(self):
        self.fake.end_jobs([self.job.id], "SUCCESS", result=Pair(3, 4).serialize(), kind="bytes")
        self.assertEqual(b"3,4", self.job.result())
        pair = self.job.result(cast_type=Pair)
        self.assertEqual((3, 4), (pair.a, pair.b))
        self.assertEqual(b"3,4", self.job.result(cast_type=bytes))
        with self.assertRaises(ValueError) as caught:
            self.job.result(cast_type=int)
        self.assertIn("does not implement Serializable", str(caught.exception))

    def test_none_result(self):
        self.fake.end_jobs([self.job.id], "SUCCESS")
        self.assertIsNone(self.job.result())
        self.assertIsNone(self.job.result_blob())

    def test_a_job_that_did_not_succeed_raises_with_its_reason(self):
        self.fake.end_jobs([self.job.id], "FAILURE", error="ZeroDivisionError: division by zero")
        with self.assertRaises(JobNotSucceededError) as caught:
            self.job.result()
        self.assertIn("FAILURE", str(caught.exception))
        self.assertIn("ZeroDivisionError", str(caught.exception))
        with self.assertRaises(JobNotSucceededError):
            self.job.result_blob()

    def test_result_blob_and_search(self):
        self.fake.end_jobs([self.job.id], "SUCCESS", result="hello 1")
        self.fake.blobs["%s/%s" % (self.fid, self.job.id)] = {
            "name": "%s/%s" % (self.fid, self.job.id), "owner": "tester", "functionId": self.fid,
            "jobId": self.job.id, "size": 9, "kind": "json", "serializer": None, "creationDate": None,
            "description": "d", "tags": ["hello"], "extraProperties": {"k": 1}, "geometry": None, "expires": None}
        blob = self.job.result_blob()
        self.assertEqual(["hello"], blob.tags)
        self.assertEqual({"k": 1}, blob.extra_properties)
        self.assertEqual(b'"hello 1"', blob.data())
        self.assertEqual("hello 1", blob.value())
        found = Blob.search(client=self.client).filter(Blob.tags == "hello").filter(
            Blob.name.prefix(self.fid + "/")).collect()
        self.assertEqual([blob.name], [b.name for b in found])
        self.assertEqual(["hello"], self.fake.requests[-1][2]["tag"])
        self.assertEqual(0, len(Blob.search(client=self.client).filter(Blob.tags == "other").collect()))


class ProtocolTest(unittest.TestCase):

    def test_compute_result_keeps_its_metadata(self):
        r = ComputeResult("v", description="d", tags=["t"], extra_properties={"a": 1})
        self.assertEqual(("v", ["t"]), (r.value, r.tags))
        self.assertIn("tags=['t']", repr(r))

    def test_serializable_subclass(self):
        self.assertEqual((1, 2), (Pair.deserialize(Pair(1, 2).serialize()).a, 2))
        with self.assertRaises(NotImplementedError):
            Serializable().serialize()


if __name__ == "__main__":
    unittest.main()
