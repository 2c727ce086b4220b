import type { PiiEntity } from '../types.js';
import { letter, lower, upper } from './letters.js';
import { scan } from './scan.js';

/**
 * Names are found only where the text says a name follows: a title or honorific, an introduction
 * ("my name is", "benim adım", "mein Name ist"), a form label, a greeting or a signature. A bare
 * capitalised word is never reported (German capitalises every noun).
 */
const word = String.raw`[${upper}](?:[${lower}]{1,24}|['’][${upper}][${lower}]{1,24})(?:-[${upper}][${lower}]{1,24})?`;
const particle = String.raw`(?:(?:von|van|de|der|den|di|da|du|al|el|bin|ibn)[ \t])`;
const name = (min: number, max: number): string => String.raw`${word}(?:[ \t]${particle}{0,2}${word}){${min - 1},${max - 1}}`;

const title = String.raw`(?:Mr|Mrs|Ms|Mx|Miss|Dr|Prof|Sir|Dame|Herr|Frau|Sayın|Bay|Bayan|Doç|Av|Op|Mme|Mlle|Sr|Sra|Srta|Sig|Dott)`;
const titled = new RegExp(String.raw`(?<![${letter}\d])(?:${title}\.?[ \t]{1,3}){1,3}(?!${title}\.)(${name(1, 3)})(?![${letter}])`, 'g');

const introductions = [
  String.raw`[Mm]y name is`,
  String.raw`[Mm]y name's`,
  String.raw`[Bb]enim adım`,
  String.raw`[Bb]enim ismim`,
  String.raw`[İi]smim`,
  String.raw`[Aa]dım soyadım`,
  String.raw`[Mm]ein Name ist`,
  String.raw`[Ii]ch heiße`,
  String.raw`[Jj]e m'appelle`,
  String.raw`[Mm]e llamo`,
  String.raw`[Mm]i nombre es`,
  String.raw`[Mm]i chiamo`,
  String.raw`[Mm]ijn naam is`,
].join('|');
const introduced = new RegExp(String.raw`(?<![${letter}])(?:${introductions})[ \t]{1,3}(${name(1, 3)})(?![${letter}])`, 'g');

const labels = String.raw`(?:Name|Full name|Customer name|Account holder|Patient|Ad Soyad|Adı Soyadı|Ad-Soyad|Müşteri adı|Hesap sahibi|Vor- und Nachname|Kundenname|Kontoinhaber|Kontoinhaberin|Nom|Nombre)`;
const labelled = new RegExp(String.raw`(?<![${letter}])${labels}[ \t]{0,2}:[ \t]{0,3}(${name(2, 3)})(?![${letter}])`, 'g');

const greetings = String.raw`(?:Dear|Sevgili|Lieber|Liebe|Querido|Querida|Cher|Chère)`;
const notNames = String.raw`(?:Sir|Madam|Team|All|Customer|Colleagues|Friends|Everyone|Kunde|Kundin|Grüße|Kollegen|Kolleginnen|Freunde|Müşterimiz|Ekip)`;
const greeted = new RegExp(
  String.raw`(?<![${letter}])${greetings}[ \t]{1,3}(?!(?:${notNames}|${title})(?![${letter}]))(${name(1, 3)})(?![${letter}])`,
  'g',
);

const closings = String.raw`(?:Best regards|Kind regards|Regards|Sincerely|Best wishes|Cheers|Saygılarımla|Saygılarımızla|Teşekkürler|İyi çalışmalar|Mit freundlichen Grüßen|Viele Grüße|Beste Grüße|Liebe Grüße|Cordialement|Saludos|Atentamente)`;
const signedGate = new RegExp(String.raw`${closings}[,!.]?[ \t]{0,3}\r?\n`);
const signed = new RegExp(String.raw`${closings}[,!.]?[ \t]{0,3}\r?\n[ \t]{0,8}(${name(1, 3)})(?![${letter}])`, 'g');

/** Turkish honorifics follow the name: "Ahmet Bey", "Ayşe Yılmaz Hanım". */
const honoured = new RegExp(String.raw`(?<![${letter}])(${name(1, 2)})[ \t](?:Bey|Hanım|Beyefendi|Hanımefendi)(?![${letter}])`, 'g');

const introductionGate = new RegExp(introductions);
const labelGate = new RegExp(String.raw`${labels}[ \t]{0,2}:`);
const greetingGate = new RegExp(greetings);

export function detectPersons(text: string): PiiEntity[] {
  return [
    ...scan(text, { type: 'person', pattern: titled, group: 'tail' }),
    ...scan(text, { type: 'person', pattern: introduced, group: 'tail', gate: introductionGate }),
    ...scan(text, { type: 'person', pattern: labelled, group: 'tail', gate: labelGate }),
    ...scan(text, { type: 'person', pattern: greeted, group: 'tail', gate: greetingGate }),
    ...scan(text, { type: 'person', pattern: signed, group: 'tail', gate: signedGate }),
    ...scan(text, { type: 'person', pattern: honoured, group: 'head', gate: /Bey|Hanım/ }),
  ];
}
