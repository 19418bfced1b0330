"""Hot reloading: a function's code or layers are host directories, used in place.

Environments of such a function run the directories as they are (Docker bind-mounts the code
read-only at /var/task and the layers at /opt; the process executor runs from them). A runtime
loads the code once, so after a change the warm environments are stale: `HotReloadTracker`
fingerprints a function's live directories when the pool hands out an environment, and a
debounced watcher does the same as soon as a save settles; either retires the environments
when the fingerprint moved. The acquire-time check means the first invoke after a save
always runs the new code, even when the watcher's event is late or missing.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

import structlog
import watchfiles

log = structlog.get_logger(__name__)

# Churn that is not the function's code: version control, dependency trees, bytecode caches
# (the process executor's Python writes __pycache__ into the directory itself).
IGNORED_NAMES = frozenset({".git", ".hg", ".svn", "node_modules", "__pycache__", ".mypy_cache"})

Fingerprint = str


def fingerprint(directory: Path, change_filter: ChangeFilter | None = None) -> Fingerprint:
    """A digest of every file's relative path, mtime (ns) and size, ignoring `IGNORED_NAMES`.

    Files only, so adding an ignored directory (which touches its parent's mtime) does not
    count, while adding, editing, renaming or deleting a file does. With `change_filter`,
    only the files it counts (and its excluded directories are not walked).
    """
    root = str(directory)
    entries: list[str] = []
    stack = [str(directory)]
    while stack:
        current = stack.pop()
        try:
            listing = list(os.scandir(current))
        except OSError:
            continue
        for entry in listing:
            relative = os.path.relpath(entry.path, root).replace(os.sep, "/")
            if change_filter is None and entry.name in IGNORED_NAMES:
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    if change_filter is None or not change_filter.excluded(relative):
                        stack.append(entry.path)
                    continue
                if change_filter is not None and not change_filter.counts(relative):
                    continue
                stat = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            entries.append(f"{entry.path}\0{stat.st_mtime_ns}\0{stat.st_size}")
    entries.sort()
    return hashlib.sha256("\n".join(entries).encode()).hexdigest()


# Globs relative to the watched directory; `**` spans directories, `*` does not.
DEFAULT_INCLUDE = ("**",)
DEFAULT_EXCLUDE = ("node_modules/**", ".git/**", "__pycache__/**")
# How long a burst of saves (an editor writing a temp file, then renaming) is gathered into one.
DEBOUNCE_MS = 100


def _glob_regex(pattern: str) -> re.Pattern[str]:
    parts: list[str] = []
    index = 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            parts.append("(?:.*/)?")
            index += 3
        elif pattern.startswith("**", index):
            parts.append(".*")
            index += 2
        elif pattern[index] == "*":
            parts.append("[^/]*")
            index += 1
        elif pattern[index] == "?":
            parts.append("[^/]")
            index += 1
        else:
            parts.append(re.escape(pattern[index]))
            index += 1
    return re.compile("".join(parts) + r"\Z")


@dataclass(frozen=True)
class ChangeFilter:
    """Which files of a hot-reload directory count as the function's code.

    A path counts when an include glob matches it and no exclude glob matches it or any of
    its trailing parts, so `node_modules/**` also keeps `lib/node_modules/x.js` out.
    """

    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE

    @classmethod
    def parse(cls, include: str | None, exclude: str | None) -> ChangeFilter:
        """From comma-separated globs; None keeps the default."""

        def split(text: str | None, default: tuple[str, ...]) -> tuple[str, ...]:
            if text is None:
                return default
            return tuple(item.strip() for item in text.split(",") if item.strip())

        return cls(split(include, DEFAULT_INCLUDE), split(exclude, DEFAULT_EXCLUDE))

    def counts(self, relative: str) -> bool:
        """Whether a change to `relative` (a POSIX path inside the directory) matters."""
        relative = relative.strip("/")
        if not any(_glob_regex(g).match(relative) for g in self.include):
            return False
        return not self.excluded(relative)

    def excluded(self, relative: str) -> bool:
        """Whether an exclude glob matches `relative` or one of its trailing parts."""
        parts = relative.strip("/").split("/")
        # With a trailing "/" too, so `node_modules/**` also covers the directory itself.
        suffixes = ["/".join(parts[i:]) for i in range(len(parts))]
        suffixes += [f"{p}/" for p in suffixes]
        return any(_glob_regex(g).match(s) for g in self.exclude for s in suffixes)


class DirectoryWatcher:
    """One background `watchfiles` watcher per hot-reload directory, debounced.

    `on_change(directory)` runs on the event loop after a burst of changes that `change_filter`
    counts. The pool's fingerprint check at acquire time stays as the fallback (a missed
    event, or a filesystem that does not report changes, still cannot serve stale code).
    """

    def __init__(
        self,
        on_change: Callable[[Path], None],
        change_filter: ChangeFilter | None = None,
        *,
        debounce_ms: int = DEBOUNCE_MS,
    ) -> None:
        self._on_change = on_change
        self._filter = change_filter or ChangeFilter()
        self._debounce_ms = debounce_ms
        self._stop = asyncio.Event()
        self._tasks: dict[Path, asyncio.Task[None]] = {}

    @property
    def directories(self) -> Iterable[Path]:
        """The directories being watched."""
        return tuple(self._tasks)

    def watch(self, directory: Path) -> None:
        """Start watching `directory` (once; later calls are no-ops)."""
        if directory in self._tasks or self._stop.is_set():
            return
        self._tasks[directory] = asyncio.create_task(self._run(directory))

    async def _run(self, directory: Path) -> None:
        root = str(directory)

        def counts(_change: watchfiles.Change, path: str) -> bool:
            return self._filter.counts(os.path.relpath(path, root).replace(os.sep, "/"))

        try:
            async for changes in watchfiles.awatch(
                directory,
                watch_filter=counts,
                debounce=self._debounce_ms,
                # A burst ends after half the debounce window without a new change.
                step=max(20, self._debounce_ms // 2),
                stop_event=self._stop,
            ):
                log.info("hot reload: files changed", directory=root, count=len(changes))
                self._on_change(directory)
        except (FileNotFoundError, RuntimeError) as error:
            # A removed directory: the acquire-time check reports it to the next invoke.
            log.warning("hot reload: watcher stopped", directory=root, error=str(error))
        finally:
            self._tasks.pop(directory, None)

    async def close(self) -> None:
        """Stop every watcher."""
        self._stop.set()
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*tasks, return_exceptions=True)


def combined_fingerprint(
    directories: Sequence[Path], change_filter: ChangeFilter | None = None
) -> Fingerprint:
    """One fingerprint of several directories, in order."""
    prints = [fingerprint(directory, change_filter) for directory in directories]
    return hashlib.sha256("\n".join(prints).encode()).hexdigest()


Key = TypeVar("Key", bound=Hashable)


class HotReloadTracker(Generic[Key]):
    """Which keys (environment pools) run live directories, and when those went stale.

    `check(key, directories)` runs whenever an environment of `key` is handed out and calls
    `on_stale(key)` when the directories' combined fingerprint moved since the last check;
    a background `DirectoryWatcher` rechecks every key using a directory once a save settles.
    A save therefore retires warm environments without waiting for the next invoke.
    """

    def __init__(
        self,
        on_stale: Callable[[Key], None],
        change_filter: ChangeFilter | None = None,
        *,
        debounce_ms: int = DEBOUNCE_MS,
    ) -> None:
        self._on_stale = on_stale
        self._filter = change_filter or ChangeFilter()
        self._debounce_ms = debounce_ms
        self._directories: dict[Key, tuple[Path, ...]] = {}
        self._fingerprints: dict[Key, Fingerprint] = {}
        # Created on the first check: it needs the running loop.
        self._watcher: DirectoryWatcher | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    async def check(self, key: Key, directories: Sequence[Path]) -> None:
        """Record that `key` runs `directories`; `on_stale(key)` if they changed since."""
        watched = tuple(directories)
        self._directories[key] = watched
        if self._watcher is None:
            self._watcher = DirectoryWatcher(
                self._changed, self._filter, debounce_ms=self._debounce_ms
            )
        for directory in watched:
            self._watcher.watch(directory)
        current = await asyncio.to_thread(combined_fingerprint, watched, self._filter)
        known = self._fingerprints.get(key)
        self._fingerprints[key] = current
        if known is not None and known != current:
            self._on_stale(key)

    def forget(self, key: Key) -> None:
        """Stop tracking `key` (its environments are gone for good)."""
        self._directories.pop(key, None)
        self._fingerprints.pop(key, None)

    def _changed(self, directory: Path) -> None:
        if self._closed:
            return
        keys = [k for k, dirs in self._directories.items() if directory in dirs]
        task = asyncio.create_task(self._recheck(keys))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _recheck(self, keys: list[Key]) -> None:
        # Through the fingerprint, so a change an invoke already picked up (the watcher's
        # event can land after it) does not retire the environment that runs the new code.
        for key in keys:
            directories = self._directories.get(key)
            if directories is not None:
                await self.check(key, directories)

    async def close(self) -> None:
        """Stop watching and rechecking."""
        self._closed = True
        if self._watcher is not None:
            await self._watcher.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
