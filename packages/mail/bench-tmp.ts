import { readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { parseInboundMessage, findMessageTokens, extractComment, detectReplyAction, classifyAutomatic } from './src/index';
const raw = readFileSync(process.argv[2] ?? 'fixtures/reply-approve-gmail.eml');
const N = 5000;
const opts = { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true, keepCidLinks: true, keepDeliveryStatus: true };
for (let i = 0; i < 1000; i++) { await simpleParser(raw, opts); await parseInboundMessage(raw); }
let t = performance.now();
for (let i = 0; i < N; i++) await simpleParser(raw, opts);
const bare = (performance.now() - t) / N;
t = performance.now();
for (let i = 0; i < N; i++) await parseInboundMessage(raw);
const ours = (performance.now() - t) / N;
const r = await parseInboundMessage(raw); if (!r.ok) throw new Error();
t = performance.now();
for (let i = 0; i < N; i++) { const m = r.message; classifyAutomatic(m); findMessageTokens(m); detectReplyAction(extractComment(m.text)); }
const understand = (performance.now() - t) / N;
console.log(`${raw.length} bytes: simpleParser ${(bare*1000).toFixed(0)}µs, parseInboundMessage ${(ours*1000).toFixed(0)}µs (${Math.round(1000/ours)} msg/s, overhead ${((ours-bare)*1000).toFixed(0)}µs), classify+tokens+comment+action ${(understand*1000).toFixed(0)}µs`);
