import jsQR from 'jsqr';
import type { Locator } from 'playwright-core';

// pngjs comes with qrcode and has no type declarations of its own.
const { PNG } = require('pngjs') as { PNG: { sync: { read(data: Buffer): { width: number; height: number; data: Buffer } } } };

/** What a phone camera would read: the QR as rendered on screen (an element screenshot), decoded with jsQR. */
export async function decodeQrElement(element: Locator): Promise<string | undefined> {
  const png = PNG.sync.read(await element.screenshot());
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
}
