import qrcode from 'qrcode-generator';
import { escapeHtml } from './page-shell.js';

/** Light modules around the code, as scanners expect (the spec asks for 4; the page frame adds more). */
const QUIET_ZONE = 2;
/** About the width of WeChat's own code on its login page, in CSS px. */
const TARGET_PX = 240;

/**
 * `text` as an inline SVG QR code: one path of unit squares in module coordinates,
 * sized to a whole number of pixels per module so every module is drawn the same
 * width, without seams. Error correction L: a screen is never smudged, and the
 * long scan URL then needs fewer, larger modules.
 */
export function qrCodeSvg(text: string, label: string): string {
  const qr = qrcode(0, 'L');
  // Byte mode keeps the low byte of each char: hand it UTF-8 bytes, one per char.
  qr.addData(Buffer.from(text, 'utf8').toString('latin1'), 'Byte');
  qr.make();
  const count = qr.getModuleCount();
  const size = count + 2 * QUIET_ZONE;
  const px = size * Math.max(2, Math.round(TARGET_PX / size));
  let path = '';
  for (let row = 0; row < count; row++) {
    for (let col = 0; col < count; col++) {
      if (qr.isDark(row, col)) path += `M${col + QUIET_ZONE} ${row + QUIET_ZONE}h1v1h-1z`;
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${px}" height="${px}" viewBox="0 0 ${size} ${size}" shape-rendering="crispEdges" role="img" aria-label="${escapeHtml(label)}"><rect width="${size}" height="${size}" fill="#fff"/><path fill="#000" d="${path}"/></svg>`;
}
