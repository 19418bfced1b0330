"""Greets, and has another function store the greeting.

boto3's Lambda client reaches lambdad through AWS_ENDPOINT_URL_LAMBDA, which lambdad sets.
"""

import json

import boto3

lambda_client = boto3.client("lambda")


def handler(event, context):
    response = lambda_client.invoke(FunctionName="store-greeting", Payload=json.dumps(event))
    stored = json.loads(response["Payload"].read())
    if "FunctionError" in response:
        raise RuntimeError(f"store-greeting failed: {stored}")
    return {"greeting": f"hello, {event['name']}", "stored": stored}
