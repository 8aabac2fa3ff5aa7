/**
 * A Socket.IO client written by hand over a plain TCP socket (WebSocket transport, Engine.IO 4),
 * for what a real client library hides: it can stop reading altogether, like a client whose
 * network or CPU cannot keep up.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

const OPCODE_TEXT = 0x1;
const OPCODE_CLOSE = 0x8;

/** A client-to-server WebSocket text frame: always masked (RFC 6455 §5.3). */
function textFrame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const mask = randomBytes(4);
  const len = payload.length;
  const header = len < 126 ? Buffer.from([0x80 | OPCODE_TEXT, 0x80 | len]) : Buffer.alloc(len < 65536 ? 4 : 10);
  if (len >= 126 && len < 65536) {
    header[0] = 0x80 | OPCODE_TEXT;
    header[1] = 0x80 | 126;
    header.writeUInt16BE(len, 2);
  } else if (len >= 65536) {
    header[0] = 0x80 | OPCODE_TEXT;
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(len), 2);
  }
  for (let i = 0; i < len; i++) payload[i] = payload[i]! ^ mask[i % 4]!;
  return Buffer.concat([header, mask, payload]);
}

export class RawSocketIo {
  /** Socket.IO packets received (the Engine.IO `4` stripped), in order. */
  readonly packets: string[] = [];
  closed = false;
  private buffer = Buffer.alloc(0);
  private upgraded = false;
  private waiters: (() => void)[] = [];

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  /** Connects to the hub at `port` with `token` and resolves once Socket.IO has accepted it. */
  static async connect(port: number, token: string, path = '/socket.io'): Promise<RawSocketIo> {
    const socket = connect(port, '127.0.0.1');
    const client = new RawSocketIo(socket);
    socket.write(
      [
        `GET ${path}/?EIO=4&transport=websocket HTTP/1.1`,
        `Host: 127.0.0.1:${port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        '',
        '',
      ].join('\r\n'),
    );
    await client.until(() => client.upgraded);
    client.sendEngine(`40${JSON.stringify({ token })}`);
    await client.until(() => client.packets.some((p) => p.startsWith('0') || p.startsWith('4')));
    const answer = client.packets.shift()!;
    if (!answer.startsWith('0')) throw new Error(`connection refused: ${answer}`);
    return client;
  }

  /** Sends a Socket.IO event with an ack id (`42<id>[name, payload]`). */
  emit(ackId: number, event: string, payload: unknown): void {
    this.sendEngine(`42${ackId}${JSON.stringify([event, payload])}`);
  }

  /** Stops reading: what the server sends piles up in the kernel, then in the server. */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** Resolves when `predicate` holds, checked after each packet received. */
  async until(predicate: () => boolean): Promise<void> {
    while (!predicate()) {
      if (this.closed) throw new Error('the connection closed');
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  private sendEngine(packet: string): void {
    this.socket.write(textFrame(packet));
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    if (!this.upgraded) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = this.buffer.subarray(0, end).toString('latin1');
      if (!head.startsWith('HTTP/1.1 101')) throw new Error(`upgrade refused: ${head.split('\r\n')[0]}`);
      this.buffer = this.buffer.subarray(end + 4);
      this.upgraded = true;
    }
    for (let frame = this.nextFrame(); frame !== undefined; frame = this.nextFrame()) {
      if (frame.opcode === OPCODE_CLOSE) this.socket.end();
      if (frame.opcode !== OPCODE_TEXT) continue;
      const text = frame.payload.toString('utf8');
      if (text === '2') this.sendEngine('3');
      else if (text.startsWith('4')) this.packets.push(text.slice(1));
    }
    this.wake();
  }

  /** The next whole server frame in the buffer (servers never mask, nor fragment these). */
  private nextFrame(): { opcode: number; payload: Buffer } | undefined {
    const b = this.buffer;
    if (b.length < 2) return undefined;
    let len = b[1]! & 0x7f;
    let offset = 2;
    if (len === 126) {
      if (b.length < 4) return undefined;
      len = b.readUInt16BE(2);
      offset = 4;
    } else if (len === 127) {
      if (b.length < 10) return undefined;
      len = Number(b.readBigUInt64BE(2));
      offset = 10;
    }
    if (b.length < offset + len) return undefined;
    this.buffer = b.subarray(offset + len);
    return { opcode: b[0]! & 0x0f, payload: b.subarray(offset, offset + len) };
  }
}
