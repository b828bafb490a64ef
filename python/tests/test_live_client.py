"""The client against a real Spool server: set SPOOL_URL (and optionally SPOOL_USER); these tests fail without it.

One function (``live_jobs.run``, shipped from its file with its module-level class) serves most tests; another,
whose module raises at import, fails its build.
"""
import http.client
import os
import shutil
import socket
import socketserver
import tempfile
import threading
import time
import unittest
import uuid

from spool_client import (BadRequestError, Blob, BuildFailedError, Client, ConflictError, Function, FunctionStatus,
                          InvalidArgumentsError, Job, JobNotSucceededError, JobStatus, NotFoundError)
from spool_client.submission import submit

from . import live_jobs

WAIT = 600


def live_client():
    url = os.environ.get("SPOOL_URL", "").strip()
    if not url:
        raise AssertionError("SPOOL_URL is not set: the live tests need a Spool server (e.g. SPOOL_URL="
                             "http://127.0.0.1:8770/ after 'bin/spool local start')")
    return Client(url=url, user=os.environ.get("SPOOL_USER") or None, timeout=120)


class LossyProxy(socketserver.ThreadingTCPServer):
    """Forwards HTTP requests to the server; the first request whose path contains ``lose`` reaches the server,
    but its reply is thrown away and the connection closed, as a network that fails at the wrong moment would."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, target: str, lose: str) -> None:
        self.target = target
        self.lose = lose
        self.lost = []
        self.forwarded = []
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True).start()

    @property
    def url(self) -> str:
        return "http://127.0.0.1:%d/" % self.server_address[1]


class _ProxyHandler(socketserver.StreamRequestHandler):

    def handle(self) -> None:
        proxy = self.server
        while True:
            line = self.rfile.readline()
            if not line:
                return
            method, target, _ = line.decode().split(" ", 2)
            headers = {}
            while True:
                header = self.rfile.readline().decode()
                if header in ("\r\n", "\n", ""):
                    break
                name, value = header.split(":", 1)
                headers[name.strip()] = value.strip()
            body = self.rfile.read(int(headers.get("Content-Length", "0")))
            host = proxy.target.split("//", 1)[1].rstrip("/")
            conn = http.client.HTTPConnection(host, timeout=120)
            conn.request(method, target, body=body or None,
                         headers={k: v for k, v in headers.items() if k.lower() in ("content-type", "accept")})
            reply = conn.getresponse()
            data = reply.read()
            conn.close()
            proxy.forwarded.append((method, target.split("?")[0]))
            if proxy.lose in target and not proxy.lost:
                proxy.lost.append(target)
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            out = "HTTP/1.1 %d %s\r\n" % (reply.status, reply.reason)
            for name in ("Content-Type",):
                if reply.getheader(name):
                    out += "%s: %s\r\n" % (name, reply.getheader(name))
            out += "Content-Length: %d\r\n\r\n" % len(data)
            self.wfile.write(out.encode() + data)
            self.wfile.flush()


class LiveTest(unittest.TestCase):
    client: Client
    f: Function

    @classmethod
    def setUpClass(cls):
        cls.client = live_client()
        cls.marker_dir = tempfile.mkdtemp(prefix="spool-live-")
        os.chmod(cls.marker_dir, 0o777)
        cls.name = "py-live-" + uuid.uuid4().hex[:8]
        cls.f = Function(live_jobs.run, name=cls.name, memory="256Mi", maximum_concurrency=3, timeout=300,
                         retry_count=1, environment={"LIVE": "1"}, client=cls.client)
        cls.f.save()
        cls.functions = [cls.f]

    @classmethod
    def tearDownClass(cls):
        for f in cls.functions:
            try:
                f.cancel_jobs()
                f.wait_for_completion(timeout=120, progress=False)
                f.delete(delete_results=True)
            except Exception:
                pass
        shutil.rmtree(cls.marker_dir, ignore_errors=True)
        cls.client.close()

    def test_a_call_its_result_and_log(self):
        job = self.f("square", 7)
        self.assertEqual(JobStatus.SUCCESS, job.wait_for_completion(timeout=WAIT, progress=False))
        self.assertEqual(49, job.result())
        self.assertIn("hello: squaring 7", job.log())
        self.assertEqual(1, job.execution_count)
        self.assertEqual(["square", 7], Job.get(job.id, client=self.client).args)
        self.assertIsNotNone(job.runtime)

    def test_map_and_as_completed(self):
        jobs = self.f.map(("square", i) for i in range(30))
        self.assertEqual(30, len({j.id for j in jobs}))
        seen = {}
        for job in self.f.as_completed(jobs, timeout=WAIT, progress=False):
            self.assertEqual(JobStatus.SUCCESS, job.status, job.error_reason)
            seen[job.id] = job.result()
        self.assertEqual({j.id: j.args[1] ** 2 for j in jobs}, seen)

    def test_keyword_arguments_and_environment(self):
        job = self.f.map([("echo", 1)], [{"x": {"y": [1, None]}}])[0]
        job.wait_for_completion(timeout=WAIT, progress=False)
        self.assertEqual({"args": [1], "kwargs": {"x": {"y": [1, None]}}}, job.result())

    def test_a_batch_retried_after_a_lost_reply_creates_no_duplicates(self):
        proxy = LossyProxy(self.client.url, "/batches/")
        self.addCleanup(proxy.server_close)
        self.addCleanup(proxy.shutdown)
        through = Client(url=proxy.url, user=self.client.user, timeout=60)
        self.addCleanup(through.close)
        before = self.f.refresh().job_statistics
        jobs = submit(through, self.f.id, [("square", i) for i in range(5)])
        self.assertEqual(1, len(proxy.lost))
        batch_puts = [t for m, t in proxy.forwarded if m == "PUT" and "/batches/" in t]
        self.assertEqual(2, len(batch_puts))
        self.assertEqual(batch_puts[0], batch_puts[1])
        after = self.f.refresh().job_statistics
        self.assertEqual(5, sum(after.values()) - sum(before.values()))
        self.assertEqual(5, len({j.id for j in jobs}))
        list(self.f.as_completed(jobs, timeout=WAIT, progress=False))

    def test_retries_failures_and_rerun(self):
        key = uuid.uuid4().hex[:6]
        flaky = self.f("flaky", self.marker_dir, key)
        failing = self.f("fail")
        done = {j.id: j for j in self.f.as_completed([flaky, failing], timeout=WAIT, progress=False)}
        self.assertEqual(JobStatus.SUCCESS, done[flaky.id].status)
        self.assertEqual(2, flaky.execution_count)
        self.assertEqual("ok after 2 attempts", flaky.result())
        self.assertEqual(JobStatus.FAILURE, failing.status)
        self.assertIn("ValueError: always fails", failing.error_reason)
        with self.assertRaises(JobNotSucceededError) as caught:
            failing.result()
        self.assertIn("always fails", str(caught.exception))
        with self.assertRaises(ConflictError):
            flaky.rerun()
        self.assertEqual(1, self.f.rerun(self.f.jobs.filter(Job.id == failing.id)))
        self.assertEqual(JobStatus.FAILURE, failing.wait_for_completion(timeout=WAIT, progress=False))
        self.assertGreaterEqual(failing.refresh().execution_count, 3)

    def test_cancel_jobs_and_delete_jobs_with_a_search(self):
        tag = "sleep-" + uuid.uuid4().hex[:6]
        jobs = self.f.map([("sleep", 120)] * 6, tags=[tag])
        mine = self.f.jobs.filter(Job.tags == tag)
        self.assertEqual(6, mine.count())
        asked = self.f.cancel_jobs(mine)
        self.assertEqual(6, asked)
        statuses = {j.status for j in self.f.as_completed(jobs, timeout=WAIT, progress=False)}
        self.assertEqual({JobStatus.CANCELED}, statuses)
        canceled = self.f.jobs.filter(Job.tags == tag).filter(Job.status == JobStatus.CANCELED)
        self.assertEqual(6, self.f.delete_jobs(canceled))
        self.assertEqual(0, mine.count())
        with self.assertRaises(NotFoundError):
            Job.get(jobs[0].id, client=self.client)

    def test_serializable_read_back_with_cast_type(self):
        job = self.f("pair", 20)
        job.wait_for_completion(timeout=WAIT, progress=False)
        pair = job.result(cast_type=live_jobs.Pair)
        self.assertEqual((20, 21), (pair.a, pair.b))
        self.assertEqual(b"20,21", job.result())
        self.assertTrue(job.result_blob().serializer.endswith("Pair"))

    def test_compute_result_found_through_the_blob_search(self):
        tag = "tag-" + uuid.uuid4().hex[:6]
        jobs = self.f.map([("tagged", tag, 1), ("tagged", tag, 2)])
        list(self.f.as_completed(jobs, timeout=WAIT, progress=False))
        blob = jobs[0].result_blob()
        self.assertEqual([tag], blob.tags)
        self.assertEqual("tagged 1", blob.description)
        self.assertEqual({"n": 1}, blob.value())
        found = Blob.search(client=self.client).filter(Blob.tags == tag).filter(
            Blob.name.prefix(self.f.id + "/")).collect()
        self.assertEqual(sorted(j.id for j in jobs), sorted(b.job_id for b in found))

    def test_attribute_updates_and_searches(self):
        self.f.maximum_concurrency = 4
        self.f.save()
        again = Function.get(self.f.id, client=self.client)
        self.assertEqual(4, again.maximum_concurrency)
        self.assertEqual(256, again.memory)
        self.assertEqual({"LIVE": "1"}, again.environment)
        named = Function.search(client=self.client).filter(Function.name == self.name).collect()
        self.assertEqual([self.f.id], [f.id for f in named])
        with self.assertRaises(AttributeError):
            again.image = "python3.0"

    def test_bad_attributes_name_the_field(self):
        with self.assertRaises(BadRequestError) as caught:
            Function(live_jobs.run, memory="lots", client=self.client).save()
        self.assertEqual("memory", caught.exception.field)
        self.f.timeout = 0
        try:
            with self.assertRaises(BadRequestError) as caught:
                self.f.save()
            self.assertEqual("timeout", caught.exception.field)
        finally:
            self.f.refresh()

    def test_unknown_ids(self):
        with self.assertRaises(NotFoundError):
            Function.get("nosuchfunction", client=self.client)
        with self.assertRaises(NotFoundError):
            Job.get(self.f.id + "-999999", client=self.client)

    def test_non_json_arguments_are_refused_before_sending(self):
        before = self.f.refresh().job_statistics
        for bad in (float("nan"), {1: "a"}):
            with self.assertRaises(InvalidArgumentsError):
                self.f("echo", bad)
        self.assertEqual(before, self.f.refresh().job_statistics)

    def test_a_failed_build_points_at_the_build_log(self):
        missing = "spool-no-such-package-%s" % uuid.uuid4().hex[:6]
        broken = Function(live_jobs.run, name="py-live-broken", memory="256Mi", requirements=[missing + "==1.0"],
                          client=self.client)
        broken.save()
        self.functions.append(broken)
        job = broken("square", 2)
        deadline = time.monotonic() + WAIT
        while not JobStatus(job.refresh().status).is_terminal and time.monotonic() < deadline:
            time.sleep(0.5)
        # submitted while the function built: it ends FAILURE with the build's reason, without running
        self.assertEqual(JobStatus.FAILURE, job.status)
        self.assertTrue(job.error_reason.startswith("the function's build failed: "), job.error_reason)
        self.assertEqual(FunctionStatus.BUILD_FAILED, broken.refresh().status)
        self.assertIn(missing, broken.build_log())
        # the wait tells the truth: the job ended, as a failure
        counts = broken.wait_for_completion(timeout=WAIT, progress=False)
        self.assertEqual(1, counts.get("FAILURE"))
        self.assertEqual(0, counts.get("PENDING", 0))
        # and the function takes no more jobs
        with self.assertRaises(BuildFailedError) as caught:
            broken("square", 3)
        self.assertIn("build_log()", str(caught.exception))
        self.assertIn(broken.id, str(caught.exception))
        with self.assertRaises(BuildFailedError):
            job.rerun()
        with self.assertRaises(BuildFailedError):
            broken.rerun()
        self.assertEqual({"FAILURE": 1}, {k: v for k, v in broken.refresh().job_statistics.items() if v})

    def test_function_wait_and_results(self):
        jobs = self.f.map(("square", i) for i in range(3))
        counts = self.f.wait_for_completion(timeout=WAIT, progress=False)
        self.assertEqual(0, counts.get("PENDING", 0) + counts.get("RUNNING", 0))
        values = [j.result() for j in jobs]
        self.assertEqual([0, 1, 4], values)
        self.assertTrue(set(values) <= set(v for v in self.f.iter_results() if isinstance(v, int)))


if __name__ == "__main__":
    unittest.main()
