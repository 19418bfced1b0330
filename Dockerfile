# lambdad as a sidecar: `docker build -t lambdad . && docker run -p 4566:4566 -p 50051:50051 lambdad`
FROM python:3.11-slim

WORKDIR /src
COPY client ./client
COPY daemon ./daemon
RUN pip install --no-cache-dir ./client ./daemon && rm -rf /src

ENV LAMBDAD_DATA_DIR=/var/lib/lambdad \
    LAMBDAD_GRPC_HOST=0.0.0.0 \
    LAMBDAD_GATEWAY_HOST=0.0.0.0 \
    LAMBDAD_LOG_FORMAT=json
VOLUME /var/lib/lambdad
EXPOSE 4566 50051
ENTRYPOINT ["lambdad"]
CMD ["serve"]
