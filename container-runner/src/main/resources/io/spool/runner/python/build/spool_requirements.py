"""What the build needs from a requirements file and from pip's installation report.

The dry run reads the user's requirements file itself (``-r FILE``), so every pip feature keeps
working there. The ``--target`` install that follows gets a generated file instead: the pins from
the dry run's report, preceded by the user's own option lines (index URLs, find-links, ``--pre``,
binary choices, trusted hosts), copied verbatim so that ``${VAR}`` references are still expanded by
pip and never appear in the log. Lines are read the way pip reads them: ``\\`` continues a line,
`` #`` starts a comment, ``-r``/``-c`` include other files (relative to the including file).
"""
import os
import re
import shlex
from typing import Any, Dict, List, NamedTuple, Optional, Set

# Options that change where pip looks or what it accepts; forwarded to the --target install.
INDEX_OPTIONS = {"-i": "--index-url", "--index-url": "--index-url", "--extra-index-url": "--extra-index-url",
                 "-f": "--find-links", "--find-links": "--find-links", "--no-index": "--no-index",
                 "--trusted-host": "--trusted-host"}
CHOICE_OPTIONS = {"--pre", "--no-binary", "--only-binary", "--prefer-binary", "--use-feature", "--require-hashes"}
_INCLUDES = {"-r": "requirement", "--requirement": "requirement", "-c": "constraint", "--constraint": "constraint"}
_EDITABLE = {"-e", "--editable"}
_COMMENT = re.compile(r"(^|\s+)#.*$")
_ENV_VAR = re.compile(r"\$\{([A-Z0-9_]+)\}")


class RequirementsError(Exception):
    """The requirements file cannot be read; the message names it."""


class Requirements(NamedTuple):
    has_requirements: bool    # at least one requirement (or an include that may hold some)
    option_lines: List[str]   # the user's global option lines, ready for a generated file
    index_lines: List[str]    # the subset that says where to look (for installing build tools)
    uses_hashes: bool         # the file uses --hash or --require-hashes
    remote_includes: List[str]  # -r/-c URLs, whose option lines are not forwarded


def logical_lines(text: str) -> List[str]:
    """The file's lines with continuations joined, comments and blank lines dropped."""
    lines: List[str] = []
    pending = ""
    for raw in text.splitlines():
        if raw.endswith("\\") and not _COMMENT.match(raw):
            pending += raw[:-1]
            continue
        line = _COMMENT.sub("", pending + raw).strip()
        pending = ""
        if line:
            lines.append(line)
    tail = _COMMENT.sub("", pending).strip()
    if tail:
        lines.append(tail)
    return lines


def _option_name(line: str) -> str:
    head = line.split(None, 1)[0]
    if head.startswith("--"):
        return head.split("=", 1)[0]
    return head[:2]


def _option_value(line: str, name: str) -> str:
    """The value of an option line such as ``-f dir``, ``-fdir``, ``--find-links=dir``."""
    tokens = shlex.split(line)
    head = tokens[0]
    if head.startswith("--") and "=" in head:
        return head.split("=", 1)[1]
    if not head.startswith("--") and len(head) > 2:
        return head[2:]
    if len(tokens) < 2:
        raise RequirementsError("option %s needs a value" % name)
    return tokens[1]


def _expand(value: str) -> str:
    return _ENV_VAR.sub(lambda m: os.environ.get(m.group(1), m.group(0)), value)


def _is_url(value: str) -> bool:
    return "://" in value


def _relative_to(path: str, filename: str) -> str:
    """Resolves ``path`` as pip does for paths inside the requirements file ``filename``."""
    if _is_url(path) or os.path.isabs(path):
        return path
    return os.path.join(os.path.dirname(os.path.abspath(filename)), path)


def read_requirements(filename: str) -> Requirements:
    """Reads ``filename`` and the files it includes."""
    found = {"requirements": False, "hashes": False}
    option_lines: List[str] = []
    index_lines: List[str] = []
    remote: List[str] = []
    seen: Set[str] = set()

    def read(name: str, constraints: bool) -> None:
        real = os.path.realpath(name)
        if real in seen:
            return
        seen.add(real)
        try:
            with open(name, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            raise RequirementsError("cannot read requirements file %s: %s" % (name, e.strerror or e)) from e
        for line in logical_lines(text):
            if "--hash" in line or line.startswith("--require-hashes"):
                found["hashes"] = True
            if not line.startswith("-"):
                found["requirements"] = found["requirements"] or not constraints
                continue
            option = _option_name(line)
            if option in _EDITABLE:
                found["requirements"] = found["requirements"] or not constraints
            elif option in _INCLUDES:
                included = _expand(_option_value(line, option))
                nested_constraints = constraints or _INCLUDES[option] == "constraint"
                if _is_url(included):
                    remote.append(included)
                    found["requirements"] = found["requirements"] or not nested_constraints
                else:
                    read(_relative_to(included, name), nested_constraints)
            elif option in INDEX_OPTIONS or option in CHOICE_OPTIONS:
                if INDEX_OPTIONS.get(option) == "--find-links":
                    line = _absolute_find_links(line, option, name)
                option_lines.append(line)
                if option in INDEX_OPTIONS:
                    index_lines.append(line)

    read(filename, False)
    return Requirements(found["requirements"], option_lines, index_lines, found["hashes"], remote)


def _absolute_find_links(line: str, option: str, filename: str) -> str:
    """A find-links line whose relative path, like pip's, means the requirements file's directory."""
    value = _option_value(line, option)
    candidate = _relative_to(_expand(value), filename)
    if candidate != _expand(value) and os.path.exists(candidate):
        return "--find-links %s" % shlex.quote(os.path.abspath(candidate))
    return line


class Pin(NamedTuple):
    name: str
    version: str
    line: str  # a requirements-file line that installs exactly this distribution

    @property
    def label(self) -> str:
        return "%s==%s" % (self.name, self.version)


def pins_from_report(report: Dict[str, Any], with_hashes: bool) -> List[Pin]:
    """One pin per distribution that pip's dry run would install (its ``--report``, format 1)."""
    pins: List[Pin] = []
    for item in report.get("install", []):
        metadata = item["metadata"]
        name, version = metadata["name"], metadata["version"]
        info = item.get("download_info") or {}
        if item.get("is_direct"):
            line = "%s @ %s" % (name, _direct_url(info))
        else:
            line = "%s==%s" % (name, version)
        if with_hashes:
            line += "".join(" --hash=%s:%s" % pair for pair in sorted(_hashes(info).items()))
        pins.append(Pin(name, version, line))
    return pins


def _direct_url(info: Dict[str, Any]) -> str:
    url = info["url"]
    vcs = info.get("vcs_info")
    if vcs:
        url = "%s+%s@%s" % (vcs["vcs"], url, vcs["commit_id"])
    subdirectory = info.get("subdirectory")
    if subdirectory:
        url += "#subdirectory=%s" % subdirectory
    return url


def _hashes(info: Dict[str, Any]) -> Dict[str, str]:
    archive = info.get("archive_info") or {}
    hashes = dict(archive.get("hashes") or {})
    legacy: Optional[str] = archive.get("hash")
    if not hashes and legacy and "=" in legacy:
        algorithm, value = legacy.split("=", 1)
        hashes[algorithm] = value
    return hashes


def pinned_requirements(requirements: Requirements, pins: List[Pin]) -> str:
    """The text of the generated requirements file for the ``--target`` install."""
    return "".join(line + "\n" for line in requirements.option_lines + [pin.line for pin in pins])
