import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectPii, redactPii } from './index.js';
import type { PiiType } from './index.js';

function found(text: string, types?: readonly PiiType[]): string[] {
  return detectPii(text, types ? { types } : {}).map((entity) => `${entity.type}:${text.slice(entity.start, entity.end)}`);
}

test('phones: Turkish, German and US formats; dates, versions and order ids are not phones', () => {
  assert.deepEqual(found('Ara: +90 532 123 45 67, 0532 123 45 67 ya da (0212) 555 12 34.'), [
    'phone:+90 532 123 45 67',
    'phone:0532 123 45 67',
    'phone:(0212) 555 12 34',
  ]);
  assert.deepEqual(found('Ruf an: +49 30 1234567 oder (415) 555-2671'), ['phone:+49 30 1234567', 'phone:(415) 555-2671']);
  assert.deepEqual(found('Order 2024-000123 from 05.11.2023, build 1.2.3, id 20240315-9876, SKU 4006381333931'), []);
});

test('checksum types: valid numbers found, a changed digit is not', () => {
  assert.deepEqual(found('Card 4111 1111 1111 1111 vs 4111 1111 1111 1112'), ['credit_card:4111 1111 1111 1111']);
  assert.deepEqual(found('IBAN DE89 3704 0044 0532 0130 00 vs DE89 3704 0044 0532 0130 01'), ['iban:DE89 3704 0044 0532 0130 00']);
  assert.deepEqual(found('TC 10000000146 vs 10000000147'), ['tr_national_id:10000000146']);
});

test('IP addresses: v4 and compressed v6, not version strings, clocks, MACs or C++ scopes', () => {
  assert.deepEqual(found('from 203.0.113.45 and 2001:db8::1 and ::1'), [
    'ip_address:203.0.113.45',
    'ip_address:2001:db8::1',
    'ip_address:::1',
  ]);
  assert.deepEqual(found('v1.2.3, 10:30:45, 00:1A:2B:3C:4D:5E, std::map, 999.1.1.1'), []);
});

test('overlaps: the longer span of the same tier wins, checksum types beat phones, names lose to both', () => {
  assert.deepEqual(found('postgres://app:pa55word@db.example.com/main'), ['url_credentials:postgres://app:pa55word@db.example.com']);
  assert.deepEqual(found('kart 5555 5555 5555 4444'), ['credit_card:5555 5555 5555 4444']);
});

test('secrets: provider keys, JWTs, bearer values and PEM blocks; placeholders are not', () => {
  const text = [
    'sk-ant-api03-' + 'a'.repeat(40),
    'AKIAIOSFODNN7EXAMPLE',
    'Authorization: Bearer abcdefghijklmnopqrstuvwx',
    'password=<your password>',
    '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----',
  ].join('\n');
  assert.deepEqual(
    found(text).map((entry) => entry.replace(/\n/g, '⏎')),
    [
      'secret:sk-ant-api03-' + 'a'.repeat(40),
      'secret:AKIAIOSFODNN7EXAMPLE',
      'secret:abcdefghijklmnopqrstuvwx',
      'secret:-----BEGIN EC PRIVATE KEY-----⏎MHcCAQEE⏎-----END EC PRIVATE KEY-----',
    ],
  );
});

test('names and addresses need context', () => {
  assert.deepEqual(found('Benim adım Ayşe Yılmaz. Mein Name ist Jörg Weber. Dear Sir, Main Street is closed.'), [
    'person:Ayşe Yılmaz',
    'person:Jörg Weber',
  ]);
  assert.deepEqual(found('Adres: Moda Mah. Gül Sok. No: 5/2 34710 Kadıköy/İstanbul'), [
    'address:Moda Mah. Gül Sok. No: 5/2 34710 Kadıköy/İstanbul',
  ]);
});

test('types restrict detection; offsets are UTF-16 code units', () => {
  const text = '😀 ali@example.com 0532 123 45 67';
  assert.deepEqual(detectPii(text, { types: ['email'] }), [{ type: 'email', start: 3, end: 18 }]);
  assert.equal(text.slice(3, 18), 'ali@example.com');
});

test('redaction modes: mask, remove, and hash pseudonyms stable per value and salt', () => {
  const text = 'Mail Ali@Example.com or ali@example.com, card 4111-1111-1111-1111.';
  assert.equal(redactPii(text, { mode: 'mask' }).text, 'Mail [EMAIL] or [EMAIL], card [CREDIT_CARD].');
  assert.equal(redactPii(text, { mode: 'remove' }).text, 'Mail  or , card .');
  const hashed = redactPii(text, { mode: 'hash', salt: 'project-a' });
  const pseudonyms = hashed.text.match(/\[EMAIL_[0-9a-f]{8}\]/g) ?? [];
  assert.equal(pseudonyms.length, 2);
  assert.equal(pseudonyms[0], pseudonyms[1], 'the same address (case-folded) gets one pseudonym');
  assert.notEqual(redactPii(text, { mode: 'hash', salt: 'project-b' }).text, hashed.text);
  assert.deepEqual(hashed.entities, redactPii(text, { mode: 'mask' }).entities);
});

test('pathological inputs of 100 KB finish: every pattern is bounded', () => {
  const units = [
    'a',
    '1',
    '1 ',
    'a@',
    '1.',
    'a:',
    'eyJ',
    'Mr. ',
    'Ab ',
    '-----BEGIN PRIVATE KEY-----\n',
    'DE89 ',
    'Ab Str. ',
    'Ab Mah. ',
    '(0) ',
  ];
  for (const unit of units) {
    const text = unit.repeat(Math.ceil(100_000 / unit.length));
    const started = process.hrtime.bigint();
    detectPii(text);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    // Not a timing test: a backtracking pattern takes minutes here, a linear one a fraction of a second.
    assert.ok(seconds < 10, `${JSON.stringify(unit)} × 100 KB took ${seconds.toFixed(1)} s`);
  }
});
