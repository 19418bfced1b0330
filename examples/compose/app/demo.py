"""The example's app: deploys two functions to lambdad and invokes one, by service name.

Its endpoints come from the compose file (AWS_ENDPOINT_URL_LAMBDA=http://lambdad:4566,
AWS_ENDPOINT_URL_S3=http://s3:5000). Safe to run again: existing functions are updated.
"""

import contextlib
import io
import json
import sys
import uuid
import zipfile
from pathlib import Path

import boto3
from botocore.config import Config

FUNCTIONS = Path(__file__).resolve().parent.parent / "functions"
BUCKET = "lambdad-example"
ROLE = "arn:aws:iam::000000000000:role/example"
# Connection errors are retried: the store may still be starting.
RETRIES = Config(retries={"max_attempts": 10, "mode": "standard"})

lambda_client = boto3.client("lambda", config=RETRIES)
s3 = boto3.client("s3", config=RETRIES)


def zipped(module: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(FUNCTIONS / f"{module}.py", f"{module}.py")
    return buffer.getvalue()


def deploy(name: str, module: str) -> None:
    code = zipped(module)
    try:
        lambda_client.update_function_code(FunctionName=name, ZipFile=code)
    except lambda_client.exceptions.ResourceNotFoundException:
        lambda_client.create_function(
            FunctionName=name,
            Runtime="python3.11",
            Role=ROLE,
            Handler=f"{module}.handler",
            Timeout=30,
            Code={"ZipFile": code},
        )
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=name)


def main() -> int:
    existing = sorted(f["FunctionName"] for f in lambda_client.list_functions()["Functions"])
    already = (s3.exceptions.BucketAlreadyOwnedByYou, s3.exceptions.BucketAlreadyExists)
    with contextlib.suppress(*already):
        s3.create_bucket(Bucket=BUCKET)
    deploy("store-greeting", "store_greeting")
    deploy("greet", "greet")
    key = f"greetings/{uuid.uuid4()}.txt"
    event = {"name": "compose", "bucket": BUCKET, "key": key}
    response = lambda_client.invoke(FunctionName="greet", Payload=json.dumps(event))
    result = json.loads(response["Payload"].read())
    if "FunctionError" in response:
        print(json.dumps({"error": result}), flush=True)
        return 1
    stored = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode()
    print(json.dumps({"existing_before": existing, "result": result, "stored_body": stored}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
