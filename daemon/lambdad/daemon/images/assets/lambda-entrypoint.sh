#!/bin/sh
# The entrypoint of AWS's Lambda base images (lambda-spec §8): exactly one argument, the handler,
# exported as _HANDLER; then exec /var/runtime/bootstrap. AWS's images start their bundled Runtime
# Interface Emulator when AWS_LAMBDA_RUNTIME_API is unset; lambdad's offline images have none, so
# they say so instead.
if [ $# -ne 1 ]; then
  echo "entrypoint requires the handler name to be the first argument" 1>&2
  exit 142
fi
export _HANDLER="$1"
RUNTIME_ENTRYPOINT=/var/runtime/bootstrap
if [ -z "${AWS_LAMBDA_RUNTIME_API}" ]; then
  echo "AWS_LAMBDA_RUNTIME_API is not set. This lambdad runtime image has no Runtime Interface" 1>&2
  echo "Emulator: run the function through lambdad (which serves the Runtime API), or set" 1>&2
  echo "AWS_LAMBDA_RUNTIME_API=host:port of a Runtime API yourself." 1>&2
  exit 1
fi
exec "$RUNTIME_ENTRYPOINT"
