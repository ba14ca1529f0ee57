import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodePost, LoadClient } from './load-client';

describe('LoadClient', () => {
  let server: Server;
  let port: number;
  let answer: (body: string, res: import('node:http').ServerResponse) => void;

  beforeEach(async () => {
    answer = (body, res) => {
      res.writeHead(body === 'bad' ? 400 : 200, { 'content-length': 2 });
      res.end('ok');
    };
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => answer(Buffer.concat(chunks).toString(), res));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    port = (server.address() as AddressInfo).port;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  });

  const post = (body: string) => encodePost('/x', { 'content-type': 'text/plain' }, Buffer.from(body));

  it('answers each request its own status, queueing beyond its connections', async () => {
    const client = new LoadClient(port, 2);
    const statuses = await Promise.all(['a', 'bad', 'c', 'd', 'bad'].map((b) => client.send(post(b))));
    expect(statuses).toEqual([200, 400, 200, 200, 400]);
    client.destroy();
  });

  it('reads chunked answers', async () => {
    answer = (_body, res) => {
      res.writeHead(201);
      res.write('partial ');
      res.end('answer');
    };
    const client = new LoadClient(port, 1);
    await expect(client.send(post('a'))).resolves.toBe(201);
    await expect(client.send(post('b'))).resolves.toBe(201);
    client.destroy();
  });

  it('replaces connections the server closed while idle instead of waiting on them forever', async () => {
    server.keepAliveTimeout = 50;
    const client = new LoadClient(port, 2);
    await Promise.all([client.send(post('a')), client.send(post('b'))]);
    // Node closes a keep-alive connection idle past the timeout about a second later.
    await new Promise((r) => setTimeout(r, 1500));
    await expect(Promise.all([client.send(post('c')), client.send(post('d'))])).resolves.toEqual([200, 200]);
    client.destroy();
  });

  it('fails a request whose connection is closed before the answer', async () => {
    answer = (_body, res) => res.socket?.destroy();
    const client = new LoadClient(port, 1);
    await expect(client.send(post('a'))).rejects.toThrow('the connection closed');
    answer = (_body, res) => res.end();
    await expect(client.send(post('b'))).resolves.toBe(200);
    client.destroy();
  });
});
