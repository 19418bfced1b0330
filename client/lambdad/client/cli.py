"""A small command line for lambdad: ``python -m lambdad.client functions list``.

Responses are printed as JSON with AWS's member names (the proto ``json_name``s), the same
shape the AWS CLI prints. A failed RPC prints ``REASON: message`` to stderr and exits 1.
"""

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence

from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message

from lambdad.client.client import LambdadClient
from lambdad.client.errors import LambdadError
from lambdad.v1 import function_service_pb2 as function_service

__all__ = ["DEFAULT_TARGET", "TARGET_ENV", "main"]

#: Environment variable naming the daemon's gRPC address.
TARGET_ENV = "LAMBDAD_GRPC_TARGET"
#: Address used when neither ``--target`` nor ``LAMBDAD_GRPC_TARGET`` is given.
DEFAULT_TARGET = "127.0.0.1:50051"

_Command = Callable[[LambdadClient, argparse.Namespace], Message]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    args = _parser().parse_args(argv)
    command: _Command = args.command
    try:
        with LambdadClient.connect(args.target) as client:
            response = command(client, args)
    except LambdadError as err:
        print(f"{err.reason}: {err.message}", file=sys.stderr)
        return 1
    print(json.dumps(MessageToDict(response), indent=2, sort_keys=True))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m lambdad.client", description="Talk to a lambdad daemon over gRPC."
    )
    parser.add_argument(
        "--target",
        default=os.environ.get(TARGET_ENV, DEFAULT_TARGET),
        help=f"daemon address, host:port (default: ${TARGET_ENV} or {DEFAULT_TARGET})",
    )
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="seconds to wait for each RPC (default: 30)"
    )
    parser.add_argument("--request-id", help="sent as x-request-id, to find the call in logs")
    groups = parser.add_subparsers(title="resources", required=True, metavar="RESOURCE")

    functions = groups.add_parser("functions", help="functions and their versions")
    commands = functions.add_subparsers(title="commands", required=True, metavar="COMMAND")

    list_ = commands.add_parser("list", help="list functions, following every page")
    list_.add_argument(
        "--all-versions", action="store_true", help="include every published version"
    )
    list_.set_defaults(command=_list_functions)

    get = commands.add_parser("get", help="show a function's configuration, code and tags")
    get.add_argument("name", help="function name or ARN")
    get.add_argument("--qualifier", default="", help="version or alias")
    get.set_defaults(command=_get_function)

    delete = commands.add_parser("delete", help="delete a function, or one published version")
    delete.add_argument("name", help="function name or ARN")
    delete.add_argument("--qualifier", default="", help="a published version to delete instead")
    delete.set_defaults(command=_delete_function)
    return parser


def _list_functions(client: LambdadClient, args: argparse.Namespace) -> Message:
    request = function_service.ListFunctionsRequest(
        function_version="ALL" if args.all_versions else ""
    )
    result = function_service.ListFunctionsResponse()
    while True:
        page = client.list_functions(request, timeout=args.timeout, request_id=args.request_id)
        result.functions.extend(page.functions)
        # Stop on a repeated token too: a daemon bug must not turn into an endless loop.
        if not page.next_page_token or page.next_page_token == request.page_token:
            return result
        request.page_token = page.next_page_token


def _get_function(client: LambdadClient, args: argparse.Namespace) -> Message:
    request = function_service.GetFunctionRequest(function_name=args.name, qualifier=args.qualifier)
    return client.get_function(request, timeout=args.timeout, request_id=args.request_id)


def _delete_function(client: LambdadClient, args: argparse.Namespace) -> Message:
    request = function_service.DeleteFunctionRequest(
        function_name=args.name, qualifier=args.qualifier
    )
    return client.delete_function(request, timeout=args.timeout, request_id=args.request_id)
