"""The worker's startup and results, tested against the real worker process.

Each test writes a small bundle into a temp dir, starts ``spool_worker.py`` on it and talks
JSON Lines to it, then checks the messages, the log file and the result file.
"""
import calendar
import json
import os
import platform
import time
import unittest

from worker_harness import WORKER_DIR, WorkerTestCase, strip_timestamps, wait_until, without_usage_and_process

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

USAGE = {
    "usage.py": """
        import subprocess
        import sys
        import time

        def burn(seconds, mib):
            block = bytearray(mib * 1024 * 1024)
            start = time.process_time()
            while time.process_time() - start < seconds:
                pass
            # a waited-for child's CPU counts for the job too
            subprocess.run([sys.executable, "-c", "import time; s = time.process_time()\\nwhile time.process_time() - s < %f: pass" % seconds], check=True)
            return len(block)
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
        self.assertEqual(fatal["error"], "function 'hellox' is not defined in hello.py")
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
        self.assertEqual(fatal["error"], "cannot import module 'broken': RuntimeError: boom at import (broken.py, line 3)")
        self.assertEqual(worker.wait(), 3)
        self.assertIn("Traceback (most recent call last)", worker.stderr())
        self.assertIn("broken.py", worker.stderr())

    def test_attribute_that_is_not_callable_is_fatal(self):
        worker = self.start(HELLO, "hello:VALUE", ready=False)
        self.assertEqual(worker.expect("fatal")["error"], "'VALUE' in hello.py is not callable (it is an int)")
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
        self.assertEqual(without_usage_and_process(done), {"type": "done", "job": "j1", "exitCode": 0, "signal": None,
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
        raw = worker.read_raw_log("j1")
        self.assertTrue(raw.startswith("earlier attempt\n"), raw)
        self.assertEqual(strip_timestamps(raw[len("earlier attempt\n"):]), ["to stdout 1\n", "to stderr 1\n"])

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

    def test_done_says_what_the_reaped_job_used(self):
        worker = self.start(USAGE, "usage:burn")
        done = worker.run("j1", 0.2, 64)
        self.assertEqual(done["error"], None)
        usage = done["usage"]
        self.assertGreaterEqual(usage["cpuSeconds"], 0.4, "the job's 0.2 s and its child's 0.2 s: %r" % usage)
        self.assertLess(usage["cpuSeconds"], 5, usage)
        self.assertGreaterEqual(usage["maxRssBytes"], 64 * 1024 * 1024, usage)

    def test_exception_is_the_error_and_its_traceback_is_in_the_log(self):
        worker = self.start(RESULTS, "results:fail")
        done = worker.run("j1", 3)
        self.assertEqual(without_usage_and_process(done), {"type": "done", "job": "j1", "exitCode": 1, "signal": None,
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
        self.assertEqual(without_usage_and_process(done), {"type": "done", "job": "j1", "exitCode": 5, "signal": None,
                                               "resultKind": None, "error": "exited with status 5"})
        done = worker.run("j2", 0)
        self.assertEqual((done["exitCode"], done["error"]), (0, "exited with status 0 before the function returned"))


SPOOL_PACKAGE = {
    "annotated.py": """
        import io
        import spool
        from spool import ComputeResult

        class NpyArray:
            def __init__(self, n):
                self.n = n

            def serialize(self):
                import numpy
                buffer = io.BytesIO()
                numpy.save(buffer, numpy.arange(self.n, dtype=numpy.float64))
                return buffer.getvalue()

        def annotated(i):
            from spool import ComputeResult as ImportedInTheJob
            assert ImportedInTheJob is ComputeResult
            return ComputeResult({"i": i}, description="tile %d" % i, tags=["tile"], expires=1900000000,
                                 extra_properties={"row": i, "label": "t"}, geometry="POINT (%d 1)" % i)

        def npy(n):
            return NpyArray(n)

        def where():
            return spool.__file__

        def big(n):
            return b"x" * n

        def too_long_a_description():
            return ComputeResult(1, description="d" * 80001)
        """,
}


class SpoolPackageTest(WorkerTestCase, unittest.TestCase):

    def test_jobs_import_the_spool_package_shipped_beside_the_worker(self):
        worker = self.start(SPOOL_PACKAGE, "annotated:where")
        self.assertEqual(worker.run("j1")["error"], None)
        self.assertEqual(os.path.realpath(json.loads(worker.read_result("j1"))),
                         os.path.realpath(os.path.join(WORKER_DIR, "spool", "__init__.py")))

    def test_a_compute_result_returned_by_a_forked_job_stores_its_value_and_metadata(self):
        worker = self.start(SPOOL_PACKAGE, "annotated:annotated")
        done = worker.run("j1", 3)
        self.assertEqual((done["resultKind"], done["error"]), ("json", None))
        self.assertEqual(json.loads(worker.read_result("j1")), {"i": 3})
        self.assertEqual(worker.read_metadata("j1"), {
            "description": "tile 3", "expires": 1900000000000, "extraProperties": {"row": 3, "label": "t"},
            "geometry": "POINT (3 1)", "tags": ["tile"]})

    def test_a_serialize_result_is_stored_as_its_bytes_and_names_its_type(self):
        import io
        import numpy
        worker = self.start(SPOOL_PACKAGE, "annotated:npy")
        done = worker.run("j1", 5)
        self.assertEqual((done["resultKind"], done["error"]), ("bytes", None))
        expected = io.BytesIO()
        numpy.save(expected, numpy.arange(5, dtype=numpy.float64))
        self.assertEqual(worker.read_result("j1"), expected.getvalue())
        self.assertEqual(worker.read_metadata("j1"), {"serializer": "annotated.NpyArray"})

    def test_a_result_over_the_requests_limit_fails_the_job_naming_the_limit(self):
        worker = self.start(SPOOL_PACKAGE, "annotated:big")
        limit = {"fields": {"resultMaxBytes": 10}}
        self.assertEqual(worker.run("fits", 10, **limit)["error"], None)
        self.assertEqual(worker.read_result("fits"), b"x" * 10)
        done = worker.run("over", 11, **limit)
        self.assertEqual((done["exitCode"], done["resultKind"]), (1, None))
        self.assertEqual(done["error"], "result is 11 bytes, more than the limit of 10 bytes (spool.result.max-bytes)")
        self.assertFalse(os.path.exists(worker.paths("over")["result"]))
        self.assertEqual(worker.run("unlimited", 100000)["error"], None)

    def test_a_compute_result_over_a_limit_fails_the_job_naming_it(self):
        worker = self.start(SPOOL_PACKAGE, "annotated:too_long_a_description")
        done = worker.run("j1")
        self.assertEqual(done["error"], "ComputeResult description is 80001 characters, more than the limit of 80000")
        self.assertFalse(os.path.exists(worker.paths("j1")["result"]))
        self.assertFalse(os.path.exists(worker.paths("j1")["result"] + ".meta"))


LOGS = {
    "logs.py": """
        import os
        import subprocess
        import sys
        import time

        def partial_then_rest(go_file):
            sys.stdout.write("no newline yet")
            sys.stdout.flush()
            while not os.path.exists(go_file):
                time.sleep(0.01)
            print("the rest")

        def last_words():
            sys.stdout.write("print")
            sys.stderr.write("ed without a newline")

        def chatty(lines):
            for i in range(lines):
                print("line %06d " % i + "." * 50)
            return lines

        def burst(lines):
            sys.stdout.write("".join("burst %06d\\n" % i for i in range(lines)))
            return lines

        def grandchild():
            subprocess.run([sys.executable, "-c", "import sys; print('from the grandchild'); "
                            "print('and its stderr', file=sys.stderr)"], check=True)
        """,
}


class LogTest(WorkerTestCase, unittest.TestCase):

    def test_every_line_starts_with_the_utc_time_it_was_read(self):
        worker = self.start(HELLO, "hello:hello")
        before = time.time()
        worker.run("j1", 1)
        after = time.time()
        raw = worker.read_raw_log("j1")
        self.assertEqual(strip_timestamps(raw), ["to stdout 1\n", "to stderr 1\n"])
        for line in raw.splitlines():
            seconds = calendar.timegm(time.strptime(line[:19], "%Y-%m-%dT%H:%M:%S")) + int(line[20:23]) / 1000
            self.assertTrue(before - 1 <= seconds <= after + 1, "%s is not the UTC time between %s and %s"
                            % (line[:24], before, after))

    def test_output_of_the_jobs_own_processes_reaches_the_log(self):
        worker = self.start(LOGS, "logs:grandchild")
        self.assertEqual(worker.run("j1")["error"], None)
        self.assertEqual(sorted(strip_timestamps(worker.read_raw_log("j1"))),
                         ["and its stderr\n", "from the grandchild\n"])

    def test_a_partial_line_is_written_out_after_a_second_while_the_job_runs(self):
        worker = self.start(LOGS, "logs:partial_then_rest")
        go = os.path.join(self.root, "go")
        worker.start_job("j1", go)
        log = worker.paths("j1")["log"]

        def partial_written():
            with open(log, encoding="utf-8") as f:
                return f.read().endswith(" no newline yet\n")
        wait_until(partial_written, what="the partial line in the log")
        with open(go, "w"):
            pass
        self.assertEqual(worker.expect("done")["error"], None)
        self.assertEqual(worker.read_log("j1"), "no newline yet\nthe rest\n")

    def test_a_partial_line_at_the_end_is_in_the_log_when_done_is_reported(self):
        worker = self.start(LOGS, "logs:last_words")
        self.assertEqual(worker.run("j1")["error"], None)
        self.assertEqual(worker.read_log("j1"), "printed without a newline\n")

    def test_the_whole_log_is_written_before_done_is_reported(self):
        worker = self.start(LOGS, "logs:burst")
        for job in ("j1", "j2", "j3"):
            self.assertEqual(worker.run(job, 200000)["error"], None)
            lines = strip_timestamps(worker.read_raw_log(job))
            self.assertEqual((len(lines), lines[-1]), (200000, "burst 199999\n"))

    def test_a_capped_log_keeps_its_last_lines_after_a_note_of_what_it_dropped(self):
        worker = self.start(LOGS, "logs:chatty")
        cap = 4096
        self.assertEqual(worker.run("j1", 2000, fields={"logMaxBytes": cap})["error"], None)
        raw = worker.read_raw_log("j1")
        lines = strip_timestamps(raw)
        kept = lines[1:]
        line_bytes = 24 + 1 + len("line 000000 ") + 50 + 1  # timestamp, space, text, newline
        self.assertEqual(lines[0], "[spool] %d bytes (%d lines) dropped from the start of this log: it is capped at "
                         "%d bytes (spool.log.max-bytes); the last lines follow\n"
                         % ((2000 - len(kept)) * line_bytes, 2000 - len(kept), cap))
        self.assertEqual(kept, ["line %06d %s\n" % (i, "." * 50) for i in range(2000 - len(kept), 2000)])
        self.assertLessEqual(len(raw.encode()) - len(raw.splitlines(keepends=True)[0]), cap)
        self.assertGreater(len(kept) * line_bytes, cap - line_bytes, "about the cap is kept")

    def test_an_uncapped_log_keeps_everything(self):
        worker = self.start(LOGS, "logs:chatty")
        self.assertEqual(worker.run("j1", 2000)["error"], None)
        self.assertEqual(len(strip_timestamps(worker.read_raw_log("j1"))), 2000)


class RequestTest(WorkerTestCase, unittest.TestCase):

    def test_limits_must_be_integers_of_zero_or_more(self):
        worker = self.start(HELLO, "hello:hello")
        for field, value, reason in (("resultMaxBytes", -1, "'resultMaxBytes' must be 0 (no limit) or more, got -1"),
                                     ("logMaxBytes", True, "'logMaxBytes' must be a JSON integer"),
                                     ("logMaxBytes", "1M", "'logMaxBytes' must be a JSON integer")):
            run = {"type": "run", "job": "j0", "args": [1], field: value}
            run.update(worker.paths("j0"))
            worker.send(run)
            self.assertEqual(worker.expect("error")["error"], "run request for job 'j0': " + reason)
        self.assertEqual(worker.run("j1", 1, fields={"resultMaxBytes": 0, "logMaxBytes": 0})["error"], None)

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
