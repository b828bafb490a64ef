"""The transport: the user on every request, errors as exceptions naming the problem, retries where safe."""
import socket
import time
import unittest

from spool_client import (BadRequestError, Client, ConflictError, ConnectionFailedError, Function, Job,
                          LimitExceededError, NotFoundError, PermissionDeniedError, ServerError)
from spool_client._http import Response, error_of

from .support import FakeServerTestCase


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TransportTest(FakeServerTestCase):

    def test_every_request_names_the_user(self):
        fid = self.fake.add_function()
        Function.get(fid, client=self.client)
        method, path, query = self.fake.requests[-1]
        self.assertEqual(("GET", "/api/v1/functions/" + fid), (method, path))
        self.assertEqual(["tester"], query["user.name"])

    def test_an_unknown_id_is_a_not_found_error(self):
        with self.assertRaises(NotFoundError) as caught:
            Function.get("nosuch", client=self.client)
        self.assertIn("no function with id 'nosuch'", str(caught.exception))
        self.assertEqual(404, caught.exception.status)
        with self.assertRaises(LookupError):
            Job.get("nosuch-1", client=self.client)

    def test_a_bad_attribute_names_the_field_in_python_terms(self):
        fid = self.fake.add_function()
        f = Function.get(fid, client=self.client)
        f.timeout = 0
        with self.assertRaises(BadRequestError) as caught:
            f.save()
        self.assertEqual("timeout", caught.exception.field)
        self.assertIn("invalid timeout", str(caught.exception))
        self.assertIsInstance(caught.exception, ValueError)

    def test_camel_case_fields_become_snake_case(self):
        e = error_of(Response(400, "application/json", b'{"error": {"status": 400, "reason": "bad_request", '
                                                        b'"message": "must be a whole number", '
                                                        b'"field": "maximumConcurrency"}}'), "POST", "functions")
        self.assertIsInstance(e, BadRequestError)
        self.assertEqual("maximum_concurrency", e.field)
        self.assertEqual("maximumConcurrency", e.api_field)
        self.assertIn("invalid maximum_concurrency: must be a whole number", str(e))

    def test_statuses_map_to_exceptions(self):
        for status, cls in ((403, PermissionDeniedError), (409, ConflictError), (429, LimitExceededError),
                           (500, ServerError)):
            e = error_of(Response(status, "application/json", b'{"error": {"message": "no"}}'), "GET", "x")
            self.assertIsInstance(e, cls)
            self.assertEqual("no", str(e))
        html = error_of(Response(502, "text/html", b"<html>Bad gateway</html>"), "GET", "x")
        self.assertIn("Bad gateway", str(html))

    def test_a_refused_transition_is_a_conflict(self):
        fid = self.fake.add_function()
        f = Function.get(fid, client=self.client)
        job = f(1)
        self.fake.end_jobs([job.id], "SUCCESS", result=1)
        with self.assertRaises(ConflictError) as caught:
            job.rerun()
        self.assertIn("only FAILURE, TIMEOUT and CANCELED", str(caught.exception))

    def test_a_lost_reply_of_a_get_is_retried(self):
        fid = self.fake.add_function()
        self.fake.drop_reply["/api/v1/functions/" + fid] = 1
        self.assertEqual(fid, Function.get(fid, client=self.client).id)
        self.assertEqual(2, len(self.fake.calls("GET", "/api/v1/functions/" + fid)))

    def test_not_a_spool_server(self):
        self.fake.fail_path["/api/v1/functions/x"] = (404, "nothing here", None)
        with self.assertRaises(NotFoundError):
            Function.get("x", client=self.client)


class UnreachableTest(unittest.TestCase):

    def test_an_unreachable_server_says_so_and_how_to_fix_it(self):
        client = Client(url="http://127.0.0.1:%d/" % free_port(), user="u", retries=1)
        started = time.monotonic()
        with self.assertRaises(ConnectionFailedError) as caught:
            Function.get("abc", client=client)
        message = str(caught.exception)
        self.assertIn("cannot reach the Spool server at http://127.0.0.1", message)
        self.assertIn("bin/spool local start", message)
        self.assertIn("SPOOL_URL", message)
        self.assertIsInstance(caught.exception, ConnectionError)
        self.assertLess(time.monotonic() - started, 10)

    def test_a_url_path_prefix_is_kept(self):
        client = Client(url="http://rm:8088/proxy/application_1/", user="u")
        self.assertTrue(client.target("functions").startswith("/proxy/application_1/api/v1/functions?"))
        self.assertIn("user.name=u", client.target("functions", {"ids": "a-1,a-2", "x": None, "b": True}))
        self.assertIn("ids=a-1,a-2", client.target("functions", {"ids": "a-1,a-2"}))


if __name__ == "__main__":
    unittest.main()


class TokenTest(unittest.TestCase):
    """The session token of ``spool login`` goes with every request, as the cookie Hadoop's filter reads."""

    def test_the_token_is_sent_as_the_authentication_cookie(self):
        from .fake_server import FakeSpool
        fake = FakeSpool().start()
        client = Client(url=fake.url, user="tester", token="u=alice&t=kerberos&s=abc")
        try:
            fid = fake.add_function()
            Function.get(fid, client=client)
            self.assertEqual('hadoop.auth="u=alice&t=kerberos&s=abc"', fake.cookies[-1])
        finally:
            client.close()
            fake.stop()
