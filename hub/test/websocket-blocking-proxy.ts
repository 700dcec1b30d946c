import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

/**
 * A reverse proxy on 127.0.0.1 in front of a hub, like a corporate proxy that breaks websockets:
 * ordinary HTTP requests are forwarded, upgrades are refused with 403 until `allowUpgrades` is set
 * (then they are tunnelled). It counts what it saw.
 */
export class WebsocketBlockingProxy {
  allowUpgrades = false;
  /** Paths of the forwarded HTTP requests, in order (query strings dropped). */
  readonly requests: string[] = [];
  refusedUpgrades = 0;
  tunnelledUpgrades = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly target: URL,
  ) {}

  static async start(targetUrl: string): Promise<WebsocketBlockingProxy> {
    const server = createServer();
    const proxy = new WebsocketBlockingProxy(server, new URL(targetUrl));
    server.on('request', (req, res) => {
      proxy.requests.push((req.url ?? '').split('?')[0] ?? '');
      const upstream = request({ host: proxy.target.hostname, port: proxy.target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    });
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => proxy.upgrade(req, socket, head));
    server.on('connection', (socket) => {
      proxy.sockets.add(socket);
      socket.once('close', () => proxy.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** How many forwarded requests went to `path`. */
  count(path: string): number {
    return this.requests.filter((p) => p === path).length;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    if (!this.allowUpgrades) {
      this.refusedUpgrades += 1;
      socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      return;
    }
    this.tunnelledUpgrades += 1;
    const upstream = connect(Number(this.target.port), this.target.hostname, () => {
      const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/${req.httpVersion}`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    this.sockets.add(upstream);
    const close = () => {
      upstream.destroy();
      socket.destroy();
    };
    upstream.once('close', () => this.sockets.delete(upstream));
    upstream.on('error', close);
    socket.on('error', close);
    socket.once('close', close);
    upstream.once('close', close);
  }
}
