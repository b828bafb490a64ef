"""The worker's handling of job processes: isolation between jobs, kills, and its own end.

Jobs here sleep, fork, set globals and kill themselves; the tests prove the effects through
what the jobs wrote (results, pid files) and through /proc, with timeouts, never fixed sleeps.
"""
import json
import os
import signal
import sys
import unittest

from worker_harness import TIMEOUT, WorkerTestCase, process_alive, wait_until, without_usage_and_process

JOBS = {
    "jobs.py": """
        import os
        import signal
        import subprocess
        import sys
        import tempfile
        import time

        import numpy  # the bundle's stand-in, which counts reseeds

        tempfile.gettempdir()  # caches tempfile.tempdir in the worker before any fork
        LEAKED = False

        def leak():
            global LEAKED
            seen = {"global": LEAKED, "env": os.environ.get("LEAKED_VAR"),
                    "from_request": os.environ.get("FROM_REQUEST"),
                    "TMPDIR": os.environ.get("TMPDIR"), "TMP": os.environ.get("TMP"),
                    "TEMP": os.environ.get("TEMP"), "gettempdir": tempfile.gettempdir(),
                    "tmpdir_exists": os.path.isdir(os.environ["TMPDIR"])}
            LEAKED = True
            os.environ["LEAKED_VAR"] = "yes"
            return seen

        def read_stdin():
            return sys.stdin.read()

        def reseeds():
            return numpy.random.seeds

        def sleep(seconds, pid_file=None):
            if pid_file:
                write_pid(pid_file, os.getpid())
            time.sleep(seconds)
            return "woke up"

        def sleep_with_grandchild(pid_file):
            grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
            write_pid(pid_file, grandchild.pid)
            time.sleep(60)

        def fork_and_return(pid_file):
            pid = os.fork()
            if pid == 0:  # the grandchild keeps every inherited fd open while it sleeps
                time.sleep(60)
                os._exit(0)
            write_pid(pid_file, pid)
            return "parent returned"

        def fork_escapee_and_exit(pid_file):
            pid = os.fork()
            if pid == 0:  # leaves the job's process group, so no group kill reaches it
                os.setsid()
                time.sleep(60)
                os._exit(0)
            write_pid(pid_file, pid)
            os._exit(3)  # no outcome written, and the escapee holds the outcome pipe open

        def kill_myself():
            os.kill(os.getpid(), signal.SIGKILL)

        def echo(x):
            return x

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


class IsolationTest(WorkerTestCase, unittest.TestCase):

    def test_env_tmpdir_and_globals_do_not_leak_into_the_next_job(self):
        worker = self.start(JOBS, "jobs:leak")
        self.assertEqual(worker.run("j1", env={"FROM_REQUEST": "one"})["error"], None)
        first = json.loads(worker.read_result("j1"))
        tmp1 = worker.paths("j1")["tmpdir"]
        self.assertEqual(first, {"global": False, "env": None, "from_request": "one", "TMPDIR": tmp1,
                                 "TMP": tmp1, "TEMP": tmp1, "gettempdir": tmp1, "tmpdir_exists": True})
        self.assertEqual(worker.run("j2")["error"], None)
        second = json.loads(worker.read_result("j2"))
        tmp2 = worker.paths("j2")["tmpdir"]
        self.assertEqual(second, {"global": False, "env": None, "from_request": None, "TMPDIR": tmp2,
                                  "TMP": tmp2, "TEMP": tmp2, "gettempdir": tmp2, "tmpdir_exists": True})

    def test_job_stdin_is_empty_even_with_requests_queued_behind_it(self):
        worker = self.start(JOBS, "jobs:read_stdin")
        run = {"type": "run", "job": "j1", "args": [], "kwargs": {}, "env": {}}
        run.update(worker.paths("j1"))
        # Both lines in one write: the worker has the ping buffered when it forks the job.
        worker.send_raw((json.dumps(run) + "\n" + json.dumps({"type": "ping"}) + "\n").encode())
        messages = [worker.next(), worker.next(), worker.next()]
        self.assertEqual(sorted(m["type"] for m in messages), ["done", "pong", "started"])
        done = next(m for m in messages if m["type"] == "done")
        self.assertEqual(done["error"], None)
        self.assertEqual(json.loads(worker.read_result("j1")), "")

    def test_numpy_global_generator_is_reseeded_in_every_job(self):
        worker = self.start(JOBS, "jobs:reseeds")
        for job in ("j1", "j2"):
            self.assertEqual(worker.run(job)["error"], None)
            self.assertEqual(json.loads(worker.read_result(job)), 1)


class KillTest(WorkerTestCase, unittest.TestCase):

    def test_kill_of_a_sleeping_job_reports_the_signal_and_the_worker_serves_the_next_job(self):
        worker = self.start(JOBS, "jobs:sleep")
        pid_file = os.path.join(self.root, "pid")
        started = worker.start_job("j1", 60, pid_file)
        wait_until(lambda: os.path.exists(pid_file), what="the job to start sleeping")
        worker.send({"type": "kill", "job": "j1", "signal": 9})
        done = worker.expect("done")
        self.assertEqual(without_usage_and_process(done), {"type": "done", "job": "j1", "exitCode": -9, "signal": 9,
                                               "resultKind": None, "error": "killed by signal 9 (SIGKILL)"})
        self.assertFalse(process_alive(started["pid"]))
        self.assertEqual(worker.run("j2", 0)["error"], None)
        self.assertEqual(json.loads(worker.read_result("j2")), "woke up")

    def test_kill_reaches_the_jobs_grandchildren(self):
        worker = self.start(JOBS, "jobs:sleep_with_grandchild")
        pid_file = os.path.join(self.root, "grandchild.pid")
        worker.start_job("j1", pid_file)
        wait_until(lambda: os.path.exists(pid_file), what="the grandchild to start")
        with open(pid_file) as f:
            grandchild = int(f.read())
        self.assertTrue(process_alive(grandchild))
        worker.send({"type": "kill", "job": "j1", "signal": int(signal.SIGTERM)})
        done = worker.expect("done")
        self.assertEqual((done["signal"], done["error"]), (15, "killed by signal 15 (SIGTERM)"))
        wait_until(lambda: not process_alive(grandchild), what="the grandchild to die")

    def test_kill_of_a_job_that_is_not_running_is_ignored(self):
        worker = self.start(JOBS, "jobs:echo")
        worker.send({"type": "kill", "job": "nosuch", "signal": 9})
        worker.send({"type": "ping"})
        worker.expect("pong")
        self.assertEqual(worker.run("j1", 1)["error"], None)
        worker.send({"type": "kill", "job": "j1", "signal": 9})
        worker.send({"type": "ping"})
        worker.expect("pong")

    def test_job_that_kills_itself_does_not_break_the_worker(self):
        worker = self.start(JOBS, "jobs:kill_myself")
        done = worker.run("j1")
        self.assertEqual((done["exitCode"], done["signal"]), (-9, 9))
        worker.send({"type": "ping"})
        worker.expect("pong")
        self.assertEqual(worker.run("j2")["signal"], 9)

    def test_grandchild_holding_the_pipes_neither_delays_done_nor_outlives_the_job(self):
        worker = self.start(JOBS, "jobs:fork_and_return")
        pid_file = os.path.join(self.root, "grandchild.pid")
        done = worker.run("j1", pid_file)
        self.assertEqual((done["resultKind"], done["error"]), ("json", None))
        self.assertEqual(json.loads(worker.read_result("j1")), "parent returned")
        with open(pid_file) as f:
            grandchild = int(f.read())
        wait_until(lambda: not process_alive(grandchild), what="the job's leftover process to be killed")

    def test_grandchild_in_its_own_session_holding_the_pipes_does_not_delay_done(self):
        worker = self.start(JOBS, "jobs:fork_escapee_and_exit")
        pid_file = os.path.join(self.root, "escapee.pid")
        try:
            done = worker.run("j1", pid_file, timeout=5)
            self.assertEqual((done["exitCode"], done["error"]), (3, "exited with status 3"))
        finally:
            if os.path.exists(pid_file):
                with open(pid_file) as f:
                    os.kill(int(f.read()), signal.SIGKILL)


class LifecycleTest(WorkerTestCase, unittest.TestCase):

    def test_ping_is_answered_while_a_job_runs(self):
        worker = self.start(JOBS, "jobs:sleep")
        worker.start_job("j1", 60)
        worker.send({"type": "ping"})
        worker.expect("pong")
        worker.send({"type": "kill", "job": "j1", "signal": 9})
        worker.expect("done")

    def test_run_while_a_job_runs_is_refused(self):
        worker = self.start(JOBS, "jobs:sleep")
        worker.start_job("j1", 60)
        run = {"type": "run", "job": "j2", "args": [0]}
        run.update(worker.paths("j2"))
        worker.send(run)
        error = worker.expect("error")
        self.assertEqual(error, {"type": "error", "job": "j2", "error": "cannot run job 'j2': job 'j1' is still running"})
        worker.send({"type": "kill", "job": "j1", "signal": 9})
        self.assertEqual(worker.expect("done")["job"], "j1")

    def test_eof_kills_the_running_job_and_exits_0(self):
        worker = self.start(JOBS, "jobs:sleep")
        started = worker.start_job("j1", 60)
        worker.proc.stdin.close()
        self.assertEqual(worker.expect("done")["signal"], 9)
        self.assertEqual(worker.wait(), 0)
        self.assertFalse(process_alive(started["pid"]))

    def test_shutdown_kills_the_running_job_and_exits_0(self):
        worker = self.start(JOBS, "jobs:sleep")
        started = worker.start_job("j1", 60)
        worker.send({"type": "shutdown"})
        self.assertEqual(worker.expect("done")["signal"], 9)
        self.assertEqual(worker.wait(), 0)
        self.assertFalse(process_alive(started["pid"]))

    def test_sigterm_to_the_worker_kills_the_job_tree_and_exits_143(self):
        worker = self.start(JOBS, "jobs:sleep_with_grandchild")
        pid_file = os.path.join(self.root, "grandchild.pid")
        started = worker.start_job("j1", pid_file)
        wait_until(lambda: os.path.exists(pid_file), what="the grandchild to start")
        with open(pid_file) as f:
            grandchild = int(f.read())
        worker.proc.send_signal(signal.SIGTERM)
        self.assertEqual(worker.expect("done")["signal"], 9)
        self.assertEqual(worker.wait(), 143)
        self.assertFalse(process_alive(started["pid"]))
        wait_until(lambda: not process_alive(grandchild), what="the grandchild to die")

    def test_sigterm_as_a_job_starts_still_reports_done_and_exits_143(self):
        for attempt in range(10):  # the worker sends started while it still sets the job up
            worker = self.start(JOBS, "jobs:sleep")
            started = worker.start_job("j%d" % attempt, 60)
            worker.proc.send_signal(signal.SIGTERM)
            self.assertEqual(worker.expect("done")["signal"], 9)
            self.assertEqual(worker.wait(), 143, worker.stderr())
            self.assertFalse(process_alive(started["pid"]))

    @unittest.skipUnless(sys.platform.startswith("linux"), "parent-death signal is Linux-only")
    def test_job_dies_when_the_worker_is_killed(self):
        worker = self.start(JOBS, "jobs:sleep")
        pid_file = os.path.join(self.root, "pid")
        started = worker.start_job("j1", 60, pid_file)
        wait_until(lambda: os.path.exists(pid_file), what="the job to start sleeping")
        worker.proc.send_signal(signal.SIGKILL)
        worker.wait()
        wait_until(lambda: not process_alive(started["pid"]), timeout=TIMEOUT, what="the orphaned job to die")


if __name__ == "__main__":
    unittest.main()
