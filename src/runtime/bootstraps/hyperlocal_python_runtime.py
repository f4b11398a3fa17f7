# hyperlocal's Python runtime (started through python-runtime.child.py): runs inside the function's process. It reads its spec (environment,
# working directory) as one JSON line on stdin, which lets hyperlocal start it before it knows the
# function (a prewarmed spare), then imports the handler and serves the Lambda Runtime API loop on
# AWS_LAMBDA_RUNTIME_API. Only cheap modules are imported up front; it speaks HTTP/1.1 over a plain
# socket because http.client costs more to import than the whole request loop.
import sys
import os
import json
import time
import socket
import logging

BOOTSTRAP_FILE = os.path.abspath(__file__)


class Fault(Exception):
    """A runtime-level failure with Lambda's error type (Runtime.ImportModuleError, ...)."""

    def __init__(self, error_type, message):
        super().__init__(message)
        self.error_type = error_type
        self.message = message


# ---------- Runtime API client ----------

class RuntimeApi:
    def __init__(self, address):
        # "host:port" or "host:port/prefix" (hyperlocal's per-environment secret)
        address, slash, prefix = address.partition("/")
        self.prefix = ("/" + prefix).rstrip("/") if slash else ""
        host, _, port = address.rpartition(":")
        self.host = host
        self.address = (host, int(port))
        self.sock = None
        self.rfile = None

    def _connect(self):
        s = socket.create_connection(self.address)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = s
        self.rfile = s.makefile("rb")

    def _close(self):
        try:
            if self.sock:
                self.sock.close()
        finally:
            self.sock = None
            self.rfile = None

    def call(self, method, path, body=None, headers=None):
        return self.exchange([(method, path, body, headers)])[-1]

    def exchange(self, requests):
        """Send the requests pipelined in one write; return their responses in order."""
        if self.sock is None:
            self._connect()
        out = b""
        for method, path, body, headers in requests:
            lines = ["%s %s/2018-06-01%s HTTP/1.1" % (method, self.prefix, path), "Host: %s:%d" % self.address]
            for k, v in (headers or {}).items():
                lines.append("%s: %s" % (k, "".join(c for c in str(v) if " " <= c <= "~")))
            if body is not None:
                lines.append("Content-Type: application/json")
                lines.append("Content-Length: %d" % len(body))
            out += ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")
        try:
            self.sock.sendall(out)
            return [self._read_response() for _ in requests]
        except (OSError, EOFError, ValueError, IndexError):
            self._close()
            raise ConnectionError("Runtime API connection lost")

    def _read_response(self):
        status_line = self.rfile.readline()
        if not status_line:
            raise EOFError()
        status = int(status_line.split()[1])
        headers = {}
        while True:
            line = self.rfile.readline()
            if not line:
                raise EOFError()
            if line in (b"\r\n", b"\n"):
                break
            k, _, v = line.decode("latin-1").partition(":")
            headers[k.strip().lower()] = v.strip()
        n = int(headers.get("content-length", "0"))
        data = self.rfile.read(n) if n else b""
        if len(data) < n:
            raise EOFError()
        return status, headers, data


# ---------- logging, by AWS_LAMBDA_LOG_FORMAT / AWS_LAMBDA_LOG_LEVEL as Lambda's Python runtime ----------
# Text: "[LEVEL]\t<ISO time>Z\t<request id>\t<message>"; JSON: one object a line,
# {"timestamp","level","message","logger","requestId", the exception's fields, the record's extras}.
# The root logger's level is AWS_LAMBDA_LOG_LEVEL (TRACE counts as DEBUG); unset, Python's WARNING.

def json_log_format():
    return os.environ.get("AWS_LAMBDA_LOG_FORMAT", "").upper() == "JSON"


class RequestIdFilter(logging.Filter):
    request_id = ""

    def filter(self, record):
        record.aws_request_id = RequestIdFilter.request_id
        return True


# LogRecord attributes that are not extras (anything else a record carries goes into the JSON).
_RECORD_FIELDS = {"name", "msg", "args", "levelname", "levelno", "pathname", "filename", "module", "exc_info",
                  "exc_text", "stack_info", "lineno", "funcName", "created", "msecs", "relativeCreated", "thread",
                  "threadName", "processName", "process", "aws_request_id", "taskName"}


class JsonFormatter(logging.Formatter):
    def format(self, record):
        import traceback

        level = min(50, max(0, record.levelno)) // 10 * 10
        exc = record.exc_info
        result = {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + ".%03dZ" % record.msecs,
            "level": logging.getLevelName(level),
            "message": record.getMessage(),
            "logger": record.name,
            "stackTrace": traceback.format_tb(exc[2]) if exc else None,
            "errorType": exc[0].__name__ if exc else None,
            "errorMessage": str(exc[1]) if exc else None,
            "requestId": getattr(record, "aws_request_id", None),
            "location": "%s:%s:%s" % (record.pathname, record.funcName, record.lineno) if exc else None,
        }
        for key, value in record.__dict__.items():
            if key not in _RECORD_FIELDS and key not in result:
                result[key] = value
        return json.dumps({k: v for k, v in result.items() if v is not None}, ensure_ascii=False, default=str) + "\n"


def install_logging():
    handler = logging.StreamHandler(sys.stdout)
    if json_log_format():
        handler.setFormatter(JsonFormatter())
    else:
        fmt = logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n", "%Y-%m-%dT%H:%M:%S")
        fmt.converter = time.gmtime
        handler.setFormatter(fmt)
    handler.terminator = ""
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper()
    level = "DEBUG" if level == "TRACE" else level
    if level in logging._nameToLevel:
        root.setLevel(level)


# ---------- context ----------

class CognitoIdentity:
    def __init__(self, data):
        data = data or {}
        self.cognito_identity_id = data.get("cognitoIdentityId")
        self.cognito_identity_pool_id = data.get("cognitoIdentityPoolId")


class ClientContext:
    def __init__(self, data):
        self.client = data.get("client")
        self.custom = data.get("custom")
        self.env = data.get("env")


class LambdaContext:
    def __init__(self, request_id, deadline_ms, invoked_arn, client_context, identity):
        env = os.environ
        self.aws_request_id = request_id
        self.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_arn
        self.client_context = ClientContext(client_context) if isinstance(client_context, dict) else None
        self.identity = CognitoIdentity(identity if isinstance(identity, dict) else None)
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return int(max(self._deadline_ms - time.time() * 1000, 0))

    def __repr__(self):
        return "LambdaContext([aws_request_id=%s,log_group_name=%s,log_stream_name=%s,function_name=%s,memory_limit_in_mb=%s,function_version=%s,invoked_function_arn=%s,client_context=%s,identity=%s])" % (
            self.aws_request_id, self.log_group_name, self.log_stream_name, self.function_name, self.memory_limit_in_mb,
            self.function_version, self.invoked_function_arn, self.client_context, self.identity)


# ---------- errors: {"errorMessage", "errorType", "requestId", "stackTrace"} ----------

def stack_trace(tb):
    import traceback  # only failures pay for it

    frames = traceback.extract_tb(tb)
    while frames and frames[0].filename == BOOTSTRAP_FILE:
        frames = frames[1:]
    return traceback.format_list(frames)


def error_result(exc, request_id):
    if isinstance(exc, Fault):
        return {"errorMessage": exc.message, "errorType": exc.error_type, "requestId": request_id, "stackTrace": []}
    return {"errorMessage": str(exc), "errorType": type(exc).__name__, "requestId": request_id, "stackTrace": stack_trace(exc.__traceback__)}


def log_error(result):
    if json_log_format():
        line = {"timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()), "level": "ERROR"}
        line.update(result)
        sys.stdout.write(json.dumps(line) + "\n")
        return
    lines = ["[ERROR] %s: %s" % (result["errorType"], result["errorMessage"]), "Traceback (most recent call last):"]
    for frame in result["stackTrace"]:
        lines.extend(frame.rstrip("\n").split("\n"))
    sys.stdout.write("\n".join(lines) + "\n")


# ---------- handler loading ----------

def load_handler(handler):
    import importlib

    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise Fault("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (handler, e))
    modname = modname.replace("/", ".")
    if modname.split(".")[0] in sys.builtin_module_names:
        raise Fault("Runtime.BuiltInModuleConflict", "Cannot use built-in module %s as a handler module" % modname)
    try:
        module = importlib.import_module(modname)
    except ImportError as e:
        raise Fault("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (modname, e))
    except SyntaxError as e:
        raise Fault("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (modname, e))
    fn = getattr(module, fname, None)
    if fn is None:
        raise Fault("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (fname, modname))
    return fn


# ---------- main ----------

def flush():
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        pass


def apply_spec(spec):
    os.environ.clear()
    os.environ.update(spec["env"])
    # The network shim, when loaded at start, sets variables of its own (the AWS SDK endpoints) from the new environment.
    apply_endpoints = getattr(sys.modules.get("sitecustomize"), "_apply_aws_endpoints", None)
    if apply_endpoints is not None:
        apply_endpoints()
    os.chdir(spec["cwd"])
    time.tzset()
    # The code directory is read-only for the function, as /var/task is: no __pycache__ there.
    sys.dont_write_bytecode = True
    here = os.path.dirname(BOOTSTRAP_FILE)
    sys.path[:] = [p for p in sys.path if p != here]
    sys.path.insert(0, os.environ.get("LAMBDA_TASK_ROOT", spec["cwd"]))


def invoke(handler, headers, body):
    """Run one invocation; returns the request that answers it (response or error)."""
    request_id = headers.get("lambda-runtime-aws-request-id", "")
    RequestIdFilter.request_id = request_id
    trace = headers.get("lambda-runtime-trace-id")
    if trace:
        os.environ["_X_AMZN_TRACE_ID"] = trace
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)
    base = "/runtime/invocation/%s" % request_id
    try:
        client_context = json.loads(headers["lambda-runtime-client-context"]) if headers.get("lambda-runtime-client-context") else None
        identity = json.loads(headers["lambda-runtime-cognito-identity"]) if headers.get("lambda-runtime-cognito-identity") else None
        context = LambdaContext(request_id, int(headers.get("lambda-runtime-deadline-ms", "0")),
                                headers.get("lambda-runtime-invoked-function-arn"), client_context, identity)
        event = json.loads(body) if body else {}
        result = handler(event, context)
        try:
            payload = json.dumps(result).encode("utf-8")
        except (TypeError, ValueError) as e:
            raise Fault("Runtime.MarshalError", "Unable to marshal response: %s" % e)
    except Exception as e:
        err = error_result(e, request_id)
        log_error(err)
        flush()
        return ("POST", base + "/error", json.dumps(err).encode("utf-8"), {"Lambda-Runtime-Function-Error-Type": err["errorType"]})
    flush()
    return ("POST", base + "/response", payload, None)


def main():
    line = sys.stdin.buffer.readline()
    if not line:
        return 0  # hyperlocal went away before telling us anything
    spec = json.loads(line)
    apply_spec(spec)
    # Line-buffered, so output printed just before a timeout or a crash still reaches the logs.
    sys.stdout.reconfigure(line_buffering=True)
    install_logging()
    api = RuntimeApi(os.environ["AWS_LAMBDA_RUNTIME_API"])

    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except Exception as e:
        err = error_result(e, "")
        log_error(err)
        flush()
        try:
            api.call("POST", "/runtime/init/error", json.dumps(err).encode("utf-8"),
                     {"Lambda-Runtime-Function-Error-Type": err["errorType"]})
        except OSError:
            pass
        return 1

    next_request = ("GET", "/runtime/invocation/next", None, None)
    try:
        status, headers, body = api.exchange([next_request])[-1]
        while status == 200:
            # The answer and the next long poll go out together (HTTP pipelining): one write.
            status, headers, body = api.exchange([invoke(handler, headers, body), next_request])[-1]
    except OSError:
        pass
    return 1  # the platform is gone: the environment was stopped


if __name__ == "__main__":
    sys.exit(main())
