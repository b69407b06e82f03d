"""Document templates: text files an officer can copy and edit without Python.

A template is a Markdown file with a header between ``+++`` lines (TOML, read with the
standard library) giving its title, what it is for and its options::

    +++
    title = "Meeting briefing"
    for = "meeting"
    description = "The pack a councillor reads before a meeting."

    [options]
    history = 5          # how many earlier meetings to list
    +++
    # Purpose and agenda
    {{ meeting.agenda }}

The body is Jinja2, run in its sandbox (a template shared between councils cannot read
files or run code). Every ``{{ value }}`` is data: it prints literally, whatever
Markdown, HTML or Jinja syntax it holds. Named blocks are functions returning a block
that must stand on a line of its own: ``{{ page_break() }}``, ``{{ contents() }}``,
``{{ logo() }}``, ``{{ cover(...) }}``, ``{{ bar_chart(rows, title=…) }}``,
``{{ commitments_table(items) }}``, ``{{ table(items, columns={…}) }}``.

Shipped templates live in the ``stpdesk.briefing_templates`` package; a file of the same
name in the user template folder (``config.user_templates_dir()``) overrides one, and
new files there add to them.
"""

from __future__ import annotations

import functools
import stat
import sys
import threading
import tomllib
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from ..config import user_templates_dir
from ..model.types import format_date, format_datetime
from ..services.errors import ServiceError
from .blocks import BLOCKS
from .content import (
    BLOCK_CLOSE,
    BLOCK_OPEN,
    LITERAL_CLOSE,
    LITERAL_OPEN,
    Block,
    MisplacedBlock,
    NamedBlock,
    parse_markdown,
)
from .fonts import clean_text

SUFFIX = ".md"
FENCE = "+++"
TARGETS = ("meeting", "footprint", "body", "letter")
SHIPPED = "shipped"
USER = "yours"


class TemplateError(ServiceError):
    """A template cannot be read or rendered; the message names the file and line."""


class TemplateNotFound(TemplateError):
    pass


@dataclass(frozen=True)
class TemplateInfo:
    name: str  # file name without .md: what --template takes
    title: str
    target: str  # what it is for: meeting, footprint, body or letter
    description: str
    options: dict[str, Any]  # option name -> default value
    origin: str  # "shipped" or "yours"
    location: str  # file path (or package resource) for messages
    layout: str = "report"
    source: str = field(default="", repr=False)
    header_lines: int = 0  # lines the header takes, so Jinja line numbers match the file
    problem: str | None = None  # set when the template is broken (listing only)


# --- finding templates --------------------------------------------------------------


def _shipped_files() -> dict[str, Any]:
    folder = resources.files("stpdesk.briefing_templates")
    return {
        entry.name[: -len(SUFFIX)]: entry
        for entry in folder.iterdir()
        if entry.name.endswith(SUFFIX) and not entry.name.startswith(("_", "."))
    }


def _user_files(folder: Path | None) -> dict[str, Path]:
    folder = folder if folder is not None else user_templates_dir()
    if not folder.is_dir():
        return {}
    return {
        path.name[: -len(SUFFIX)]: path
        for path in sorted(folder.iterdir())
        if path.name.endswith(SUFFIX) and not path.name.startswith(("_", ".")) and path.is_file()
    }


def _read(entry: Any, location: str) -> str:
    try:
        data = entry.read_bytes()
    except OSError as error:
        raise TemplateError(f"{location}: cannot be read ({error.strerror or error})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise TemplateError(
            f"{location}, line {line}: is not UTF-8 text; save it as UTF-8 and try again"
        ) from None


def list_templates(
    target: str | None = None, *, user_folder: Path | None = None
) -> list[TemplateInfo]:
    """Every template, yours first where a name is in both; broken ones carry ``problem``."""
    found: dict[str, TemplateInfo] = {}
    sources = [(name, entry, SHIPPED) for name, entry in _shipped_files().items()]
    sources += [(name, path, USER) for name, path in _user_files(user_folder).items()]
    for name, entry, origin in sources:
        location = str(entry) if origin == USER else f"shipped template {entry.name}"
        try:
            info = _parse(name, _read(entry, location), origin, location)
        except TemplateError as error:
            info = TemplateInfo(name, name, "", "", {}, origin, location, problem=str(error))
        found[name] = info
    infos = sorted(found.values(), key=lambda info: (info.target, info.name))
    return [info for info in infos if target is None or info.target == target]


def load_template(name: str, *, user_folder: Path | None = None) -> TemplateInfo:
    """The template called ``name`` (yours if you have one), checked; raises TemplateError."""
    name = name.strip()
    if name.endswith(SUFFIX):
        name = name[: -len(SUFFIX)]
    user = _user_files(user_folder)
    if name in user:
        path = user[name]
        return _parse(name, _read(path, str(path)), USER, str(path))
    shipped = _shipped_files()
    if name in shipped:
        location = f"shipped template {shipped[name].name}"
        return _parse(name, _read(shipped[name], location), SHIPPED, location)
    known = sorted(set(shipped) | set(user))
    raise TemplateNotFound(
        f"there is no template called “{name}”; choose one of: {', '.join(known)} "
        "(“stpdesk templates” lists them)"
    )


@functools.lru_cache(maxsize=64)
def _parse(name: str, text: str, origin: str, location: str) -> TemplateInfo:
    """The template's header and body, checked (kept: a batch of packs parses it once;
    an edited file is new text, so parsed afresh)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != FENCE:
        raise TemplateError(
            f"{location}, line 1: a template starts with a header between “{FENCE}” lines "
            "giving its title and what it is for"
        )
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == FENCE)
    except StopIteration:
        raise TemplateError(
            f"{location}, line 1: the header is not closed; add a line “{FENCE}” after it"
        ) from None
    try:
        header = tomllib.loads("\n".join(lines[1:end]))
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        line = getattr(error, "lineno", None)
        if line is None and "(at line " in message:
            line = int(message.split("(at line ")[1].split(",")[0])
            message = message.split(" (at line ")[0]
        where = f", line {line + 1}" if line else ""
        raise TemplateError(f"{location}{where}: the header is not valid: {message}") from None
    title = header.get("title")
    target = header.get("for")
    if not isinstance(title, str) or not title.strip():
        raise TemplateError(
            f'{location}: the header needs a title, e.g. title = "Meeting briefing"'
        )
    if target not in TARGETS:
        raise TemplateError(
            f"{location}: the header needs “for” set to one of {', '.join(TARGETS)}"
            + (f" (it says “{target}”)" if target is not None else "")
        )
    options = header.get("options", {})
    if not isinstance(options, dict):
        raise TemplateError(f"{location}: “options” must be a table of name = default value")
    layout = header.get("layout", "report")
    if not isinstance(layout, str):
        raise TemplateError(f"{location}: “layout” must be a word such as “report”")
    body = "\n" * (end + 1) + "\n".join(lines[end + 1 :])  # keeps Jinja's line numbers = file's
    info = TemplateInfo(
        name=name,
        title=title.strip(),
        target=target,
        description=str(header.get("description", "")).strip(),
        options=options,
        origin=origin,
        location=location,
        layout=layout,
        source=body,
        header_lines=end + 1,
    )
    try:  # syntax check now, not at print time; parsing never runs any of it
        _environment(None).parse(body)
    except jinja2.TemplateSyntaxError as error:
        raise TemplateError(f"{location}, line {error.lineno}: {error.message}") from None
    return info


# --- rendering ----------------------------------------------------------------------


class _Collector:
    """Data and named blocks met while rendering, referred to by placeholders."""

    def __init__(self) -> None:
        self.literals: list[str] = []
        self.blocks: list[NamedBlock] = []


class BlockRef:
    """What a named-block function returns; prints as the block's placeholder."""

    def __init__(self, token: str) -> None:
        self.token = token

    def __str__(self) -> str:
        return self.token


def display_value(value: Any) -> str:
    """A value as a document prints it: en-GB dates, Yes/No, an enum's label."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    if hasattr(value, "label") and isinstance(value, str):  # LabelledEnum
        return value.label
    return str(value)


class _Loader(jinja2.BaseLoader):
    """``{% include "_part.md" %}`` finds parts in the same places as templates."""

    def __init__(self, user_folder: Path | None) -> None:
        self.user_folder = user_folder

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        name = template[: -len(SUFFIX)] if template.endswith(SUFFIX) else template
        if "/" in name or "\\" in name or name.startswith("."):
            raise jinja2.TemplateNotFound(template)
        folder = self._folder()
        path = folder / f"{name}{SUFFIX}"
        changed = _stamp(path)

        def up_to_date() -> bool:
            """The environment keeps compiled parts: is this one still the file's?"""
            if self._folder() != folder:
                return False
            return _stamp(path) == changed

        if changed is not None:
            return _read(path, str(path)), str(path), up_to_date
        entry = resources.files("stpdesk.briefing_templates") / f"{name}{SUFFIX}"
        if entry.is_file():
            return _read(entry, template), template, up_to_date
        raise jinja2.TemplateNotFound(template)

    def _folder(self) -> Path:
        return self.user_folder if self.user_folder is not None else user_templates_dir()


def _stamp(path: Path) -> tuple[int, int] | None:
    """When a file last changed and its size, or None if there is no such file."""
    try:
        status = path.stat()
    except OSError:
        return None
    if not stat.S_ISREG(status.st_mode):
        return None
    return status.st_mtime_ns, status.st_size


# What the template being rendered in this thread has met so far (see render()).
_collecting: ContextVar[_Collector] = ContextVar("template_collector")
_environments: dict[Path | None, SandboxedEnvironment] = {}
_compiled_templates: dict[tuple[int, str, str], jinja2.Template] = {}
_cache_lock = threading.Lock()
KEPT = 32  # compiled templates (and user folders) kept; edited ones compile afresh


def _compiled(env: SandboxedEnvironment, source: str, location: str) -> jinja2.Template:
    """The template compiled once per environment and source text: compiling costs more
    than rendering, and an edited file has a different source, so it compiles afresh."""
    key = (id(env), source, location)
    template = _compiled_templates.get(key)
    if template is None:
        template = env.from_string(source)
        template.filename = location
        with _cache_lock:
            if len(_compiled_templates) >= KEPT:
                _compiled_templates.clear()
            _compiled_templates[key] = template
    return template


def _environment(user_folder: Path | None) -> SandboxedEnvironment:
    """One environment per user template folder, shared by every render: the data and
    blocks a render meets go to that render's collector (a context variable)."""
    with _cache_lock:
        env = _environments.get(user_folder)
        if env is None:
            if len(_environments) >= KEPT:
                _environments.clear()
                _compiled_templates.clear()
            env = _environments[user_folder] = _new_environment(user_folder)
        return env


# Bounds on what a template may cost: a shared template must not hang or exhaust the
# laptop (nested loops, 'a' * 10**9).
RENDER_SECONDS = 10.0
MAX_OUTPUT = 5_000_000  # characters of Markdown one render may produce
MAX_VALUE = 1_000_000  # items in a string or list a template builds with * or **
MAX_MEMORY_GROWTH = 512 * 1024 * 1024  # bytes the process may grow by while rendering


class TooCostly(Exception):
    """A template went past a bound; not a TemplateError so its line is reported."""


class _BoundedSandbox(SandboxedEnvironment):
    intercepted_binops = frozenset(["*", "**"])

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for sized, times in ((left, right), (right, left)):
                if (
                    isinstance(sized, str | list | tuple)
                    and isinstance(times, int)
                    and len(sized) * times > MAX_VALUE
                ):
                    raise TooCostly(f"a value of more than {MAX_VALUE:,} items is too large")
        if (
            operator == "**"
            and isinstance(left, int)
            and isinstance(right, int)
            and abs(left) > 1
            and right * abs(left).bit_length() > 64_000
        ):
            raise TooCostly("a number that large is not allowed")
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        for value in (*args, *kwargs.values()):
            if isinstance(value, int) and not isinstance(value, bool) and value > MAX_VALUE:
                raise TooCostly(f"{value:,} is too large a number to pass to a function")
        return super().call(__context, __obj, *args, **kwargs)


class _Watch:
    """Stops a render that runs too long or makes the process grow too much: a line
    tracer on the template's own code (loops with no output make no calls to hook)."""

    def __init__(self, env: SandboxedEnvironment, *, active: bool = True) -> None:
        import time as clock  # a work budget, not the business clock

        self.clock = clock
        self.env = env
        self.active = active
        self.deadline = clock.perf_counter() + RENDER_SECONDS
        self.base = _peak_memory() if active else 0
        self.lines = self.last_line = 0

    def __enter__(self) -> _Watch:
        if self.active:
            self.previous = sys.gettrace()
            sys.settrace(self.on_call)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.active:
            sys.settrace(self.previous)

    def on_call(self, frame: Any, event: str, arg: Any) -> Any:
        if frame.f_globals.get("environment") is self.env:
            return self.on_line
        return None

    def on_line(self, frame: Any, event: str, arg: Any) -> Any:
        self.lines += 1
        self.last_line = frame.f_lineno
        if self.clock.perf_counter() > self.deadline:
            raise TooCostly(f"stopped after {RENDER_SECONDS:.0f} seconds: a loop runs too long")
        if self.lines % 64 == 0 and _peak_memory() - self.base > MAX_MEMORY_GROWTH:
            raise TooCostly("stopped: it builds values too large for memory")
        return self.on_line


def _all_shipped(info: TemplateInfo, user_folder: Path | None) -> bool:
    """A shipped template whose parts are all shipped too (none replaced by a file of the
    same name in the user's folder): code we wrote and test, whose loops run over lists the
    gathering already bounds, so it needs no watch (the line tracer costs a pack 2.6 ms)."""
    if info.origin != "shipped":
        return False
    folder = user_folder if user_folder is not None else user_templates_dir()
    return not any(_stamp(folder / name) for name in _shipped_parts())


@functools.cache
def _shipped_parts() -> tuple[str, ...]:
    folder = resources.files("stpdesk.briefing_templates")
    return tuple(
        entry.name
        for entry in folder.iterdir()
        if entry.name.startswith("_") and entry.name.endswith(SUFFIX)
    )


def _bounded(function: Callable[..., Any]) -> Callable[..., Any]:
    """A filter that refuses huge numbers (``'x'|center(10**9)`` would take a gigabyte)."""
    import functools

    @functools.wraps(function)  # keeps Jinja's pass_context marks
    def checked(*args: Any, **kwargs: Any) -> Any:
        for value in (*args, *kwargs.values()):
            if isinstance(value, int) and not isinstance(value, bool) and value > MAX_VALUE:
                raise TooCostly(f"{value:,} is too large a number to pass to a filter")
        return function(*args, **kwargs)

    return checked


def _peak_memory() -> int:
    try:
        import resource
    except ImportError:  # Windows: the size bounds still apply
        return 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _new_environment(user_folder: Path | None) -> SandboxedEnvironment:
    # pass_eval_context: finalize runs at render time only, never folded into compiled
    # constants, so one compiled template serves every render
    @jinja2.pass_eval_context
    def finalize(_context: Any, value: Any) -> str:
        if isinstance(value, BlockRef):
            return value.token
        collector = _collecting.get()
        collector.literals.append(clean_text(display_value(value)))
        return f"{LITERAL_OPEN}{len(collector.literals) - 1}{LITERAL_CLOSE}"

    env = _BoundedSandbox(
        loader=_Loader(user_folder),
        # no constant folding: compiling must never evaluate ('a' * 10**9) at load time
        optimized=False,
        undefined=jinja2.StrictUndefined,
        finalize=finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters.update({name: _bounded(f) for name, f in env.filters.items()})
    env.filters["date"] = format_date
    env.filters["datetime"] = format_datetime
    env.filters["time"] = lambda value: value.strftime("%H:%M") if value else ""
    env.filters["plural"] = lambda count, one="", many="s": one if count == 1 else many
    env.filters["number"] = lambda value: f"{value:,}"
    env.filters["first_line"] = lambda text: (text or "").strip().split("\n")[0]

    def named(name: str, check: Callable[..., dict[str, Any]]) -> Callable[..., BlockRef]:
        def make(*args: Any, **kwargs: Any) -> BlockRef:
            try:
                params = check(*args, **kwargs)
            except TypeError as error:  # wrong arguments: say which block
                raise TypeError(f"{name}(): {str(error).split('() ', 1)[-1]}") from None
            collector = _collecting.get()
            collector.blocks.append(NamedBlock(name, params))
            return BlockRef(f"\n\n{BLOCK_OPEN}{len(collector.blocks) - 1}{BLOCK_CLOSE}\n\n")

        return make

    for name, check in BLOCKS.items():
        env.globals[name] = named(name, check)
    return env


@dataclass
class Rendered:
    info: TemplateInfo
    markdown: str
    blocks: list[Block]
    options: dict[str, Any]


def resolve_options(info: TemplateInfo, given: Mapping[str, Any] | None) -> dict[str, Any]:
    """The template's options with the caller's values, checked against each default's type."""
    options = dict(info.options)
    for key, value in (given or {}).items():
        if key not in info.options:
            known = ", ".join(sorted(info.options)) or "none"
            raise TemplateError(
                f"template “{info.name}” has no option “{key}” (its options: {known})"
            )
        default = info.options[key]
        options[key] = _coerce(info.name, key, value, default)
    return options


def _coerce(template: str, key: str, value: Any, default: Any) -> Any:
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("yes", "true", "on", "1"):
            return True
        if text in ("no", "false", "off", "0"):
            return False
        raise TemplateError(f"option “{key}” of “{template}” must be yes or no, not “{value}”")
    if isinstance(default, int):
        try:
            number = int(str(value).strip())
        except ValueError:
            raise TemplateError(
                f"option “{key}” of “{template}” must be a whole number, not “{value}”"
            ) from None
        if number < 0:
            raise TemplateError(f"option “{key}” of “{template}” cannot be negative")
        return number
    return str(value)


def render(
    info: TemplateInfo,
    context: Mapping[str, Any],
    *,
    options: Mapping[str, Any] | None = None,
    user_folder: Path | None = None,
) -> Rendered:
    """Run the template over ``context`` and parse the Markdown it produces into blocks."""
    collector = _Collector()
    resolved = resolve_options(info, options)
    token = _collecting.set(collector)
    try:
        env = _environment(user_folder)
        template = _compiled(env, info.source, info.location)
        parts: list[str] = []
        size = 0
        with _Watch(env, active=not _all_shipped(info, user_folder)) as watch:
            for part in template.generate({**context, "options": resolved}):
                size += len(part)
                if size > MAX_OUTPUT:
                    line = template.get_corresponding_lineno(watch.last_line)
                    raise TemplateError(
                        f"{info.location}, line {line}: stopped: it produces more than "
                        f"{MAX_OUTPUT:,} characters (check its loops and sizes)"
                    )
                parts.append(part)
        markdown = "".join(parts)
    except jinja2.TemplateSyntaxError as error:
        raise TemplateError(f"{info.location}, line {error.lineno}: {error.message}") from None
    except TemplateError:
        raise
    except Exception as error:  # any failure inside a template is the template's problem
        line = _template_line(sys.exc_info()[2], info.location)
        where = f", line {line}" if line else ""
        raise TemplateError(f"{info.location}{where}: {_explain(error)}") from None
    finally:
        _collecting.reset(token)
    try:
        blocks = parse_markdown(markdown, collector.literals, collector.blocks)
    except MisplacedBlock as error:
        raise TemplateError(
            f"{info.location}: {{{{ {error}(…) }}}} must stand on a line of its own"
        ) from None
    return Rendered(info, markdown, blocks, resolved)


def _template_line(trace: TracebackType | None, filename: str) -> int | None:
    """The template line Jinja's rewritten traceback points at."""
    line = None
    while trace is not None:
        if trace.tb_frame.f_code.co_filename in (filename, "<template>"):
            line = trace.tb_lineno
        trace = trace.tb_next
    return line


def _explain(error: Exception) -> str:
    if isinstance(error, TooCostly):
        return f"{error} (check its loops and sizes)"
    if isinstance(error, MemoryError):
        return "stopped: it builds values too large for memory (check its loops and sizes)"
    if isinstance(error, jinja2.UndefinedError):
        return f"{error.message} (check the spelling of the name)"
    if isinstance(error, jinja2.exceptions.SecurityError):
        return f"not allowed in a template: {error}"
    if isinstance(error, ValueError | TypeError):
        return str(error)
    return f"{type(error).__name__}: {error}"
