"""A hot-reload layer through boto3, as a new user tries it: publish a host directory as a
layer, attach it, save a module in it and see the change in the next response."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

ROLE = "arn:aws:iam::000000000000:role/lambda-role"
APP = "import shared\n\ndef handler(event, context):\n    return {'shared': shared.VALUE}\n"


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_saved_layer_module_shows_in_the_next_response(
    client: Any, function_name: str, tmp_path: Path
) -> None:
    layer = tmp_path / "layer"
    (layer / "python").mkdir(parents=True)
    (layer / "python" / "shared.py").write_text("VALUE = 'before'\n")
    published = client.publish_layer_version(
        LayerName=f"{function_name}-live",
        Content={"S3Bucket": "hot-reload", "S3Key": str(layer)},
        CompatibleRuntimes=["python3.11"],
    )
    assert published["Content"]["CodeSha256"] == "hot-reloading-hash-not-available"
    assert published["Content"]["CodeSize"] == 0
    assert published["Content"]["Location"] == layer.as_uri()
    got = client.get_layer_version_by_arn(Arn=published["LayerVersionArn"])
    assert got["Content"] == published["Content"]

    client.create_function(
        FunctionName=function_name,
        Runtime="python3.11",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": _zip({"app.py": APP})},
        Layers=[published["LayerVersionArn"]],
    )
    client.get_waiter("function_active_v2").wait(FunctionName=function_name)

    def shared() -> str:
        payload = client.invoke(FunctionName=function_name)["Payload"].read()
        return str(json.loads(payload)["shared"])

    assert shared() == "before"
    (layer / "python" / "shared.py").write_text("VALUE = 'after!'\n")
    assert shared() == "after!"
