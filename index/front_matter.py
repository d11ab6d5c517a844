"""YAML front matter of a Markdown article, parsed so that no value in it can stop or stall the load."""

from __future__ import annotations

from typing import Any

import frontmatter
import yaml
from frontmatter.default_handlers import YAMLHandler

from index.file_reading import SkipFile, value_error_reason


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps an impossible date (`2023-02-30`) as text, to be reported, instead of raising."""


def _timestamp(loader: _Loader, node: yaml.ScalarNode) -> Any:
    try:
        return loader.construct_yaml_timestamp(node)
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


class _Handler(YAMLHandler):
    def load(self, fm: str, **kwargs: object) -> Any:
        """The front matter's mapping, read with _Loader."""
        return yaml.load(fm, Loader=_Loader)  # a SafeLoader subclass: no Python tags


def parse_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """(metadata, body) of a Markdown text that opens with `---` front matter; SkipFile when it is not YAML.

    Aliases are resolved by reference, never copied, so a "billion laughs" document parses in microseconds;
    its values are checked for being text before anything turns them into strings (index/article_fields.py).
    """
    try:
        meta, body = frontmatter.parse(text, handler=_Handler())
    except yaml.YAMLError as exc:
        raise SkipFile(f"invalid YAML front matter: {exc}") from exc
    except RecursionError as exc:
        raise SkipFile("YAML front matter nested too deeply to read") from exc
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise SkipFile(f"invalid YAML front matter: {value_error_reason(exc)}") from exc
    return dict(meta), body
