"""The rules that store a job's return value, and the checks of a ComputeResult's metadata.

``spool_results.store_result`` is called directly here, in this process, on values of every kind;
the tests read back the result file and its ``.meta`` file. The worker runs the same code in each
job's child (see test_worker for that path, through a real worker).
"""
import contextlib
import datetime
import io
import json
import math
import os
import shutil
import sys
import tempfile
import unittest

from worker_harness import WORKER_DIR

sys.path.insert(0, WORKER_DIR)
from spool import ComputeResult, Serializable  # noqa: E402  (the modules under test live in the worker's directory)
from spool_results import ResultError, store_result  # noqa: E402


class NpyArray(Serializable):
    """A numpy array stored as ``.npy`` bytes."""

    def __init__(self, value):
        self.value = value

    def serialize(self):
        import numpy
        buffer = io.BytesIO()
        numpy.save(buffer, self.value)
        return buffer.getvalue()

    @classmethod
    def deserialize(cls, data):
        import numpy
        return cls(numpy.load(io.BytesIO(data)))


class DuckSerialized:
    """Serializable by duck typing: no base class, a bytearray from serialize()."""

    def serialize(self):
        return bytearray(b"duck")


class TextSerializer:
    def serialize(self):
        return "not bytes"


class BrokenSerializer:
    def serialize(self):
        raise ValueError("cannot encode tile 7")


class NotCallable:
    serialize = b"an attribute, not a method"


class Shape:
    """Stands for a shapely geometry: a GeoJSON mapping through __geo_interface__."""

    @property
    def __geo_interface__(self):
        return {"type": "LineString", "coordinates": ((0.0, 0.0), (1.0, 2.5))}


class ResultsTestCase(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="spool-results-test-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.path = os.path.join(self.dir, "out", "result")

    def store(self, value, max_bytes=0):
        return store_result(value, self.path, max_bytes)

    def stored(self):
        with open(self.path, "rb") as f:
            return f.read()

    def metadata(self):
        with open(self.path + ".meta", "rb") as f:
            return json.loads(f.read())

    def has_metadata(self):
        return os.path.exists(self.path + ".meta")

    def refused(self, value, max_bytes=0):
        with self.assertRaises(ResultError) as raised:
            self.store(value, max_bytes)
        self.assertFalse(os.path.exists(self.path), "nothing is stored for a refused value")
        self.assertFalse(self.has_metadata(), "no metadata is stored for a refused value")
        return str(raised.exception)


class ValueRulesTest(ResultsTestCase):

    def test_a_dict_is_stored_as_strict_json(self):
        self.assertEqual(self.store({"i": 7, "nested": {"ok": True, "values": [1, 2, 3]}}), "json")
        self.assertEqual(self.stored(), b'{"i":7,"nested":{"ok":true,"values":[1,2,3]}}')
        self.assertFalse(self.has_metadata())

    def test_a_list_of_floats_round_trips_through_json(self):
        values = [i / 4 for i in range(5)] + [1e-300, -2.5e10]
        self.assertEqual(self.store(values), "json")
        self.assertEqual(json.loads(self.stored()), values)

    def test_bytes_like_values_are_stored_raw(self):
        for value, expected in ((b"\x00\xff\nraw", b"\x00\xff\nraw"), (bytearray(b"\x01\x02"), b"\x01\x02"),
                                (memoryview(b"abcdef")[1:4], b"bcd")):
            with self.subTest(value=value):
                self.assertEqual(self.store(value), "bytes")
                self.assertEqual(self.stored(), expected)
                self.assertFalse(self.has_metadata())

    def test_none_stores_nothing(self):
        self.assertEqual(self.store(None), "none")
        self.assertFalse(os.path.exists(self.path))
        self.assertFalse(self.has_metadata())

    def test_a_serialize_method_makes_the_bytes_and_names_the_serializer(self):
        import numpy
        array = numpy.arange(6, dtype=numpy.float64) * 1.5
        self.assertEqual(self.store(NpyArray(array)), "bytes")
        expected = io.BytesIO()
        numpy.save(expected, array)
        self.assertEqual(self.stored(), expected.getvalue(), "the .npy bytes, unchanged")
        numpy.testing.assert_array_equal(NpyArray.deserialize(self.stored()).value, array)
        self.assertEqual(self.metadata(), {"serializer": "test_results.NpyArray"})

    def test_serialize_is_found_by_duck_typing_and_may_return_any_bytes_like(self):
        self.assertEqual(self.store(DuckSerialized()), "bytes")
        self.assertEqual(self.stored(), b"duck")
        self.assertEqual(self.metadata(), {"serializer": "test_results.DuckSerialized"})

    def test_serialize_returning_text_is_refused_naming_the_type(self):
        self.assertEqual(self.refused(TextSerializer()),
                         "serialize() of test_results.TextSerializer returned str, not bytes")

    def test_an_exception_in_serialize_is_refused_naming_it_with_its_traceback_in_the_log(self):
        log = io.StringIO()
        with contextlib.redirect_stderr(log):
            message = self.refused(BrokenSerializer())
        self.assertEqual(message,
                         "serialize() of test_results.BrokenSerializer failed: ValueError: cannot encode tile 7")
        self.assertIn('raise ValueError("cannot encode tile 7")', log.getvalue())

    def test_a_serialize_attribute_that_is_not_callable_does_not_count(self):
        message = self.refused(NotCallable())
        self.assertTrue(message.startswith("result of type 'test_results.NotCallable' cannot be stored: "), message)

    def test_values_json_cannot_hold_are_refused_naming_their_type(self):
        for value, name in (({1, 2}, "set"), ([1.0, math.nan], "list"), (object(), "object"),
                            (ValueRulesTest, "type")):
            with self.subTest(name=name):
                message = self.refused(value)
                self.assertTrue(message.startswith("result of type '%s' cannot be stored: " % name), message)

    def test_a_result_over_the_limit_is_refused_naming_the_limit_and_its_key(self):
        self.assertEqual(self.refused(b"x" * 101, max_bytes=100),
                         "result is 101 bytes, more than the limit of 100 bytes (spool.result.max-bytes)")
        self.assertEqual(self.refused("x" * 99, max_bytes=100),
                         "result is 101 bytes, more than the limit of 100 bytes (spool.result.max-bytes)")
        self.assertEqual(self.refused(NpyArray(list(range(100))), max_bytes=100)[:12], "result is 92")
        self.assertEqual(self.store(b"x" * 100, max_bytes=100), "bytes")
        self.assertEqual(self.store(b"x" * 10 ** 6, max_bytes=0), "bytes", "0 is no limit")

    def test_a_stale_metadata_file_goes_when_a_plain_value_is_stored(self):
        self.store(ComputeResult(1, tags=["old"]))
        self.assertTrue(self.has_metadata())
        self.store(2)
        self.assertFalse(self.has_metadata())


class ComputeResultTest(ResultsTestCase):

    def test_metadata_is_written_beside_the_value(self):
        result = ComputeResult({"count": 3}, description="tile 3 of the test", tags=["tile", "row-1"],
                               extra_properties={"row": 1, "label": "t", "score": 0.5},
                               geometry={"type": "Point", "coordinates": [3, -3]},
                               expires="2031-01-02T03:04:05Z")
        self.assertEqual(self.store(result), "json")
        self.assertEqual(json.loads(self.stored()), {"count": 3})
        self.assertEqual(self.metadata(), {
            "description": "tile 3 of the test",
            "expires": 1925089445000,
            "extraProperties": {"row": 1, "label": "t", "score": 0.5},
            "geometry": {"type": "Point", "coordinates": [3, -3]},
            "tags": ["tile", "row-1"],
        })

    def test_a_serializable_value_keeps_its_serializer_beside_the_metadata(self):
        self.assertEqual(self.store(ComputeResult(DuckSerialized(), geometry="POINT (9 1)")), "bytes")
        self.assertEqual(self.stored(), b"duck")
        self.assertEqual(self.metadata(), {"geometry": "POINT (9 1)", "serializer": "test_results.DuckSerialized"})

    def test_a_compute_result_of_none_stores_json_null_to_carry_its_metadata(self):
        self.assertEqual(self.store(ComputeResult(None, tags=["empty"])), "json")
        self.assertEqual(self.stored(), b"null")
        self.assertEqual(self.metadata(), {"tags": ["empty"]})

    def test_a_compute_result_without_metadata_writes_no_metadata_file(self):
        self.assertEqual(self.store(ComputeResult(b"raw")), "bytes")
        self.assertEqual(self.stored(), b"raw")
        self.assertFalse(self.has_metadata())

    def test_the_value_limit_applies_to_the_wrapped_value(self):
        self.assertEqual(self.refused(ComputeResult(b"x" * 11, description="d"), max_bytes=10),
                         "result is 11 bytes, more than the limit of 10 bytes (spool.result.max-bytes)")

    def test_expires_is_stored_as_epoch_milliseconds(self):
        utc = datetime.timezone.utc
        plus_two = datetime.timezone(datetime.timedelta(hours=2))
        for expires, millis in ((datetime.datetime(2031, 1, 2, 3, 4, 5, 678000), 1925089445678),
                                (datetime.datetime(2031, 1, 2, 3, 4, 5, tzinfo=utc), 1925089445000),
                                (datetime.datetime(2031, 1, 2, 5, 4, 5, tzinfo=plus_two), 1925089445000),
                                ("2031-01-02T03:04:05Z", 1925089445000),
                                ("2031-01-02T05:04:05.250+02:00", 1925089445250),
                                ("2031-01-02T03:04:05", 1925089445000),
                                (1925089445, 1925089445000),
                                (1925089445.5, 1925089445500)):
            with self.subTest(expires=expires):
                self.store(ComputeResult(1, expires=expires))
                self.assertEqual(self.metadata(), {"expires": millis})

    def test_geometry_may_be_geojson_a_geo_interface_or_wkt(self):
        feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]}, "properties": {}}
        for geometry, stored in ((feature, feature),
                                 (Shape(), {"type": "LineString", "coordinates": [[0.0, 0.0], [1.0, 2.5]]}),
                                 ("POINT (1 2)", "POINT (1 2)"),
                                 ("POINT EMPTY", "POINT EMPTY"),
                                 ("LINESTRING Z (0 0 1, 1 1 2)", "LINESTRING Z (0 0 1, 1 1 2)"),
                                 ("MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((2 2, 3 2, 3 3, 2 2)))",
                                  "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((2 2, 3 2, 3 3, 2 2)))"),
                                 ("GEOMETRYCOLLECTION (POINT (1 2), LINESTRING (0 0, 1 1))",
                                  "GEOMETRYCOLLECTION (POINT (1 2), LINESTRING (0 0, 1 1))")):
            with self.subTest(geometry=geometry):
                self.store(ComputeResult(1, geometry=geometry))
                self.assertEqual(self.metadata(), {"geometry": stored})

    def test_each_limit_and_type_of_the_metadata_is_enforced_naming_the_attribute(self):
        cases = [
            (dict(description="d" * 80001),
             "ComputeResult description is 80001 characters, more than the limit of 80000"),
            (dict(description=b"bytes"), "ComputeResult description must be a string, got bytes"),
            (dict(extra_properties={"k%d" % i: i for i in range(51)}),
             "ComputeResult extra_properties has 51 entries, more than the limit of 50"),
            (dict(extra_properties=[("k", 1)]), "ComputeResult extra_properties must be a dict, got list"),
            (dict(extra_properties={1: "one"}), "ComputeResult extra_properties key 1 is int: keys must be strings"),
            (dict(extra_properties={"flag": True}),
             "ComputeResult extra_properties['flag'] is bool: values must be strings or numbers"),
            (dict(extra_properties={"list": [1]}),
             "ComputeResult extra_properties['list'] is list: values must be strings or numbers"),
            (dict(extra_properties={"x": math.inf}),
             "ComputeResult extra_properties['x'] is inf: numbers must be finite"),
            (dict(tags="tile"), "ComputeResult tags must be a list of strings, got str"),
            (dict(tags=["tile", 7]), "ComputeResult tags must be strings, got 7 (int)"),
            (dict(expires="next tuesday"),
             "ComputeResult expires 'next tuesday' is not an ISO-8601 date and time (like 2031-01-02T03:04:05Z)"),
            (dict(expires=True), "ComputeResult expires must be a datetime, an ISO-8601 string or epoch seconds, "
                                 "got bool"),
            (dict(expires=math.nan), "ComputeResult expires must be a finite number of epoch seconds, got nan"),
            (dict(geometry={"type": "Circle", "radius": 1}),
             "ComputeResult geometry has type 'Circle': GeoJSON type must be one of Point, MultiPoint, LineString, "
             "MultiLineString, Polygon, MultiPolygon, GeometryCollection, Feature"),
            (dict(geometry={"type": "Point", "coordinates": [math.nan, 1]}),
             "ComputeResult geometry is not JSON: Out of range float values are not JSON compliant"),
            (dict(geometry=(1, 2)), "ComputeResult geometry must be a GeoJSON mapping, an object with "
                                    "__geo_interface__ or a WKT string, got tuple"),
        ]
        for kwargs, message in cases:
            with self.subTest(**{k: repr(v)[:40] for k, v in kwargs.items()}):
                self.assertEqual(self.refused(ComputeResult({"v": 1}, **kwargs)), message)

    def test_wkt_is_checked_loosely_for_its_keyword_and_parentheses(self):
        for text in ("point (1 2)", "POINT (1 2", "POINT (1 2))", "POINT 1 2", "CIRCLE (1 2)", "POINTS (1 2)",
                     "POINT (1 2) trailing", ""):
            with self.subTest(text=text):
                message = self.refused(ComputeResult(1, geometry=text))
                self.assertTrue(message.startswith("ComputeResult geometry %r is not WKT: it must start with one "
                                                   "of " % text), message)

    def test_a_description_at_the_limit_is_stored(self):
        self.store(ComputeResult("v", description="d" * 80000))
        self.assertEqual(len(self.metadata()["description"]), 80000)

    def test_extra_properties_at_the_limit_are_stored(self):
        properties = {"k%d" % i: i for i in range(50)}
        self.store(ComputeResult("v", extra_properties=properties))
        self.assertEqual(self.metadata(), {"extraProperties": properties})

    def test_a_compute_result_cannot_wrap_another(self):
        self.assertEqual(self.refused(ComputeResult(ComputeResult(1))),
                         "the value of a ComputeResult cannot be another ComputeResult")


if __name__ == "__main__":
    unittest.main()
