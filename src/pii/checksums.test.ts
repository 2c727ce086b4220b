import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ibanValid, luhnValid, turkishIdValid } from './checksums.js';

test('Luhn accepts published test card numbers and rejects a changed digit', () => {
  assert.equal(luhnValid('4111111111111111'), true);
  assert.equal(luhnValid('378282246310005'), true);
  assert.equal(luhnValid('5555555555554444'), true);
  assert.equal(luhnValid('4111111111111112'), false);
});

test('Turkish identity numbers: both check digits and a non-zero first digit', () => {
  assert.equal(turkishIdValid('10000000146'), true);
  assert.equal(turkishIdValid('10000000147'), false);
  assert.equal(turkishIdValid('10000000156'), false);
  assert.equal(turkishIdValid('01000000146'), false);
  assert.equal(turkishIdValid('1000000014'), false);
});

test('IBAN: mod 97 and the country length', () => {
  assert.equal(ibanValid('DE89370400440532013000'), true);
  assert.equal(ibanValid('GB82WEST12345698765432'), true);
  assert.equal(ibanValid('TR330006100519786457841326'), true);
  assert.equal(ibanValid('DE89370400440532013001'), false);
  assert.equal(ibanValid('DE8937040044053201300'), false);
  assert.equal(ibanValid('XX89370400440532013000'), false);
});
