import { readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { parseInboundMessage } from './src/index';
const raw = readFileSync(process.argv[2]!);
const opts = { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true, keepCidLinks: true, keepDeliveryStatus: true };
const N = 2000; let bare = 0, ours = 0;
for (let round = 0; round < 6; round++) {
  let t = performance.now(); for (let i = 0; i < N; i++) await simpleParser(raw, opts); const b = performance.now() - t;
  t = performance.now(); for (let i = 0; i < N; i++) await parseInboundMessage(raw); const o = performance.now() - t;
  if (round > 0) { bare += b; ours += o; }
}
const n = N * 5;
console.log(`${process.argv[2]} ${raw.length} B: parseInboundMessage ${Math.round(n / ours * 1000)} msg/s (${(ours / n * 1000).toFixed(0)} µs), bare simpleParser ${(bare / n * 1000).toFixed(0)} µs, our overhead ${((ours - bare) / n * 1000).toFixed(0)} µs`);
