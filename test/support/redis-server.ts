import { startProcess, type Running } from './child-process.js';
import { freePort } from './free-port.js';

/** A throwaway redis-server on loopback, with no persistence, that a test can stop and start again. */
export class RedisServer {
  private running?: Running;

  private constructor(readonly port: number) {}

  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await freePort());
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async restart(): Promise<void> {
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ];
    this.running = await startProcess(['redis-server', ...args], {
      cwd: process.cwd(),
      env: process.env,
      ready: /Ready to accept connections/,
    });
  }

  async stop(): Promise<void> {
    await this.running?.stop();
    this.running = undefined;
  }
}
