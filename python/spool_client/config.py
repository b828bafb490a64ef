"""Where the Spool server is and whom requests act for: arguments, environment, or the cluster's client configuration.

The server's URL is, in order: the ``url`` given, the environment variable ``SPOOL_URL``, or the property
``spool.server.url`` of ``spool-site.xml`` in ``$SPOOL_CONF_DIR`` (when set) else in ``~/.spool/conf`` — the file
``bin/spool local start`` writes, so that on a laptop the client works with no set-up once the embedded cluster
runs. The user is the ``user`` given, else ``SPOOL_USER``, else ``HADOOP_USER_NAME``, else the local OS user.

On a cluster with Kerberos the server authenticates with SPNEGO, which the standard library cannot do: run
``spool login`` (with a Kerberos ticket) and the client sends the session token it kept, from
``~/.spool/server-token`` or the environment variable ``SPOOL_SERVER_TOKEN``.
"""
from __future__ import annotations

import getpass
import os
import xml.etree.ElementTree as ElementTree
from typing import Mapping, Optional

from .exceptions import ConfigurationError

URL_ENV = "SPOOL_URL"
USER_ENV = "SPOOL_USER"
CONF_DIR_ENV = "SPOOL_CONF_DIR"
SITE_FILE = "spool-site.xml"
URL_PROPERTY = "spool.server.url"
TOKEN_ENV = "SPOOL_SERVER_TOKEN"
TOKEN_FILE = os.path.join("~", ".spool", "server-token")


def site_file(environ: Optional[Mapping[str, str]] = None) -> str:
    """The path of the ``spool-site.xml`` a client reads: in ``$SPOOL_CONF_DIR`` if set, else ``~/.spool/conf``."""
    env = os.environ if environ is None else environ
    directory = env.get(CONF_DIR_ENV, "").strip()
    if not directory:
        directory = os.path.join(os.path.expanduser("~"), ".spool", "conf")
    return os.path.join(directory, SITE_FILE)


def read_property(path: str, name: str) -> Optional[str]:
    """The value of a property of a Hadoop XML configuration file; None if the file or the property is absent.

    The last definition wins, as in Hadoop; an empty value counts as absent.
    """
    if not os.path.isfile(path):
        return None
    try:
        root = ElementTree.parse(path).getroot()
    except (ElementTree.ParseError, OSError) as e:
        raise ConfigurationError("cannot read the Spool client configuration %s: %s" % (path, e)) from e
    value = None
    for prop in root.iter("property"):
        if (prop.findtext("name") or "").strip() == name:
            value = (prop.findtext("value") or "").strip() or None
    return value


def server_url(url: Optional[str] = None, environ: Optional[Mapping[str, str]] = None) -> str:
    """The Spool server's base URL (``http://host:port/``), from ``url``, ``SPOOL_URL`` or the client configuration.

    Raises ConfigurationError saying how to set it when none of them names one.
    """
    env = os.environ if environ is None else environ
    chosen = (url or "").strip() or env.get(URL_ENV, "").strip()
    if not chosen:
        path = site_file(env)
        chosen = read_property(path, URL_PROPERTY) or ""
        if not chosen:
            raise ConfigurationError(
                "no Spool server to talk to: pass url=... (spool_client.configure(url=...) or Client(url=...)), "
                "set the environment variable %s=http://HOST:PORT/, or start the embedded cluster with "
                "'bin/spool local start' (it writes %s to %s)" % (URL_ENV, URL_PROPERTY, path))
    if "://" not in chosen:
        chosen = "http://" + chosen
    if not chosen.startswith(("http://", "https://")):
        raise ConfigurationError("the Spool server URL %r must start with http:// or https://" % chosen)
    return chosen if chosen.endswith("/") else chosen + "/"


def server_token(token: Optional[str] = None, environ: Optional[Mapping[str, str]] = None,
                 path: Optional[str] = None) -> Optional[str]:
    """The session token of ``spool login``: ``token``, else ``SPOOL_SERVER_TOKEN``, else the token file; or None."""
    env = os.environ if environ is None else environ
    for candidate in (token, env.get(TOKEN_ENV)):
        if candidate and candidate.strip():
            return candidate.strip()
    try:
        with open(os.path.expanduser(path or TOKEN_FILE), encoding="utf-8") as f:
            stored = f.read().strip()
    except OSError:
        return None
    return stored or None


def user_name(user: Optional[str] = None, environ: Optional[Mapping[str, str]] = None) -> str:
    """The user requests act for: ``user``, else ``SPOOL_USER``, else ``HADOOP_USER_NAME``, else the OS user."""
    env = os.environ if environ is None else environ
    for candidate in (user, env.get(USER_ENV), env.get("HADOOP_USER_NAME")):
        if candidate and candidate.strip():
            return candidate.strip()
    return getpass.getuser()
