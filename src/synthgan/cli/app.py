"""The click group every command attaches to, and the mapping of errors to exit codes.

Exit codes follow click: 2 for usage errors (bad option, unknown command, bad parameter value),
1 for runtime errors (a file that cannot be read, a model that fails to train). Errors print one
line, ``Error: ...``, on stderr; ``--debug`` shows the full traceback instead. SIGINT (Ctrl-C) and
SIGTERM stop a command the same way, with one line and exit code 130 or 143, after every write in
progress has removed its temporary file.
"""

from __future__ import annotations

import difflib
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import click

from synthgan.errors import ParameterError, SynthganError


class SuggestingGroup(click.Group):
    """A group that answers a mistyped command with "did you mean ...?"."""

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            close = difflib.get_close_matches(name, self.list_commands(ctx), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            ctx.fail(f"No such command {name!r}.{hint}")
        return super().resolve_command(ctx, args)


@click.group(cls=SuggestingGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.version_option(package_name="synthgan")
@click.pass_context
def app(ctx: click.Context, debug: bool) -> None:
    """synthgan: learn a real table, generate synthetic data with GANs, and prove how good it is."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


class Stopped(BaseException):
    """A stop signal, raised where the command is so that every ``finally`` (temporary files) runs.

    A BaseException, like KeyboardInterrupt, so that no ``except Exception`` swallows it.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextmanager
def _stop_on_signals() -> Iterator[None]:
    """Turn SIGINT and SIGTERM into :class:`Stopped` while a command runs (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    wanted = (signal.SIGINT, signal.SIGTERM)

    def stop(signum: int, frame) -> None:
        for each in wanted:  # a second signal must not cut the clean-up short
            signal.signal(each, signal.SIG_IGN)
        raise Stopped(signum)

    previous = {each: signal.signal(each, stop) for each in wanted}
    try:
        yield
    finally:
        for each, handler in previous.items():
            signal.signal(each, handler)


def run(args: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (no traceback unless --debug)."""
    argv = list(sys.argv[1:] if args is None else args)
    debug = "--debug" in argv
    try:
        with _stop_on_signals():
            app.main(args=argv, prog_name="synthgan", standalone_mode=False, obj={"argv": argv})
    except Stopped as stop:
        name = signal.Signals(stop.signum).name
        click.echo(f"Error: stopped by {name}; no file was left half-written.", err=True)
        return 128 + stop.signum
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.Abort:
        click.echo("Aborted.", err=True)
        return 1
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except ParameterError as error:
        if debug:
            raise
        click.echo(f"Error: {error}", err=True)
        return 2
    except SynthganError as error:
        if debug:
            raise
        click.echo(f"Error: {error}", err=True)
        return 1
    except (OSError, ValueError) as error:
        if debug:
            raise
        click.echo(f"Error: {error}", err=True)
        return 1
    except Exception as error:  # a bug in synthgan: still one line, and how to see more
        if debug:
            raise
        click.echo(f"Error: unexpected {type(error).__name__}: {error} (run with --debug for details)", err=True)
        return 1
    return 0
