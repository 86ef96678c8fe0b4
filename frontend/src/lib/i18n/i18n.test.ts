import { describe, expect, it } from 'vitest';
import { en } from './en';
import {
  detectLocale,
  dictionaries,
  interpolate,
  LOCALES,
  matchLocale,
  placeholders,
  pluralKey,
  translate,
  translatePlural,
} from './locales';
import { ptBR } from './pt-BR';

describe('dictionaries', () => {
  const enKeys = Object.keys(en).sort();

  it.each(LOCALES)('%s has exactly the English keys', (locale) => {
    expect(Object.keys(dictionaries[locale]).sort()).toEqual(enKeys);
  });

  it.each(LOCALES)('%s uses the same {placeholders} as English in every message', (locale) => {
    const mismatches = enKeys.filter(
      (key) =>
        placeholders(en[key as keyof typeof en]).join() !==
        placeholders(dictionaries[locale][key as keyof typeof en]).join(),
    );
    expect(mismatches).toEqual([]);
  });

  it.each(LOCALES)('%s has no empty message', (locale) => {
    const empty = Object.entries(dictionaries[locale]).filter(([, v]) => v.trim() === '');
    expect(empty).toEqual([]);
  });

  it('comes with .one/.other pairs for every plural', () => {
    const ones = enKeys.filter((k) => k.endsWith('.one')).map((k) => k.slice(0, -4));
    const others = enKeys.filter((k) => k.endsWith('.other')).map((k) => k.slice(0, -6));
    expect(ones).toEqual(others);
    expect(ones.length).toBeGreaterThan(0);
  });

  it('translates pt-BR for real, not a copy of English', () => {
    expect(ptBR['empty.tryDemo']).toBe('Experimentar o cluster de demonstração');
    expect(ptBR['status.running']).toBe('Em execução');
    const same = Object.keys(en).filter(
      (k) => en[k as keyof typeof en] === ptBR[k as keyof typeof en],
    );
    // Product names, units and Proxmox terms legitimately stay the same.
    expect(same.length).toBeLessThan(Object.keys(en).length / 4);
  });
});

describe('interpolate', () => {
  it('fills named placeholders', () => {
    expect(interpolate('Cannot reach {host}.', { host: 'pve1' })).toBe('Cannot reach pve1.');
    expect(interpolate('{a} and {a} and {b}', { a: 1, b: 'x' })).toBe('1 and 1 and x');
  });
  it('leaves unknown placeholders visible', () => {
    expect(interpolate('Expected {expected}', {})).toBe('Expected {expected}');
  });
  it('does not treat inherited properties as params', () => {
    expect(interpolate('{toString}', {})).toBe('{toString}');
  });
  it('lists placeholders sorted and unique', () => {
    expect(placeholders(en['error.code.fingerprint'])).toEqual(['actual', 'expected', 'host']);
    expect(placeholders('{b}{a}{b}')).toEqual(['a', 'b']);
  });
});

describe('locale detection', () => {
  it.each([
    ['pt-BR', 'pt-BR'],
    ['pt', 'pt-BR'],
    ['pt-PT', 'pt-BR'],
    ['pt_BR.UTF-8', 'pt-BR'],
    ['PT-br', 'pt-BR'],
    ['en-US', 'en'],
    ['en_GB.UTF-8', 'en'],
    ['de-DE', null],
    ['', null],
  ])('matchLocale(%j) = %j', (tag, want) => {
    expect(matchLocale(tag)).toBe(want);
  });

  it('prefers the OS locale from Environment()', () => {
    expect(detectLocale('pt-BR', ['en-US'])).toBe('pt-BR');
    expect(detectLocale('en-US', ['pt-BR'])).toBe('en');
  });
  it('falls back to navigator.languages in order', () => {
    expect(detectLocale('', ['de-DE', 'pt-BR', 'en'])).toBe('pt-BR');
    expect(detectLocale(undefined, ['fr', 'en-GB'])).toBe('en');
  });
  it('ends in English', () => {
    expect(detectLocale('', [])).toBe('en');
    expect(detectLocale('ja-JP', ['ja'])).toBe('en');
  });
});

describe('plurals', () => {
  it('picks one and other per locale', () => {
    expect(pluralKey('en', 'summary.guests', 1)).toBe('summary.guests.one');
    expect(pluralKey('en', 'summary.guests', 2)).toBe('summary.guests.other');
    expect(pluralKey('pt-BR', 'summary.guests', 1)).toBe('summary.guests.one');
    expect(pluralKey('pt-BR', 'summary.guests', 24)).toBe('summary.guests.other');
  });
  it('uses other for zero, also in Portuguese', () => {
    expect(pluralKey('pt-BR', 'summary.guests', 0)).toBe('summary.guests.other');
    expect(translatePlural('pt-BR', 'summary.guests', 0)).toBe('0 VMs e contêineres');
    expect(translatePlural('en', 'summary.guests', 0)).toBe('0 guests');
  });
  it('fills {count}', () => {
    expect(translatePlural('en', 'summary.guests', 1)).toBe('1 guest');
    expect(translatePlural('pt-BR', 'nodes.count', 3)).toBe('3 nós');
  });
});

describe('translate', () => {
  it('uses the dictionary of the locale', () => {
    expect(translate('en', 'status.stopped')).toBe('Stopped');
    expect(translate('pt-BR', 'status.stopped')).toBe('Parado');
  });
});
