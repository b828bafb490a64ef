"""Jobs' arguments are checked before anything is sent: JSON only, with the place of the problem named."""
import math
import unittest

from spool_client import InvalidArgumentsError
from spool_client.arguments import job_arguments, json_value
from spool_client.submission import batches, checked_jobs, checked_environment, checked_tags


class JsonValueTest(unittest.TestCase):

    def test_json_values_pass_and_tuples_become_lists(self):
        value = {"a": [1, 2.5, "x", None, True], "b": (1, (2, 3)), "c": {"d": {}}}
        self.assertEqual({"a": [1, 2.5, "x", None, True], "b": [1, [2, 3]], "c": {"d": {}}},
                         json_value(value, "args[0]"))

    def test_nan_and_infinity_are_refused_naming_the_place(self):
        for bad in (math.nan, math.inf, -math.inf):
            with self.assertRaises(InvalidArgumentsError) as caught:
                json_value({"x": [1, bad]}, "args[3]")
            self.assertIn("args[3]['x'][1]", str(caught.exception))
            self.assertIn("NaN or infinity", str(caught.exception))

    def test_non_string_keys_are_refused(self):
        with self.assertRaises(InvalidArgumentsError) as caught:
            json_value({"ok": {1: "one"}}, "args[0]")
        self.assertIn("args[0]['ok']", str(caught.exception))
        self.assertIn("key 1 of type int", str(caught.exception))

    def test_cycles_are_refused(self):
        loop = [1]
        loop.append(loop)
        with self.assertRaises(InvalidArgumentsError) as caught:
            json_value({"l": loop}, "args[0]")
        self.assertIn("cycle", str(caught.exception))
        d = {}
        d["self"] = d
        with self.assertRaises(InvalidArgumentsError):
            json_value(d, "args[0]")

    def test_shared_but_acyclic_values_pass(self):
        shared = [1, 2]
        self.assertEqual([[1, 2], [1, 2]], json_value([shared, shared], "args[0]"))

    def test_objects_without_json_form_are_refused_with_a_hint(self):
        for bad, hint in (({1, 2}, "pass a list"), (b"raw", "decode it"), (object(), "not JSON")):
            with self.assertRaises(InvalidArgumentsError) as caught:
                json_value([bad], "args[0]")
            self.assertIn(hint, str(caught.exception))

    def test_numpy_scalars_become_numbers_and_arrays_are_refused(self):
        try:
            import numpy as np
        except ImportError:
            self.skipTest("numpy is not installed")
        self.assertEqual([3, 1.5, True], json_value([np.int64(3), np.float32(1.5), np.bool_(True)], "args[0]"))
        with self.assertRaises(InvalidArgumentsError) as caught:
            json_value(np.zeros(2), "args[0]")
        self.assertIn(".tolist()", str(caught.exception))

    def test_deep_nesting_is_refused_without_recursion_error(self):
        value = []
        for _ in range(1000):
            value = [value]
        with self.assertRaises(InvalidArgumentsError) as caught:
            json_value(value, "args[0]")
        self.assertIn("nested", str(caught.exception))


class JobArgumentsTest(unittest.TestCase):

    def test_positional_and_keyword_arguments(self):
        self.assertEqual(([1, "a"], {"k": [2]}), job_arguments((1, "a"), {"k": (2,)}, "args[0]"))

    def test_a_scalar_or_a_string_is_not_a_list_of_arguments(self):
        for bad in (5, "abc", {"a": 1}):
            with self.assertRaises(InvalidArgumentsError) as caught:
                job_arguments(bad, None, "args[7]")
            self.assertIn("args[7] must be a list or tuple", str(caught.exception))

    def test_keyword_names_must_be_strings(self):
        with self.assertRaises(InvalidArgumentsError) as caught:
            job_arguments((), {1: 2}, "args[2]")
        self.assertIn("kwargs[2]", str(caught.exception))

    def test_every_job_is_checked_before_any_batch(self):
        with self.assertRaises(InvalidArgumentsError) as caught:
            checked_jobs([(i,) for i in range(2000)] + [(math.nan,)], None)
        self.assertIn("args[2000][0]", str(caught.exception))

    def test_kwargs_must_match_args_in_length(self):
        with self.assertRaises(InvalidArgumentsError):
            checked_jobs([(1,), (2,)], [{}])
        with self.assertRaises(InvalidArgumentsError):
            checked_jobs([(1,)], [{}, {}])
        self.assertEqual([([1], {"a": 1}), ([2], {})], checked_jobs(iter([(1,), (2,)]), iter([{"a": 1}, {}])))

    def test_tags_and_environment(self):
        self.assertEqual(["a"], checked_tags("a"))
        with self.assertRaises(InvalidArgumentsError):
            checked_tags(["a", 1])
        self.assertEqual({"N": "1"}, checked_environment({"N": 1}))
        with self.assertRaises(InvalidArgumentsError):
            checked_environment({"N": [1]})


class BatchesTest(unittest.TestCase):

    def test_batches_are_bounded_by_jobs_and_bytes(self):
        jobs = [([i], {}) for i in range(2500)]
        self.assertEqual([(0, 1000), (1000, 2000), (2000, 2500)], batches(jobs))
        big = [(["x" * 1000], {}) for _ in range(10)]
        slices = batches(big, max_bytes=3500)
        self.assertEqual([(0, 3), (3, 6), (6, 9), (9, 10)], slices)
        self.assertEqual([], batches([]))


if __name__ == "__main__":
    unittest.main()
