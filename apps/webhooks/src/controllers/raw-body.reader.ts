/**
 * Reads a request's raw body, refusing an oversized one as soon as its size is known: from Content-Length
 * before reading a byte, or mid-stream for a body without one. Nothing oversized is kept, parsed or hashed.
 * The bytes are kept exactly as received, because a webhook signature covers them and not any
 * re-serialisation. Plain node:http (no framework) because it sits on the webhook hot path.
 */
import type { IncomingMessage } from 'node:http';

export interface RawBodyOutcome {
  /** The whole body, exactly as received. */
  body(raw: Buffer): void;
  /** The body exceeds the limit (`declaredBytes` when Content-Length said so); nothing more is read. */
  tooLarge(declaredBytes: number | undefined): void;
  /** The client went away or the stream failed before the body ended. */
  failed(error: Error): void;
}

export function readRawBody(req: IncomingMessage, maxBytes: number, outcome: RawBodyOutcome): void {
  const header = req.headers['content-length'];
  const declared = header === undefined ? undefined : Number(header);
  if (declared !== undefined && declared > maxBytes) return outcome.tooLarge(declared);

  const chunks: Buffer[] = [];
  let size = 0;
  const finish = () => {
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('error', onError);
  };
  const onData = (chunk: Buffer) => {
    size += chunk.length;
    if (size <= maxBytes) return void chunks.push(chunk);
    finish();
    outcome.tooLarge(declared);
  };
  const onEnd = () => {
    finish();
    outcome.body(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
  };
  const onError = (error: Error) => {
    finish();
    outcome.failed(error);
  };
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', onError);
}
