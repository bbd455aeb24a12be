"""Parsing an uploaded file in a child process, within a memory and a time limit.

The checks of `diaodu.core.archives` and `diaodu.core.excel` refuse the known hostile files
before any parser reads them; what they cannot foresee (a document that is legal but builds
a tree of gigabytes, a parser's own weakness) is contained here: `run(function, ...)` calls
the function in a child process whose address space may grow by at most
DIAODU_PARSE_MEMORY_MB and which is killed after DIAODU_PARSE_SECONDS. A hostile file then
costs one child, never the web server nor the task worker. The function must be importable
(defined at a module's top level), take and return plain data (it crosses the process
boundary by pickle) and use no database: it gets the bytes of the file and returns what was
read of it. Its exceptions are raised again in the caller, as they were raised.

The children come from a fork server (multiprocessing's "forkserver"): a process started at
the first call in each web or task process (about a second), which sets Django up and imports
the parsing libraries and the modules of the functions marked `@parser`, then forks a child
for each file. A child thus starts ready, with no thread, connection or lock of the web
process, in under 10 ms on an idle machine. It sees the caller's DIAODU_* settings and language
as they are at the call.
"""

import gc
import logging
import multiprocessing
import pickle
import resource
import signal
import sys
import time
import types
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

PRELOAD = "diaodu.core.isolation_preload"
F = TypeVar("F", bound=Callable[..., Any])
# Slack for the CPU-time backstop, in seconds: the caller kills the child on time anyway.
CPU_SLACK = 5


class ParseRefused(Exception):
    """A file whose parsing went beyond a limit; the message says which, in the user's language."""


class ParseOutOfMemory(ParseRefused):
    pass


class ParseTimedOut(ParseRefused):
    pass


class ParseCrashed(ParseRefused):
    pass


# The modules of the functions marked @parser, imported by the fork server when it starts.
_parser_modules: set[str] = set()


def parser(function: F) -> F:
    """Marks a module-level function as run by `run`: the fork server imports its module."""
    _parser_modules.add(function.__module__)
    return function


def _context() -> Any:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(
        ["__main__", PRELOAD, *sorted(_parser_modules), *_main_script_modules()]
    )
    return context


def _main_script_modules() -> list[str]:
    """The modules the main script takes its names from (a console script's one import, such as
    `from diaodu.__main__ import main`): multiprocessing runs the script again in each child
    (Python 3.11's fork server does not preload it), which then finds them imported."""
    main = sys.modules.get("__main__")
    names = set()
    for value in vars(main).values() if main is not None else ():
        name = (
            value.__name__
            if isinstance(value, types.ModuleType)
            else getattr(value, "__module__", None)
        )
        if isinstance(name, str) and not name.startswith("__") and name != "builtins":
            names.add(name)
    return sorted(names)


def run(function: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """`function(*args, **kwargs)` in a child process within the limits; its result or error.

    Raises ParseOutOfMemory when the child needs more memory than allowed (or is killed by a
    signal, as the kernel kills a process out of memory), ParseTimedOut when it is still running
    after DIAODU_PARSE_SECONDS, ParseCrashed when it stops without an answer, and whatever the
    function raised otherwise.
    """
    seconds = settings.DIAODU_PARSE_SECONDS
    memory_mb = settings.DIAODU_PARSE_MEMORY_MB
    started = time.monotonic()
    context = _context()
    reader, writer = context.Pipe(duplex=False)
    environment = (_diaodu_settings(), translation.get_language())
    process = context.Process(
        target=_child,
        args=(writer, function, args, kwargs, environment, memory_mb, seconds),
        daemon=True,
        name="diaodu-parse",
    )
    outcome, timed_out, exitcode = None, False, None
    try:
        process.start()
        writer.close()  # the child holds the only writing end: its death is an end of file
        if reader.poll(seconds):
            try:
                outcome = reader.recv()
            except EOFError:  # the child died before it answered
                pass
        else:
            timed_out = True
    finally:
        reader.close()
        writer.close()
        if process.pid is not None:
            process.join(timeout=0 if timed_out else 5)
            if process.exitcode is None:
                process.kill()
                process.join()
            exitcode = process.exitcode
            process.close()
    kind, value = outcome if outcome is not None else ("died", None)
    if kind == "ok":
        return value
    if kind == "error" and isinstance(value, BaseException):
        raise value
    if timed_out or exitcode == -signal.SIGXCPU:  # killed here, or by its CPU-time limit
        refusal: ParseRefused = ParseTimedOut(
            _(
                "Reading the file took longer than %(seconds)d seconds: it is too large or "
                "abnormally built, and is refused."
            )
            % {"seconds": seconds}
        )
    elif kind == "memory" or (exitcode or 0) < 0:
        refusal = ParseOutOfMemory(
            _(
                "The file is too large or abnormally built: reading it needed more than "
                "%(limit)d MB of memory, and it is refused."
            )
            % {"limit": memory_mb}
        )
    else:
        refusal = ParseCrashed(_("The file could not be read: its reading stopped unexpectedly."))
    logger.warning(
        "%s refused after %.1f s (%s, exit code %s)",
        getattr(function, "__qualname__", function),
        time.monotonic() - started,
        type(refusal).__name__,
        exitcode,
    )
    raise refusal


def _diaodu_settings() -> dict[str, Any]:
    return {name: getattr(settings, name) for name in dir(settings) if name.startswith("DIAODU_")}


def _address_space(peak: bool = False) -> int:
    """The bytes of address space this process holds now, or held at most (Linux; else 0)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmPeak:" if peak else "VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _no_database(*args: Any, **kwargs: Any) -> None:
    raise RuntimeError("A file is parsed without the database: pass what it needs as arguments.")


def _caused_by_memory(error: BaseException | None) -> bool:
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, MemoryError):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def _child(
    writer: Connection,
    function: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    environment: tuple[dict[str, Any], str | None],
    memory_mb: int,
    seconds: int,
) -> None:
    """In the child: the limits, the caller's settings and language, the function, the answer.

    The memory limit is on the address space, counted from what the child holds when it starts
    (the fork server's modules, some 95 MB): an allocation beyond it fails.
    """
    gc.freeze()  # as the fork server did (isolation_preload), for the modules imported after it
    start, allowance = _address_space(), memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (start + allowance, start + allowance))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds + CPU_SLACK, seconds + CPU_SLACK + 1))
    from django.db import connections

    for connection in connections.all():  # none is open: the fork server never connected
        connection.connect = _no_database  # type: ignore[method-assign]
    diaodu_settings, language = environment
    for name, value in diaodu_settings.items():
        setattr(settings, name, value)
    if language:
        translation.activate(language)
    try:
        answer: tuple[str, Any] = ("ok", function(*args, **kwargs))
    except Exception as error:
        # A failed allocation may come back as a parser's error ("unknown error" from lxml),
        # wrapped in a message ("not a readable document"): an error raised while handling
        # another one, after more than half the allowance was taken, is counted as the limit's.
        # A refusal of the parser's own (too many rows, minutes too long) keeps its message.
        wrapped = error.__cause__ is not None or error.__context__ is not None
        grown = _address_space(peak=True) - start
        if _caused_by_memory(error) or (wrapped and grown > allowance // 2):
            answer = ("memory", None)
        else:
            answer = ("error", error)
    try:
        data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        if answer[0] == "error":
            pickle.loads(data)  # an exception that cannot be rebuilt there is sent as its text
    except MemoryError:
        data = pickle.dumps(("memory", None))
    except Exception as error:
        if answer[0] == "error":
            answer = ("error", ParseCrashed(str(answer[1])))
        else:
            answer = (
                "error",
                TypeError(f"{function.__qualname__} returned what cannot be sent: {error}"),
            )
        data = pickle.dumps(answer)
    del answer
    try:
        writer.send_bytes(data)
    finally:
        writer.close()
