import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorBody } from '@flotilla/protocol';

/**
 * Requests Node's HTTP parser refuses before Koa sees them (a request line or headers past 16 KB,
 * malformed HTTP) are answered in the error shape like every other error, not with Node's bare text.
 */
export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : 400;
  const body: ErrorBody = tooLarge
    ? { error: { code: 'HEADERS_TOO_LARGE', message: 'The request line and headers are larger than 16 KB' } }
    : { error: { code: 'VALIDATION_FAILED', message: 'Malformed HTTP request' } };
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}
