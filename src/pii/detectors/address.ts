import type { PiiEntity } from '../types.js';
import { letter, lower, upper } from './letters.js';
import { scan } from './scan.js';

/**
 * Street addresses in English, Turkish and German: a street with a house number (or a Turkish
 * neighbourhood + street), optionally followed by a postcode and a city. A street name alone
 * ("Bağdat Caddesi'nde", "on Main Street") is a place, not an address, and is not reported.
 */
const nameWord = String.raw`(?:[${upper}][${letter}'’-]{0,24}|\d{1,5}\.?)`;
const boundary = String.raw`(?<![${letter}\d])`;
const end = String.raw`(?![${letter}\d])`;

// English: 221B Baker Street, Apt 4, London NW1 6XE | 1600 Pennsylvania Ave NW, Washington, DC 20500
const usState = String.raw`[A-Z]{2}[ \t]\d{5}(?:-\d{4})?`;
const ukPostcode = String.raw`[A-Z]{1,2}\d[A-Z\d]?[ \t]\d[A-Z]{2}`;
const englishStreet = String.raw`(?:Street|St\.?|Avenue|Ave\.?|Road|Rd\.?|Boulevard|Blvd\.?|Lane|Ln\.?|Drive|Dr\.?|Court|Ct\.?|Place|Pl\.?|Square|Sq\.?|Terrace|Way|Parkway|Highway|Crescent|Close|Gardens)`;
const english = new RegExp(
  boundary +
    String.raw`\d{1,5}[A-Za-z]?[ \t](?:${nameWord}[ \t]){1,4}${englishStreet}(?![${letter}])(?:[ \t](?:NW|NE|SW|SE|N|S|E|W)${end})?` +
    String.raw`(?:,?[ \t](?:Apt|Apartment|Suite|Unit|Flat)\.?[ \t]?#?\d{1,5}[A-Za-z]?)?` +
    String.raw`(?:,[ \t][${upper}][${lower}]{1,24}(?:[ \t][${upper}][${lower}]{1,24}){0,2}(?:,?[ \t](?:${usState}|${ukPostcode}))?)?` +
    String.raw`(?:,?[ \t](?:${ukPostcode}))?`,
  'g',
);

// Turkish: Caferağa Mah. Moda Cad. No: 12/3 D: 4 34710 Kadıköy/İstanbul
// The words that introduce an address in Turkish are capitalised at a sentence start and would
// otherwise be read as part of the neighbourhood's name ("Kargoyu Moda Mah.").
const turkishLeadIns = String.raw`(?!(?:Adres|Adresim|Adresi|Adresimiz|Kargo|Kargoyu|Kurye|Teslimat|Fatura|Ev|İş)[ \t])`;
const neighbourhood = String.raw`(?:${turkishLeadIns}${nameWord}[ \t]){1,2}(?:Mahallesi|Mah\.|Mh\.)`;
const turkishStreet = String.raw`(?:${nameWord}[ \t]){1,3}(?:Sokağı|Sokak|Sok\.|Sk\.|Caddesi|Cadde|Cad\.|Cd\.|Bulvarı|Blv\.|Yolu)`;
const doorNumber = String.raw`No[:.]?[ \t]?\d{1,5}(?:[ \t]?\/[ \t]?\d{1,4})?[A-Za-z]?${end}`;
const flat = String.raw`(?:[ \t,]{1,3}(?:Daire|D\.|D:|Kat|K\.|K:)[:.]?[ \t]?\d{1,3})`;
const turkishCity = String.raw`(?:[ \t,]{1,3}\d{5}[ \t][${upper}][${letter}]{1,24}(?:[ \t]?\/[ \t]?[${upper}][${letter}]{1,24})?)`;
const turkish = new RegExp(
  boundary +
    String.raw`(?:${neighbourhood}[ \t,]{1,3}${turkishStreet}(?:[ \t,]{1,3}${doorNumber})?|(?:${neighbourhood}[ \t,]{1,3})?${turkishStreet}[ \t,]{1,3}${doorNumber})` +
    String.raw`${flat}{0,2}${turkishCity}?`,
  'g',
);

// German: Hauptstraße 5, 10115 Berlin | Berliner Str. 12a | Am Lindenweg 3
const germanSuffix = String.raw`(?:straße|strasse|str\.|weg|gasse|platz|allee|ring|damm|ufer|chaussee)`;
const germanWord = String.raw`[${upper}][${lower}]{1,24}`;
// At most one leading word, and only a preposition or an adjective ("Am Lindenweg", "Berliner
// Str."), so that "Wohnhaft Am Lindenweg" does not take "Wohnhaft" in.
const germanLead = String.raw`(?:(?:Am|An der|Auf der|Auf dem|Im|In der|Unter den|Zum|Zur|Alte|Neue|Große|Kleine|Hohe|[${upper}][${lower}]{1,24}er)[ \t])`;
const germanStreet = String.raw`${germanLead}?(?:(?:${germanWord}-){0,3}[${upper}][${lower}]{1,30}${germanSuffix}|(?:${germanWord}-){0,3}${germanWord}[ \t-](?:Straße|Strasse|Str\.|Weg|Gasse|Platz|Allee|Ring|Damm))`;
const german = new RegExp(
  boundary +
    String.raw`${germanStreet}[ \t]\d{1,4}[a-z]?(?:[ \t]?-[ \t]?\d{1,4})?${end}` +
    String.raw`(?:,?[ \t]{1,3}(?:D-)?\d{5}[ \t][${upper}][${letter}]{1,24}(?:[ \t](?:am|an der|im)[ \t][${upper}][${letter}]{1,24})?)?`,
  'g',
);

const englishGate = new RegExp(englishStreet);
const turkishGate = /Mah|Mh\.|So[kk]|Sk\.|Cad|Cd\.|Bulvar|Blv\.|Yolu/;
const germanGate =
  /(?:stra(?:ß|ss)e|str\.|weg|gasse|platz|allee|ring|damm|ufer|chaussee|Stra(?:ß|ss)e|Str\.|Weg|Gasse|Platz|Allee|Ring|Damm) \d/;

export function detectAddresses(text: string): PiiEntity[] {
  if (!/\d/.test(text)) return [];
  return [
    ...scan(text, { type: 'address', pattern: english, gate: englishGate }),
    ...scan(text, { type: 'address', pattern: turkish, gate: turkishGate }),
    ...scan(text, { type: 'address', pattern: german, gate: germanGate }),
  ];
}
