#!/usr/bin/python3
# Debian's AWS CLI v2 (2.9) as it is, except that every client it builds without an endpoint gets
# the command line's --endpoint-url. `aws cloudformation package` (and `deploy --s3-bucket`) build
# their S3 client without it, so they would upload to s3.amazonaws.com; AWS CLI 2.13+ lets
# AWS_ENDPOINT_URL(_S3) fix that, 2.9 has no such setting. With this the CLI talks only to the
# endpoint a test gives it (and the test's loopback-only namespace refuses anything else anyway).
import sys

import awscli.clidriver  # installs the alias that makes `botocore` the CLI's own copy
import botocore.session


def _endpoint_from_argv():
    argv = sys.argv[1:]
    for i, a in enumerate(argv):
        if a == "--endpoint-url" and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith("--endpoint-url="):
            return a.split("=", 1)[1]
    return None


_ENDPOINT = _endpoint_from_argv()
_create_client = botocore.session.Session.create_client


def _create_client_with_endpoint(self, service_name, *args, **kwargs):
    # create_client(service_name, region_name, use_ssl, verify, endpoint_url, ...): positional
    # endpoint_url is args[3].
    if _ENDPOINT and len(args) < 4 and kwargs.get("endpoint_url") is None:
        kwargs["endpoint_url"] = _ENDPOINT
    return _create_client(self, service_name, *args, **kwargs)


botocore.session.Session.create_client = _create_client_with_endpoint

if __name__ == "__main__":
    sys.exit(awscli.clidriver.main())
