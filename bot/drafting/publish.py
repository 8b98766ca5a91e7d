"""Publishing a checked draft: written into the briefings folder atomically, then on air at once."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bot.briefing.library import BriefingLibrary
from bot.briefing.loader import BriefingFileError, parse_briefing
from bot.briefing.models import Briefing


class PublishError(Exception):
    """The draft could not be published; the message says why in one line."""


class AlreadyPublished(PublishError):
    """A briefing with the draft's id exists already; publish with `replace=True` to replace it."""

    def __init__(self, briefing_id: str, path: Path) -> None:
        super().__init__(f"a briefing with the id {briefing_id} exists already ({path.name})")
        self.briefing_id = briefing_id
        self.path = path


@dataclass(frozen=True)
class Published:
    """A briefing now on air, the file it was written to, and whether it replaced one."""

    briefing: Briefing
    path: Path
    replaced: bool


def publish_draft(
    library: BriefingLibrary,
    folder: Path,
    yaml_text: str,
    *,
    name: str = "draft.yaml",
    replace: bool = False,
) -> Published:
    """Write a draft as `<id>.yaml` into `folder` and reload `library` so it serves it now.

    `name` is the draft's file name, which gives the id when the YAML has none. An id that is
    already on air (or a file of that name) raises `AlreadyPublished` unless `replace`; then the
    file that holds that id is replaced, if it is in `folder`: nothing is written elsewhere.
    """
    data = yaml_text.encode("utf-8")
    try:
        briefing = parse_briefing(data, Path(name))
    except BriefingFileError as exc:
        raise PublishError(f"the draft is not valid: {exc.errors[0]}") from None
    existing = library.path_of(briefing.id)
    target = existing or folder / f"{briefing.id}.yaml"
    existed = existing is not None or target.exists()
    if existed and not replace:
        raise AlreadyPublished(briefing.id, target)
    if target.resolve().parent != folder.resolve():
        raise PublishError(f"{briefing.id} is served from {target}, outside {folder}; not replaced")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(target, data, overwrite=replace)
    except FileExistsError:
        raise AlreadyPublished(briefing.id, target) from None
    except OSError as exc:
        raise PublishError(f"cannot write {target}: {exc.strerror or exc}") from None
    library.reload()
    if library.path_of(briefing.id) != target:
        problems = [str(error) for error in library.errors if error.path == target]
        reason = problems[0] if problems else "the library did not load it"
        raise PublishError(f"{target.name} was written but is not on air: {reason}")
    return Published(briefing, target, replaced=existed)


def write_atomically(path: Path, data: bytes, *, overwrite: bool) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never a part.

    The bytes go to a temporary file in the same folder (not matching `*.yaml`, so a reload in
    between never reads it), are flushed to disk, then the file takes the final name. Without
    `overwrite`, an existing `path` raises `FileExistsError` and stays untouched.
    """
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            os.fchmod(file.fileno(), 0o644)
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        if overwrite:
            os.replace(temporary, path)
        else:
            _link_new(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    _fsync_folder(path.parent)


def _link_new(temporary: str, path: Path) -> None:
    # A hard link fails if the name exists, so two admins publishing the same id at once cannot
    # overwrite each other; where links are not supported, check first and rename.
    try:
        os.link(temporary, path)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
            raise
        if path.exists():
            raise FileExistsError(errno.EEXIST, "file exists", str(path)) from None
        os.replace(temporary, path)


def _fsync_folder(folder: Path) -> None:
    """Make the new name durable too (not possible on every platform, hence best effort)."""
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)
