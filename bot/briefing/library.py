"""The briefing library: every briefing in the configured folder, kept current and indexed.

Reloading is incremental (only files whose modification time or size changed are read again),
and a file that turns broken keeps serving its last good version while its error is reported.
Whatever else a folder holds (symlink loops, dangling links, pipes, sockets, devices, folders
named like briefings) is an error of that entry alone; every other file is served.

When two files claim one id, the file that holds it on air keeps it; among newcomers the file
modified longest ago wins, then the first by path. A copy of a file therefore never displaces
the original, whatever its name.
"""

from __future__ import annotations

import bisect
import contextlib
import difflib
import errno
import functools
import gc
import json
import logging
import os
import stat as stat_module
import threading
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path

from bot.briefing.index_store import BriefingIndex, IndexedFile, Person, content_digest
from bot.briefing.loader import BriefingError, BriefingFileError, file_kind, read_briefing
from bot.briefing.models import Briefing, Quote
from bot.briefing.parallel import MIN_FILES as MIN_PARALLEL_FILES
from bot.briefing.parallel import Prefetch, worker_count
from bot.briefing.render import Listing
from bot.briefing.search import Search, SearchIndex
from bot.briefing.shelf import BriefingShelf, pack
from bot.briefing.textnorm import words

SUFFIXES = (".yaml", ".yml")

log = logging.getLogger(__name__)


@dataclass
class _FileState:
    path: Path
    mtime_ns: int
    size: int
    briefing_id: str | None = None  # of the last good version, which may still serve
    packed: bytes | None = None
    errors: list[BriefingError] = field(default_factory=list)
    digest: bytes | None = None  # of the bytes last parsed


class LoadStopped(Exception):
    """A reload gave up because `stop_loading` was called."""


@dataclass
class ReloadReport:
    """What one reload changed, by briefing id, and the errors it found that were not known."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[BriefingError] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        """Whether any briefing was added, changed or removed."""
        return bool(self.added or self.changed or self.removed)


# Query words this long also match inside a word of a name ("ron" in "Macron"); shorter ones
# only at the start of a word, or "an" would match half of all names.
MIN_INSIDE = 3


def speaker_rank(query: str, quote: Quote) -> int:
    """How well `query` names the quote's speaker (or role): 2, 1, or 0 for not at all.

    2: every word of `query` starts a word of the speaker or role ("macron", "Emmanuel Mac").
    1: every word of `query` starts or, when at least `MIN_INSIDE` long, is inside such a word
    ("ron" in "Macron"). Case- and accent-insensitive.
    """
    wanted = words(query)
    if not wanted:
        return 0
    have = _name_words(quote.speaker, quote.role)
    if all(any(w.startswith(q) for w in have) for q in wanted):
        return 2
    inside = all(
        any(w.startswith(q) or (len(q) >= MIN_INSIDE and q in w) for w in have) for q in wanted
    )
    return 1 if inside else 0


def speaker_matches(query: str, quote: Quote) -> bool:
    """Whether `query` names the quote's speaker or role; see `speaker_rank`.

    Case- and accent-insensitive, so "macron", "Emmanuel Mac", "antonio" and "ron" all match.
    """
    return speaker_rank(query, quote) > 0


@functools.lru_cache(maxsize=16_384)
def _name_words(speaker: str, role: str | None) -> tuple[str, ...]:
    # The same few hundred speakers and roles recur across thousands of quotes.
    return tuple(words(speaker) + words(role or ""))


class BriefingLibrary:
    """Briefings loaded from folders and files, with the lookups the bot needs.

    With a persistent index (`BriefingIndex`), the first reload installs what the index
    remembers and parses only the files whose size, modification time or content changed
    since; every reload after that writes what it changed back to the index.
    """

    def __init__(
        self, sources: Sequence[Path], index: BriefingIndex | None = None, *, lookups: bool = True
    ) -> None:
        """A library of `sources`, remembered in `index` if given.

        With `lookups=False` no search or speaker index is built (`search` and the speaker
        lookups find nothing): for checking files, which needs only errors and ids, in much
        less memory. It cannot be combined with `index`.
        """
        if index is not None and not lookups:
            raise ValueError("a persistent index needs the lookups")
        self._lookups = lookups
        self._sources = [Path(s) for s in sources]
        self._store = index
        self._restored = index is None
        self._dirty: set[str] = set()
        self._lock = threading.Lock()
        self._loaded = threading.Event()
        self._stopping = threading.Event()
        self._prefetch: Prefetch | None = None
        self._empty()

    def _empty(self) -> None:
        self._files: dict[str, _FileState] = {}
        self._shelf = BriefingShelf()
        self._owner: dict[str, Path] = {}
        self._id_lines: dict[str, int | None] = {}  # where each owner writes its id
        self._sort_keys: dict[str, tuple[float, str]] = {}
        self._newest: list[tuple[float, str]] = []
        self._index: Search = (
            self._store.search_index() if self._store is not None else SearchIndex()
        )
        self._scan_errors: list[BriefingError] = []
        # What search results list of each briefing, with the packed form it was made from.
        self._listings: dict[str, tuple[bytes, Listing]] = {}
        # The speaker index: each distinct (speaker, role) is a person, numbered once; each
        # briefing lists the person of each of its quotes, so finding someone's quotes across
        # the archive never unpacks a briefing.
        self._person_ids: dict[Person, int] = {}
        self._persons: list[Person] = []
        self._word_persons: dict[str, set[int]] = defaultdict(set)
        self._person_briefings: dict[int, set[str]] = defaultdict(set)
        self._quote_people: dict[str, tuple[int, ...]] = {}

    # -- loading ---------------------------------------------------------------------------

    def reload(self) -> ReloadReport:
        """Bring the library up to date with the files on disk."""
        return self._batch(self._reload)

    def reload_paths(self, paths: Iterable[str | Path]) -> ReloadReport:
        """Bring only these files up to date (each added, changed or removed); others are ignored.

        For file-change notifications: a path that is not a briefing file of one of the
        library's sources is skipped.
        """
        keys = [key for key in map(self._key_of, paths) if key is not None]
        return self._batch(lambda: self._reload_keys(keys))

    @property
    def sources(self) -> list[Path]:
        """The folders and files the library reads."""
        return list(self._sources)

    def stop_loading(self) -> None:
        """Make a first load running in another thread stop soon (`LoadStopped`).

        For shutting down: what it had loaded is not written to the index, and
        `warm_listings` stops too. Reloads after the first load are not affected.
        """
        self._stopping.set()

    @property
    def loaded(self) -> bool:
        """Whether the first reload has finished (until then lookups may miss briefings)."""
        return self._loaded.is_set()

    def _batch(self, work: Callable[[], ReloadReport]) -> ReloadReport:
        # Loading allocates millions of long-lived objects and no reference cycles: the cyclic
        # collector would only walk them again and again (a third of a 10,000-file load).
        # Only on the main thread: a collection started from a loading thread would finalise
        # whatever the event loop left unreachable (an abandoned coroutine, say) in that thread,
        # where its clean-up finds no running loop.
        collecting = gc.isenabled() and threading.current_thread() is threading.main_thread()
        if collecting:
            gc.disable()
        try:
            with self._lock:
                if not self._restored:
                    self._restore()
                store = self._store
                if not self.loaded:
                    self._parse_ahead()
                try:
                    with store.transaction() if store is not None else contextlib.nullcontext():
                        report = work()
                        self._persist()
                finally:
                    if self._prefetch is not None:
                        self._prefetch.close()
                        self._prefetch = None
                self._loaded.set()
                return report
        finally:
            if collecting:
                gc.enable()
                # Walk what this reload made once now, and move it to the oldest generation,
                # rather than in the middle of some later command. Cheap when little changed.
                gc.collect(1)

    def _reload(self) -> ReloadReport:
        report = ReloadReport()
        scanned: dict[str, os.stat_result | None] = {}
        scan_errors: list[BriefingError] = []
        for source in self._sources:
            self._scan(source, scanned, scan_errors)
        # Like a broken file, which is read (and reported) again only once it changes, an entry
        # that stays broken is reported once, not on every reload tick.
        known = set(self._scan_errors)
        report.errors.extend(e for e in scan_errors if e not in known)
        self._scan_errors = scan_errors
        files = self._files
        # Forget removed files first, so a renamed file takes its id over in this same reload.
        for key in [k for k in files if k not in scanned]:
            self._forget_file(key, report)
        # Keys are path strings, not Paths: hashing 10,000 Paths per tick costs milliseconds.
        # Oldest first, so that of two new files claiming one id the older one wins.
        todo: list[tuple[int, str, os.stat_result]] = []
        for key, info in scanned.items():
            if info is None:
                continue
            state = files.get(key)
            if state is None or state.mtime_ns != info.st_mtime_ns or state.size != info.st_size:
                todo.append((info.st_mtime_ns, key, info))
        todo.sort(key=lambda item: item[:2])
        for _, key, info in todo:
            self._load(key, info, report)
        removed = 0
        for _ in range(len(scanned)):
            if len(report.removed) == removed:
                break
            removed = len(report.removed)
            for key in self._retry_duplicates():
                info = scanned[key]
                if info is not None:
                    report.errors = [e for e in report.errors if e.path != files[key].path]
                    self._load(key, info, report)
        return report

    def _scan(
        self,
        source: Path,
        scanned: dict[str, os.stat_result | None],
        errors: list[BriefingError],
    ) -> None:
        """Add each briefing file of `source` to `scanned` with its stat.

        A known file that cannot be checked right now gets None: it keeps its last good version.
        """
        problem = None
        try:
            info = source.stat()
        except FileNotFoundError:
            problem = "no such file or folder"
        except OSError as exc:
            problem = f"cannot read: {exc.strerror}"
        else:
            if not stat_module.S_ISDIR(info.st_mode):
                self._scan_entry(str(source), source.stat, scanned, errors)
                return
            try:
                with os.scandir(source) as listing:
                    # Dot files are editors' lock and backup files (Emacs's `.#x.yaml`).
                    found = [e for e in listing if e.name.endswith(SUFFIXES) and e.name[:1] != "."]
            except OSError as exc:
                problem = f"cannot read: {exc.strerror}"
            else:
                found.sort(key=attrgetter("name"))
                for entry in found:
                    self._scan_entry(entry.path, entry.stat, scanned, errors)
        if problem is not None:
            errors.append(BriefingError(source, None, None, problem))
            # A folder that cannot be listed right now (being replaced, unmounted) keeps
            # serving what it had, like a file that turns broken.
            for key, state in self._files.items():
                if state.path == source or state.path.parent == source:
                    scanned[key] = None

    def _scan_entry(
        self,
        key: str,
        stat_of: Callable[[], os.stat_result],
        scanned: dict[str, os.stat_result | None],
        errors: list[BriefingError],
    ) -> None:
        """Add one entry if it is a regular file (or a link to one); else name what it is."""
        try:
            info = stat_of()  # follows symbolic links
        except OSError as exc:
            problem = _broken_entry(key, exc)
        else:
            if stat_module.S_ISREG(info.st_mode):
                scanned[key] = info
                return
            # Never opened: reading a pipe or a device blocks or never ends.
            problem = f"not a regular file: it is {file_kind(info.st_mode)}"
        if problem is not None:
            errors.append(BriefingError(Path(key), None, None, problem))
        if key in self._files:
            scanned[key] = None

    def _load(self, key: str, stat: os.stat_result, report: ReloadReport) -> None:
        if self._stopping.is_set() and not self._loaded.is_set():
            raise LoadStopped
        state = self._files.get(key)
        if state is None:
            state = self._files[key] = _FileState(Path(key), stat.st_mtime_ns, stat.st_size)
        state.mtime_ns, state.size = stat.st_mtime_ns, stat.st_size
        self._dirty.add(key)
        path = state.path
        parsed = self._prefetch.take(key, stat) if self._prefetch is not None else None
        digest = parsed.digest if parsed is not None else content_digest(key, stat)
        if digest is not None and digest == state.digest and not state.errors:
            return  # touched, not changed: nothing to parse
        state.digest = digest
        try:
            loaded = parsed.result() if parsed is not None else read_briefing(path)
        except BriefingFileError as exc:
            state.errors = exc.errors
            report.errors.extend(exc.errors)
            return
        except Exception as exc:
            # A fault in our own code must not take the file off the list silently (its mtime
            # is already recorded), nor stop the other files from loading.
            log.exception("cannot load %s", path)
            error = BriefingError(path, None, None, f"cannot load: {type(exc).__name__} (logged)")
            state.errors = [error]
            report.errors.append(error)
            return
        briefing = loaded.briefing
        owner = self._owner.get(briefing.id)
        if owner is not None and owner != path:
            line = self._id_lines.get(briefing.id)
            where = f"{owner}:{line}" if line else str(owner)
            error = BriefingError(
                path, loaded.id_line, "id", f"duplicate id {briefing.id!r}, already used by {where}"
            )
            state.errors = [error]
            report.errors.append(error)
            return
        state.errors = []
        old_id = state.briefing_id
        if old_id is not None and old_id != briefing.id:
            self._uninstall(old_id)
            report.removed.append(old_id)
        packed = parsed.packed if parsed is not None and parsed.packed else pack(briefing)
        if old_id == briefing.id and state.packed == packed:
            self._id_lines[briefing.id] = loaded.id_line  # comments above it may have moved it
            return
        state.briefing_id, state.packed = briefing.id, packed
        self._install(briefing, path, packed)
        self._id_lines[briefing.id] = loaded.id_line
        (report.changed if old_id == briefing.id else report.added).append(briefing.id)

    def _forget_file(self, key: str, report: ReloadReport) -> None:
        state = self._files.pop(key)
        self._dirty.add(key)
        if state.briefing_id is not None and self._owner.get(state.briefing_id) == state.path:
            self._uninstall(state.briefing_id)
            report.removed.append(state.briefing_id)

    def _retry_duplicates(self) -> list[str]:
        # A file rejected for a duplicate id may be the rightful owner now the other file is gone;
        # the oldest gets the first chance, as on a fresh load.
        waiting = [
            (state.mtime_ns, key)
            for key, state in self._files.items()
            if any(e.field == "id" and "duplicate id" in e.message for e in state.errors)
        ]
        return [key for _, key in sorted(waiting)]

    def _install(self, briefing: Briefing, path: Path, packed: bytes) -> None:
        if briefing.id in self._shelf:
            self._uninstall(briefing.id)
        self._shelf.put(briefing, packed)
        if not self._lookups:
            self._place(briefing.id, path, briefing.published_at.timestamp(), [])
            return
        self._index.add(briefing)
        people = [(q.speaker, q.role) for q in briefing.quotes]
        self._place(briefing.id, path, briefing.published_at.timestamp(), people)

    def _place(self, briefing_id: str, path: Path, published: float, people: list[Person]) -> None:
        """Enter a shelved briefing in the lookups: owner, date order and speaker index."""
        self._owner[briefing_id] = path
        key = self._sort_keys[briefing_id] = (-published, briefing_id)
        bisect.insort(self._newest, key)
        quote_people = self._quote_people[briefing_id] = tuple(map(self._person, people))
        for person in set(quote_people):
            self._person_briefings[person].add(briefing_id)

    def _person(self, person: Person) -> int:
        number = self._person_ids.get(person)
        if number is None:
            number = self._person_ids[person] = len(self._persons)
            self._persons.append(person)
            for word in _name_words(*person):
                self._word_persons[word].add(number)
        return number

    def _uninstall(self, briefing_id: str) -> None:
        if self._lookups:
            self._index.remove(self._get(briefing_id))
        self._shelf.remove(briefing_id)
        self._listings.pop(briefing_id, None)
        del self._owner[briefing_id]
        self._id_lines.pop(briefing_id, None)
        key = self._sort_keys.pop(briefing_id)
        i = bisect.bisect_left(self._newest, key)
        if i < len(self._newest) and self._newest[i] == key:
            del self._newest[i]
        for person in set(self._quote_people.pop(briefing_id, ())):
            self._person_briefings[person].discard(briefing_id)

    # -- the persistent index ----------------------------------------------------------------

    def _restore(self) -> None:
        """Install what the index remembers; files are checked against it by the reload."""
        self._restored = True
        store = self._store
        if store is None:  # pragma: no cover - only called with an index
            return
        consistent = True
        with contextlib.closing(store.rows()) as rows:
            for row in rows:
                state = _FileState(Path(row.path), row.mtime_ns, row.size, row.briefing_id)
                state.packed, state.errors, state.digest = row.packed, row.errors, row.digest
                self._files[row.path] = state
                bid = row.briefing_id
                if bid is None or row.packed is None or row.published is None:
                    continue
                if bid in self._owner:  # two files claim one id: never saved by the library
                    consistent = False
                    break
                self._shelf.put_packed(bid, row.packed)
                self._place(bid, state.path, row.published, row.people)
        if consistent and self._index.ids() == set(self._owner):
            return
        store.clear()
        self._empty()

    def _persist(self) -> None:
        """Write the files this reload touched to the index."""
        store, dirty = self._store, self._dirty
        self._dirty = set()
        if store is None:
            return
        for key in dirty:
            state = self._files.get(key)
            if state is None:
                store.delete(key)
                continue
            bid = state.briefing_id
            served = (
                bid is not None and state.packed is not None and self._owner.get(bid) == state.path
            )
            store.put(
                IndexedFile(
                    key,
                    state.size,
                    state.mtime_ns,
                    state.digest,
                    bid if served else None,
                    state.packed if served else None,
                    -self._sort_keys[bid][0] if served and bid else None,
                    [self._persons[p] for p in self._quote_people[bid]] if served and bid else [],
                    state.errors,
                )
            )

    def _parse_ahead(self) -> None:
        """For a first load of many files, have worker processes parse them ahead of `_load`."""
        workers = worker_count()
        if workers < 2:
            return
        # In the order `_reload` loads them, oldest first: results come back in the order
        # asked, and any other order would hold most of the archive parsed while waiting.
        keys: list[tuple[int, str]] = []
        for source in self._sources:
            try:
                if not source.is_dir():
                    keys.append((source.stat().st_mtime_ns, str(source)))
                    continue
                with os.scandir(source) as entries:
                    found = [
                        e
                        for e in entries
                        if e.name.endswith(SUFFIXES) and not e.name.startswith(".") and e.is_file()
                    ]
                for entry in found:
                    known = self._files.get(entry.path)
                    stat = entry.stat()
                    if known is None or (known.mtime_ns, known.size) != (
                        stat.st_mtime_ns,
                        stat.st_size,
                    ):
                        keys.append((stat.st_mtime_ns, entry.path))
            except OSError:
                continue  # the reload's own scan reports it
        if len(keys) >= MIN_PARALLEL_FILES:
            self._prefetch = Prefetch([key for _, key in sorted(keys)], workers)

    def _key_of(self, path: str | Path) -> str | None:
        """The library's key for a changed path, if it is a briefing file of a source."""
        path = os.path.abspath(path)
        if not path.endswith(SUFFIXES):
            return None
        folder, name = os.path.split(path)
        if name.startswith("."):
            return None  # editors' lock and backup files, as the folder scan skips them
        for source in self._sources:
            if os.path.abspath(source) == path:
                return str(source)
            if os.path.abspath(source) == folder:
                return os.path.join(source, name)
        return None

    def _reload_keys(self, keys: list[str]) -> ReloadReport:
        report = ReloadReport()
        scanned: dict[str, os.stat_result | None] = {}
        scan_errors: list[BriefingError] = []
        for key in dict.fromkeys(keys):
            if not os.path.lexists(key):
                continue  # removed
            # The same rules as the folder scan: a link loop, a pipe or a device is named.
            self._scan_entry(key, functools.partial(os.stat, key), scanned, scan_errors)
        named = {Path(key) for key in keys}
        self._scan_errors = [e for e in self._scan_errors if e.path not in named] + scan_errors
        report.errors.extend(scan_errors)
        files = self._files
        for key in keys:
            if key in files and key not in scanned:
                self._forget_file(key, report)
        for key, stat in scanned.items():
            state = files.get(key)
            if stat is None:
                continue
            if state is None or state.mtime_ns != stat.st_mtime_ns or state.size != stat.st_size:
                self._load(key, stat, report)
        if report.removed:
            for key in self._retry_duplicates():
                try:
                    stat = os.stat(key)
                except OSError:
                    continue
                report.errors = [e for e in report.errors if e.path != files[key].path]
                self._load(key, stat, report)
        return report

    @staticmethod
    def _sort_key(briefing: Briefing) -> tuple[float, str]:
        return (-briefing.published_at.timestamp(), briefing.id)

    # -- lookups ---------------------------------------------------------------------------

    @property
    def errors(self) -> list[BriefingError]:
        """The current error of every file that has one (its last good version still serves)."""
        found = self._scan_errors + [e for state in self._files.values() for e in state.errors]
        return sorted(found, key=lambda error: str(error.path))  # stable: lines stay in order

    def __len__(self) -> int:
        return len(self._shelf)

    def __contains__(self, briefing_id: object) -> bool:
        return briefing_id in self._shelf

    def __iter__(self) -> Iterator[Briefing]:
        return iter(self.newest())

    def get(self, briefing_id: str) -> Briefing | None:
        """The briefing with this id, if any."""
        return self._shelf.get(briefing_id)

    def stamp(self, briefing_id: str) -> object | None:
        """A token that is another object whenever the briefing with this id changes.

        Cheap: the briefing is not unpacked. Lets callers keep what they derived from a
        briefing and know when to derive it again.
        """
        return self._shelf.packed(briefing_id)

    def path_of(self, briefing_id: str) -> Path | None:
        """The file that holds the briefing with this id."""
        return self._owner.get(briefing_id)

    def newest(self, limit: int | None = None) -> list[Briefing]:
        """Briefings, newest published first."""
        return [self._get(bid) for bid in self.newest_ids(limit)]

    def newest_ids(self, limit: int | None = None) -> list[str]:
        """Briefing ids, newest published first."""
        keys = self._newest if limit is None else self._newest[:limit]
        return [bid for _, bid in keys]

    def _get(self, briefing_id: str) -> Briefing:
        briefing = self._shelf.get(briefing_id)
        if briefing is None:  # pragma: no cover - every indexed id is on the shelf
            raise KeyError(briefing_id)
        return briefing

    def position(self, briefing_id: str) -> int | None:
        """The 1-based number of a briefing in `newest()` order, as `/briefings` lists them."""
        key = self._sort_keys.get(briefing_id)
        if key is None:
            return None
        return bisect.bisect_left(self._newest, key) + 1

    def resolve(self, ref: str) -> Briefing | None:
        """A briefing by id, or by its number in `newest()` order."""
        ref = ref.strip()
        if ref.isdecimal() and len(ref) < 8:
            number = int(ref)
            if 1 <= number <= len(self._newest):
                return self._get(self._newest[number - 1][1])
            return None
        return self._shelf.get(ref.lower())

    def closest_ids(self, ref: str, limit: int = 5) -> list[str]:
        """Ids that look like `ref`, closest first."""
        return difflib.get_close_matches(ref.lower(), list(self._owner), n=limit, cutoff=0.4)

    def quote_refs(self, speaker: str) -> list[tuple[str, int]]:
        """Every quote across the library whose speaker (or role) matches `speaker`.

        As (briefing id, quote number) pairs, newest briefing first and in order within it;
        matching as `speaker_matches` decides, from the speaker index alone.
        """
        wanted = words(speaker)
        if not wanted:
            return []
        matching: set[int] | None = None
        for query_word in wanted:
            persons = {
                person
                for word, numbers in self._word_persons.items()
                if word.startswith(query_word)
                for person in numbers
            }
            matching = persons if matching is None else matching & persons
        if not matching:
            return []
        briefing_ids = {bid for person in matching for bid in self._person_briefings[person]}
        return [
            (bid, i)
            for bid in sorted(briefing_ids, key=self._sort_keys.__getitem__)
            for i, person in enumerate(self._quote_people[bid])
            if person in matching
        ]

    def search(self, query: str, limit: int = 10) -> list[Briefing]:
        """Briefings matching every word of `query`, best first."""
        found = (self._shelf.get(bid) for bid, _ in self._index.search(query, limit))
        # A search index shared with other processes may name a briefing this one has not
        # loaded yet, or has just removed.
        return [briefing for briefing in found if briefing is not None]

    def search_listings(self, query: str, limit: int = 10) -> list[Listing]:
        """Like `search`, as the listings a results page shows, without unpacking briefings."""
        found = (self.listing(bid) for bid, _ in self._index.search(query, limit))
        return [listing for listing in found if listing is not None]

    def listing(self, briefing_id: str) -> Listing | None:
        """The listing of a stored briefing: remembered, else made from the briefing.

        A listing is remembered with the packed briefing it was made from, so a briefing
        stored again (a new packed object) gets a new one.
        """
        packed = self._shelf.packed(briefing_id)
        if packed is None:
            return None
        known = self._listings.get(briefing_id)
        if known is not None and known[0] is packed:
            return known[1]
        briefing = self._shelf.get(briefing_id)
        if briefing is None:  # pragma: no cover - removed by a reload in another thread
            return None
        listing = Listing.of(briefing)
        self._listings[briefing_id] = (packed, listing)
        return listing

    def warm_listings(self) -> int:
        """Make the listing of every briefing that has none yet; return how many were made.

        For after the first load, in a worker thread: reads the packed JSON of each briefing
        (validated when it was packed) instead of rebuilding the briefing, so 10,000 take well
        under a second, and searches after that never unpack a briefing to list it.
        """
        made = 0
        for briefing_id in list(self._owner):
            if self._stopping.is_set():
                break
            packed = self._shelf.packed(briefing_id)
            known = self._listings.get(briefing_id)
            if packed is None or (known is not None and known[0] is packed):
                continue
            data = json.loads(zlib.decompress(packed))
            listing = Listing.from_fields(briefing_id, data["title"], data["summary"])
            self._listings[briefing_id] = (packed, listing)
            made += 1
        return made

    def quotes_by(
        self, speaker: str, within: Iterable[Briefing] | None = None
    ) -> list[tuple[Briefing, Quote]]:
        """Quotes whose speaker (or role) matches `speaker`, newest briefing first."""
        if within is None:
            found_refs: list[tuple[Briefing, Quote]] = []
            for bid, i in self.quote_refs(speaker):
                briefing = self._get(bid)
                found_refs.append((briefing, briefing.quotes[i]))
            return found_refs
        wanted = words(speaker)
        everything = (1 << len(wanted)) - 1
        # Thousands of quotes share a few hundred speakers and roles: work out once per text
        # which query words it matches (a bit each); a quote matches when its speaker and
        # role together match them all, as `speaker_matches` decides.
        masks: dict[str | None, int] = {None: 0}

        def mask(text: str | None) -> int:
            bits = masks.get(text)
            if bits is None:
                have = words(text or "")
                bits = masks[text] = sum(
                    1 << i for i, q in enumerate(wanted) if any(w.startswith(q) for w in have)
                )
            return bits

        found: list[tuple[Briefing, Quote]] = []
        if not wanted:
            return found
        for briefing in within:
            for quote in briefing.quotes:
                if mask(quote.speaker) | mask(quote.role) == everything:
                    found.append((briefing, quote))
        return found


def _broken_entry(key: str, exc: OSError) -> str | None:
    """Why an entry that was listed cannot be read, or None if it is simply gone by now."""
    if exc.errno == errno.ELOOP:
        return "symlink loop (too many levels of symbolic links)"
    try:
        link = os.lstat(key)
    except OSError:
        return None  # removed or being replaced since it was listed
    if stat_module.S_ISLNK(link.st_mode) and exc.errno == errno.ENOENT:
        try:
            target = os.readlink(key)
        except OSError:
            return "dangling symlink: its target does not exist"
        return f"dangling symlink: its target {target} does not exist"
    if exc.errno == errno.ENOENT:
        return None
    return f"cannot read: {exc.strerror}"
