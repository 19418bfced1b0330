"""Stores a greeting in a bucket of the compose stack's S3-compatible store.

No endpoint in the code: boto3 reads AWS_ENDPOINT_URL, which lambdad sets for its functions
(LAMBDAD_FUNCTION_AWS_ENDPOINT_URL=http://s3:5000 in docker-compose.yml).
"""

import boto3

s3 = boto3.client("s3")


def handler(event, context):
    body = f"hello, {event['name']}"
    s3.put_object(Bucket=event["bucket"], Key=event["key"], Body=body.encode())
    return {"stored": f"s3://{event['bucket']}/{event['key']}", "by": context.function_name}
