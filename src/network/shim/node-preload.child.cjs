'use strict';
// hyperlocal shim mode, Node side. Loaded into every Node process of a Lambda execution environment
// with NODE_OPTIONS=--require=<this file> (plain CommonJS: it runs in the function's process, before
// the function's code). Every outgoing connection is decided by hyperlocal over loopback HTTP
// (HYPERLOCAL_NET_URL + /connect, /close, /lookup) and the answer is obeyed: connect to the local
// endpoint standing in for the destination, drop (ETIMEDOUT after afterMs), unreachable, refuse.
//
// FAIL CLOSED: a call shape this file does not understand, a decision that fails, times out or makes
// no sense refuses the connection. The original destination is never handed to the real network; a
// last line of defence at the libuv bindings (TCP/UDP connect and send, getaddrinfo, c-ares queries)
// refuses any non-loopback address that got past the JavaScript wrappers.
// See README.md beside this file for what is caught, the blind spots and the protocol.

const GUARD = Symbol.for('hyperlocal.network.shim');
if (!globalThis[GUARD]) {
  globalThis[GUARD] = { file: __filename };
  install();
}

function install() {
  const net = require('net');
  const dns = require('dns');
  const dgram = require('dgram');
  const childProcess = require('child_process');
  const workerThreads = require('worker_threads');
  const os = require('os');
  const fs = require('fs');
  const Module = require('module');

  const ENV_DATA_KEY = 'hyperlocal.network.shim';
  const DEFAULT_TIMEOUT_MS = 2000;
  const MAX_DROP_MS = 15 * 60 * 1000;
  const SHIM_OPTION = `--require=${__filename}`;
  const SHIM_NODE_OPTION = /\s/.test(SHIM_OPTION) ? `"${SHIM_OPTION.replace(/(["\\])/g, '\\$1')}"` : SHIM_OPTION;
  const ERRNO = os.constants.errno;
  const UV_EAI = { ENOTFOUND: -3008, EAI_AGAIN: -3001, EAI_FAIL: -3002 };

  // ---------- configuration (process.env, or the parent's copy in a worker) ----------

  const cfg = readConfig();
  if (workerThreads.isMainThread) {
    try {
      workerThreads.setEnvironmentData(ENV_DATA_KEY, { url: cfg.url, token: cfg.token, timeoutMs: cfg.timeoutMs, denyPorts: cfg.rawDenyPorts });
    } catch {}
  }

  function readConfig() {
    let data;
    if (!workerThreads.isMainThread) {
      try {
        data = workerThreads.getEnvironmentData(ENV_DATA_KEY);
      } catch {}
    }
    const url = data ? data.url : process.env.HYPERLOCAL_NET_URL;
    const token = data ? data.token : process.env.HYPERLOCAL_NET_TOKEN;
    const rawTimeout = data ? data.timeoutMs : process.env.HYPERLOCAL_NET_TIMEOUT_MS;
    const rawDenyPorts = (data ? data.denyPorts : process.env.HYPERLOCAL_NET_DENY_PORTS) || '';
    const out = { url, token, timeoutMs: DEFAULT_TIMEOUT_MS, error: undefined, host: '', port: 0, basePath: '', head: '', rawDenyPorts, denyPorts: parsePorts(rawDenyPorts) };
    const t = Number(rawTimeout);
    if (rawTimeout !== undefined && rawTimeout !== '' && Number.isFinite(t) && t > 0) out.timeoutMs = t;
    if (!url) {
      out.error = 'HYPERLOCAL_NET_URL is not set, so no connection can be decided';
      return out;
    }
    let u;
    try {
      u = new URL(url);
    } catch {
      out.error = `HYPERLOCAL_NET_URL is not a URL: ${url}`;
      return out;
    }
    const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
    if (u.protocol !== 'http:' || !(host === 'localhost' || isLocalAddress(host))) {
      out.error = `HYPERLOCAL_NET_URL must be http:// on a loopback address, not ${url}`;
      return out;
    }
    out.host = host === 'localhost' ? '127.0.0.1' : host;
    out.port = Number(u.port || 80);
    out.basePath = u.pathname.replace(/\/+$/, '');
    const tokenHeader = token ? `x-hyperlocal-net-token: ${String(token).replace(/[^\x20-\x7e]/g, '')}\r\n` : '';
    out.head = `Host: ${u.host}\r\nContent-Type: application/json\r\nConnection: keep-alive\r\n${tokenHeader}`;
    return out;
  }

  /** "4566,4567" → a Set of ports; anything unparsable is ignored. */
  function parsePorts(text) {
    const out = new Set();
    for (const p of String(text).split(',')) {
      const n = Number(p.trim());
      if (p.trim() !== '' && Number.isInteger(n) && n > 0 && n < 65536) out.add(n);
    }
    return out;
  }

  /** hyperlocal's own server port on loopback: function code reaches hyperlocal only through its own listener. */
  function deniedLoopback(address, port) {
    return isLocalAddress(address) && cfg.denyPorts.has(Number(port));
  }

  // ---------- addresses ----------

  /** 127.0.0.0/8, ::1, v4-mapped loopback, and the unspecified addresses (which connect to this host). */
  function isLocalAddress(ip) {
    if (typeof ip !== 'string') return false;
    const family = net.isIP(ip);
    if (family === 4) return ip.startsWith('127.') || ip === '0.0.0.0';
    if (family !== 6) return false;
    const h = expandIPv6(ip);
    if (!h) return false;
    for (let i = 0; i < 5; i++) if (h[i] !== 0) return false;
    if (h[5] === 0 && h[6] === 0) return h[7] === 0 || h[7] === 1; // :: and ::1
    if (h[5] === 0xffff) return h[6] >> 8 === 127 || (h[6] === 0 && h[7] === 0); // ::ffff:127.x, ::ffff:0.0.0.0
    return false;
  }

  /** Eight 16-bit groups, or null. Accepts zone ids and an embedded IPv4 tail (::ffff:127.0.0.1). */
  function expandIPv6(ip) {
    let s = ip.toLowerCase();
    const zone = s.indexOf('%');
    if (zone >= 0) s = s.slice(0, zone);
    let v4 = null;
    const lastColon = s.lastIndexOf(':');
    if (s.indexOf('.', lastColon) >= 0) {
      v4 = s.slice(lastColon + 1).split('.').map(Number);
      if (v4.length !== 4 || v4.some((n) => !(n >= 0 && n <= 255))) return null;
      s = `${s.slice(0, lastColon + 1)}0:0`;
    }
    const halves = s.split('::');
    if (halves.length > 2) return null;
    const parse = (part) => (part === '' ? [] : part.split(':').map((x) => (/^[0-9a-f]{1,4}$/.test(x) ? parseInt(x, 16) : NaN)));
    const left = parse(halves[0]);
    const right = halves.length === 2 ? parse(halves[1]) : [];
    const fill = 8 - left.length - right.length;
    if (fill < 0 || (halves.length === 1 && fill !== 0)) return null;
    const out = [...left, ...new Array(fill).fill(0), ...right];
    if (out.some((n) => Number.isNaN(n))) return null;
    if (v4) out.splice(6, 2, (v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
    return out;
  }

  function isLocalhostName(name) {
    if (typeof name !== 'string') return false;
    const n = name.toLowerCase().replace(/\.$/, '');
    return n === 'localhost' || n.endsWith('.localhost');
  }

  function loopbackFor(family) {
    return family === 6 ? '::1' : '127.0.0.1';
  }

  // ---------- errors shaped like node's own ----------

  function sysError(code, syscall, address, port, why) {
    const where = address === undefined ? '' : port === undefined ? ` ${address}` : ` ${address}:${port}`;
    const e = new Error(`${syscall} ${code}${where} (hyperlocal: ${why || 'network rules'})`);
    e.errno = typeof ERRNO[code] === 'number' ? -ERRNO[code] : undefined;
    e.code = code;
    e.syscall = syscall;
    if (address !== undefined) e.address = address;
    if (port !== undefined) e.port = port;
    e.hyperlocal = why;
    return e;
  }

  function dnsError(code, syscall, hostname, why) {
    const e = new Error(`${syscall} ${code} ${hostname}${why ? ` (hyperlocal: ${why})` : ''}`);
    e.errno = UV_EAI[code];
    e.code = code;
    e.syscall = syscall;
    e.hostname = hostname;
    if (why) e.hyperlocal = why;
    return e;
  }

  function argTypeError(name, expected, value) {
    const e = new TypeError(`The "${name}" argument must be of type ${expected}. Received ${typeof value}`);
    e.code = 'ERR_INVALID_ARG_TYPE';
    return e;
  }

  /** node's validatePort (lib/internal/validators.js). */
  function validatePort(port, name = 'Port') {
    if (
      (typeof port !== 'number' && typeof port !== 'string') ||
      (typeof port === 'string' && port.trim().length === 0) ||
      +port !== +port >>> 0 ||
      port > 0xffff
    ) {
      const e = new RangeError(`${name} should be >= 0 and < 65536. Received ${typeof port === 'string' ? `'${port}'` : String(port)}.`);
      e.code = 'ERR_SOCKET_BAD_PORT';
      throw e;
    }
    return port | 0;
  }

  function failClosedWhy(reason) {
    return `${reason}; refused (fail closed)`;
  }

  // ---------- the decision client: HTTP/1.1 over a kept-alive loopback socket ----------
  // Not node:http, on purpose: the function's code may patch or mock http (nock) and must not be
  // able to answer for hyperlocal; and the sockets are opened with the ORIGINAL connect.

  const origConnect = net.Socket.prototype.connect;
  const kHandler = Symbol('hyperlocal.decisionHandler');
  const kLastError = Symbol('hyperlocal.lastError');
  const idle = [];
  const MAX_IDLE = 4;

  function openDecisionSocket() {
    const s = new net.Socket();
    s[kHandler] = null;
    s.on('data', (chunk) => {
      const h = s[kHandler];
      if (h) h.onData(chunk);
      else s.destroy(); // nothing is expected on an idle socket
    });
    s.on('error', (e) => {
      s[kLastError] = e;
    });
    s.on('close', () => {
      const i = idle.indexOf(s);
      if (i >= 0) idle.splice(i, 1);
      const h = s[kHandler];
      s[kHandler] = null;
      if (h) h.onClose();
    });
    s.setNoDelay(true);
    origConnect.call(s, { host: cfg.host, port: cfg.port });
    return s;
  }

  function post(path, payload, retried) {
    return new Promise((resolve, reject) => {
      if (cfg.error) return reject(new Error(cfg.error));
      const json = JSON.stringify(payload);
      let sock = idle.pop();
      const reused = !!sock;
      if (!sock) sock = openDecisionSocket();
      sock.ref();
      const parser = responseParser();
      let settled = false;
      let gotData = false;
      const timer = setTimeout(() => finish(Object.assign(new Error(`no answer within ${cfg.timeoutMs} ms`), { timeout: true })), cfg.timeoutMs);
      function finish(err, res) {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        sock[kHandler] = null;
        if (err) {
          sock.destroy();
          // A kept-alive socket the server had just closed: nothing was read, so ask again once.
          if (reused && !gotData && !retried && !err.timeout) post(path, payload, true).then(resolve, reject);
          else reject(err);
          return;
        }
        if (res.keepAlive && !sock.destroyed && idle.length < MAX_IDLE) {
          sock.unref();
          idle.push(sock);
        } else {
          sock.destroy();
        }
        resolve(res);
      }
      sock[kHandler] = {
        onData(chunk) {
          gotData = true;
          let r;
          try {
            r = parser.push(chunk);
          } catch (e) {
            return finish(e);
          }
          if (r) finish(null, r);
        },
        onClose() {
          const e = sock[kLastError];
          if (!gotData) return finish(new Error(e ? e.message : 'the decision service closed the connection without an answer'));
          let r;
          try {
            r = parser.end();
          } catch (err) {
            return finish(err);
          }
          finish(r ? null : new Error('the decision service closed the connection without an answer'), r);
        },
      };
      sock.write(`POST ${cfg.basePath}${path} HTTP/1.1\r\n${cfg.head}Content-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`);
    });
  }

  /** A minimal HTTP/1.x response reader: Content-Length, chunked, or until close. */
  function responseParser() {
    let buf = Buffer.alloc(0);
    let head = null;
    function parseHead() {
      const i = buf.indexOf('\r\n\r\n');
      if (i < 0) return false;
      const lines = buf.subarray(0, i).toString('latin1').split('\r\n');
      const m = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0]);
      if (!m) throw new Error('the decision service did not answer in HTTP/1.x');
      const h = { status: Number(m[2]), length: undefined, chunked: false, keepAlive: m[1] === '1' };
      for (let k = 1; k < lines.length; k++) {
        const c = lines[k].indexOf(':');
        if (c < 0) continue;
        const name = lines[k].slice(0, c).trim().toLowerCase();
        const value = lines[k].slice(c + 1).trim().toLowerCase();
        if (name === 'content-length') h.length = Number(value);
        else if (name === 'transfer-encoding') h.chunked = value.includes('chunked');
        else if (name === 'connection') h.keepAlive = value.includes('keep-alive') || (h.keepAlive && !value.includes('close'));
      }
      if (h.length !== undefined && !(Number.isInteger(h.length) && h.length >= 0)) throw new Error('bad Content-Length');
      head = h;
      buf = buf.subarray(i + 4);
      return true;
    }
    function tryParse(eof) {
      if (!head && !parseHead()) {
        if (eof) throw new Error('the decision service closed the connection mid-answer');
        return null;
      }
      if (head.status >= 100 && head.status < 200) {
        head = null; // an interim answer; the real one follows
        return tryParse(eof);
      }
      if (head.chunked) {
        const parts = [];
        let pos = 0;
        for (;;) {
          const nl = buf.indexOf('\r\n', pos);
          if (nl < 0) break;
          const size = parseInt(buf.subarray(pos, nl).toString('latin1'), 16);
          if (!(size >= 0)) throw new Error('bad chunk size');
          if (size === 0) {
            const end = buf.indexOf('\r\n', nl + 2);
            if (end < 0) break;
            return { status: head.status, body: Buffer.concat(parts).toString('utf8'), keepAlive: head.keepAlive };
          }
          if (buf.length < nl + 2 + size + 2) break;
          parts.push(buf.subarray(nl + 2, nl + 2 + size));
          pos = nl + 2 + size + 2;
        }
        if (eof) throw new Error('the decision service closed the connection mid-answer');
        return null;
      }
      if (head.length !== undefined) {
        if (buf.length < head.length) {
          if (eof) throw new Error('the decision service closed the connection mid-answer');
          return null;
        }
        return { status: head.status, body: buf.subarray(0, head.length).toString('utf8'), keepAlive: head.keepAlive };
      }
      if (!eof) return null;
      return { status: head.status, body: buf.toString('utf8'), keepAlive: false };
    }
    return {
      push(chunk) {
        buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
        if (buf.length > 1 << 20) throw new Error('the decision service answer is too large');
        return tryParse(false);
      },
      end() {
        return tryParse(true);
      },
    };
  }

  function parseJsonAnswer(res) {
    if (res.status !== 200) throw new Error(`the decision service answered HTTP ${res.status}${res.body ? `: ${res.body.slice(0, 200)}` : ''}`);
    let d;
    try {
      d = JSON.parse(res.body);
    } catch {
      throw new Error('the decision service answered something that is not JSON');
    }
    if (!d || typeof d !== 'object' || Array.isArray(d)) throw new Error('the decision service answered something that is not a JSON object');
    return d;
  }

  /**
   * Ask what a connection to host:port may do. Never rejects: a failure becomes
   * { action: 'fail', reason } which callers turn into a refusal.
   */
  function decide(host, port, protocol) {
    return post('/connect', { host, port, protocol }).then(
      (res) => {
        let d;
        try {
          d = parseJsonAnswer(res);
        } catch (e) {
          return { action: 'fail', reason: e.message };
        }
        return validateDecision(d);
      },
      (e) => ({ action: 'fail', reason: `network decision unavailable (${e.message})` }),
    );
  }

  function validateDecision(d) {
    const reason = typeof d.reason === 'string' ? d.reason : undefined;
    const address = typeof d.address === 'string' && net.isIP(d.address) ? d.address : undefined;
    const connectionId = typeof d.connectionId === 'string' || typeof d.connectionId === 'number' ? String(d.connectionId) : undefined;
    const bad = (why) => {
      if (connectionId) notifyClose(connectionId);
      return { action: 'fail', reason: `bad decision: ${why}` };
    };
    switch (d.action) {
      case 'connect': {
        if (typeof d.host !== 'string' || !net.isIP(d.host)) return bad(`connect target host ${JSON.stringify(d.host)} is not an IP address`);
        if (!isLocalAddress(d.host)) return bad(`connect target ${d.host} is not a loopback address`);
        if (!(Number.isInteger(d.port) && d.port > 0 && d.port <= 0xffff)) return bad(`connect target port ${JSON.stringify(d.port)} is not a port`);
        if (d.connectionId !== undefined && connectionId === undefined) return bad('connectionId is not a string');
        return { action: 'connect', host: d.host, port: d.port, connectionId, address, reason };
      }
      case 'drop':
        if (!(typeof d.afterMs === 'number' && d.afterMs >= 0 && d.afterMs <= MAX_DROP_MS)) return bad(`afterMs ${JSON.stringify(d.afterMs)} is not a delay`);
        return { action: 'drop', afterMs: d.afterMs, reason, address };
      case 'unreachable':
      case 'refuse':
      case 'notfound':
        return { action: d.action, reason, address };
      default:
        return bad(`unknown action ${JSON.stringify(d.action)}`);
    }
  }

  function notifyClose(connectionId) {
    post('/close', { connectionId }).catch(() => {});
  }

  /** Resolve a name through hyperlocal's VPC DNS. Resolves [{address, family}] or rejects a DNS error. */
  function lookupName(name, family, syscall = 'getaddrinfo') {
    if (isLocalhostName(name)) {
      const all = [
        { address: '127.0.0.1', family: 4 },
        { address: '::1', family: 6 },
      ];
      return Promise.resolve(all.filter((a) => !family || a.family === family));
    }
    return post('/lookup', { name, family: family || 0 }).then(
      (res) => {
        let d;
        try {
          d = parseJsonAnswer(res);
        } catch (e) {
          throw dnsError('EAI_AGAIN', syscall, name, failClosedWhy(e.message));
        }
        if (d.error !== undefined) {
          const code = typeof d.error === 'string' && /^E[A-Z_]{2,30}$/.test(d.error) ? d.error : 'ENOTFOUND';
          throw dnsError(code, syscall, name, typeof d.reason === 'string' ? d.reason : undefined);
        }
        if (!Array.isArray(d.addresses)) throw dnsError('EAI_AGAIN', syscall, name, failClosedWhy('bad lookup answer: no addresses'));
        const out = [];
        for (const a of d.addresses) {
          const f = a && typeof a.address === 'string' ? net.isIP(a.address) : 0;
          if (!f || (a.family !== undefined && a.family !== f)) throw dnsError('EAI_AGAIN', syscall, name, failClosedWhy(`bad lookup answer: ${JSON.stringify(a)}`));
          if (!family || family === f) out.push({ address: a.address, family: f });
        }
        if (out.length === 0) throw dnsError('ENOTFOUND', syscall, name);
        return out;
      },
      (e) => {
        if (e && e.syscall) throw e;
        throw dnsError('EAI_AGAIN', syscall, name, failClosedWhy(`network decision unavailable (${e.message})`));
      },
    );
  }

  // ---------- TCP: net.Socket.prototype.connect (net, tls, http(s) agents, undici/fetch, http2) ----------

  const origDnsLookup = dns.lookup;

  /** dns.lookup for "localhost" that never asks anyone: what a connect to localhost may resolve to. */
  function localhostLookup(hostname, options, callback) {
    if (typeof options === 'function') {
      callback = options;
      options = {};
    }
    const family = typeof options === 'number' ? options : options && options.family === 'IPv6' ? 6 : options && options.family === 'IPv4' ? 4 : (options && options.family) || 0;
    const all = [
      { address: '127.0.0.1', family: 4 },
      { address: '::1', family: 6 },
    ].filter((a) => !family || a.family === family);
    if (options && options.all) process.nextTick(callback, null, all);
    else process.nextTick(callback, null, all[0].address, all[0].family);
    return {};
  }

  function refuseLater(socket, err) {
    process.nextTick(() => socket.destroy(err));
    return socket;
  }

  net.Socket.prototype.connect = function connect(...args) {
    let normalized;
    if (Array.isArray(args[0])) {
      normalized = args[0]; // net.connect/createConnection hand over [options, cb] already normalized
    } else if (typeof net._normalizeArgs === 'function') {
      normalized = net._normalizeArgs(args);
    } else {
      return refuseLater(this, sysError('ECONNREFUSED', 'connect', undefined, undefined, failClosedWhy('net._normalizeArgs is missing in this Node version')));
    }
    const options = normalized[0];
    const cb = typeof normalized[1] === 'function' ? normalized[1] : null;
    if (options === null || typeof options !== 'object') {
      return refuseLater(this, sysError('ECONNREFUSED', 'connect', undefined, undefined, failClosedWhy('connect() called with arguments the shim does not understand')));
    }
    // A TLS socket over a parent that is already connecting: node returns at once, connecting nothing.
    if (this._parent && this._parent.connecting) return origConnect.call(this, options, ...(cb ? [cb] : []));
    // Unix sockets and named pipes stay on this machine.
    if (options.path) return origConnect.call(this, options, ...(cb ? [cb] : []));
    if (options.port === undefined) {
      const e = new TypeError('The "options" or "port" or "path" argument must be specified');
      e.code = 'ERR_MISSING_ARGS';
      throw e;
    }
    if (typeof options.port !== 'number' && typeof options.port !== 'string') throw argTypeError('options.port', 'number or string', options.port);
    const port = validatePort(options.port);
    const host = options.host || 'localhost';
    if (typeof host !== 'string') throw argTypeError('options.host', 'string', host);

    if (net.isIP(host) && isLocalAddress(host)) return origConnect.call(this, options, ...(cb ? [cb] : []));
    if (isLocalhostName(host)) return origConnect.call(this, { ...options, lookup: localhostLookup }, ...(cb ? [cb] : []));

    // Everything else waits for hyperlocal's decision.
    if (cb) this.once('connect', cb);
    if (this.destroyed) {
      this._handle = null;
      this._peername = null;
      this._sockname = null;
    }
    this.connecting = true; // writes queue until 'connect', as they do during a DNS lookup
    connectDecided(this, options, host, port);
    return this;
  };

  function connectDecided(socket, options, host, port) {
    const custom = typeof options.lookup === 'function' && options.lookup !== dns.lookup && options.lookup !== origDnsLookup ? options.lookup : null;
    const viaCustom = !net.isIP(host) && !!custom;
    const target = viaCustom ? resolveWith(custom, host, options) : Promise.resolve({ address: host });
    let resolved = net.isIP(host) ? host : undefined;
    target
      .then(
        (t) => {
          if (viaCustom) {
            resolved = t.address;
            socket.emit('lookup', null, t.address, net.isIP(t.address), host);
          }
          if (net.isIP(t.address) && isLocalAddress(t.address)) return { action: 'local', host: t.address };
          return decide(t.address, port, 'tcp');
        },
        (err) => {
          socket.emit('lookup', err, undefined, undefined, host);
          return { action: 'error', error: err };
        },
      )
      .then((d) => {
        if (socket.destroyed || !socket.connecting) {
          if (d.connectionId) notifyClose(d.connectionId);
          return;
        }
        const shown = d.address || resolved;
        if (d.address && !viaCustom && !net.isIP(host)) socket.emit('lookup', null, d.address, net.isIP(d.address), host);
        switch (d.action) {
          case 'local':
            return reallyConnect(socket, options, d.host, port);
          case 'connect':
            if (d.connectionId) socket.once('close', () => notifyClose(d.connectionId));
            if (shown) socket._peername = { address: shown, family: net.isIP(shown) === 6 ? 'IPv6' : 'IPv4', port };
            return reallyConnect(socket, options, d.host, d.port);
          case 'drop': {
            const err = sysError('ETIMEDOUT', 'connect', shown || host, port, d.reason);
            const timer = setTimeout(() => socket.destroy(err), d.afterMs);
            socket.once('close', () => clearTimeout(timer));
            return;
          }
          case 'unreachable':
            return socket.destroy(sysError('ENETUNREACH', 'connect', shown || host, port, d.reason));
          case 'refuse':
            return socket.destroy(sysError('ECONNREFUSED', 'connect', shown || host, port, d.reason));
          case 'notfound':
            return socket.destroy(dnsError('ENOTFOUND', 'getaddrinfo', host, d.reason));
          case 'error':
            return socket.destroy(d.error);
          default:
            return socket.destroy(sysError('ECONNREFUSED', 'connect', shown || host, port, failClosedWhy(d.reason || 'no decision')));
        }
      })
      .catch((e) => {
        if (!socket.destroyed) socket.destroy(sysError('ECONNREFUSED', 'connect', host, port, failClosedWhy(`shim error: ${e && e.message}`)));
      });
  }

  /** Hand the decided loopback target to node's own connect (the ORIGINAL one). */
  function reallyConnect(socket, options, targetHost, targetPort) {
    const opts = { ...options, host: targetHost, port: targetPort, path: undefined };
    if (opts.localAddress && !isLocalAddress(opts.localAddress)) delete opts.localAddress; // the ENI's address is not on this host
    try {
      origConnect.call(socket, opts);
    } catch (e) {
      socket.destroy(e);
    }
  }

  function resolveWith(lookup, host, options) {
    return new Promise((resolve, reject) => {
      const family = options.family === 'IPv6' ? 6 : options.family === 'IPv4' ? 4 : options.family === 4 || options.family === 6 ? options.family : 0;
      try {
        lookup(host, { family, hints: options.hints || 0, all: false }, (err, address, fam) => {
          if (err) return reject(err);
          const a = Array.isArray(address) ? address[0] && address[0].address : address;
          if (typeof a !== 'string' || !net.isIP(a)) {
            const e = new TypeError(`Invalid IP address: ${a}`);
            e.code = 'ERR_INVALID_IP_ADDRESS';
            return reject(e);
          }
          resolve({ address: a, family: fam });
        });
      } catch (e) {
        reject(e);
      }
    });
  }

  // ---------- DNS: dns.lookup, dns.promises.lookup, lookupService, c-ares resolvers ----------
  // Every name that is not an IP literal or localhost goes to hyperlocal's /lookup; nothing reaches
  // the machine's resolver.

  function parseLookupOptions(options) {
    let family = 0;
    let all = false;
    if (typeof options === 'number') family = options;
    else if (options && typeof options === 'object') {
      if (options.family === 'IPv4') family = 4;
      else if (options.family === 'IPv6') family = 6;
      else if (options.family != null) family = options.family;
      if (options.all != null) {
        if (typeof options.all !== 'boolean') throw argTypeError('options.all', 'boolean', options.all);
        all = options.all;
      }
    } else if (options !== undefined) throw argTypeError('options', 'integer or object', options);
    if (family !== 0 && family !== 4 && family !== 6) {
      const e = new TypeError(`The argument 'family' must be one of: 0, 4, 6. Received ${String(family)}`);
      e.code = 'ERR_INVALID_ARG_VALUE';
      throw e;
    }
    return { family, all };
  }

  function shimLookup(hostname, options, callback) {
    if (typeof options === 'function') {
      callback = options;
      options = undefined;
    }
    if (typeof callback !== 'function') throw argTypeError('callback', 'function', callback);
    if (hostname && typeof hostname !== 'string') throw argTypeError('hostname', 'string', hostname);
    const { family, all } = parseLookupOptions(options);
    // Empty names and IP literals never reach a resolver: node answers them itself.
    if (!hostname || net.isIP(hostname)) return origDnsLookup.call(dns, hostname, options === undefined ? {} : options, callback);
    lookupName(hostname, family).then(
      (list) => (all ? callback(null, list) : callback(null, list[0].address, list[0].family)),
      (err) => callback(err),
    );
    return {};
  }
  for (const sym of Object.getOwnPropertySymbols(origDnsLookup)) {
    try {
      Object.defineProperty(shimLookup, sym, Object.getOwnPropertyDescriptor(origDnsLookup, sym)); // util.promisify's {address, family}
    } catch {}
  }
  dns.lookup = shimLookup;

  const dnsPromises = dns.promises;
  const origPromisesLookup = dnsPromises.lookup;
  dnsPromises.lookup = function lookup(hostname, options) {
    if (hostname && typeof hostname !== 'string') return Promise.reject(argTypeError('hostname', 'string', hostname));
    let parsed;
    try {
      parsed = parseLookupOptions(options);
    } catch (e) {
      return Promise.reject(e);
    }
    if (!hostname || net.isIP(hostname)) return origPromisesLookup.call(dnsPromises, hostname, options);
    return lookupName(hostname, parsed.family).then((list) => (parsed.all ? list : list[0]));
  };

  const origLookupService = dns.lookupService;
  dns.lookupService = function lookupService(address, port, callback) {
    if (!net.isIP(address) || isLocalAddress(address)) return origLookupService.apply(this, arguments);
    if (typeof callback !== 'function') throw argTypeError('callback', 'function', callback);
    validatePort(port, 'port');
    process.nextTick(callback, dnsError('ENOTFOUND', 'getnameinfo', address, 'reverse lookups of VPC addresses are not served in shim mode'));
    return {};
  };
  const origPromisesLookupService = dnsPromises.lookupService;
  dnsPromises.lookupService = function lookupService(address, port) {
    if (!net.isIP(address) || isLocalAddress(address)) return origPromisesLookupService.apply(this, arguments);
    return Promise.reject(dnsError('ENOTFOUND', 'getnameinfo', address, 'reverse lookups of VPC addresses are not served in shim mode'));
  };

  const RR_SYSCALL = {
    resolveAny: 'queryAny', resolve4: 'queryA', resolve6: 'queryAaaa', resolveCaa: 'queryCaa', resolveCname: 'queryCname',
    resolveMx: 'queryMx', resolveNs: 'queryNs', resolveTxt: 'queryTxt', resolveSrv: 'querySrv', resolvePtr: 'queryPtr',
    resolveNaptr: 'queryNaptr', resolveSoa: 'querySoa', reverse: 'getHostByAddr',
  };
  const RRTYPE_METHOD = { A: 'resolve4', AAAA: 'resolve6', ANY: 'resolveAny', CAA: 'resolveCaa', CNAME: 'resolveCname', MX: 'resolveMx', NS: 'resolveNs', TXT: 'resolveTxt', SRV: 'resolveSrv', PTR: 'resolvePtr', NAPTR: 'resolveNaptr', SOA: 'resolveSoa' };
  const DNS_TTL = 60;

  /** What a c-ares query may answer in shim mode: A/AAAA (and ANY as both) from hyperlocal's /lookup. */
  function resolveRecords(method, name, ttl) {
    const syscall = RR_SYSCALL[method] || `query${method.replace(/^resolve/, '')}`;
    if (typeof name !== 'string') return Promise.reject(argTypeError('name', 'string', name));
    if (method === 'reverse') return Promise.reject(dnsError('ENOTFOUND', syscall, name, 'reverse lookups are not served in shim mode'));
    if (method !== 'resolve4' && method !== 'resolve6' && method !== 'resolveAny') {
      return Promise.reject(dnsError('EREFUSED', syscall, name, `only A and AAAA records are served in shim mode`));
    }
    if (net.isIP(name)) return Promise.reject(dnsError('ENOTFOUND', syscall, name));
    const family = method === 'resolve4' ? 4 : method === 'resolve6' ? 6 : 0;
    return lookupName(name, family, syscall).then(
      (list) => {
        if (method === 'resolveAny') return list.map((a) => ({ type: a.family === 6 ? 'AAAA' : 'A', address: a.address, ttl: DNS_TTL }));
        return list.map((a) => (ttl ? { address: a.address, ttl: DNS_TTL } : a.address));
      },
      (err) => {
        if (err.code === 'EAI_AGAIN') err.code = 'ECONNREFUSED'; // c-ares' word for "no DNS server answered"
        throw err;
      },
    );
  }

  function resolverCall(method, promises) {
    return function (name, ...rest) {
      let m = method;
      if (method === 'resolve') {
        const rrtype = typeof rest[0] === 'string' ? rest[0] : 'A';
        m = RRTYPE_METHOD[rrtype];
        if (!m) {
          const e = new TypeError(`The argument 'rrtype' is invalid. Received '${rrtype}'`);
          e.code = 'ERR_INVALID_ARG_VALUE';
          if (promises) return Promise.reject(e);
          throw e;
        }
      }
      const ttl = !!(rest[0] && typeof rest[0] === 'object' && rest[0].ttl);
      if (promises) return resolveRecords(m, name, ttl);
      const callback = rest[rest.length - 1];
      if (typeof callback !== 'function') throw argTypeError('callback', 'function', callback);
      resolveRecords(m, name, ttl).then(
        (v) => callback(null, v),
        (e) => callback(e),
      );
      return {};
    };
  }

  function wrapResolverSurface(target, promises) {
    if (!target) return;
    for (const key of Object.getOwnPropertyNames(target)) {
      if (!(key === 'reverse' || key.startsWith('resolve')) || typeof target[key] !== 'function' || key === 'Resolver') continue;
      try {
        target[key] = resolverCall(key, promises);
      } catch {}
    }
  }
  wrapResolverSurface(dns, false);
  wrapResolverSurface(dns.Resolver && dns.Resolver.prototype, false);
  wrapResolverSurface(dnsPromises, true);
  wrapResolverSurface(dnsPromises.Resolver && dnsPromises.Resolver.prototype, true);

  // ---------- UDP: dgram send and connect ----------

  const origUdpSend = dgram.Socket.prototype.send;
  const origUdpConnect = dgram.Socket.prototype.connect;
  const kUdpPending = Symbol('hyperlocal.udpPending');
  const kUdpChain = Symbol('hyperlocal.udpChain');
  const kUdpClosed = Symbol('hyperlocal.udpClosed');

  function udpConnected(sock) {
    try {
      sock.remoteAddress();
      return true;
    } catch {
      return false;
    }
  }

  function watchUdpClose(sock) {
    if (sock[kUdpClosed] === undefined) {
      sock[kUdpClosed] = false;
      sock.once('close', () => {
        sock[kUdpClosed] = true;
      });
    }
  }

  /** A loopback target in the socket's own family (udp6 sockets reach IPv4 loopback v4-mapped). */
  function udpTarget(sock, host) {
    const f = net.isIP(host);
    if (sock.type === 'udp6' && f === 4) return `::ffff:${host}`;
    if (sock.type === 'udp4' && f === 6) {
      const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host);
      return m ? m[1] : null;
    }
    return host;
  }

  function udpFail(sock, callback, err) {
    if (callback) process.nextTick(callback, err);
    else process.nextTick(() => sock.emit('error', err));
  }

  function messageBytes(buffer, offset, length, sixArgs) {
    if (sixArgs && typeof length === 'number') return length;
    const one = (b) => (typeof b === 'string' ? Buffer.byteLength(b) : b && typeof b.byteLength === 'number' ? b.byteLength : 0);
    return Array.isArray(buffer) ? buffer.reduce((n, b) => n + one(b), 0) : one(buffer);
  }

  dgram.Socket.prototype.send = function send(buffer, offset, length, port, address, callback) {
    if (this[kUdpPending]) {
      this[kUdpPending].push(arguments); // our connect() is still being decided
      return;
    }
    if (udpConnected(this)) return origUdpSend.apply(this, arguments);
    // node's own argument shapes for an unconnected socket (lib/dgram.js)
    let prefix, p, a, cb;
    const sixArgs = !!(address || (port && typeof port !== 'function'));
    if (sixArgs) {
      prefix = [buffer, offset, length];
      p = port;
      a = address;
      cb = callback;
    } else {
      prefix = [buffer];
      p = offset;
      a = length;
      cb = port;
    }
    if (typeof a === 'function') {
      cb = a;
      a = undefined;
    }
    if (typeof cb !== 'function') cb = undefined;
    if (a == null || a === '') return origUdpSend.apply(this, arguments); // the default is loopback
    if (typeof a !== 'string') throw argTypeError('address', 'string', a);
    if (net.isIP(a) && isLocalAddress(a)) return origUdpSend.apply(this, arguments);
    if (isLocalhostName(a)) return origUdpSend.call(this, ...prefix, p, loopbackFor(this.type === 'udp6' ? 6 : 4), ...(cb ? [cb] : []));
    const portNum = validatePort(p);
    const bytes = messageBytes(buffer, offset, length, sixArgs);
    watchUdpClose(this);
    // One decision at a time per socket keeps datagrams in order.
    const chain = (this[kUdpChain] || Promise.resolve()).then(() =>
      decide(a, portNum, 'udp').then((d) => {
        if (this[kUdpClosed]) {
          if (d.connectionId) notifyClose(d.connectionId);
          return;
        }
        const shown = d.address || (net.isIP(a) ? a : undefined);
        switch (d.action) {
          case 'connect': {
            const host = udpTarget(this, d.host);
            if (!host) {
              if (d.connectionId) notifyClose(d.connectionId);
              return udpFail(this, cb, sysError('ECONNREFUSED', 'send', shown || a, portNum, failClosedWhy(`target ${d.host} is not reachable from a ${this.type} socket`)));
            }
            try {
              origUdpSend.call(this, ...prefix, d.port, host, (err, n) => {
                if (d.connectionId) notifyClose(d.connectionId);
                if (cb) cb(err, n);
                else if (err) this.emit('error', err);
              });
            } catch (e) {
              if (d.connectionId) notifyClose(d.connectionId);
              udpFail(this, cb, e);
            }
            return;
          }
          case 'drop': // a datagram the VPC drops is sent all the same, and lost
            if (cb) process.nextTick(cb, null, bytes);
            return;
          case 'unreachable':
            return udpFail(this, cb, sysError('ENETUNREACH', 'send', shown || a, portNum, d.reason));
          case 'refuse':
            return udpFail(this, cb, sysError('ECONNREFUSED', 'send', shown || a, portNum, d.reason));
          case 'notfound':
            return udpFail(this, cb, dnsError('ENOTFOUND', 'getaddrinfo', a, d.reason));
          default:
            return udpFail(this, cb, sysError('ECONNREFUSED', 'send', shown || a, portNum, failClosedWhy(d.reason || 'no decision')));
        }
      }),
    );
    this[kUdpChain] = chain.catch(() => {});
  };

  let blackholes;
  /** A local UDP socket that reads and discards: where a "connected" socket's dropped datagrams go. */
  function blackhole() {
    if (!blackholes) {
      blackholes = new Promise((resolve, reject) => {
        const s = dgram.createSocket('udp4');
        s.on('error', reject);
        s.on('message', () => {});
        s.bind(0, '127.0.0.1', () => {
          s.unref();
          resolve(s.address());
        });
      });
      blackholes.catch(() => {
        blackholes = undefined;
      });
    }
    return blackholes;
  }

  dgram.Socket.prototype.connect = function connect(port, address, callback) {
    if (typeof address === 'function') {
      callback = address;
      address = undefined;
    }
    if (address === undefined || address === '' || (typeof address === 'string' && net.isIP(address) && isLocalAddress(address))) {
      return origUdpConnect.call(this, port, address, ...(callback ? [callback] : []));
    }
    if (typeof address !== 'string') throw argTypeError('address', 'string', address);
    if (isLocalhostName(address)) return origUdpConnect.call(this, port, loopbackFor(this.type === 'udp6' ? 6 : 4), ...(callback ? [callback] : []));
    const portNum = validatePort(port);
    if (this[kUdpPending] || udpConnected(this)) {
      const e = new Error('Already connected');
      e.code = 'ERR_SOCKET_DGRAM_IS_CONNECTED';
      throw e;
    }
    watchUdpClose(this);
    this[kUdpPending] = [];
    const flush = (err) => {
      const queued = this[kUdpPending] || [];
      this[kUdpPending] = undefined;
      for (const args of queued) {
        if (err) {
          const cb = [...args].reverse().find((x) => typeof x === 'function');
          udpFail(this, cb, err);
          continue;
        }
        try {
          this.send(...args);
        } catch (e) {
          this.emit('error', e);
        }
      }
    };
    const finishConnect = (host, targetPort) => {
      try {
        // sends queued meanwhile go out once node reports the socket connected (or fail with it)
        origUdpConnect.call(this, targetPort, host, (err) => {
          flush(err || null);
          if (callback) callback(err);
          else if (err) this.emit('error', err);
        });
      } catch (e) {
        flush(e);
        udpFail(this, callback, e);
      }
    };
    decide(address, portNum, 'udp').then((d) => {
      if (this[kUdpClosed]) {
        this[kUdpPending] = undefined;
        if (d.connectionId) notifyClose(d.connectionId);
        return;
      }
      const shown = d.address || (net.isIP(address) ? address : undefined);
      let err;
      switch (d.action) {
        case 'connect': {
          const host = udpTarget(this, d.host);
          if (!host) {
            if (d.connectionId) notifyClose(d.connectionId);
            err = sysError('ECONNREFUSED', 'connect', shown || address, portNum, failClosedWhy(`target ${d.host} is not reachable from a ${this.type} socket`));
            break;
          }
          if (d.connectionId) this.once('close', () => notifyClose(d.connectionId));
          return finishConnect(host, d.port);
        }
        case 'drop': // connect(2) on UDP succeeds; what is sent afterwards is lost
          return blackhole().then(
            (bh) => finishConnect(udpTarget(this, bh.address), bh.port),
            (e) => {
              const ex = sysError('ECONNREFUSED', 'connect', shown || address, portNum, failClosedWhy(`no blackhole socket (${e.message})`));
              flush(ex);
              udpFail(this, callback, ex);
            },
          );
        case 'unreachable':
          err = sysError('ENETUNREACH', 'connect', shown || address, portNum, d.reason);
          break;
        case 'refuse':
          err = sysError('ECONNREFUSED', 'connect', shown || address, portNum, d.reason);
          break;
        case 'notfound':
          err = dnsError('ENOTFOUND', 'getaddrinfo', address, d.reason);
          break;
        default:
          err = sysError('ECONNREFUSED', 'connect', shown || address, portNum, failClosedWhy(d.reason || 'no decision'));
      }
      flush(err);
      udpFail(this, callback, err);
    });
  };

  // ---------- child processes: keep the shim in NODE_OPTIONS and the decision service in env ----------

  function ensureNodeOptions(value) {
    if (value && value.includes(__filename)) return value;
    return value ? `${value} ${SHIM_NODE_OPTION}` : SHIM_NODE_OPTION;
  }

  function shimEnv() {
    const out = {};
    if (cfg.url) out.HYPERLOCAL_NET_URL = cfg.url;
    if (cfg.token) out.HYPERLOCAL_NET_TOKEN = cfg.token;
    if (cfg.timeoutMs !== DEFAULT_TIMEOUT_MS) out.HYPERLOCAL_NET_TIMEOUT_MS = String(cfg.timeoutMs);
    if (cfg.rawDenyPorts) out.HYPERLOCAL_NET_DENY_PORTS = cfg.rawDenyPorts;
    return out;
  }

  function patchEnvObject(env) {
    const out = { ...env, ...shimEnv() };
    out.NODE_OPTIONS = ensureNodeOptions(env.NODE_OPTIONS);
    return out;
  }

  function patchEnvPairs(pairs) {
    const extra = shimEnv();
    const out = [];
    let nodeOptions;
    for (const p of pairs) {
      const s = String(p);
      const name = s.slice(0, s.indexOf('='));
      if (name === 'NODE_OPTIONS') nodeOptions = s.slice(13);
      else if (!(name in extra)) out.push(s);
    }
    for (const [k, v] of Object.entries(extra)) out.push(`${k}=${v}`);
    out.push(`NODE_OPTIONS=${ensureNodeOptions(nodeOptions)}`);
    return out;
  }

  const origCpSpawn = childProcess.ChildProcess.prototype.spawn;
  childProcess.ChildProcess.prototype.spawn = function spawn(options) {
    if (options && typeof options === 'object') {
      if (Array.isArray(options.envPairs)) options.envPairs = patchEnvPairs(options.envPairs);
      else if (options.envPairs === undefined) options.envPairs = patchEnvPairs(Object.entries(process.env).map(([k, v]) => `${k}=${v}`));
    }
    return origCpSpawn.call(this, options);
  };

  function patchSyncOptions(options) {
    if (options == null) return { env: patchEnvObject(process.env) };
    if (typeof options !== 'object') return options; // node rejects it
    return { ...options, env: patchEnvObject(options.env || process.env) };
  }
  for (const name of ['spawnSync', 'execFileSync']) {
    const orig = childProcess[name];
    childProcess[name] = function (file, args, options) {
      if (Array.isArray(args) || args == null) return orig.call(this, file, args, patchSyncOptions(options));
      if (typeof args === 'object') return orig.call(this, file, patchSyncOptions(args));
      return orig.apply(this, arguments);
    };
    Object.defineProperty(childProcess[name], 'name', { value: name });
  }
  const origExecSync = childProcess.execSync;
  childProcess.execSync = function execSync(command, options) {
    return origExecSync.call(this, command, patchSyncOptions(options));
  };

  // ---------- worker_threads: make sure every worker loads the shim too ----------
  // Preloads from NODE_OPTIONS reach every worker. A preload given with -r, or required late (a
  // prewarmed spare loads it after start), does not reach a worker created with its own execArgv,
  // or any worker at all in the late case: add it to the worker's execArgv.

  // --require preloads (NODE_OPTIONS or -r) are loaded by node's internal/preload module.
  let loadedAtStart = false;
  try {
    loadedAtStart = module.parent != null && module.parent.id === 'internal/preload';
  } catch {}

  const OrigWorker = workerThreads.Worker;
  function workerExecArgvs(options) {
    const given = options && options.execArgv;
    if (Array.isArray(given)) return given.some((a) => String(a).includes(__filename)) ? [given] : [[...given, SHIM_OPTION]];
    if (given !== undefined) return [given]; // node rejects it
    if (loadedAtStart) return [undefined]; // inherited
    return [[...process.execArgv, SHIM_OPTION], [SHIM_OPTION]];
  }
  function Worker(filename, options) {
    if (!new.target) throw new TypeError("Class constructor Worker cannot be invoked without 'new'");
    const target = new.target === Worker ? OrigWorker : new.target;
    if (options != null && typeof options !== 'object') return Reflect.construct(OrigWorker, [filename, options], target);
    const attempts = workerExecArgvs(options);
    let lastError;
    for (let i = 0; i < attempts.length; i++) {
      const execArgv = attempts[i];
      const opts = { ...(options || {}) };
      if (execArgv !== undefined) opts.execArgv = execArgv;
      // A worker given its own env reads NODE_OPTIONS from it: keep the shim there too.
      if (opts.env && typeof opts.env === 'object') opts.env = patchEnvObject(opts.env);
      try {
        return Reflect.construct(OrigWorker, [filename, opts], target);
      } catch (e) {
        lastError = e;
        if (!e || e.code !== 'ERR_WORKER_INVALID_EXEC_ARGV' || i === attempts.length - 1) throw e;
        // drop the flags node names as invalid for a worker, keep the rest
        const bad = String(e.message).split(': ').slice(1).join(': ').split(', ');
        const kept = (attempts[i] || []).filter((a) => !bad.includes(a));
        if (kept.some((a) => a.includes(__filename)) && kept.length < attempts[i].length) attempts.splice(i + 1, 0, kept);
      }
    }
    throw lastError;
  }
  Worker.prototype = OrigWorker.prototype;
  Object.setPrototypeOf(Worker, OrigWorker);
  workerThreads.Worker = Worker;

  // ---------- the last line of defence: the libuv bindings ----------
  // Everything the wrappers above let through is a loopback address. Anything else arriving at the
  // bindings (process.binding use, a call path this file does not know) is refused here.

  function guardBindings() {
    let binding;
    try {
      binding = process.binding;
    } catch {
      return;
    }
    if (typeof binding !== 'function') return;
    const get = (name) => {
      try {
        return binding.call(process, name);
      } catch {
        return undefined;
      }
    };
    const refused = -ERRNO.ECONNREFUSED;
    const warn = (what, address) => {
      try {
        process.emitWarning(`hyperlocal: refused ${what} to ${address}, which bypassed the network shim`, 'HyperlocalNetworkWarning');
      } catch {}
    };
    const tcp = get('tcp_wrap');
    if (tcp && tcp.TCP) {
      for (const m of ['connect', 'connect6']) {
        const orig = tcp.TCP.prototype[m];
        if (typeof orig !== 'function') continue;
        tcp.TCP.prototype[m] = function (req, address, port) {
          if (!isLocalAddress(address)) {
            warn('a TCP connection', `${address}:${port}`);
            return refused;
          }
          if (deniedLoopback(address, port)) {
            try {
              process.emitWarning(`hyperlocal: refused a TCP connection to ${address}:${port}: hyperlocal's own port is not reachable from function code (AWS_ENDPOINT_URL is)`, 'HyperlocalNetworkWarning');
            } catch {}
            return refused;
          }
          return orig.apply(this, arguments);
        };
      }
    }
    const udp = get('udp_wrap');
    if (udp && udp.UDP) {
      for (const m of ['connect', 'connect6']) {
        const orig = udp.UDP.prototype[m];
        if (typeof orig !== 'function') continue;
        udp.UDP.prototype[m] = function (address, port) {
          if (!isLocalAddress(address)) {
            warn('a UDP connect', `${address}:${port}`);
            return refused;
          }
          return orig.apply(this, arguments);
        };
      }
      for (const m of ['send', 'send6']) {
        const orig = udp.UDP.prototype[m];
        if (typeof orig !== 'function') continue;
        // (req, list, count, port, address, hasCallback) unconnected; (req, list, count, hasCallback) connected
        udp.UDP.prototype[m] = function (req, list, count, port, address) {
          if (arguments.length >= 6 && !isLocalAddress(address)) {
            warn('a UDP datagram', `${address}:${port}`);
            return refused;
          }
          return orig.apply(this, arguments);
        };
      }
    }
    const cares = get('cares_wrap');
    if (cares) {
      const origGai = cares.getaddrinfo;
      if (typeof origGai === 'function') {
        cares.getaddrinfo = function (req, hostname) {
          if (!(isLocalhostName(hostname) || net.isIP(hostname))) return UV_EAI.ENOTFOUND;
          return origGai.apply(this, arguments);
        };
      }
      const origGni = cares.getnameinfo;
      if (typeof origGni === 'function') {
        cares.getnameinfo = function (req, address) {
          if (!isLocalAddress(address)) return UV_EAI.ENOTFOUND;
          return origGni.apply(this, arguments);
        };
      }
      const proto = cares.ChannelWrap && cares.ChannelWrap.prototype;
      if (proto) {
        for (const m of Object.getOwnPropertyNames(proto)) {
          if (!(m.startsWith('query') || m === 'getHostByAddr') || typeof proto[m] !== 'function') continue;
          proto[m] = function (req, name) {
            const e = new Error(`${m} EREFUSED ${name} (hyperlocal: DNS queries are answered by hyperlocal in shim mode)`);
            e.code = 'EREFUSED';
            throw e;
          };
        }
      }
    }
  }
  guardBindings();

  // ESM `import { lookup } from 'node:dns'` must see the wrapped functions too.
  try {
    Module.syncBuiltinESMExports();
  } catch {}

  // ---------- AWS SDK endpoints: the services' regional names, decided by the network like any host ----------
  // HYPERLOCAL_AWS_ENDPOINTS is "AWS_ENDPOINT_URL_STS=http://sts.<region>.amazonaws.com:443 ..."; the
  // SDK for JavaScript v3 reads these variables when a client is made.
  function applyAwsEndpoints() {
    for (const item of String(process.env.HYPERLOCAL_AWS_ENDPOINTS || '').split(/\s+/)) {
      const eq = item.indexOf('=');
      const k = item.slice(0, eq);
      if (eq > 0 && /^AWS_ENDPOINT_URL_[A-Z0-9_]+$/.test(k) && eq + 1 < item.length) process.env[k] = item.slice(eq + 1);
    }
    // A VPC function: no AWS_ENDPOINT_URL in a shimmed process, so no SDK client goes around the VPC
    // (processes without a shim keep it: they cannot resolve the services' names).
    if (process.env.HYPERLOCAL_AWS_NAMES_ONLY === '1') delete process.env.AWS_ENDPOINT_URL;
  }
  applyAwsEndpoints();
  globalThis[GUARD].applyAwsEndpoints = applyAwsEndpoints;

  // ---------- the notice: printed once per execution environment ----------
  if (workerThreads.isMainThread && process.env.HYPERLOCAL_NET_NOTICE) {
    const notice = process.env.HYPERLOCAL_NET_NOTICE;
    delete process.env.HYPERLOCAL_NET_NOTICE; // child processes inherit the shim, not the notice
    try {
      fs.writeSync(2, notice.endsWith('\n') ? notice : `${notice}\n`);
    } catch {}
  }

  globalThis[GUARD].isLocalAddress = isLocalAddress;
}
