import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CHROMIUM as DEBIAN_CHROMIUM, CHROMIUM_HEADLESS_ARGS } from '../../test/support/chromium';

export const CHROMIUM = process.env.BENCH_CHROMIUM ?? DEBIAN_CHROMIUM;

/**
 * An SVG screenshotted into a PNG by Debian's headless Chromium: the repo takes no charting or
 * PNG dependency, and the browser draws the text. The background-networking flags keep Chromium
 * from reaching for Google's hosts, which this machine's closed network refuses.
 */
export async function renderSvgToPng(svg: string, pngPath: string, size: { width: number; height: number }): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-chart-'));
  try {
    const svgPath = join(dir, 'chart.svg');
    writeFileSync(svgPath, svg);
    await promisify(execFile)(
      CHROMIUM,
      [
        ...CHROMIUM_HEADLESS_ARGS,
        '--hide-scrollbars',
        '--force-device-scale-factor=1',
        `--user-data-dir=${join(dir, 'profile')}`,
        `--window-size=${size.width},${size.height}`,
        `--screenshot=${pngPath}`,
        `file://${svgPath}`,
      ],
      { timeout: 60_000 },
    );
    const got = pngSize(readFileSync(pngPath));
    if (got.width !== size.width || got.height !== size.height) throw new Error(`chromium wrote a ${got.width}×${got.height} PNG, expected ${size.width}×${size.height}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from a PNG's IHDR chunk (always the first); throws if it is not a PNG. */
export function pngSize(png: Buffer): { width: number; height: number } {
  if (png.length < 24 || !png.subarray(0, 8).equals(PNG_SIGNATURE) || png.toString('latin1', 12, 16) !== 'IHDR') throw new Error('not a PNG file');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
