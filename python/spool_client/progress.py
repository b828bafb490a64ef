"""The progress bar shown while waiting for jobs: one updated line in a terminal, a live output in a notebook."""
from __future__ import annotations

import html
import sys
import time
from typing import Any, Mapping, Optional, TextIO

WIDTH = 30
MIN_INTERVAL = 0.2


def in_notebook() -> bool:
    """Whether this runs in a Jupyter (IPython kernel) session, where output is rich rather than a terminal."""
    ipython = sys.modules.get("IPython")
    if ipython is None or "ipykernel" not in sys.modules:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:
        return False
    return shell is not None and hasattr(shell, "kernel")


def is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def render(title: str, done: int, total: Optional[int], counts: Mapping[str, int], elapsed: float) -> str:
    """One line: the bar, ``done/total``, the non-zero counts and the time waited (``[####....] 3/8 ...``)."""
    if total:
        filled = min(WIDTH, int(WIDTH * done / total))
        bar = "[" + "#" * filled + "." * (WIDTH - filled) + "] %d/%d" % (done, total)
    else:
        bar = "%d done" % done
    shown = "  ".join("%s %d" % (name, n) for name, n in counts.items() if n)
    minutes, seconds = divmod(int(elapsed), 60)
    return "%s %s%s  %d:%02d" % (title, bar, "  " + shown if shown else "", minutes, seconds)


class Progress:
    """Shows how many of the jobs waited on are done, with counts per status.

    ``enabled``: None shows it only in a terminal (``stream`` is a tty) or a notebook; True always; False never.
    """

    def __init__(self, title: str, total: Optional[int] = None, enabled: Optional[bool] = None,
                 stream: Optional[TextIO] = None) -> None:
        self.title = title
        self.total = total
        self._stream = stream if stream is not None else sys.stderr
        self._notebook = enabled is not False and stream is None and in_notebook()
        self._terminal = not self._notebook and (enabled is True or (enabled is None and is_terminal(self._stream)))
        self._started = time.monotonic()
        self._last_draw = 0.0
        self._handle: Any = None
        self._width = 0
        self._state: tuple = (0, total, {})

    @property
    def enabled(self) -> bool:
        return self._notebook or self._terminal

    def update(self, done: int, counts: Optional[Mapping[str, int]] = None, total: Optional[int] = None,
               force: bool = False) -> None:
        """Records progress; redraws at most every MIN_INTERVAL seconds unless ``force``."""
        if total is not None:
            self.total = total
        self._state = (done, self.total, dict(counts or {}))
        now = time.monotonic()
        if self.enabled and (force or now - self._last_draw >= MIN_INTERVAL):
            self._last_draw = now
            self._draw(render(self.title, done, self.total, self._state[2], now - self._started))

    def note(self, text: str) -> None:
        """Shows a line below the bar (e.g. what Ctrl-C canceled); shown even where the bar is not."""
        self.close()
        if self._notebook:
            self._display({"text/plain": text})
        else:
            self._stream.write(text + "\n")
            self._stream.flush()

    def close(self) -> None:
        """Draws the last state and ends the line (if anything was drawn)."""
        if not self.enabled or self._width <= 0 and self._handle is None:
            self._width = -1
            return
        done, total, counts = self._state
        self._draw(render(self.title, done, total, counts, time.monotonic() - self._started))
        if self._terminal:
            self._stream.write("\n")
            self._stream.flush()
        self._width = -1

    def __enter__(self) -> "Progress":
        self.update(0, force=True)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _draw(self, line: str) -> None:
        if self._width < 0:
            return
        if self._terminal:
            padding = " " * max(0, self._width - len(line))
            self._stream.write("\r" + line + padding)
            self._stream.flush()
            self._width = len(line)
            return
        done, total, _ = self._state
        bar = '<progress value="%d" max="%d" style="width: 20em"></progress> ' % (done, total) if total else ""
        data = {"text/plain": line, "text/html": "<div>%s<code>%s</code></div>" % (bar, html.escape(line))}
        if self._handle is None:
            self._handle = self._display(data, new=True)
        else:
            self._handle.update(data, raw=True)
        self._width = max(self._width, 0)

    def _display(self, data: Mapping[str, str], new: bool = False) -> Any:
        from IPython.display import display  # only imported where a notebook runs it

        return display(dict(data), raw=True, display_id=True if new else None)
