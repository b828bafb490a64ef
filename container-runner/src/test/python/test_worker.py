"""The worker's startup and results, tested against the real worker process.

Each test writes a small bundle into a temp dir, starts ``spool_worker.py`` on it and talks
JSON Lines to it, then checks the messages, the log file and the result file.
"""
import json
import os
import platform
import unittest

from worker_harness import WorkerTestCase

HELLO = {
    "hello.py": """
        import sys

        VALUE = 42

        def hello(i):
            print("to stdout", i)
            print("to stderr", i, file=sys.stderr)
            return f"hello {i}"

        def greet(name, punctuation="."):
            return {"greeting": "hi " + name + punctuation}
        """,
}

RESULTS = {
    "results.py": """
        import math
        import os
        import sys

        class Tile:
            pass

        def raw():
            return b"\\x00\\xff\\nraw"

        def raw_bytearray():
            return bytearray(b"\\x01\\x02")

        def raw_memoryview():
            return memoryview(b"abcdef")[1:4]

        def nothing():
            print("ran")

        def a_set():
            return {1, 2}

        def not_a_number():
            return [1.0, math.nan]

        def an_object():
            return Tile()

        def fail(i):
            raise ValueError(f"bad input {i}")

        def fail_in_package():
            from mypkg.errors import BadTile
            raise BadTile("tile 7 is empty")

        def exit_with(code):
            sys.exit(code)

        def hard_exit(code):
            os._exit(code)
        """,
    "mypkg/__init__.py": "",
    "mypkg/errors.py": """
        class BadTile(Exception):
            pass
        """,
}


class StartupTest(WorkerTestCase, unittest.TestCase):

    def test_ready_names_the_worker_pid_and_python_version(self):
        worker = self.start(HELLO, "hello:hello", ready=False)
        ready = worker.expect("ready")
        self.assertEqual(ready["pid"], worker.proc.pid)
        self.assertEqual(ready["python"], platform.python_version())

    def test_missing_function_is_fatal_and_names_it(self):
        worker = self.start(HELLO, "hello:hellox", ready=False)
        fatal = worker.expect("fatal")
        bundle_file = os.path.join(self.root, "bundle", "hello.py")
        self.assertEqual(fatal["error"], "function 'hellox' is not defined in module 'hello' (%s)" % bundle_file)
        self.assertEqual(worker.wait(), 3)

    def test_missing_module_is_fatal(self):
        worker = self.start(HELLO, "nosuch:run", ready=False)
        fatal = worker.expect("fatal")
        self.assertEqual(fatal["error"], "cannot import module 'nosuch': ModuleNotFoundError: No module named 'nosuch'")
        self.assertEqual(worker.wait(), 3)

    def test_error_at_import_is_fatal_with_traceback_on_stderr(self):
        worker = self.start({"broken.py": "def f():\n    pass\nraise RuntimeError('boom at import')\n"},
                            "broken:f", ready=False)
        fatal = worker.expect("fatal")
        self.assertEqual(fatal["error"], "cannot import module 'broken': RuntimeError: boom at import")
        self.assertEqual(worker.wait(), 3)
        self.assertIn("Traceback (most recent call last)", worker.stderr())
        self.assertIn("broken.py", worker.stderr())

    def test_attribute_that_is_not_callable_is_fatal(self):
        worker = self.start(HELLO, "hello:VALUE", ready=False)
        self.assertEqual(worker.expect("fatal")["error"], "'hello.VALUE' is not callable")
        self.assertEqual(worker.wait(), 3)

    def test_entrypoint_without_function_is_fatal(self):
        worker = self.start(HELLO, "hello", ready=False)
        self.assertEqual(worker.expect("fatal")["error"], "entrypoint 'hello' must have the form MODULE:FUNCTION")
        self.assertEqual(worker.wait(), 3)

    def test_output_at_import_goes_to_stderr_not_into_the_protocol(self):
        files = {"noisy.py": """
            import os, sys
            print("print at import")
            sys.stdout.write("write at import\\n")
            os.write(1, b"fd 1 at import\\n")
            def f():
                return 1
            """}
        worker = self.start(files, "noisy:f", ready=False)
        worker.expect("ready")  # the harness fails on any line that is not a JSON message
        self.assertEqual(worker.run("j1")["error"], None)
        worker.send({"type": "shutdown"})
        self.assertEqual(worker.wait(), 0)
        for line in ("print at import", "write at import", "fd 1 at import"):
            self.assertIn(line, worker.stderr())

    def test_entrypoint_may_be_a_dotted_attribute(self):
        files = {"tools.py": """
            class Tools:
                @staticmethod
                def double(x):
                    return 2 * x
            """}
        worker = self.start(files, "tools:Tools.double")
        self.assertEqual(worker.run("j1", 21)["error"], None)
        self.assertEqual(worker.read_result("j1"), b"42")


class ResultTest(WorkerTestCase, unittest.TestCase):

    def test_json_result_round_trip_with_output_in_the_log(self):
        worker = self.start(HELLO, "hello:hello")
        done = worker.run("j1", 3)
        self.assertEqual(done, {"type": "done", "job": "j1", "exitCode": 0, "signal": None,
                                "resultKind": "json", "error": None})
        self.assertEqual(json.loads(worker.read_result("j1")), "hello 3")
        log = worker.read_log("j1")
        self.assertIn("to stdout 3\n", log)
        self.assertIn("to stderr 3\n", log)
        self.assertNotIn("to stdout", worker.stderr())

    def test_log_file_is_appended_to(self):
        worker = self.start(HELLO, "hello:hello")
        log = worker.paths("j1")["log"]
        os.makedirs(os.path.dirname(log))
        with open(log, "w") as f:
            f.write("earlier attempt\n")
        worker.run("j1", 1)
        self.assertTrue(worker.read_log("j1").startswith("earlier attempt\nto stdout 1\n"))

    def test_started_names_the_child_pid(self):
        worker = self.start(HELLO, "hello:hello")
        started = worker.start_job("j1", 1)
        self.assertIsInstance(started["pid"], int)
        self.assertNotEqual(started["pid"], worker.proc.pid)
        worker.expect("done")

    def test_kwargs_reach_the_function(self):
        worker = self.start(HELLO, "hello:greet")
        done = worker.run("j1", "ann", kwargs={"punctuation": "!"})
        self.assertEqual(done["error"], None)
        self.assertEqual(json.loads(worker.read_result("j1")), {"greeting": "hi ann!"})

    def test_bytes_results_are_written_raw(self):
        worker = self.start(RESULTS, "results:raw")
        done = worker.run("j1")
        self.assertEqual((done["resultKind"], done["error"]), ("bytes", None))
        self.assertEqual(worker.read_result("j1"), b"\x00\xff\nraw")

    def test_bytearray_and_memoryview_results_are_written_raw(self):
        for function, expected in (("raw_bytearray", b"\x01\x02"), ("raw_memoryview", b"bcd")):
            with self.subTest(function=function):
                worker = self.start(RESULTS, "results:" + function)
                self.assertEqual(worker.run(function)["resultKind"], "bytes")
                self.assertEqual(worker.read_result(function), expected)

    def test_none_writes_no_result_file(self):
        worker = self.start(RESULTS, "results:nothing")
        done = worker.run("j1")
        self.assertEqual((done["exitCode"], done["resultKind"], done["error"]), (0, "none", None))
        self.assertFalse(os.path.exists(worker.paths("j1")["result"]))
        self.assertIn("ran", worker.read_log("j1"))

    def test_set_result_fails_naming_its_type(self):
        worker = self.start(RESULTS, "results:a_set")
        done = worker.run("j1")
        self.assertEqual((done["exitCode"], done["resultKind"]), (1, None))
        self.assertTrue(done["error"].startswith("result of type 'set' cannot be stored: "), done["error"])
        self.assertIn("not JSON serializable", done["error"])
        self.assertFalse(os.path.exists(worker.paths("j1")["result"]))

    def test_nan_result_fails(self):
        worker = self.start(RESULTS, "results:not_a_number")
        done = worker.run("j1")
        self.assertEqual(done["exitCode"], 1)
        self.assertTrue(done["error"].startswith("result of type 'list' cannot be stored: Out of range float"),
                        done["error"])
        self.assertFalse(os.path.exists(worker.paths("j1")["result"]))

    def test_unstorable_result_of_a_user_class_names_it_qualified(self):
        worker = self.start(RESULTS, "results:an_object")
        self.assertTrue(worker.run("j1")["error"].startswith("result of type 'results.Tile' cannot be stored: "))

    def test_exception_is_the_error_and_its_traceback_is_in_the_log(self):
        worker = self.start(RESULTS, "results:fail")
        done = worker.run("j1", 3)
        self.assertEqual(done, {"type": "done", "job": "j1", "exitCode": 1, "signal": None,
                                "resultKind": None, "error": "ValueError: bad input 3"})
        log = worker.read_log("j1")
        self.assertIn("Traceback (most recent call last)", log)
        self.assertIn('raise ValueError(f"bad input {i}")', log)
        self.assertIn("ValueError: bad input 3", log)

    def test_exception_of_a_user_class_is_named_qualified(self):
        worker = self.start(RESULTS, "results:fail_in_package")
        self.assertEqual(worker.run("j1")["error"], "mypkg.errors.BadTile: tile 7 is empty")

    def test_system_exit_with_nonzero_status_fails(self):
        worker = self.start(RESULTS, "results:exit_with")
        done = worker.run("j1", 2)
        self.assertEqual((done["exitCode"], done["resultKind"], done["error"]), (1, None, "exited with status 2"))

    def test_system_exit_with_zero_or_none_succeeds_without_result(self):
        worker = self.start(RESULTS, "results:exit_with")
        for job, code in (("zero", 0), ("none", None)):
            done = worker.run(job, code)
            self.assertEqual((done["exitCode"], done["resultKind"], done["error"]), (0, "none", None))
            self.assertFalse(os.path.exists(worker.paths(job)["result"]))

    def test_system_exit_with_a_message_fails_with_it(self):
        worker = self.start(RESULTS, "results:exit_with")
        self.assertEqual(worker.run("j1", "no input files")["error"], "exited with status 1: no input files")
        self.assertIn("no input files", worker.read_log("j1"))

    def test_hard_exit_without_outcome_reports_its_status(self):
        worker = self.start(RESULTS, "results:hard_exit")
        done = worker.run("j1", 5)
        self.assertEqual(done, {"type": "done", "job": "j1", "exitCode": 5, "signal": None,
                                "resultKind": None, "error": "exited with status 5"})
        done = worker.run("j2", 0)
        self.assertEqual((done["exitCode"], done["error"]), (0, "exited with status 0 before the function returned"))


class RequestTest(WorkerTestCase, unittest.TestCase):

    def test_malformed_lines_get_an_error_and_the_worker_goes_on(self):
        worker = self.start(HELLO, "hello:hello")
        worker.send_raw(b"this is not json\n")
        self.assertIn("not JSON", worker.expect("error")["error"])
        worker.send_raw(b"[1, 2]\n")
        self.assertIn("JSON object", worker.expect("error")["error"])
        worker.send_raw(b"\xff\xfe\n")
        worker.expect("error")
        worker.send({"type": "dance"})
        self.assertIn("unknown request type", worker.expect("error")["error"])
        worker.send({"type": "run", "job": "j0", "args": []})
        error = worker.expect("error")
        self.assertEqual(error["job"], "j0")
        self.assertIn("'log'", error["error"])
        worker.send({"type": "ping"})
        worker.expect("pong")
        self.assertEqual(worker.run("j1", 1)["error"], None)

    def test_eof_on_stdin_ends_the_worker_with_status_0(self):
        worker = self.start(HELLO, "hello:hello")
        worker.proc.stdin.close()
        self.assertEqual(worker.wait(), 0)

    def test_shutdown_ends_the_worker_with_status_0(self):
        worker = self.start(HELLO, "hello:hello")
        worker.send({"type": "shutdown"})
        self.assertEqual(worker.wait(), 0)


if __name__ == "__main__":
    unittest.main()
