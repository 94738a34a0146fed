"""`bazaar --help` and every command's help: each option says what it is for."""

from __future__ import annotations

from collections.abc import Iterator

import click

from bazaar.cli import cli


def commands(group: click.Group, path: str = "bazaar") -> Iterator[tuple[str, click.Command]]:
    for name, command in group.commands.items():
        yield f"{path} {name}", command
        if isinstance(command, click.Group):
            yield from commands(command, f"{path} {name}")


def test_everything_on_the_command_line_has_help() -> None:
    undocumented = [
        f"{path} {param.opts[0]}" if param.opts else path
        for path, command in commands(cli)
        for param in [*command.params, None]
        if (param is None and not command.help)
        or (isinstance(param, click.Option) and not param.help)
    ]

    assert undocumented == []


def test_every_option_names_the_environment_variable_it_reads() -> None:
    silent = [
        f"{path} {param.opts[0]}"
        for path, command in commands(cli)
        for param in command.params
        if isinstance(param, click.Option) and not param.show_envvar
    ]

    assert silent == []
