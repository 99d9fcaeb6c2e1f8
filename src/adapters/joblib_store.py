"""Model artifacts as joblib files: versioned names, atomic writes, SHA-256 checked on every load and
the file's state reported, so that a loaded copy is re-verified once its file changes."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from collections.abc import Hashable
from pathlib import Path

import joblib

from domain.model_runs import Artifact, ArtifactMissing, ArtifactTampered
from domain.predictions import ModelKind


class JoblibModelStore:
    """Files live under `directory`; runs record paths relative to it, so the folder can move."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def save(self, kind: ModelKind, version: int, model: object) -> Artifact:
        relative = Path(kind.value) / f"v{version:04d}.joblib"
        target = self.directory / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        joblib.dump(model, buffer)
        content = buffer.getvalue()
        _write_atomically(target, content)
        return Artifact(relative.as_posix(), hashlib.sha256(content).hexdigest())

    def load(self, artifact: Artifact) -> object:
        path = self.directory / artifact.path
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            raise ArtifactMissing(artifact.path) from None
        if hashlib.sha256(content).hexdigest() != artifact.sha256:
            raise ArtifactTampered(artifact.path)
        return joblib.load(io.BytesIO(content))

    def file_state(self, artifact: Artifact) -> Hashable:
        """The file's inode, size and modification time (nanoseconds): a rename over it, a rewrite in
        place or a touch all change it. None for a missing file."""
        try:
            stat = (self.directory / artifact.path).stat()
        except FileNotFoundError:
            return None
        return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _write_atomically(target: Path, content: bytes) -> None:
    """Write beside the target and rename over it: readers never see half a file."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
