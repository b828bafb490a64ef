"""Shared set-up of the client's offline tests: a fake server and a client talking to it."""
from __future__ import annotations

import unittest

from spool_client import Client

from .fake_server import FakeSpool


class FakeServerTestCase(unittest.TestCase):
    """Each test gets a fresh fake server (``self.fake``) and a client of it (``self.client``)."""

    def setUp(self) -> None:
        self.fake = FakeSpool().start()
        self.client = Client(url=self.fake.url, user="tester", timeout=10, retries=2)

    def tearDown(self) -> None:
        self.client.close()
        self.fake.stop()
