"""One corpus file read safely into text: regular files only, symlinks resolved once, size-bounded, decoded.

Nothing here can block or run away on a hostile corpus: a FIFO, socket or device is refused before a byte is
read (it is opened non-blocking and checked with fstat), a symlink is resolved exactly once (loops and dangling
links are skipped), at most MAX_FILE_BYTES are read, and the encoding is detected in bounded time.
"""

from __future__ import annotations

import codecs
import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path

MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_UNDECODABLE_SHARE = 0.02  # a UTF-8 file with more broken bytes than this is read as another encoding
MAX_CHAOS = 0.2  # charset-normalizer's "mess" score above which a decoding is not believable text
CHAOS_TIE = 0.01  # decodings this close in mess score are equally believable: the preferred encoding wins
# Among equally believable decodings, the encodings Western text is written in win over exotic code pages
# (charset-normalizer alone reads cp1252 "naïve" as cp775 "na’ve" or cp1250 "naďve").
PREFERRED_ENCODINGS = ("cp1252", "latin_1", "iso8859_15")
UTF16_SAMPLE = 8192
UTF16_ZERO_SHARE = 0.3  # ASCII-heavy UTF-16 has a NUL in every other byte
MAX_CONTROL_SHARE = 0.01  # decoded text with more control characters than this is binary

Warn = Callable[[str], None]


class SkipFile(Exception):
    """The current file (or article) is skipped for the given reason.

    `unreadable` marks a file that is still there but broken: a rebuild keeps the articles it had before.
    """

    def __init__(self, reason: str, unreadable: bool = True) -> None:
        super().__init__(reason)
        self.unreadable = unreadable


def read_corpus_text(file: Path, root: Path, warn: Warn) -> str:
    """The text of one corpus file; raises SkipFile with the reason when it cannot or must not be read."""
    return decode_text(read_corpus_bytes(file, root), warn)


def read_corpus_bytes(file: Path, root: Path) -> bytes:
    """The bytes of a regular file (a symlink inside `root` is followed once), at most MAX_FILE_BYTES."""
    target = _resolve_link(file, root) if file.is_symlink() else file
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(target, flags)  # non-blocking: opening a FIFO with no writer returns at once
    except FileNotFoundError as exc:
        raise SkipFile("file disappeared while the corpus was being read", unreadable=False) from exc
    except PermissionError as exc:
        raise SkipFile("permission denied: make the file readable") from exc
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # the resolved target was swapped for a symlink since
            raise SkipFile("file changed into a symlink while the corpus was being read") from exc
        raise SkipFile(f"cannot open the file ({exc.strerror or exc}); only regular files are read") from exc
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise SkipFile("is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise SkipFile(f"{_kind(info.st_mode)}, not a regular file; only regular files are read", unreadable=False)
        if info.st_size > MAX_FILE_BYTES:
            raise SkipFile(f"file is {info.st_size / 1e6:.0f} MB, over the {MAX_FILE_BYTES / 1e6:.0f} MB limit")
        data = handle.read(MAX_FILE_BYTES + 1)  # a file growing while it is read stops at the limit too
    if len(data) > MAX_FILE_BYTES:
        raise SkipFile(f"file grew past the {MAX_FILE_BYTES / 1e6:.0f} MB limit while it was read")
    return data


def _resolve_link(file: Path, root: Path) -> Path:
    try:
        target = file.resolve(strict=True)
    except RuntimeError as exc:  # Python 3.11 reports a loop this way
        raise SkipFile("symlink loop: the link leads back to itself; fix or delete it") from exc
    except FileNotFoundError as exc:
        raise SkipFile("broken symlink: the file it points to does not exist", unreadable=False) from exc
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise SkipFile("symlink loop: the link leads back to itself; fix or delete it") from exc
        raise SkipFile(f"cannot follow the symlink ({exc.strerror or exc})") from exc
    if not target.is_relative_to(root.resolve()):
        raise SkipFile(f"symlink points outside the corpus folder (to {target})", unreadable=False)
    return target


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def value_error_reason(exc: ValueError) -> str:
    """What a parser's ValueError says about the file, without advice meant for programmers."""
    text = str(exc)
    if "Exceeds the limit" in text and "digits" in text:
        return "a number has more digits than can be read (over 4,300)"
    return text.splitlines()[0] if text else type(exc).__name__


def decode_text(data: bytes, warn: Warn) -> str:
    """Bytes as text: UTF-8 (or UTF-16/32 with a byte-order mark, or UTF-16 without), else a detected encoding."""
    if not data.strip():
        raise SkipFile("empty file")
    for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                       (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                raise SkipFile(f"broken {codec.upper()} text ({exc.reason}); convert it to UTF-8") from exc
    if b"\x00" in data[:UTF16_SAMPLE]:
        text = _utf16_without_bom(data, warn)
        if text is None:
            raise SkipFile("binary file (contains NUL bytes), not text")
        return text
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    if any(ord(c) > 0x7F and c != "\ufffd" for c in text) and bad / max(len(text), 1) <= MAX_UNDECODABLE_SHARE:
        # Valid multi-byte UTF-8 around a few broken bytes: a damaged UTF-8 file, not another encoding.
        warn(f"{bad} bytes were not valid UTF-8 and were replaced by �")
        return text
    return _decode_legacy(data, bad, warn)


def _utf16_without_bom(data: bytes, warn: Warn) -> str | None:
    """UTF-16 text written without a byte-order mark (NULs in every other byte), or None when it is not that."""
    sample = data[: UTF16_SAMPLE - UTF16_SAMPLE % 2]
    half = max(len(sample) // 2, 1)
    even, odd = sample[0::2].count(0) / half, sample[1::2].count(0) / half
    if odd >= UTF16_ZERO_SHARE and even < MAX_CONTROL_SHARE:
        codec, order = "utf-16-le", "little-endian"
    elif even >= UTF16_ZERO_SHARE and odd < MAX_CONTROL_SHARE:
        codec, order = "utf-16-be", "big-endian"
    else:
        return None
    try:
        text = data[: len(data) - len(data) % 2].decode(codec)
    except UnicodeDecodeError:
        return None
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\t\n\r\f")
    if controls > MAX_CONTROL_SHARE * len(text):
        return None
    warn(f"not UTF-8: read as UTF-16 ({order}, no byte-order mark); convert it to UTF-8 to be sure")
    return text


def _decode_legacy(data: bytes, bad: int, warn: Warn) -> str:
    """Text in another encoding (Latin-1, Windows-1252, Shift JIS…), detected by charset-normalizer."""
    from charset_normalizer import from_bytes

    matches = from_bytes(data)
    best = matches.best()
    if best is None or best.chaos > MAX_CHAOS:
        raise SkipFile(
            f"not UTF-8 text ({bad} undecodable bytes) and not text in any encoding we recognise; convert it to UTF-8"
        )
    for match in matches:
        if match.chaos > best.chaos + CHAOS_TIE:
            continue
        for encoding in PREFERRED_ENCODINGS:
            if encoding in match.could_be_from_charset:
                try:
                    text = data.decode(encoding)
                except UnicodeDecodeError:
                    continue
                warn(f"not UTF-8: read as {encoding}; convert it to UTF-8 to be sure")
                return text
    warn(f"not UTF-8: read as {best.encoding}; convert it to UTF-8 to be sure")
    return str(best)
