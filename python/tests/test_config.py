"""The server's URL and the user: from arguments, the environment, or the embedded cluster's configuration."""
import os
import tempfile
import unittest

from spool_client import ConfigurationError
from spool_client.config import server_token, server_url, site_file, user_name

SITE = """<?xml version="1.0"?>
<configuration>
  <property><name>fs.defaultFS</name><value>hdfs://localhost:9000</value></property>
  <property><name>spool.server.url</name><value>%s</value></property>
</configuration>
"""


class ServerUrlTest(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)

    def write_site(self, directory, url):
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, "spool-site.xml"), "w") as f:
            f.write(SITE % url)

    def test_the_argument_wins(self):
        env = {"SPOOL_URL": "http://env:1/"}
        self.assertEqual("http://arg:2/", server_url("http://arg:2", env))

    def test_the_environment_comes_next(self):
        self.assertEqual("http://env:1/", server_url(None, {"SPOOL_URL": "http://env:1"}))
        self.assertEqual("http://host:8770/", server_url(None, {"SPOOL_URL": "host:8770"}))

    def test_the_conf_dir_site_file(self):
        conf = os.path.join(self.dir.name, "conf")
        self.write_site(conf, "http://127.0.0.1:8771/")
        self.assertEqual("http://127.0.0.1:8771/", server_url(None, {"SPOOL_CONF_DIR": conf}))

    def test_the_home_site_file_that_bin_spool_local_start_writes(self):
        self.write_site(os.path.join(self.dir.name, ".spool", "conf"), "http://127.0.0.1:8770/")
        home = os.environ.get("HOME")
        os.environ["HOME"] = self.dir.name
        try:
            self.assertEqual(os.path.join(self.dir.name, ".spool", "conf", "spool-site.xml"), site_file({}))
            self.assertEqual("http://127.0.0.1:8770/", server_url(None, {}))
        finally:
            if home is None:
                del os.environ["HOME"]
            else:
                os.environ["HOME"] = home

    def test_no_url_anywhere_says_how_to_set_one(self):
        with self.assertRaises(ConfigurationError) as caught:
            server_url(None, {"SPOOL_CONF_DIR": os.path.join(self.dir.name, "none")})
        message = str(caught.exception)
        self.assertIn("SPOOL_URL", message)
        self.assertIn("bin/spool local start", message)
        self.assertIn("url=", message)

    def test_an_empty_property_counts_as_absent(self):
        conf = os.path.join(self.dir.name, "conf")
        self.write_site(conf, "")
        with self.assertRaises(ConfigurationError):
            server_url(None, {"SPOOL_CONF_DIR": conf})

    def test_a_broken_site_file_is_named(self):
        conf = os.path.join(self.dir.name, "conf")
        os.makedirs(conf)
        with open(os.path.join(conf, "spool-site.xml"), "w") as f:
            f.write("<configuration><property>")
        with self.assertRaises(ConfigurationError) as caught:
            server_url(None, {"SPOOL_CONF_DIR": conf})
        self.assertIn("spool-site.xml", str(caught.exception))

    def test_other_schemes_are_refused(self):
        with self.assertRaises(ConfigurationError):
            server_url("ftp://host/", {})


class UserTest(unittest.TestCase):

    def test_order(self):
        self.assertEqual("a", user_name("a", {"SPOOL_USER": "b"}))
        self.assertEqual("b", user_name(None, {"SPOOL_USER": "b", "HADOOP_USER_NAME": "c"}))
        self.assertEqual("c", user_name(None, {"HADOOP_USER_NAME": "c"}))
        self.assertTrue(user_name(None, {}))


if __name__ == "__main__":
    unittest.main()


class ServerTokenTest(unittest.TestCase):
    """The session token of ``spool login``: given, else from the environment, else from its file, else none."""

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)
        self.file = os.path.join(self.dir.name, "server-token")

    def test_the_argument_then_the_environment_then_the_file(self):
        with open(self.file, "w") as f:
            f.write("from-file\n")
        env = {"SPOOL_SERVER_TOKEN": "from-env"}
        self.assertEqual("given", server_token("given", env, self.file))
        self.assertEqual("from-env", server_token(None, env, self.file))
        self.assertEqual("from-file", server_token(None, {}, self.file))

    def test_no_token_anywhere_is_none(self):
        self.assertIsNone(server_token(None, {}, self.file))

