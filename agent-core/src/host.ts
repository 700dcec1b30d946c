import os from 'node:os';
import { storableText, type HostFacts } from '@flotilla/protocol';
import type { Driver } from './driver.js';
import type { Logger } from './logger.js';

const clip = (text: string, max: number) => storableText(text.length <= max ? text : text.slice(0, max));

/** Host facts for the hello; the runtime string comes from the driver (failure → "unknown"). */
export async function collectHostFacts(driver: Driver, logger: Logger): Promise<HostFacts> {
  let runtime: string;
  try {
    runtime = await driver.runtimeInfo();
  } catch (err) {
    logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'cannot read runtime versions');
    runtime = 'unknown';
  }
  return {
    hostname: clip(os.hostname(), 255),
    os: clip(`${os.type()} ${os.release()}`, 100),
    arch: clip(os.arch(), 50),
    runtime: clip(runtime, 200),
  };
}
