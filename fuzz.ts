import { randomBytes, randomInt } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { parseInboundMessage, findMessageTokens, extractComment, detectReplyAction, classifyAutomatic } from './packages/mail/src/index';
let uncaught = 0;
process.on('uncaughtException', (e) => { uncaught++; console.log('UNCAUGHT', e); });
process.on('unhandledRejection', (e) => { uncaught++; console.log('UNHANDLED', e); });
const fx = readdirSync('packages/mail/fixtures').filter((f) => f.endsWith('.eml')).map((f) => readFileSync('packages/mail/fixtures/' + f));
const tokens = ['\r\n', '--', 'Content-Type: multipart/mixed; boundary=', 'Content-Transfer-Encoding: base64\r\n', 'Content-Type: message/rfc822\r\n', '=?utf-8?B?', '?=', 'charset=utf-16', 'charset=x-foo', 'format=flowed; delsp=yes', '<blockquote>', '<', '>', '=\r\n', 'begin 644 x\r\n', 'Content-Type: text/html\r\n', 'Content-Transfer-Encoding: uuencode\r\n', 'Content-Type: application/ms-tnef\r\n'];
let ok = 0, bad = 0; const t0 = Date.now();
for (let i = 0; i < 30000; i++) {
  const base = fx[randomInt(fx.length)]!;
  const parts: Buffer[] = [];
  let pos = 0;
  const n = randomInt(1, 6);
  for (let k = 0; k < n; k++) {
    if (pos >= base.length - 1) break; const at = randomInt(pos, base.length);
    parts.push(base.subarray(pos, at));
    const r = randomInt(3);
    parts.push(r === 0 ? randomBytes(randomInt(1, 30)) : Buffer.from(tokens[randomInt(tokens.length)]!));
    pos = r === 2 ? Math.min(base.length, at + randomInt(50)) : at;
  }
  parts.push(base.subarray(pos));
  const raw = Buffer.concat(parts);
  const res = await parseInboundMessage(raw);
  if (res.ok) { ok++; findMessageTokens(res.message); const c = extractComment(res.message.text); detectReplyAction(c); classifyAutomatic(res.message); } else bad++;
}
console.log({ ok, bad, uncaught, ms: Date.now() - t0 });
