import type { Json } from '../model/json';

/** A class of field value that backends, serializers and databases are known to change. */
export interface ValueClass {
  name: string;
  value: Json;
}

/**
 * Every class of string value the floor round-trips, one example each: the classes a string field
 * of any resource must store exactly as sent.
 */
export const STRING_CLASSES: readonly ValueClass[] = [
  { name: 'empty', value: '' },
  { name: 'whitespaceOnly', value: ' \t ' },
  { name: 'padded', value: '  leading and trailing  ' },
  { name: 'unicodeNfc', value: 'Zo\u00EB caf\u00E9 \u00C5ngstr\u00F6m' },
  { name: 'unicodeNfd', value: 'Zoe\u0308 cafe\u0301 A\u030Angstro\u0308m' },
  // Compatibility characters: NFKC or NFKD would rewrite each (ligature, circled digit, full width).
  { name: 'unicodeCompat', value: '\uFB01ne \u2460 \uFF26\uFF55\uFF4C\uFF4C' },
  {
    name: 'emoji',
    value: '\u{1F469}\u200D\u{1F469}\u200D\u{1F467} \u{1F44D}\u{1F3FD} \u{1F1EE}\u{1F1F1}',
  },
  { name: 'long', value: `${'long é '.repeat(700)}end` },
  { name: 'numericLooking', value: '007' },
  { name: 'numericExponent', value: '1e3' },
  { name: 'numericHuge', value: '12345678901234567890' },
];

/** Classes only extra fields carry: a declared string field may not hold them. */
export const OTHER_CLASSES: readonly ValueClass[] = [
  { name: 'null', value: null },
  { name: 'true', value: true },
  { name: 'false', value: false },
  { name: 'nested', value: { inner: { list: [1, 'two', null], flag: false } } },
  { name: 'array', value: [1, 'two', { three: 3 }, [], {}] },
  { name: 'emptyObject', value: {} },
  { name: 'emptyArray', value: [] },
  { name: 'float', value: 3.14159 },
  { name: 'bigInteger', value: 2 ** 63 },
  { name: 'negativeZeroish', value: -0.5 },
];

/** Every class, strings first. */
export const VALUE_CLASSES: readonly ValueClass[] = [...STRING_CLASSES, ...OTHER_CLASSES];

/** The extra field a class travels in: `vc_whitespaceOnly`. */
export const classField = (valueClass: ValueClass): string => `vc_${valueClass.name}`;
