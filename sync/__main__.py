"""``python -m sync import --server URL --username U --password-stdin FILE.jsonl``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from sync.bulk_import import ImportFileError, import_file
from sync.client import SyncClient
from sync.outbox import LocalStore
from sync.transport import Backoff, SyncError, Transport


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sync", description="Alongside sync client")
    commands = parser.add_subparsers(dest="command", required=True)
    bulk = commands.add_parser(
        "import",
        help="import check-ins from a JSON Lines file (one check-in data object per line)",
    )
    bulk.add_argument("file", type=Path, help="FILE.jsonl")
    bulk.add_argument("--server", required=True, help="e.g. https://alongside.example.org")
    bulk.add_argument("--username", required=True)
    bulk.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help="read the password from the first line of standard input",
    )
    bulk.add_argument(
        "--store",
        type=Path,
        help="local sync store, reused to resume an import (default: FILE.sync.sqlite3)",
    )
    bulk.add_argument(
        "--max-attempts",
        type=int,
        default=None,
        help="give up after this many tries of one request (default: keep retrying)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    options = _parser().parse_args(argv)
    if not options.file.is_file():
        print(f"error: {options.file} is not a file", file=sys.stderr)
        return 2
    password = sys.stdin.readline().rstrip("\r\n")
    store_path = options.store or options.file.with_name(options.file.name + ".sync.sqlite3")
    store = LocalStore(str(store_path))
    transport = Transport(options.server, backoff=Backoff(max_attempts=options.max_attempts))
    try:
        transport.sign_in(options.username, password, device_name="bulk import")
        result = import_file(SyncClient(store, transport), options.file)
    except ImportFileError as error:
        print(f"error: {options.file}: {error}", file=sys.stderr)
        return 2
    except SyncError as error:
        print(f"error: {error}; run the same command again to resume", file=sys.stderr)
        return 1
    finally:
        transport.close()
    report, rejected = result.report, store.rejected()
    store.close()
    queued = "already queued" if result.already_queued else f"{result.queued} queued"
    print(
        f"{options.file.name}: {queued}; {report.applied} applied "
        f"({report.duplicates} already on the server), {len(rejected)} rejected"
    )
    for change in rejected:
        problems = "; ".join(
            f"{field}: {', '.join(texts)}" for field, texts in change.errors.items()
        )
        print(f"  rejected {change.id}: {problems}")
    return 1 if rejected else 0


if __name__ == "__main__":
    sys.exit(main())
