'use strict';
// console.* as Lambda's Node.js runtime patches it, by the function's LoggingConfig (which the
// platform passes as AWS_LAMBDA_LOG_FORMAT and AWS_LAMBDA_LOG_LEVEL):
//   Text: 2024-01-01T00:00:00.000Z\t<request id>\tINFO\t<util.format of the arguments>
//   JSON: {"timestamp":"2024-01-01T00:00:00.000Z","level":"INFO","requestId":"<id>","message":...}
// A single argument is the message as is (objects stay objects, errors become {errorType,
// errorMessage,stackTrace}); several are util.format'ed, with the first error's fields beside them.
// Methods below AWS_LAMBDA_LOG_LEVEL do nothing. console.log is console.info; console.fatal exists.
const { format } = require('node:util');

const LEVELS = { TRACE: 1, DEBUG: 2, INFO: 3, WARN: 4, ERROR: 5, FATAL: 6 };

/** getRequestId: the current invocation's id (undefined outside one, as Lambda prints it). */
function patchConsole(getRequestId) {
  const json = String(process.env.AWS_LAMBDA_LOG_FORMAT || '').toUpperCase() === 'JSON';
  const min = LEVELS[String(process.env.AWS_LAMBDA_LOG_LEVEL || '').toUpperCase()] || LEVELS.TRACE;
  const line = json ? jsonLine : textLine;
  const emit = (level, args) => process.stdout.write(line(new Date().toISOString(), getRequestId(), level, args) + '\n');
  const method = (level, fn) => (LEVELS[level] >= min ? fn : () => {});

  console.trace = method('TRACE', json ? (...args) => emit('TRACE', args) : textTrace(emit));
  console.debug = method('DEBUG', (...args) => emit('DEBUG', args));
  console.info = method('INFO', (...args) => emit('INFO', args));
  console.log = console.info;
  console.warn = method('WARN', (...args) => emit('WARN', args));
  console.error = method('ERROR', (...args) => emit('ERROR', args));
  console.fatal = (...args) => emit('FATAL', args);

  /** The runtime's own error lines ("Invoke Error", "Uncaught Exception"): at ERROR, like console.error. */
  return function logError(label, payload) {
    const { errorType, errorMessage, trace } = payload;
    if (json) console.error({ errorType, errorMessage, stackTrace: trace });
    else console.error(label, '\t' + JSON.stringify({ errorType, errorMessage, stack: trace }));
  };
}

function textLine(time, requestId, level, args) {
  return `${time}\t${requestId}\t${level}\t${format(...args)}`;
}

/** Text: the stack of the call, as node's own console.trace prints it. */
function textTrace(emit) {
  return function trace(...args) {
    const e = { name: 'Trace', message: format(...args) };
    Error.captureStackTrace(e, trace);
    emit('TRACE', [e.stack]);
  };
}

function jsonLine(timestamp, requestId, level, args) {
  const result = { timestamp, level, requestId };
  if (args.length <= 1) {
    result.message = args[0]; // console.log() has no message at all
    try {
      return JSON.stringify(result, errorReplacer);
    } catch {
      result.message = format(args[0]); // circular, BigInt, a throwing toJSON
      return JSON.stringify(result);
    }
  }
  result.message = format(...args);
  const err = args.find((a) => a instanceof Error);
  if (err) Object.assign(result, errorFields(err));
  return JSON.stringify(result);
}

function errorReplacer(_key, value) {
  return value instanceof Error ? Object.assign(errorFields(value), value) : value;
}

function errorFields(e) {
  return {
    errorType: (e.constructor && e.constructor.name) || 'UnknownError',
    errorMessage: e.message,
    stackTrace: typeof e.stack === 'string' ? e.stack.split('\n') : [],
  };
}

module.exports = { patchConsole };
