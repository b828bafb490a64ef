"""Job process modes against the real worker: fresh processes forked ahead, reused ones and their replacement.

Every worker here runs ``modes:call``, which calls the function of the bundle named by its first
argument, so that one worker runs different jobs one after another. The effects are proven through
the messages (``started`` pids, ``done``'s ``process``), the results, the logs and /proc.
"""
import json
import os
import signal
import sys
import unittest

from worker_harness import WorkerTestCase, process_alive, strip_timestamps, wait_until

MIB = 1 << 20

MODES = {
    "modes.py": """
        import os
        import subprocess
        import sys
        import tempfile
        import threading
        import time

        import numpy  # the bundle's stand-in, which counts reseeds

        SEEN = []
        KEPT = []

        def call(name, *args):
            return globals()[name](*args)

        def remember(tag):
            SEEN.append(tag)
            return {"pid": os.getpid(), "seen": list(SEEN)}

        def fail(tag):
            SEEN.append(tag)
            raise ValueError("failed " + tag)

        def exit_with(code):
            SEEN.append("exit")
            sys.exit(code)

        def hard_exit(code):
            os._exit(code)

        def say(text):
            print(text)
            print(text + " on stderr", file=sys.stderr)
            sys.stdout.write(text + " without a newline")
            return text

        def environment():
            seen = {"FROM_REQUEST": os.environ.get("FROM_REQUEST"), "SET_BY_JOB": os.environ.get("SET_BY_JOB"),
                    "TMPDIR": os.environ.get("TMPDIR"), "TMP": os.environ.get("TMP"), "TEMP": os.environ.get("TEMP"),
                    "gettempdir": tempfile.gettempdir(), "cwd": os.getcwd(), "stdin": sys.stdin.read()}
            os.environ["SET_BY_JOB"] = "yes"
            os.chdir(tempfile.gettempdir())
            return seen

        def burn(seconds):
            start = time.process_time()
            while time.process_time() - start < seconds:
                pass
            return os.getpid()

        def hold(mib):
            KEPT.append(b"x" * (mib << 20))
            return os.getpid()

        def peak(mib):
            block = b"x" * (mib << 20)
            return len(block)

        def sleep(seconds, pid_file):
            write_pid(pid_file, os.getpid())
            time.sleep(seconds)

        def background(pid_file):
            sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
            write_pid(pid_file, sleeper.pid)
            return "left it running"

        def thread():
            threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
            return "left it running"

        def reseeds():
            return numpy.random.seeds

        def fork_that_returns():
            pid = os.fork()
            if pid == 0:
                return "from the fork"  # into the job process's code, which must end it
            os.waitpid(pid, 0)
            return "from the job"

        def write_pid(path, pid):
            with open(path + ".partial", "w") as f:
                f.write(str(pid))
            os.rename(path + ".partial", path)
        """,
    "numpy/__init__.py": "from . import random\n",
    "numpy/random.py": """
        seeds = 0

        def seed():
            global seeds
            seeds += 1
        """,
}

REUSED = {"process": "reused"}


def children_of(pid):
    """The pids of ``pid``'s children (Linux: /proc/PID/task/PID/children)."""
    with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
        return [int(child) for child in f.read().split()]


HAS_CHILDREN_FILE = os.path.exists("/proc/self/task/%d/children" % os.getpid())


class ModesTestCase(WorkerTestCase):

    def setUp(self):
        super().setUp()
        self.worker = self.start(MODES, "modes:call")

    def run_job(self, job, *args, fields=None):
        """Runs a job to its end; returns (its started pid, its done message)."""
        started = self.worker.start_job(job, *args, fields=dict(fields or {}))
        done = self.worker.expect("done")
        self.assertEqual(done["job"], job)
        self.assertEqual(done["process"]["pid"], started["pid"], done)
        return started["pid"], done

    def result(self, job):
        return json.loads(self.worker.read_result(job))

    def pid_file(self, name):
        return os.path.join(self.root, name + ".pid")

    @staticmethod
    def read_pid(path):
        wait_until(lambda: os.path.exists(path), what=path)
        with open(path) as f:
            return int(f.read())


class FreshTest(ModesTestCase, unittest.TestCase):

    def test_a_global_set_by_a_fresh_job_is_never_seen_by_the_next(self):
        for job in ("j1", "j2", "j3"):
            pid, done = self.run_job(job, "remember", job, fields={"process": "fresh"})
            self.assertEqual((done["error"], done["process"]), (None, {"pid": pid, "jobs": 1, "replaced": "fresh"}))
            self.assertEqual(self.result(job), {"pid": pid, "seen": [job]})

    def test_a_request_without_a_mode_runs_fresh(self):
        first, done = self.run_job("j1", "remember", "j1")
        self.assertEqual(done["process"]["replaced"], "fresh")
        second, _ = self.run_job("j2", "remember", "j2")
        self.assertNotEqual(first, second)
        self.assertEqual(self.result("j2")["seen"], ["j2"])

    @unittest.skipUnless(HAS_CHILDREN_FILE, "needs /proc/PID/task/PID/children")
    def test_the_process_of_the_next_job_is_forked_before_its_request(self):
        worker_pid = self.worker.proc.pid
        wait_until(lambda: len(children_of(worker_pid)) == 1, what="a process forked ahead at start-up")
        standby = children_of(worker_pid)[0]
        first, done = self.run_job("j1", "remember", "j1")
        self.assertEqual(first, standby)
        wait_until(lambda: children_of(worker_pid) not in ([], [first]), what="a process forked ahead after done")
        standby = children_of(worker_pid)
        self.assertEqual(len(standby), 1, standby)
        second, _ = self.run_job("j2", "remember", "j2")
        self.assertEqual(second, standby[0])
        self.assertFalse(process_alive(first))

    def test_an_unused_process_forked_ahead_takes_a_reused_job(self):
        first, _ = self.run_job("j1", "remember", "j1", fields={"process": "fresh"})
        second, done = self.run_job("j2", "remember", "j2", fields=REUSED)
        self.assertEqual(done["process"], {"pid": second, "jobs": 1, "replaced": None})
        self.assertEqual(self.result("j2")["seen"], ["j2"])
        third, done = self.run_job("j3", "remember", "j3", fields={"process": "fresh"})
        self.assertNotEqual(third, second, "a process that ran a reused job never runs a fresh one")
        self.assertEqual(self.result("j3")["seen"], ["j3"])
        self.assertFalse(process_alive(second))


class ReusedTest(ModesTestCase, unittest.TestCase):

    def test_jobs_run_one_after_another_in_the_same_process_which_keeps_its_globals(self):
        first, done1 = self.run_job("j1", "remember", "j1", fields=REUSED)
        second, done2 = self.run_job("j2", "remember", "j2", fields=REUSED)
        self.assertEqual(first, second)
        self.assertNotEqual(first, self.worker.proc.pid)
        self.assertEqual((done1["process"], done2["process"]), ({"pid": first, "jobs": 1, "replaced": None},
                                                                 {"pid": first, "jobs": 2, "replaced": None}))
        self.assertEqual(self.result("j2"), {"pid": first, "seen": ["j1", "j2"]})

    def test_a_failed_job_replaces_the_process(self):
        first, _ = self.run_job("j1", "remember", "j1", fields=REUSED)
        _, done = self.run_job("j2", "fail", "j2", fields=REUSED)
        self.assertEqual((done["exitCode"], done["error"]), (1, "ValueError: failed j2"))
        self.assertEqual(done["process"], {"pid": first, "jobs": 2, "replaced": "failed"})
        third, _ = self.run_job("j3", "remember", "j3", fields=REUSED)
        self.assertNotEqual(third, first)
        self.assertEqual(self.result("j3")["seen"], ["j3"])
        self.assertFalse(process_alive(first))

    def test_a_non_zero_exit_or_a_process_that_dies_replaces_the_process(self):
        for job, function, code, error in (("exit", "exit_with", 3, "exited with status 3"),
                                           ("hard", "hard_exit", 4, "exited with status 4")):
            with self.subTest(function=function):
                before, _ = self.run_job(job + "-before", "remember", job, fields=REUSED)
                pid, done = self.run_job(job, function, code, fields=REUSED)
                self.assertEqual((pid, done["error"], done["process"]["replaced"]), (before, error, "failed"))
                self.assertGreaterEqual(done["usage"]["cpuSeconds"], 0, done)
                after, _ = self.run_job(job + "-after", "remember", job, fields=REUSED)
                self.assertNotEqual(after, before)

    def test_sys_exit_0_keeps_the_process(self):
        first, done = self.run_job("j1", "exit_with", 0, fields=REUSED)
        self.assertEqual((done["exitCode"], done["resultKind"], done["error"]), (0, "none", None))
        self.assertEqual(done["process"]["replaced"], None)
        second, _ = self.run_job("j2", "remember", "j2", fields=REUSED)
        self.assertEqual((second, self.result("j2")["seen"]), (first, ["exit", "j2"]))

    def test_a_killed_job_replaces_the_process_and_its_group_is_killed(self):
        first, _ = self.run_job("j1", "remember", "j1", fields=REUSED)
        pid_file = self.pid_file("sleeper")
        started = self.worker.start_job("j2", "sleep", 60, pid_file, fields=REUSED)
        self.assertEqual(self.read_pid(pid_file), first)
        self.worker.send({"type": "kill", "job": "j2", "signal": 9})  # as the runner does on a timeout
        done = self.worker.expect("done")
        self.assertEqual((done["signal"], done["error"]), (9, "killed by signal 9 (SIGKILL)"))
        self.assertEqual(done["process"], {"pid": first, "jobs": 2, "replaced": "killed"})
        self.assertEqual(started["pid"], first)
        self.assertFalse(process_alive(first))
        third, _ = self.run_job("j3", "remember", "j3", fields=REUSED)
        self.assertNotEqual(third, first)
        self.assertEqual(self.result("j3")["seen"], ["j3"])

    def test_the_process_is_replaced_after_max_jobs_per_process(self):
        limit = dict(REUSED, maxJobsPerProcess=2)
        pids, replaced = [], []
        for job in ("j1", "j2", "j3", "j4", "j5"):
            pid, done = self.run_job(job, "remember", job, fields=limit)
            pids.append(pid)
            replaced.append(done["process"]["replaced"])
        self.assertEqual(replaced, [None, "max-jobs", None, "max-jobs", None])
        self.assertEqual((pids[0] == pids[1], pids[1] == pids[2], pids[2] == pids[3], pids[3] == pids[4]),
                         (True, False, True, False))
        self.assertEqual(self.result("j4")["seen"], ["j3", "j4"])

    def test_the_process_is_replaced_when_its_resident_set_after_a_job_is_above_the_limit(self):
        limit = dict(REUSED, processMemoryBytes=20 * MIB)
        first, done = self.run_job("small", "remember", "small", fields=limit)
        self.assertEqual(done["process"]["replaced"], None, "a process that holds little is kept: %r" % done)
        pid, done = self.run_job("big", "hold", 50, fields=limit)
        self.assertEqual((pid, done["error"]), (first, None))
        self.assertEqual(done["process"], {"pid": first, "jobs": 2, "replaced": "memory"})
        self.assertGreaterEqual(done["usage"]["maxRssBytes"], 50 * MIB, done)
        after, _ = self.run_job("after", "remember", "after", fields=limit)
        self.assertNotEqual(after, first)
        self.assertEqual(self.result("after")["seen"], ["after"])

    def test_a_request_whose_limits_the_idle_process_has_passed_gets_a_new_one(self):
        first, _ = self.run_job("j1", "remember", "j1", fields=REUSED)
        second, done = self.run_job("j2", "remember", "j2", fields=dict(REUSED, maxJobsPerProcess=1))
        self.assertNotEqual(second, first)
        # A process forked on the request's path keeps none of the job's fds: its pipe ends with the job.
        self.assertEqual(done["process"], {"pid": second, "jobs": 1, "replaced": "max-jobs"})
        self.assertEqual(self.result("j2")["seen"], ["j2"])

    def test_a_request_of_the_other_mode_replaces_the_process(self):
        first, _ = self.run_job("j1", "remember", "j1", fields=REUSED)
        second, done = self.run_job("j2", "remember", "j2", fields={"process": "fresh"})
        self.assertNotEqual(second, first)
        self.assertEqual((self.result("j2")["seen"], done["process"]["replaced"]), (["j2"], "fresh"))
        self.assertFalse(process_alive(first))

    def test_each_job_has_a_log_of_its_own(self):
        self.run_job("a", "say", "A", fields=REUSED)
        self.run_job("b", "say", "B", fields=REUSED)
        self.assertEqual(sorted(strip_timestamps(self.worker.read_raw_log("a"))),
                         ["A\n", "A on stderr\n", "A without a newline\n"])
        self.assertEqual(sorted(strip_timestamps(self.worker.read_raw_log("b"))),
                         ["B\n", "B on stderr\n", "B without a newline\n"])

    def test_env_cwd_and_tmpdir_are_the_jobs_own_and_stdin_is_empty(self):
        first, _ = self.run_job("j1", "environment", fields=dict(REUSED, env={"FROM_REQUEST": "one"}))
        second, _ = self.run_job("j2", "environment", fields=REUSED)
        self.assertEqual(first, second)
        tmp1, tmp2 = self.worker.paths("j1")["tmpdir"], self.worker.paths("j2")["tmpdir"]
        self.assertEqual(self.result("j1"), {"FROM_REQUEST": "one", "SET_BY_JOB": None, "TMPDIR": tmp1, "TMP": tmp1,
                                             "TEMP": tmp1, "gettempdir": tmp1, "cwd": self.root, "stdin": ""})
        self.assertEqual(self.result("j2"), {"FROM_REQUEST": None, "SET_BY_JOB": None, "TMPDIR": tmp2, "TMP": tmp2,
                                             "TEMP": tmp2, "gettempdir": tmp2, "cwd": self.root, "stdin": ""})

    def test_usage_is_per_job(self):
        first, idle = self.run_job("idle", "burn", 0, fields=REUSED)
        second, busy = self.run_job("busy", "burn", 0.05, fields=REUSED)
        self.assertEqual(first, second)
        self.assertLess(idle["usage"]["cpuSeconds"], 0.04, idle)
        self.assertGreaterEqual(busy["usage"]["cpuSeconds"], 0.04, busy)
        self.assertLess(busy["usage"]["cpuSeconds"], 1, busy)

    @unittest.skipUnless(sys.platform.startswith("linux"), "the peak is reset through /proc/self/clear_refs")
    def test_the_largest_resident_set_is_per_job(self):
        _, big = self.run_job("big", "peak", 100, fields=REUSED)
        _, small = self.run_job("small", "peak", 0, fields=REUSED)
        self.assertGreaterEqual(big["usage"]["maxRssBytes"], 100 * MIB, big)
        self.assertLess(small["usage"]["maxRssBytes"], big["usage"]["maxRssBytes"] - 50 * MIB, small)

    @unittest.skipUnless(HAS_CHILDREN_FILE, "leftover processes are found through /proc/PID/task/PID/children")
    def test_a_job_that_leaves_a_process_running_replaces_the_process_and_the_leftover_is_killed(self):
        pid_file = self.pid_file("leftover")
        first, done = self.run_job("j1", "background", pid_file, fields=REUSED)
        self.assertEqual((done["error"], done["process"]["replaced"]), (None, "leftover-processes"))
        self.assertEqual(self.result("j1"), "left it running")
        leftover = self.read_pid(pid_file)
        wait_until(lambda: not process_alive(leftover), what="the leftover process to be killed")
        second, _ = self.run_job("j2", "remember", "j2", fields=REUSED)
        self.assertNotEqual(second, first)

    def test_a_job_that_leaves_a_thread_running_replaces_the_process(self):
        first, done = self.run_job("j1", "thread", fields=REUSED)
        self.assertEqual((done["error"], done["process"]["replaced"]), (None, "leftover-threads"))
        second, _ = self.run_job("j2", "remember", "j2", fields=REUSED)
        self.assertNotEqual(second, first)

    def test_a_fork_of_the_job_that_returns_from_the_function_ends_without_a_result(self):
        for mode in ("fresh", "reused"):
            with self.subTest(mode=mode):
                _, done = self.run_job(mode, "fork_that_returns", fields={"process": mode})
                self.assertEqual((done["error"], done["resultKind"]), (None, "json"))
                self.assertEqual(self.result(mode), "from the job")
        self.assertEqual(done["process"]["replaced"], None)

    def test_numpy_is_reseeded_when_a_process_starts_not_per_job(self):
        for job in ("j1", "j2"):
            self.assertEqual(self.run_job(job, "reseeds", fields=REUSED)[1]["error"], None)
            self.assertEqual(self.result(job), 1)
        self.assertEqual(self.run_job("j3", "reseeds", fields={"process": "fresh"})[1]["error"], None)
        self.assertEqual(self.result("j3"), 1)

    def test_shutdown_kills_a_running_reused_job_and_the_process(self):
        first, _ = self.run_job("j1", "remember", "j1", fields=REUSED)
        pid_file = self.pid_file("sleeper")
        self.worker.start_job("j2", "sleep", 60, pid_file, fields=REUSED)
        self.read_pid(pid_file)
        self.worker.send({"type": "shutdown"})
        done = self.worker.expect("done")
        self.assertEqual((done["signal"], done["process"]["replaced"]), (9, "shutdown"))
        self.assertEqual(self.worker.wait(), 0)
        self.assertFalse(process_alive(first))

    def test_eof_and_sigterm_leave_no_idle_process_behind(self):
        first, _ = self.run_job("j1", "remember", "j1", fields=REUSED)
        self.worker.proc.stdin.close()
        self.assertEqual(self.worker.wait(), 0)
        self.assertFalse(process_alive(first))
        worker = self.start(MODES, "modes:call")
        worker.start_job("j1", "remember", "j1", fields=REUSED)
        pid = worker.expect("done")["process"]["pid"]
        worker.proc.send_signal(signal.SIGTERM)
        self.assertEqual(worker.wait(), 143)
        self.assertFalse(process_alive(pid))


class RequestTest(ModesTestCase, unittest.TestCase):

    def test_a_bad_process_mode_is_refused_naming_the_field(self):
        for fields, reason in (({"process": "forked"}, "'process' must be \"fresh\" or \"reused\", got \"forked\""),
                               ({"maxJobsPerProcess": -1}, "'maxJobsPerProcess' must be 0 (no limit) or more, got -1"),
                               ({"processMemoryBytes": 1.5}, "'processMemoryBytes' must be a JSON integer")):
            run = {"type": "run", "job": "j0", "args": ["remember", "j0"]}
            run.update(self.worker.paths("j0"))
            run.update(fields)
            self.worker.send(run)
            self.assertEqual(self.worker.expect("error"), {"type": "error", "job": "j0",
                                                           "error": "run request for job 'j0': " + reason})
        self.assertEqual(self.run_job("j1", "remember", "j1", fields=REUSED)[1]["error"], None)

    def test_a_run_while_a_reused_job_runs_is_refused(self):
        pid_file = self.pid_file("sleeper")
        self.worker.start_job("j1", "sleep", 60, pid_file, fields=REUSED)
        run = {"type": "run", "job": "j2", "args": ["remember", "j2"], "process": "reused"}
        run.update(self.worker.paths("j2"))
        self.worker.send(run)
        self.assertEqual(self.worker.expect("error")["error"], "cannot run job 'j2': job 'j1' is still running")
        self.worker.send({"type": "kill", "job": "j1", "signal": 9})
        self.assertEqual(self.worker.expect("done")["job"], "j1")


if __name__ == "__main__":
    unittest.main()
