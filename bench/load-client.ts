/**
 * The benchmarks' HTTP load generator: HTTP/1.1 over keep-alive sockets, one request in flight per socket,
 * each request's bytes encoded once before the run. It shares the 2-core machine with what it measures, so it
 * must cost little. At 1,000 requests/s on session 4's machine, node:http's client (keep-alive agent) cost
 * about 250 µs of CPU per request, more than the bare HMAC handler it drove; this one, which writes one
 * buffer per request and reads only the answer's status line and length, 145 to 170 µs (the load generator
 * rows of `npm run bench webhooks`).
 * It understands what Tollgate's services and the bare handlers answer: a Content-Length body or a chunked
 * one. Anything else, or a closed socket, fails that request.
 */
import { connect, type Socket } from 'node:net';

export interface EncodedRequest {
  bytes: Buffer;
}

/** Encodes a POST with its headers once, so sending it is a single write. */
export function encodePost(path: string, headers: Record<string, string>, body: Buffer): EncodedRequest {
  const head =
    `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: keep-alive\r\ncontent-length: ${body.length}\r\n` +
    Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('') +
    '\r\n';
  return { bytes: Buffer.concat([Buffer.from(head, 'latin1'), body]) };
}

const HEAD_END = Buffer.from('\r\n\r\n');
const CHUNKED_END = Buffer.from('0\r\n\r\n');

class Connection {
  private readonly socket: Socket;
  private pending: Buffer = Buffer.alloc(0);
  private current?: { resolve: (status: number) => void; reject: (error: Error) => void };
  dead = false;

  constructor(port: number, onDead: (connection: Connection) => void) {
    this.socket = connect({ port, host: '127.0.0.1', noDelay: true });
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    const fail = (error: Error) => {
      if (this.dead) return;
      this.dead = true;
      this.current?.reject(error);
      this.current = undefined;
      onDead(this);
    };
    this.socket.on('error', fail);
    this.socket.on('close', () => fail(new Error('the connection closed')));
  }

  send(request: EncodedRequest): Promise<number> {
    if (this.dead) return Promise.reject(new Error('the connection closed'));
    return new Promise((resolve, reject) => {
      this.current = { resolve, reject };
      this.socket.write(request.bytes);
    });
  }

  destroy(): void {
    this.dead = true;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const headEnd = this.pending.indexOf(HEAD_END);
    if (headEnd < 0 || !this.current) return;
    const head = this.pending.subarray(0, headEnd).toString('latin1');
    const bodyStart = headEnd + HEAD_END.length;
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    let end: number;
    if (length) {
      end = bodyStart + Number(length[1]);
      if (this.pending.length < end) return;
    } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      const last = this.pending.indexOf(CHUNKED_END, bodyStart);
      if (last < 0) return;
      end = last + CHUNKED_END.length;
    } else {
      this.current.reject(new Error(`an answer without a length: ${head.split('\r\n')[0]}`));
      this.current = undefined;
      return this.destroy();
    }
    this.pending = this.pending.subarray(end);
    const { resolve } = this.current;
    this.current = undefined;
    resolve(status);
  }
}

/** A pool of keep-alive connections to one port; a request waits for a free connection beyond `maxSockets`. */
export class LoadClient {
  private readonly idle: Connection[] = [];
  private readonly waiting: ((connection: Connection) => void)[] = [];
  private readonly all = new Set<Connection>();

  constructor(
    private readonly port: number,
    private readonly maxSockets: number,
  ) {}

  /** Sends one request; answers its HTTP status. */
  async send(request: EncodedRequest): Promise<number> {
    const connection = await this.acquire();
    try {
      return await connection.send(request);
    } finally {
      this.release(connection);
    }
  }

  destroy(): void {
    for (const connection of this.all) connection.destroy();
    this.all.clear();
  }

  private acquire(): Promise<Connection> {
    // First in, first out: every connection is used in turn, so none idles long enough to be closed.
    const free = this.idle.shift();
    if (free) return Promise.resolve(free);
    if (this.all.size < this.maxSockets) {
      // A server closes keep-alive connections left idle too long: a closed one leaves the pool at once.
      const connection = new Connection(this.port, (dead) => {
        this.all.delete(dead);
        const index = this.idle.indexOf(dead);
        if (index >= 0) this.idle.splice(index, 1);
      });
      this.all.add(connection);
      return Promise.resolve(connection);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(connection: Connection): void {
    if (connection.dead) {
      // Its place is free again: a waiting request opens a new connection.
      const next = this.waiting.shift();
      if (next) void this.acquire().then(next);
      return;
    }
    const next = this.waiting.shift();
    if (next) next(connection);
    else this.idle.push(connection);
  }
}
